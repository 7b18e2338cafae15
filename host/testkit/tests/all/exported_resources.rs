//! Resources the plugin implements, held by the host through a real runner:
//! constructors, methods, `own` and `borrow` arguments, lists of handles,
//! drops that reach the guest's destructor, stale handles after the
//! instance ended, and the policy's bound.

use std::time::Duration;

use airlock::{Error, Policy};
use airlock_testkit::roundtrip::Roundtrip;

use crate::support::{TestHost, roundtrip_config, test_runner};

fn start(policy: Policy) -> Roundtrip {
    let config = roundtrip_config()
        .policy(policy)
        .deadline(Duration::from_secs(20));
    Roundtrip::start(&test_runner(), config).unwrap()
}

fn stale_detail(e: Error) -> String {
    match e {
        Error::StaleHandle { detail, .. } => detail,
        other => panic!("expected a stale handle, got {other:?}"),
    }
}

#[test]
fn the_host_holds_the_plugins_objects_and_dropping_releases_them() {
    let mut plugin = start(Policy::default());
    let h = &mut TestHost::default();
    let counter = plugin.counters().counter_new(h, 5).unwrap();
    assert_eq!(plugin.counters().counter_add(h, &counter, 3).unwrap(), 8);
    assert_eq!(plugin.counters().counter_get(h, &counter).unwrap(), 8);
    assert_eq!(plugin.counters().peek(h, &counter).unwrap(), 8, "a borrow");
    let fork = plugin.counters().counter_fork(h, &counter).unwrap();
    let made = plugin.counters().make(h, 3).unwrap();
    let values: Vec<u32> = made
        .iter()
        .map(|c| plugin.counters().counter_get(h, c).unwrap())
        .collect();
    assert_eq!(values, [0, 1, 2]);
    assert_eq!(plugin.counters().live(h).unwrap(), 5);
    // Dropping the handles destroys the objects as the next call starts.
    drop(made);
    assert_eq!(plugin.counters().live(h).unwrap(), 2);
    assert_eq!(plugin.plugin().metrics().released, 3);
    // An `own` argument: the plugin takes the object and drops it itself;
    // the host's handle is gone, and nothing is released for it.
    assert_eq!(plugin.counters().consume(h, counter).unwrap(), 8);
    assert_eq!(plugin.counters().live(h).unwrap(), 1);
    assert_eq!(plugin.plugin().metrics().released, 3);
    assert_eq!(plugin.counters().counter_get(h, &fork).unwrap(), 8);
    drop(fork);
    assert_eq!(plugin.counters().live(h).unwrap(), 0);
    assert_eq!(plugin.plugin().metrics().released, 4);
}

#[test]
fn own_handles_inside_a_list_go_to_the_plugin_and_are_refused_afterwards() {
    let mut plugin = start(Policy::default());
    let h = &mut TestHost::default();
    let given = plugin.counters().make(h, 3).unwrap();
    let kept = plugin.counters().counter_new(h, 10).unwrap();
    // `consume-all` takes a `list<counter>`: every `own` in it goes to the
    // plugin, though the host still has the list.
    assert_eq!(plugin.counters().consume_all(h, &given).unwrap(), 1 + 2);
    assert_eq!(plugin.counters().live(h).unwrap(), 1);
    // Using one again is a refused argument naming why, not a trap: the
    // instance and its other objects carry on.
    match plugin.counters().counter_get(h, &given[0]).unwrap_err() {
        Error::BadArguments { detail, .. } => {
            assert!(detail.contains("given to the plugin already"), "{detail}")
        }
        other => panic!("expected refused arguments, got {other:?}"),
    }
    assert!(kept.is_live());
    assert_eq!(plugin.counters().counter_get(h, &kept).unwrap(), 10);
    // Dropping the list releases numbers the runner no longer holds: nothing happens.
    drop(given);
    assert_eq!(plugin.counters().live(h).unwrap(), 1);
}

