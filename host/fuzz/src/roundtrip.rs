//! Targets `roundtrip_results` and `roundtrip_imports`: the code
//! `airlock::bindgen!` generates for the `airlock:test/roundtrip` world
//! (every WIT value type, resources both ways), fed what a runner sends.
//!
//! - `roundtrip_results`: one byte choosing an export (the world's, in wire
//!   order, then the dynamic world's `Result<Vec<String>, String>` that
//!   `airlock call` reads), then a payload decoded as that export's result,
//!   inside a call's resource context as `Plugin::call` does.
//! - `roundtrip_imports`: one byte choosing an import (one past the last is
//!   an unknown one), then a payload handed to the generated dispatcher with
//!   a real host implementation.
//!
//! Checked: no panic; whatever decodes survives its own encoding (the same
//! value, shown by `Debug` so that NaN compares equal); an unknown import is
//! refused by number; a served import's answer decodes as its result type.

use std::fmt::Debug;
use std::sync::Arc;

use airlock::__private::{
    CallScope, DispatchError, ImportDispatch, ResourceOwner, decode, encode_into,
};
use airlock_testkit::roundtrip::__airlock_fns as fns;
use airlock_testkit::roundtrip::exports::test::values::{
    Everything, Mood, Perms, Scalars, Shape, Wide,
};
use airlock_testkit::roundtrip::{self as world, test::host_calls};

/// Checks that `value` comes back the same through `encode` and `decode`.
fn survives<T: Debug>(
    value: &T,
    encode: impl Fn(&T, &mut Vec<u8>) -> Result<(), postcard::Error>,
    decode: impl Fn(&[u8]) -> Result<T, postcard::Error>,
) {
    let mut bytes = Vec::new();
    encode(value, &mut bytes).expect("a decoded value encodes");
    let again = decode(&bytes).expect("an encoded value decodes");
    assert_eq!(
        format!("{again:?}"),
        format!("{value:?}"),
        "a value changed through its encoding"
    );
}

/// The exports of the world by wire index: `value` for one with a result
/// (its `…Ret` and `…RetRef` wire structs), `unit` for one without.
macro_rules! exports {
    ($($index:literal: $kind:ident $($ret:ident $ret_ref:ident)?;)*) => {
        /// How many exports the table covers (the dynamic result comes after).
        const EXPORTS: u32 = [$($index),*].len() as u32;

        fn decode_result(index: u32, payload: &[u8]) {
            match index {
                $($index => exports!(@$kind payload $($ret $ret_ref)?),)*
                _ => {
                    type Dynamic = Result<Vec<String>, String>;
                    if let Ok(value) = decode::<Dynamic>(payload) {
                        survives(&value, |v, out| encode_into(v, out), |b| decode::<Dynamic>(b));
                    }
                }
            }
        }
    };
    (@value $payload:ident $ret:ident $ret_ref:ident) => {
        if let Ok(ret) = decode::<fns::$ret>($payload) {
            survives(
                &ret.0,
                |v, out| encode_into(&fns::$ret_ref(v), out),
                |b| decode::<fns::$ret>(b).map(|r| r.0),
            );
        }
    };
    (@unit $payload:ident) => {
        if decode::<()>($payload).is_ok() {
            assert!($payload.is_empty(), "a unit result of {} bytes decoded", $payload.len());
        }
    };
}

exports! {
    0: value E0Ret E0RetRef;
    1: unit;
    2: value E2Ret E2RetRef;
    3: value E3Ret E3RetRef;
    4: unit;
    5: unit;
    6: value E6Ret E6RetRef;
    7: unit;
    8: value E8Ret E8RetRef;
    9: unit;
    10: unit;
    11: value E11Ret E11RetRef;
    12: value E12Ret E12RetRef;
    13: value E13Ret E13RetRef;
    14: value E14Ret E14RetRef;
    15: value E15Ret E15RetRef;
    16: value E16Ret E16RetRef;
    17: value E17Ret E17RetRef;
    18: value E18Ret E18RetRef;
    19: value E19Ret E19RetRef;
    20: value E20Ret E20RetRef;
    21: value E21Ret E21RetRef;
    22: value E22Ret E22RetRef;
    23: value E23Ret E23RetRef;
    24: value E24Ret E24RetRef;
    25: value E25Ret E25RetRef;
    26: value E26Ret E26RetRef;
    27: value E27Ret E27RetRef;
    28: unit;
}

