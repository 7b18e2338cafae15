//! Shared fixtures: launchers for the test runners, a host implementation, sample values.

use std::time::Duration;

use airlock::{Launcher, PluginConfig};
use airlock_testkit::roundtrip::exports::test::values::{Mood, Perms, Scalars, Shape, Wide};
use airlock_testkit::roundtrip::{self, Everything, Roundtrip};

pub fn test_runner() -> Launcher {
    Launcher::program(env!("CARGO_BIN_EXE_airlock-test-runner"))
}

/// The test runner on the Linux backend whatever [`airlock::BACKEND_VAR`]
/// says: for what only that backend has (the zygote, its spares, namespaces).
pub fn linux_runner() -> Launcher {
    test_runner().with_backend(airlock::Backend::Linux)
}

/// The test runner with an artifact cache shared by every test process of this
/// build (under cargo's target tmp dir): a 35 MB JS or Python guest takes ~20 s to
/// compile, so it is compiled once per build rather than once per test.
pub fn shared_cache_runner() -> Launcher {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("airlock-shared-cache");
    test_runner().with_cache(airlock::ArtifactCache::open(dir).expect("open the shared cache"))
}

/// [`shared_cache_runner`], after `compile` has started the big guest `guest`
/// once under a lock file named for it. nextest starts every test in its own
/// process at once: the first to get the lock compiles the guest (~20 s,
/// longer while other tests share the cores) while the others wait for its
/// artifact rather than compile it too.
pub fn compiled_once(guest: &str, compile: impl FnOnce(&Launcher)) -> Launcher {
    let launcher = shared_cache_runner();
    let lock =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("airlock-{guest}.lock"));
    let lock = std::fs::File::create(lock).expect("create the compile lock");
    lock.lock().expect("take the compile lock");
    compile(&launcher);
    drop(lock);
    launcher
}

/// A policy patient enough for a big guest's first compile on a busy machine.
pub fn patient() -> airlock::Policy {
    airlock::Policy::default()
        .compile_deadline(Duration::from_secs(600))
        .startup(Duration::from_secs(600))
}

/// Kills process `pid` the way another program would: `kill -KILL`, or
/// on Windows `taskkill /F`.
pub fn kill_from_outside(pid: u32) {
    let pid = pid.to_string();
    let mut command = if cfg!(windows) {
        let mut taskkill = std::process::Command::new("taskkill");
        taskkill.args(["/F", "/PID", &pid]);
        taskkill
    } else {
        let mut kill = std::process::Command::new("kill");
        kill.args(["-KILL", &pid]);
        kill
    };
    let status = command.status().expect("run the killer");
    assert!(status.success(), "the killer failed: {status}");
}

pub fn fake_runner() -> Launcher {
    Launcher::program(env!("CARGO_BIN_EXE_airlock-fake-runner"))
}

pub fn roundtrip_config() -> PluginConfig {
    PluginConfig::from_file("roundtrip", airlock_testkit::guest_path("test_roundtrip"))
        .expect("read test guest")
}

pub fn start() -> Roundtrip {
    Roundtrip::start(
        &test_runner(),
        roundtrip_config().deadline(Duration::from_secs(20)),
    )
    .expect("start roundtrip")
}

/// The host side of `airlock:test/host-calls`, recording what the guest asked for.
#[derive(Debug, Default)]
pub struct TestHost {
    pub doubles: u32,
    pub notes: Vec<String>,
    pub tallies: airlock_testkit::Tallies,
}

impl roundtrip::test::host_calls::Host for TestHost {
    fn double(&mut self, x: u32) -> u32 {
        self.doubles += 1;
        x.wrapping_mul(2)
    }

    fn concat(&mut self, parts: Vec<String>) -> String {
        parts.concat()
    }

    fn bounce(&mut self, mut e: Everything) -> Everything {
        e.text = format!("host:{}", e.text);
        e
    }

    fn note(&mut self, message: String) {
        self.notes.push(message);
    }

    airlock_testkit::tally_methods!();
}

pub fn everything() -> Everything {
    Everything {
        scalars: Scalars {
            flag: true,
            u8v: u8::MAX,
            u16v: 0xbeef,
            u32v: u32::MAX - 1,
            u64v: u64::MAX,
            s8v: i8::MIN,
            s16v: -12345,
            s32v: i32::MIN,
            s64v: i64::MIN + 7,
            f32v: -1.5e-7,
            f64v: std::f64::consts::PI,
            ch: '🦀',
        },
        text: "héllo, wörld — ✓".into(),
        bytes: (0..=255u8).cycle().take(4099).collect(),
        maybe_bytes: Some(vec![0, 1, 2, 255]),
        words: vec!["".into(), "a".into(), "ünïcode".into()],
        pair: (7, "seven".into(), -0.25),
        mood: Mood::Neutral,
        perms: Perms::READ | Perms::EXEC | Perms::NINTH,
        wide: Wide::B0 | Wide::B17 | Wide::B31,
        shapes: vec![
            Shape::Nothing,
            Shape::Count(42),
            Shape::Label("label".into()),
            Shape::Nested(vec![Some(Ok(1)), None, Some(Err("bad".into()))]),
        ],
        outcome: Err("nope".into()),
        unit_result: Ok(()),
        maybe: Some(None),
        grid: vec![vec![1, -2, 3], vec![], vec![i16::MIN]],
    }
}