#[test]
fn handles_from_an_ended_instance_fail_cleanly() {
    let mut plugin = start(Policy::default());
    let h = &mut TestHost::default();
    let counter = plugin.counters().counter_new(h, 1).unwrap();
    assert!(counter.is_live());
    // A trap ends the instance, and every object it made.
    assert!(matches!(
        plugin.panic_with(h, "boom").unwrap_err(),
        Error::Trap { .. }
    ));
    assert!(!counter.is_live());
    let detail = stale_detail(plugin.counters().counter_get(h, &counter).unwrap_err());
    assert!(detail.contains("`counter`"), "{detail}");
    assert!(detail.contains("has ended"), "{detail}");
    // The plugin itself carries on, with a fresh instance.
    assert_eq!(plugin.counters().live(h).unwrap(), 0);
    let counter = plugin.counters().counter_new(h, 2).unwrap();
    // So does a killed runner.
    plugin.plugin_mut().kill();
    let e = plugin.counters().counter_add(h, &counter, 1).unwrap_err();
    assert!(stale_detail(e).contains("has ended"));
    // Dropping stale handles sends nothing.
    let released = plugin.plugin().metrics().released;
    drop(counter);
    assert_eq!(plugin.counters().live(h).unwrap(), 0);
    assert_eq!(plugin.plugin().metrics().released, released);

    // A handle belongs to the instance that made it, not to its twin.
    let mut other = start(Policy::default());
    let theirs = other.counters().counter_new(h, 7).unwrap();
    let detail = stale_detail(plugin.counters().peek(h, &theirs).unwrap_err());
    assert!(detail.contains("another instance"), "{detail}");
    assert_eq!(other.counters().peek(h, &theirs).unwrap(), 7);
}

#[test]
fn the_policy_bounds_the_objects_the_host_holds() {
    let mut plugin = start(Policy::default().handles(5));
    let h = &mut TestHost::default();
    let held = plugin.counters().make(h, 5).unwrap();
    // One more than the bound: the call fails saying why, and ends the instance.
    match plugin.counters().counter_new(h, 9).unwrap_err() {
        Error::Trap { message, .. } => {
            assert!(message.contains("the most its policy allows"), "{message}")
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    assert!(held.iter().all(|c| !c.is_live()));
    // Releasing makes room: a fresh instance holds five again.
    drop(held);
    let mut again = plugin.counters().make(h, 5).unwrap();
    assert_eq!(again.len(), 5);
    // One dropped is released before the next call runs: room for one.
    again.pop();
    let one = plugin.counters().make(h, 1).unwrap();
    assert_eq!(one.len(), 1);
    assert!(again.iter().chain(&one).all(|c| c.is_live()));
}

#[test]
fn a_destructor_that_traps_fails_the_next_call_and_ends_the_instance() {
    let mut plugin = start(Policy::default());
    let h = &mut TestHost::default();
    plugin.counters().poison(h, 7).unwrap();
    let poisoned = plugin.counters().counter_new(h, 7).unwrap();
    let bystander = plugin.counters().counter_new(h, 1).unwrap();
    drop(poisoned);
    match plugin.counters().live(h).unwrap_err() {
        Error::Trap { message, .. } => {
            assert!(message.contains("poisoned counter 7"), "{message}");
            assert!(message.starts_with("destroying an object"), "{message}");
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    assert!(!bystander.is_live());
    // The next instance starts clean (its poison is unset).
    assert_eq!(plugin.counters().live(h).unwrap(), 0);
}

#[test]
fn a_handle_made_right_after_a_restart_from_a_stale_artifact_is_live() {
    let dir = std::env::temp_dir().join(format!(
        "airlock-test-exported-stale-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    // A key of its own: `open` keeps one in a file, refused on Windows.
    let cache = airlock::ArtifactCache::with_key(&dir, [7; 32]).unwrap();
    let launcher = test_runner().with_cache(cache);
    let config = roundtrip_config().deadline(Duration::from_secs(20));
    let mut plugin = Roundtrip::start(&launcher, config.clone()).unwrap();
    let h = &mut TestHost::default();
    // The next runner finds an artifact it cannot load, is replaced by one
    // compiling the component, and only then runs the call.
    launcher
        .cache()
        .unwrap()
        .store_for_tests(&config, b"\x7fELF from another engine")
        .unwrap();
    plugin.plugin_mut().kill();
    let counter = plugin.counters().counter_new(h, 5).unwrap();
    assert_eq!(plugin.plugin().runners_started(), 3);
    assert!(counter.is_live());
    assert_eq!(plugin.counters().counter_add(h, &counter, 1).unwrap(), 6);
    std::fs::remove_dir_all(&dir).unwrap();
}
