//! World versioning: the guest SDK's stamp, checked by the host before a
//! runner starts and by the runner at the handshake.

use airlock::{Error, world_stamp};
use airlock_testkit::restamped;
use airlock_testkit::roundtrip::{self, Roundtrip};

use crate::support::{roundtrip_config, test_runner};

#[test]
fn guests_built_with_the_sdk_carry_their_world_and_version() {
    let component = std::fs::read(airlock_testkit::guest_path("test_roundtrip")).unwrap();
    assert_eq!(
        world_stamp(&component).as_deref(),
        Some("airlock:test/roundtrip@0.1.0")
    );
    assert_eq!(roundtrip::WORLD_NAME, "airlock:test/roundtrip@0.1.0");
}

#[test]
fn a_plugin_built_for_another_version_is_refused_naming_both() {
    let config = roundtrip_config();
    let newer = restamped(config.component(), "airlock:test/roundtrip@0.2.0");
    let err = Roundtrip::start(
        &test_runner(),
        airlock::PluginConfig::new("from-the-future", newer),
    )
    .unwrap_err();
    match &err {
        Error::WorldMismatch { detail, .. } => {
            assert!(
                detail.contains("airlock:test/roundtrip@0.2.0")
                    && detail.contains("airlock:test/roundtrip@0.1.0"),
                "{detail}"
            );
        }
        other => panic!("expected a world mismatch, got {other:?}"),
    }
}
