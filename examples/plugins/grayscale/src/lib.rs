//! Filter plugin: converts an RGBA image to grayscale, optionally only partly.

airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../wit/design"], world: "airlock:design/filter" });

use airlock::design::types::ParamValue;

struct Grayscale;

impl Guest for Grayscale {
    fn describe() -> FilterInfo {
        FilterInfo {
            name: "Grayscale".into(),
            description: "Rec. 709 luma; `amount` blends between the original (0) and gray (1)".into(),
            defaults: vec![Param { name: "amount".into(), value: ParamValue::Number(1.0) }],
        }
    }

    fn apply(mut image: Image, params: Vec<Param>) -> Result<Image, FilterError> {
        let mut amount = 1.0;
        for p in params {
            match (p.name.as_str(), p.value) {
                ("amount", ParamValue::Number(v)) if (0.0..=1.0).contains(&v) => amount = v as f32,
                (name, _) => {
                    return Err(FilterError::InvalidParam(format!("`{name}` must be a number in 0..=1")));
                }
            }
        }
        if image.pixels.len() != image.width as usize * image.height as usize * 4 {
            return Err(FilterError::UnsupportedImage(
                "pixel buffer does not match width × height × 4".into(),
            ));
        }
        for px in image.pixels.chunks_exact_mut(4) {
            let luma = 0.2126 * px[0] as f32 + 0.7152 * px[1] as f32 + 0.0722 * px[2] as f32;
            for c in &mut px[..3] {
                *c = (*c as f32 + (luma - *c as f32) * amount).round() as u8;
            }
        }
        airlock_guest::debug!("grayscale applied to {}×{} at {amount}", image.width, image.height);
        Ok(image)
    }
}

export!(Grayscale);
