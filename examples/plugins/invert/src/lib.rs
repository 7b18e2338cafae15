//! The README's quick-start filter: inverts every colour channel, keeps alpha.
airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../wit/design"], world: "airlock:design/filter" });

struct Invert;

impl Guest for Invert {
    fn describe() -> FilterInfo {
        FilterInfo { name: "Invert".into(), description: "Inverts colours".into(), defaults: vec![] }
    }

    fn apply(mut image: Image, params: Vec<Param>) -> Result<Image, FilterError> {
        if let Some(p) = params.first() {
            return Err(FilterError::InvalidParam(format!("`{}` is not a parameter of invert", p.name)));
        }
        for px in image.pixels.chunks_exact_mut(4) {
            for c in &mut px[..3] {
                *c = 255 - *c;
            }
        }
        airlock_guest::info!("inverted {}×{} pixels", image.width, image.height);
        Ok(image)
    }
}

export!(Invert);
