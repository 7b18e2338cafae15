//! Every WIT value type through a real runner process and back.

use airlock_testkit::roundtrip::exports::test::values::{Mood, Perms, Shape};

use crate::support::{TestHost, everything, start};

#[test]
fn scalars_and_unit_functions() {
    let mut plugin = start();
    let mut host = TestHost::default();
    assert_eq!(plugin.add(&mut host, 40, 2).unwrap(), 42);
    assert_eq!(
        plugin.add(&mut host, u32::MAX, 2).unwrap(),
        1,
        "wrapping add inside the guest"
    );
    plugin.noop(&mut host).unwrap();
}

#[test]
fn every_value_type_round_trips() {
    let mut plugin = start();
    let mut host = TestHost::default();
    let value = everything();
    let back = plugin.values().echo_everything(&mut host, &value).unwrap();
    assert_eq!(back, value);

    let mut other = everything();
    other.maybe_bytes = None;
    other.outcome = Ok(vec![9; 3]);
    other.unit_result = Err(());
    other.maybe = Some(Some(5));
    other.mood = Mood::Sad;
    other.perms = Perms::empty();
    assert_eq!(
        plugin.values().echo_everything(&mut host, &other).unwrap(),
        other
    );
}

#[test]
fn individual_shapes_round_trip() {
    let mut plugin = start();
    let mut host = TestHost::default();
    let mut values = plugin.values();
    assert_eq!(values.echo_string(&mut host, "").unwrap(), "");
    assert_eq!(values.echo_string(&mut host, "ß∂ƒ🦀").unwrap(), "ß∂ƒ🦀");
    for mood in [Mood::Happy, Mood::Sad, Mood::Neutral] {
        assert_eq!(values.echo_mood(&mut host, mood).unwrap(), mood);
    }
    let all = Perms::all();
    assert_eq!(values.echo_perms(&mut host, all).unwrap(), all);
    let shape = Shape::Nested(vec![None; 10]);
    assert_eq!(values.echo_shape(&mut host, &shape).unwrap(), shape);
    let tuple = (i64::MAX, '\u{10FFFF}', Some("x".to_string()));
    assert_eq!(values.echo_tuple(&mut host, &tuple).unwrap(), tuple);
}

#[test]
fn bulk_bytes_round_trip() {
    let mut plugin = start();
    let mut host = TestHost::default();
    for len in [0usize, 1, 1 << 10, 1 << 20, 8 << 20] {
        let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        let back = plugin.values().echo_bytes(&mut host, &data).unwrap();
        assert_eq!(back.len(), len);
        assert!(back == data, "payload of {len} bytes changed in transit");
    }
    // Bulk results go straight into their `Return` frame inside the
    // runner, which must still carry the call's cost: the guest held the
    // 8 MiB payload.
    let peak = plugin.plugin().metrics().peak_memory_bytes;
    assert!(peak >= 8 << 20, "peak memory {peak} bytes");
}
