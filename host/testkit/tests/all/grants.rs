//! Manifests and grants: what a plugin asks for, what the policy grants,
//! and the `Denied` errors in between.

use std::time::Duration;

use airlock::{Error, Manifest, PluginConfig, Policy};
use airlock_testkit::battery::PingHost;
use airlock_testkit::hostile::Hostile;
use airlock_testkit::roundtrip::Roundtrip;

use crate::support::{TestHost, roundtrip_config, test_runner};

fn manifest(world: &str, capabilities: &str) -> Manifest {
    Manifest::from_toml(
        &format!("name = \"probe\"\nversion = \"1.0.0\"\nworld = \"{world}\"\n{capabilities}"),
        "test manifest",
    )
    .expect("valid manifest")
}

const ROUNDTRIP: &str = "airlock:test/roundtrip@0.1.0";

#[test]
fn a_required_capability_not_granted_stops_the_start_saying_what_and_why() {
    let config = roundtrip_config().manifest(manifest(
        ROUNDTRIP,
        "[[capability]]\nkind = \"network\"\naddress = \"127.0.0.1:9\"\nreason = \"reports usage\"",
    ));
    let err = Roundtrip::start(&test_runner(), config).unwrap_err();
    match &err {
        Error::Denied {
            capability, reason, ..
        } => {
            assert_eq!(capability, "network access to 127.0.0.1:9");
            assert!(reason.contains("asks for it (reports usage)"), "{reason}");
            assert!(reason.contains("network = [\"127.0.0.1:9\"]"), "{reason}");
        }
        other => panic!("expected Denied, got {other:?}"),
    }
    // Granted by the policy, the same plugin starts.
    let config = roundtrip_config()
        .manifest(manifest(
            ROUNDTRIP,
            "[[capability]]\nkind = \"network\"\naddress = \"127.0.0.1:9\"\nreason = \"reports usage\"",
        ))
        .policy(Policy::default().allow_connect("127.0.0.1:9"));
    let mut plugin = Roundtrip::start(&test_runner(), config).expect("granted");
    assert_eq!(plugin.add(&mut TestHost::default(), 2, 2).unwrap(), 4);
    assert!(plugin.plugin().denials().is_empty());
}

#[test]
fn an_optional_capability_not_granted_is_recorded_and_the_plugin_runs() {
    let config = roundtrip_config().manifest(manifest(
        ROUNDTRIP,
        "[[capability]]\nkind = \"env\"\nname = \"LANG\"\nreason = \"localised messages\"\nrequired = false",
    ));
    let mut plugin = Roundtrip::start(&test_runner(), config).expect("starts without it");
    assert_eq!(plugin.add(&mut TestHost::default(), 2, 2).unwrap(), 4);
    let denials = plugin.plugin().denials();
    assert_eq!(denials.len(), 1, "{denials:?}");
    assert_eq!(denials[0].0, "environment variable LANG");
    assert!(denials[0].1.starts_with("optional;"), "{}", denials[0].1);
}

#[test]
fn a_manifest_for_another_world_is_refused() {
    let config = roundtrip_config().manifest(manifest("airlock:design/filter@0.1.0", ""));
    let err = Roundtrip::start(&test_runner(), config).unwrap_err();
    assert!(
        matches!(&err, Error::WorldMismatch { detail, .. } if detail.contains("its manifest says") && detail.contains("airlock:design/filter@0.1.0")),
        "{err:?}"
    );
}

#[test]
fn a_granted_directory_is_readable_and_nothing_else_is() {
    let dir = std::env::temp_dir().join(format!("airlock-grants-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("brief.txt"), "granted content").unwrap();
    let config = PluginConfig::from_file("hostile", airlock_testkit::guest_path("test_hostile"))
        .unwrap()
        .manifest(manifest(
            "airlock:test/hostile@0.1.0",
            "[[capability]]\nkind = \"directory\"\npath = \"/data\"\naccess = \"read\"\nreason = \"reads the brief\"",
        ))
        .policy(Policy::default().preopen(&dir, "/data", false))
        .deadline(Duration::from_secs(20));
    let mut plugin = Hostile::start(&test_runner(), config).expect("granted");
    let host = &mut PingHost::default();
    assert_eq!(
        plugin.attacks().read_file(host, "/data/brief.txt").unwrap(),
        Ok("granted content".to_string())
    );
    assert!(
        plugin
            .attacks()
            .write_file(host, "/data/x", "y")
            .unwrap()
            .is_err()
    );
    assert!(
        plugin
            .attacks()
            .read_file(host, "/etc/passwd")
            .unwrap()
            .is_err()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
