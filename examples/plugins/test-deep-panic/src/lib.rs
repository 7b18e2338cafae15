//! Test filter whose `apply` panics three calls deep when given a `panic`
//! parameter (and otherwise returns the image as it is). The guest
//! workspace builds it with debug information (see its Cargo.toml's
//! profile override), so a trap names the source line of every frame.

airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../wit/design"], world: "airlock:design/filter" });

struct DeepPanic;

impl Guest for DeepPanic {
    fn describe() -> FilterInfo {
        FilterInfo {
            name: "Deep panic".into(),
            description: "Panics three calls deep".into(),
            defaults: Vec::new(),
        }
    }

    fn apply(image: Image, params: Vec<Param>) -> Result<Image, FilterError> {
        if params.iter().any(|p| p.name == "panic") {
            return Ok(first(image));
        }
        Ok(image)
    }
}

#[inline(never)]
fn first(image: Image) -> Image {
    second(image.width)
}

#[inline(never)]
fn second(width: u32) -> Image {
    third(width.wrapping_add(1))
}

#[inline(never)]
fn third(width: u32) -> Image {
    panic!("three calls deep (width {width})")
}

export!(DeepPanic);
