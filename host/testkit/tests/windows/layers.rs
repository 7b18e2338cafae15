//! The layers a Windows runner has, as the host reports them: the Job
//! object confirmed by the host itself, each other layer on or off with a
//! note, and a policy that requires an absent layer refused by name.

use airlock::{Error, Layer, Policy};
use airlock_testkit::roundtrip::Roundtrip;

use crate::support::{TestHost, roundtrip_config, test_runner};

/// Printed, for the layer report in the docs (`--nocapture`).
#[test]
fn the_default_policy_starts_a_runner_in_its_job_and_reports_the_rest() {
    let mut plugin = Roundtrip::start(&test_runner(), roundtrip_config()).unwrap();
    assert_eq!(plugin.add(&mut TestHost::default(), 2, 3).unwrap(), 5);
    let layers = plugin.plugin().sandbox_layers().unwrap().clone();
    println!("active: {:?}", Layer::active(&layers));
    for note in &layers.notes {
        println!("note: {note}");
    }
    assert!(layers.job, "the default policy requires the Job object");
    for (on, name) in [
        (layers.low_integrity, "low integrity"),
        (layers.mitigations, "mitigation policies"),
    ] {
        assert!(
            on || layers.notes.iter().any(|n| n.starts_with(name)),
            "{name} is off without a note: {:?}",
            layers.notes
        );
    }
    assert!(!layers.seccomp && !layers.seatbelt && layers.landlock_abi == 0);
}

#[test]
fn requiring_a_layer_the_runner_lacks_is_refused_by_name() {
    let probe = Roundtrip::start(&test_runner(), roundtrip_config()).unwrap();
    let layers = probe.plugin().sandbox_layers().unwrap().clone();
    drop(probe);
    for layer in [Layer::Mitigations, Layer::LowIntegrity, Layer::Seccomp] {
        let config = roundtrip_config().policy(Policy::default().require([layer]));
        match Roundtrip::start(&test_runner(), config) {
            Ok(_) => assert!(layer.is_active(&layers), "{layer} started while off"),
            Err(Error::SandboxUnavailable { missing, .. }) => {
                assert!(!layer.is_active(&layers), "{layer} refused while on");
                assert_eq!(missing, [layer.to_string()]);
            }
            Err(other) => panic!("{layer}: {other:?}"),
        }
    }
}
