//! Compiling and starting a plugin are bounded like calls: the compile by the
//! memory cap and its own deadline, start functions by the call's deadline
//! and fuel — through real runners, with components generated here.

use std::time::{Duration, Instant};

use airlock::{Error, PluginConfig, Policy, TimeLimit};
use airlock_testkit::bare::Bare;
use airlock_testkit::wat;

use crate::support::test_runner;

/// Functions in the compile bomb: compiling them takes a runner to about a
/// gigabyte without the limit, and some seconds.
const BOMB_FUNCTIONS: usize = 100_000;

fn start(name: &str, component: Vec<u8>, policy: Policy) -> (Result<Bare, Error>, Duration) {
    let started = Instant::now();
    let result = Bare::start(
        &test_runner(),
        PluginConfig::new(name, component).policy(policy),
    );
    (result, started.elapsed())
}

/// This process's resident memory, in bytes.
fn host_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: u64 = airlock_testkit::battery::proc_field(&status, "VmRSS")
        .and_then(|v| v.trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kib * 1024
}

#[test]
fn a_compile_bomb_stops_at_the_memory_cap_and_the_host_stays_well() {
    let cap = 64 << 20;
    let policy = Policy::default().memory(cap);
    let bomb = wat::assemble(&wat::compile_bomb(BOMB_FUNCTIONS));
    let before = host_rss();
    let (result, took) = start("compile-bomb", bomb, policy.clone());
    match &result {
        Err(Error::OutOfMemory {
            limit_bytes,
            detail,
            ..
        }) => {
            assert_eq!(*limit_bytes, cap);
            assert!(
                detail.contains("compiling needs more than the memory cap"),
                "{detail}"
            );
        }
        other => panic!(
            "expected OutOfMemory after {took:?}, got {:?}",
            other.as_ref().map(|_| ())
        ),
    }
    // The host never compiled anything: it holds the component's bytes, no more.
    let grown = host_rss().saturating_sub(before);
    assert!(grown < 32 << 20, "the host grew by {grown} bytes");
    // The same cap compiles an ordinary component, and the host starts it.
    let (small, _) = start("small", wat::assemble(&wat::compile_bomb(10)), policy);
    assert_eq!(small.expect("a small component starts").run().unwrap(), 7);
}

#[test]
fn a_compile_past_its_deadline_is_killed_with_an_error_naming_it() {
    let deadline = Duration::from_millis(300);
    let policy = Policy::default().memory(4 << 30).compile_deadline(deadline);
    let bomb = wat::assemble(&wat::compile_bomb(BOMB_FUNCTIONS));
    let (result, took) = start("slow-compile", bomb, policy);
    match &result {
        Err(Error::Compile { detail, .. }) => {
            assert!(detail.contains("compile deadline of 300ms"), "{detail}");
            assert!(detail.contains("killed"), "{detail}");
        }
        other => panic!(
            "expected Compile after {took:?}, got {:?}",
            other.as_ref().map(|_| ())
        ),
    }
    // Spawning and sending the bytes come on top of the deadline; the
    // start-up timeout (60 s) is far away.
    assert!(took < deadline + Duration::from_secs(5), "took {took:?}");
}

#[test]
fn the_compile_deadline_is_one_name_in_toml_and_code() {
    let policy = Policy::from_toml("compile-deadline = \"1500ms\"").unwrap();
    assert_eq!(policy.compile_deadline, Duration::from_millis(1500));
    assert_eq!(
        Policy::default()
            .compile_deadline(Duration::from_secs(3))
            .to_toml()
            .lines()
            .find(|l| l.starts_with("compile-deadline")),
        Some("compile-deadline = \"3s\"")
    );
    assert_eq!(Policy::default().compile_deadline, Duration::from_secs(45));
}

#[test]
fn a_spinning_start_function_stops_at_the_call_deadline() {
    let deadline = Duration::from_millis(400);
    let policy = Policy::default().deadline(deadline);
    // What starting takes without the spin: spawn, compile, instantiate.
    let (plain, baseline) = start(
        "plain",
        wat::assemble(&wat::compile_bomb(1)),
        policy.clone(),
    );
    plain.expect("the plain component starts");
    let (result, took) = start("spin-at-start", wat::assemble(wat::SPIN_AT_START), policy);
    match &result {
        Err(Error::Timeout { limit, .. }) => assert_eq!(*limit, TimeLimit::Deadline(deadline)),
        other => panic!(
            "expected Timeout after {took:?}, got {:?}",
            other.as_ref().map(|_| ())
        ),
    }
    assert!(
        took < baseline + 3 * deadline,
        "took {took:?} (a plain start takes {baseline:?})"
    );
}

#[test]
fn a_spinning_start_function_runs_on_the_calls_fuel() {
    let fuel = 5_000_000;
    let policy = Policy::default()
        .deadline(Duration::from_secs(30))
        .fuel(Some(fuel));
    let (result, took) = start("spin-on-fuel", wat::assemble(wat::SPIN_AT_START), policy);
    match &result {
        Err(Error::Timeout { limit, .. }) => assert_eq!(*limit, TimeLimit::Fuel(fuel)),
        other => panic!(
            "expected Timeout after {took:?}, got {:?}",
            other.as_ref().map(|_| ())
        ),
    }
    assert!(took < Duration::from_secs(10), "took {took:?}");
}
