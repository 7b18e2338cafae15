//! Resources the host implements, held by the guest as real component-model
//! handles, through a real runner: constructors, methods, handles in lists,
//! drops reported to the host, and the policy's bound on live handles.

use std::time::Duration;

use airlock::{Error, Policy};
use airlock_testkit::roundtrip::Roundtrip;

use crate::support::{TestHost, roundtrip_config, test_runner};

#[test]
fn handles_reach_the_guest_and_every_drop_reaches_the_host() {
    let mut plugin = Roundtrip::start(
        &test_runner(),
        roundtrip_config().deadline(Duration::from_secs(20)),
    )
    .unwrap();
    let mut host = TestHost::default();
    // Tallies 0..5, each plus one, and two from `tallies` (100, 101).
    let expected = (0..5).map(|i| i + 1).sum::<u32>() + 100 + 101;
    assert_eq!(plugin.tally_up(&mut host, 5).unwrap(), expected);
    assert_eq!(host.tallies.made, 7);
    let mut dropped = host.tallies.dropped.clone();
    dropped.sort();
    assert_eq!(
        dropped,
        (1..=7).collect::<Vec<_>>(),
        "every handle dropped once"
    );
    assert_eq!(host.tallies.live(), 0);
    // The runner carries on; handle numbers are the host's own.
    assert_eq!(plugin.tally_up(&mut host, 1).unwrap(), 1 + 100 + 101);
    assert_eq!(host.tallies.made, 10);
}

#[test]
fn the_policy_bounds_the_handles_a_guest_holds() {
    let config = roundtrip_config()
        .policy(Policy::default().handles(5))
        .deadline(Duration::from_secs(20));
    let mut plugin = Roundtrip::start(&test_runner(), config).unwrap();
    let mut host = TestHost::default();
    // 3 + 2 = 5 held at once: allowed.
    assert_eq!(
        plugin.tally_up(&mut host, 3).unwrap(),
        1 + 2 + 3 + 100 + 101
    );
    // 6 + 2: the sixth handle is refused, and the call traps saying why.
    match plugin.tally_up(&mut host, 6).unwrap_err() {
        Error::Trap { message, .. } => {
            assert!(message.contains("resource handles"), "{message}")
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    // Before the trap's answer, the host heard of the six handles the ended
    // instance held (the refused one included: it never reached the guest).
    assert_eq!(host.tallies.made, 5 + 6);
    assert_eq!(host.tallies.live(), 0);
    let mut orphans = host.tallies.dropped[5..].to_vec();
    orphans.sort();
    assert_eq!(orphans, (6..=11).collect::<Vec<_>>());
    // The next call runs on a fresh instance, with a fresh count.
    assert_eq!(
        plugin.tally_up(&mut host, 3).unwrap(),
        1 + 2 + 3 + 100 + 101
    );
    assert_eq!(host.tallies.live(), 0);
    assert_eq!(host.tallies.dropped.len(), 5 + 6 + 5);
}
