//! Postcard round trips of generated types for every WIT type shape, in
//! process: what the host encodes, the runner decodes unchanged.

use airlock_testkit::roundtrip::Everything;
use airlock_testkit::roundtrip::exports::test::values::{Mood, Perms, Scalars, Shape, Wide};
use proptest::prelude::*;

fn scalars() -> impl Strategy<Value = Scalars> {
    (
        (
            any::<bool>(),
            any::<u8>(),
            any::<u16>(),
            any::<u32>(),
            any::<u64>(),
            any::<i8>(),
        ),
        (
            any::<i16>(),
            any::<i32>(),
            any::<i64>(),
            any::<f32>(),
            any::<f64>(),
            any::<char>(),
        ),
    )
        .prop_map(
            |((flag, u8v, u16v, u32v, u64v, s8v), (s16v, s32v, s64v, f32v, f64v, ch))| Scalars {
                flag,
                u8v,
                u16v,
                u32v,
                u64v,
                s8v,
                s16v,
                s32v,
                s64v,
                f32v,
                f64v,
                ch,
            },
        )
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Nothing),
        any::<u32>().prop_map(Shape::Count),
        ".*".prop_map(Shape::Label),
        proptest::collection::vec(
            proptest::option::of(proptest::result::maybe_err(any::<u32>(), ".{0,8}")),
            0..6
        )
        .prop_map(Shape::Nested),
    ]
}

fn perms() -> impl Strategy<Value = Perms> {
    proptest::collection::vec(any::<bool>(), 9).prop_map(|bits| {
        let all = [
            Perms::READ,
            Perms::WRITE,
            Perms::EXEC,
            Perms::DELETE,
            Perms::SHARE,
            Perms::ADMIN,
            Perms::AUDIT,
            Perms::OWNER,
            Perms::NINTH,
        ];
        bits.iter()
            .zip(all)
            .filter(|(b, _)| **b)
            .fold(Perms::empty(), |acc, (_, p)| acc | p)
    })
}

fn everything() -> impl Strategy<Value = Everything> {
    (
        (
            scalars(),
            ".*",
            proptest::collection::vec(any::<u8>(), 0..300),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..30)),
        ),
        (
            proptest::collection::vec(".*", 0..4),
            (any::<u32>(), ".*", any::<f64>()),
            prop_oneof![Just(Mood::Happy), Just(Mood::Sad), Just(Mood::Neutral)],
            perms(),
        ),
        (
            proptest::collection::vec(shape(), 0..4),
            proptest::result::maybe_ok(proptest::collection::vec(any::<u8>(), 0..8), ".*"),
        ),
        (
            any::<bool>(),
            proptest::option::of(proptest::option::of(any::<u32>())),
            proptest::collection::vec(proptest::collection::vec(any::<i16>(), 0..4), 0..3),
        ),
    )
        .prop_map(
            |(
                (scalars, text, bytes, maybe_bytes),
                (words, pair, mood, perms),
                (shapes, outcome),
                (unit, maybe, grid),
            )| Everything {
                scalars,
                text,
                bytes,
                maybe_bytes,
                words,
                pair,
                mood,
                perms,
                wide: Wide::B3 | Wide::B31,
                shapes,
                outcome,
                unit_result: if unit { Ok(()) } else { Err(()) },
                maybe,
                grid,
            },
        )
}

/// Equality that treats NaN as equal to itself, since floats travel bit-exact.
fn same(a: &Everything, b: &Everything) -> bool {
    let bits = |e: &Everything| {
        (
            e.scalars.f32v.to_bits(),
            e.scalars.f64v.to_bits(),
            e.pair.2.to_bits(),
        )
    };
    let mut a2 = a.clone();
    let mut b2 = b.clone();
    for e in [&mut a2, &mut b2] {
        e.scalars.f32v = 0.0;
        e.scalars.f64v = 0.0;
        e.pair.2 = 0.0;
    }
    bits(a) == bits(b) && a2 == b2
}

/// The type of `echo-everything`'s parameter, as the compiled roundtrip
/// guest declares it (compiled once for all cases).
fn everything_type() -> &'static airlock::__private::wasmtime::component::Type {
    use airlock::__private::wasmtime::{
        Engine, component::Component, component::types::ComponentItem,
    };
    static TYPE: std::sync::OnceLock<airlock::__private::wasmtime::component::Type> =
        std::sync::OnceLock::new();
    TYPE.get_or_init(|| {
        let engine = Engine::default();
        let path = airlock_testkit::guest_path("test_roundtrip");
        let component = Component::from_file(&engine, path).unwrap();
        let ty = component.component_type();
        let (_, values) = ty
            .exports(&engine)
            .find(|(name, _)| name.starts_with("airlock:test/values"))
            .unwrap();
        let ComponentItem::ComponentInstance(values) = values.ty else {
            panic!("an instance")
        };
        let (_, echo) = values
            .exports(&engine)
            .find(|(n, _)| *n == "echo-everything")
            .unwrap();
        let ComponentItem::ComponentFunc(echo) = echo.ty else {
            panic!("a function")
        };
        echo.params().next().unwrap().1
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// The world-agnostic codec, driven by the component's own type, reads
    /// exactly what generated bindings write and writes it back byte for byte.
    #[test]
    fn the_component_typed_codec_reads_and_writes_the_generated_layout(value in everything()) {
        let bytes = postcard::to_stdvec(&value).unwrap();
        let mut rest = bytes.as_slice();
        let val = airlock_runner::wire_val::decode(&mut rest, everything_type()).unwrap();
        prop_assert!(rest.is_empty(), "{} bytes left", rest.len());
        let mut again = Vec::new();
        airlock_runner::wire_val::encode(&val, everything_type(), &mut again).unwrap();
        prop_assert_eq!(again, bytes);
    }

    #[test]
    fn the_component_typed_codec_never_panics_on_cut_bytes(value in everything(), cut in 0usize..64) {
        let bytes = postcard::to_stdvec(&value).unwrap();
        let end = bytes.len().saturating_sub(cut + 1);
        let mut rest = &bytes[..end];
        prop_assert!(airlock_runner::wire_val::decode(&mut rest, everything_type()).is_err());
    }

    #[test]
    fn everything_round_trips_through_postcard(value in everything()) {
        let bytes = postcard::to_stdvec(&value).unwrap();
        let back: Everything = airlock_protocol::decode(&bytes).unwrap();
        prop_assert!(same(&value, &back), "{value:?} != {back:?}");
    }

    #[test]
    fn truncated_encodings_never_panic(value in everything(), cut in 0usize..64) {
        let bytes = postcard::to_stdvec(&value).unwrap();
        let end = bytes.len().saturating_sub(cut + 1);
        let _ = airlock_protocol::decode::<Everything>(&bytes[..end]);
    }
}