pub fn roundtrip_results(data: &[u8]) {
    let Some((&choice, payload)) = data.split_first() else {
        return;
    };
    // A fresh instance per input: the handles decoded here release into it.
    let owner = ResourceOwner::new("fuzz");
    CallScope::new(&owner).run(|| decode_result(u32::from(choice) % (EXPORTS + 1), payload));
}

/// The result types of the imports, by wire index (`None`: no result).
fn check_import_answer(index: u32, answer: &[u8]) {
    let decoded = match index {
        0 => decode::<fns::I0Ret>(answer).map(drop),
        1 => decode::<fns::I1Ret>(answer).map(drop),
        2 => decode::<fns::I2Ret>(answer).map(drop),
        4 => decode::<fns::I4Ret>(answer).map(drop),
        5 => decode::<fns::I5Ret>(answer).map(drop),
        6 => decode::<fns::I6Ret>(answer).map(drop),
        7 => decode::<fns::I7Ret>(answer).map(drop),
        _ => {
            assert!(
                answer.is_empty(),
                "import {index} has no result but answered"
            );
            Ok(())
        }
    };
    decoded.unwrap_or_else(|e| panic!("the answer to import {index} does not decode: {e}"));
}

pub fn roundtrip_imports(data: &[u8]) {
    let Some((&choice, args)) = data.split_first() else {
        return;
    };
    let imports = world::IMPORTS.len() as u32;
    let func = u32::from(choice) % (imports + 1);
    let owner: Arc<ResourceOwner> = ResourceOwner::new("fuzz");
    CallScope::new(&owner).run(|| dispatch_import(func, imports, args));
}

fn dispatch_import(func: u32, imports: u32, args: &[u8]) {
    let mut host = Host::default();
    let mut answer = vec![0xAA; 3];
    match world::__Dispatch(&mut host).dispatch(func, args, &mut answer) {
        Ok(()) => check_import_answer(func, &answer),
        Err(DispatchError::UnknownImport(n)) => {
            assert_eq!(n, func);
            assert_eq!(func, imports, "known import {func} refused as unknown");
        }
        Err(e @ DispatchError::Decode(_)) => {
            assert!(func < imports, "unknown import {func} was decoded");
            let _ = e.to_string();
        }
    }
}

/// A host for the roundtrip world that does real work with what it gets,
/// within bounds of its own (a plugin asking for `tallies(u32::MAX)` is
/// the import's business, not the decoder's).
#[derive(Default)]
struct Host {
    tallies: airlock_testkit::Tallies,
    notes: usize,
}

/// Tallies one `tallies` call makes at most here.
const MAX_TALLIES: u32 = 64;

impl host_calls::Host for Host {
    fn double(&mut self, x: u32) -> u32 {
        x.wrapping_mul(2)
    }
    fn concat(&mut self, parts: Vec<String>) -> String {
        parts.concat()
    }
    fn bounce(&mut self, e: host_calls::Everything) -> host_calls::Everything {
        e
    }
    fn note(&mut self, message: String) {
        self.notes += message.len();
    }
    fn tally_new(&mut self, start: u32) -> host_calls::Tally {
        self.tallies.make(start)
    }
    fn tally_add(&mut self, tally: host_calls::Tally, n: u32) -> u32 {
        let value = self.tallies.total(tally);
        self.tallies.drop_tally(tally);
        self.tallies.make(value.wrapping_add(n));
        value.wrapping_add(n)
    }
    fn tally_total(&mut self, tally: host_calls::Tally) -> u32 {
        self.tallies.total(tally)
    }
    fn tallies(&mut self, n: u32) -> Vec<host_calls::Tally> {
        (0..n.min(MAX_TALLIES))
            .map(|i| self.tallies.make(100 + i))
            .collect()
    }
    fn drop_tally(&mut self, tally: host_calls::Tally) {
        self.tallies.drop_tally(tally)
    }
}

/// The postcard encoding of `value`, for seeds.
fn encoded<T: airlock::__private::serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(value, &mut out).expect("a seed encodes");
    out
}

