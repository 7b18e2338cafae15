//! Filter plugin: separable box blur of an RGBA image with an integer `radius`.

airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../wit/design"], world: "airlock:design/filter" });

use airlock::design::types::ParamValue;

const DEFAULT_RADIUS: i64 = 3;
const MAX_RADIUS: i64 = 64;

struct Blur;

impl Guest for Blur {
    fn describe() -> FilterInfo {
        FilterInfo {
            name: "Blur".into(),
            description: "Separable box blur; `radius` in pixels (0..=64)".into(),
            defaults: vec![Param { name: "radius".into(), value: ParamValue::Integer(DEFAULT_RADIUS) }],
        }
    }

    fn apply(image: Image, params: Vec<Param>) -> Result<Image, FilterError> {
        let mut radius = DEFAULT_RADIUS;
        for p in params {
            match (p.name.as_str(), p.value) {
                ("radius", ParamValue::Integer(r)) if (0..=MAX_RADIUS).contains(&r) => radius = r,
                (name, _) => {
                    return Err(FilterError::InvalidParam(format!(
                        "`{name}` is not understood (expected `radius`, an integer in 0..={MAX_RADIUS})"
                    )));
                }
            }
        }
        let (w, h) = (image.width as usize, image.height as usize);
        if image.pixels.len() != w * h * 4 {
            return Err(FilterError::UnsupportedImage(
                "pixel buffer does not match width × height × 4".into(),
            ));
        }
        if radius == 0 || w == 0 || h == 0 {
            return Ok(image);
        }
        let r = radius as usize;
        // Horizontal pass (rows), then vertical pass (columns): progress 0..0.5, 0.5..1.
        let tmp = pass(&image.pixels, w, h, r, true)?;
        let pixels = pass(&tmp, w, h, r, false)?;
        airlock_guest::progress(1.0, "blur done");
        airlock_guest::debug!("blurred {w}×{h} with radius {radius}");
        Ok(Image { width: image.width, height: image.height, pixels })
    }
}

/// One box-blur pass along rows (`horizontal`) or columns, with edge clamping.
fn pass(src: &[u8], w: usize, h: usize, r: usize, horizontal: bool) -> Result<Vec<u8>, FilterError> {
    let mut dst = vec![0u8; src.len()];
    let (lines, len) = if horizontal { (h, w) } else { (w, h) };
    let idx = |line: usize, i: usize| {
        if horizontal { (line * w + i) * 4 } else { (i * w + line) * 4 }
    };
    let window = (2 * r + 1) as u32;
    let chunk = (lines / 16).max(1);
    for line in 0..lines {
        if line % chunk == 0 {
            if airlock_guest::is_cancelled() {
                return Err(FilterError::Failed("cancelled".into()));
            }
            let base = if horizontal { 0.0 } else { 0.5 };
            airlock_guest::progress(base + 0.5 * line as f32 / lines as f32, "blurring");
        }
        // Running sum over the window [i - r, i + r], clamped at the edges.
        let mut sum = [0u32; 4];
        for k in 0..=2 * r {
            let i = (k as isize - r as isize).clamp(0, len as isize - 1) as usize;
            let p = idx(line, i);
            for c in 0..4 {
                sum[c] += src[p + c] as u32;
            }
        }
        for i in 0..len {
            let p = idx(line, i);
            for c in 0..4 {
                dst[p + c] = ((sum[c] + window / 2) / window) as u8;
            }
            let out = idx(line, i.saturating_sub(r));
            let inn = idx(line, (i + r + 1).min(len - 1));
            for c in 0..4 {
                sum[c] = sum[c] + src[inn + c] as u32 - src[out + c] as u32;
            }
        }
    }
    Ok(dst)
}

export!(Blur);
