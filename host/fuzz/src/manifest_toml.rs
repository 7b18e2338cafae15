//! Target `manifest_toml`: a plugin's manifest (`airlock.toml`, beside the
//! component or embedded in it), written by the plugin's author: parsed,
//! validated, shown and reviewed against a policy as `Plugin::start` and
//! `airlock inspect` do.
//!
//! Checked: no panic; what [`Manifest::from_toml`] accepts meets the rules
//! it promises (a name, semantic versions, a world with a version, a reason
//! for every request, absolute guest paths, `host:port` addresses); every
//! error names the file.

use airlock::{Capability, Manifest, Policy};

pub fn manifest_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Manifest::from_toml(text, "fuzz.toml") {
        Ok(manifest) => use_manifest(&manifest),
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains("fuzz.toml"),
                "the error does not name the file: {message}"
            );
        }
    }
}

/// Checks an accepted manifest and does with it what the host does.
pub(crate) fn use_manifest(manifest: &Manifest) {
    assert!(
        !manifest.name.trim().is_empty(),
        "an empty name was accepted"
    );
    let (world, version) = manifest
        .world
        .split_once('@')
        .expect("a world without a version was accepted");
    assert!(
        world.contains(':') && world.contains('/'),
        "world {world:?} was accepted"
    );
    assert!(is_semver(version), "world version {version:?} was accepted");
    assert!(
        is_semver(&manifest.version),
        "version {:?} was accepted",
        manifest.version
    );
    for request in &manifest.capabilities {
        assert!(
            !request.reason.trim().is_empty(),
            "a request without a reason was accepted"
        );
        let _ = (
            request.capability.to_string(),
            request.capability.how_to_grant(),
        );
        match &request.capability {
            Capability::Directory { path, .. } => {
                assert!(path.starts_with('/'), "directory {path:?} was accepted");
            }
            Capability::Network { address } => {
                let port = address.rsplit_once(':').map(|(_, port)| port);
                assert!(
                    port.is_some_and(|p| p.parse::<u16>().is_ok()),
                    "address {address:?} was accepted"
                );
            }
            Capability::Env { .. } => {}
        }
    }
    // Reviewed under a policy that grants no network: a manifest's names are
    // never resolved, so the fuzzer sends no DNS query whatever it writes.
    let policy = Policy::default()
        .preopen("/tmp", "/out", true)
        .preopen("/tmp", "/in/", false)
        .env("LANG");
    let review = manifest.review(&policy);
    assert_eq!(
        review.granted.len() + review.refused.len(),
        manifest.capabilities.len(),
        "the review lost requests"
    );
    assert!(
        review
            .granted
            .iter()
            .all(|r| !matches!(r.capability, Capability::Network { .. })),
        "a network request was granted by a policy with no network"
    );
}

fn is_semver(text: &str) -> bool {
    let core = text.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}