/// Seeds for `roundtrip_results`: real results of the exports, encoded
/// as the runner encodes them, each behind its export's index.
pub fn result_seeds() -> Vec<(String, Vec<u8>)> {
    let e = everything();
    let shape = Shape::Nested(vec![Some(Ok(1)), Some(Err("no".into())), None]);
    let tuple = (-7i64, 'ß', Some("x".to_string()));
    let dynamic: Result<Vec<String>, String> =
        Ok(vec!["42".into(), r#"(-7, 'ß', some("x"))"#.into()]);
    let seeds = [
        ("add", 0, encoded(&fns::E0RetRef(&42))),
        ("noop", 1, Vec::new()),
        ("bounce-via-host", 3, encoded(&fns::E3RetRef(&e))),
        ("echo-everything", 12, encoded(&fns::E12RetRef(&e))),
        ("echo-bytes", 13, encoded(&fns::E13RetRef(&vec![0, 1, 255]))),
        (
            "echo-string",
            14,
            encoded(&fns::E14RetRef(&"héllo\n".to_string())),
        ),
        ("echo-shape", 15, encoded(&fns::E15RetRef(&shape))),
        (
            "echo-perms",
            16,
            encoded(&fns::E16RetRef(&(Perms::READ | Perms::NINTH))),
        ),
        ("echo-mood", 17, encoded(&fns::E17RetRef(&Mood::Sad))),
        ("echo-tuple", 18, encoded(&fns::E18RetRef(&tuple))),
        // Counters travel as the runner's numbers for them.
        ("fork", 22, encoded(&7u32)),
        ("make", 23, encoded(&vec![1u32, 2, 3])),
        ("dynamic-call", EXPORTS, encoded(&dynamic)),
    ];
    seeds
        .into_iter()
        .map(|(name, index, bytes)| (name.to_string(), [&[index as u8][..], &bytes].concat()))
        .collect()
}

/// Seeds for `roundtrip_imports`: the arguments the roundtrip guest passes,
/// each behind its import's index.
pub fn import_seeds() -> Vec<(String, Vec<u8>)> {
    let marker = std::marker::PhantomData;
    let parts = ["a".to_string(), "é".to_string()];
    let e = host_everything();
    let seeds = [
        (
            "double",
            0,
            encoded(&fns::I0ArgsRef {
                x: 21,
                __marker: marker,
            }),
        ),
        (
            "concat",
            1,
            encoded(&fns::I1ArgsRef {
                parts: &parts,
                __marker: marker,
            }),
        ),
        (
            "bounce",
            2,
            encoded(&fns::I2ArgsRef {
                e: &e,
                __marker: marker,
            }),
        ),
        (
            "note",
            3,
            encoded(&fns::I3ArgsRef {
                message: "hi",
                __marker: marker,
            }),
        ),
        (
            "tally-new",
            4,
            encoded(&fns::I4ArgsRef {
                start: 5,
                __marker: marker,
            }),
        ),
        (
            "tallies",
            7,
            encoded(&fns::I7ArgsRef {
                n: 3,
                __marker: marker,
            }),
        ),
        ("unknown", world::IMPORTS.len() as u32, Vec::new()),
    ];
    seeds
        .into_iter()
        .map(|(name, index, bytes)| (name.to_string(), [&[index as u8][..], &bytes].concat()))
        .collect()
}

fn everything() -> Everything {
    Everything {
        scalars: Scalars {
            flag: true,
            u8v: 255,
            u16v: 65535,
            u32v: 7,
            u64v: u64::MAX,
            s8v: -128,
            s16v: -2,
            s32v: -3,
            s64v: i64::MIN,
            f32v: 1.5,
            f64v: f64::NAN,
            ch: '🦀',
        },
        text: "héllo".into(),
        bytes: vec![1, 2],
        maybe_bytes: Some(vec![3]),
        words: vec!["a".into(), String::new()],
        pair: (1, "x".into(), -0.0),
        mood: Mood::Happy,
        perms: Perms::WRITE | Perms::EXEC,
        wide: Wide::B0 | Wide::B31,
        shapes: vec![Shape::Nothing, Shape::Count(3), Shape::Label("l".into())],
        outcome: Err("e".into()),
        unit_result: Ok(()),
        maybe: Some(None),
        grid: vec![vec![1, -1], vec![]],
    }
}

/// The same value as the imported interface's type (the guest sends it back).
fn host_everything() -> host_calls::Everything {
    let mut bytes = Vec::new();
    encode_into(&everything(), &mut bytes).expect("encodes");
    decode(&bytes).expect("the two `everything` types share one encoding")
}
