//! The world stamp: the guest SDK writes `namespace:package/world@version`
//! into a custom section `airlock:world`; hosts and runners read it to refuse
//! a plugin built for another version of their world before compiling it.

/// The custom section holding the stamp.
pub const STAMP_SECTION: &str = "airlock:world";

/// The custom section holding a manifest embedded by the guest SDK (the
/// plugin's `airlock.toml`, as text).
pub const MANIFEST_SECTION: &str = "airlock:manifest";

/// The stamp of a component (found in the component or any module inside
/// it), if it has one. Malformed bytes have no stamp: the compiler reports them.
pub fn world_stamp(component: &[u8]) -> Option<String> {
    sections(component).stamp
}

/// What the guest SDK wrote into a component.
#[derive(Debug, Default)]
pub struct Sections {
    pub stamp: Option<String>,
    /// The embedded manifest's bytes (TOML text, unchecked).
    pub manifest: Option<Vec<u8>>,
}

/// The stamp and the embedded manifest, in one pass over the component
/// (the first record of the first section of each name).
pub fn sections(component: &[u8]) -> Sections {
    let mut found = Sections::default();
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        let Ok(payload) = payload else { break };
        let wasmparser::Payload::CustomSection(section) = payload else {
            continue;
        };
        let record = first_record(section.data());
        match section.name() {
            STAMP_SECTION if found.stamp.is_none() => {
                found.stamp = std::str::from_utf8(record)
                    .ok()
                    .map(|s| s.trim().to_string());
            }
            MANIFEST_SECTION if found.manifest.is_none() => {
                found.manifest = Some(record.to_vec());
            }
            _ => {}
        }
        if found.stamp.is_some() && found.manifest.is_some() {
            break;
        }
    }
    found
}

/// The first record of a custom section the guest SDK wrote: records end
/// with a NUL, and the linker concatenates sections of one name when several
/// crates of a plugin write one.
fn first_record(data: &[u8]) -> &[u8] {
    data.split(|b| *b == 0).next().unwrap_or_default()
}

/// Whether a plugin stamped `stamp` may be served as world `world` (both
/// `namespace:package/world@version`): the same world, and a version the
/// plugin's is compatible with under semver (`^stamp`: same major, or the
/// same minor below 1.0, and not older). The error names both versions.
pub fn check_stamp(stamp: &str, world: &str) -> Result<(), String> {
    let (stamp_name, stamp_version) = split(stamp);
    let (world_name, world_version) = split(world);
    if stamp_name != world_name {
        return Err(format!(
            "the plugin was built for world `{stamp}`, not `{world}`"
        ));
    }
    let fits = match (stamp_version, world_version) {
        (None, None) => true,
        (Some(built), Some(served)) => match (
            semver::VersionReq::parse(&format!("^{built}")),
            semver::Version::parse(served),
        ) {
            (Ok(req), Ok(served)) => req.matches(&served),
            _ => built == served,
        },
        _ => false,
    };
    if fits {
        Ok(())
    } else {
        Err(format!(
            "the plugin was built for {stamp_name}@{}, this host serves {world_name}@{}",
            stamp_version.unwrap_or("(no version)"),
            world_version.unwrap_or("(no version)")
        ))
    }
}

fn split(name: &str) -> (&str, Option<&str>) {
    match name.split_once('@') {
        Some((n, v)) => (n, Some(v)),
        None => (name, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compatible_versions_fit_and_others_are_named() {
        assert!(check_stamp("a:b/w@0.1.0", "a:b/w@0.1.0").is_ok());
        assert!(check_stamp("a:b/w@0.1.0", "a:b/w@0.1.4").is_ok());
        assert!(check_stamp("a:b/w@1.2.0", "a:b/w@1.5.0").is_ok());
        let err = check_stamp("a:b/w@0.1.0", "a:b/w@0.2.0").unwrap_err();
        assert!(
            err.contains("a:b/w@0.1.0") && err.contains("a:b/w@0.2.0"),
            "{err}"
        );
        // A plugin that may use what 0.1.3 added cannot run on a 0.1.0 host.
        assert!(check_stamp("a:b/w@0.1.3", "a:b/w@0.1.0").is_err());
        assert!(check_stamp("a:b/w@2.0.0", "a:b/w@1.9.0").is_err());
        let err = check_stamp("a:b/other@0.1.0", "a:b/w@0.1.0").unwrap_err();
        assert!(err.contains("a:b/other@0.1.0"), "{err}");
    }

    #[test]
    fn stamps_are_read_from_custom_sections() {
        let module = wat::parse_str(r#"(module (@custom "airlock:world" "a:b/w@1.0.0"))"#).unwrap();
        assert_eq!(world_stamp(&module).as_deref(), Some("a:b/w@1.0.0"));
        assert_eq!(world_stamp(&wat::parse_str("(module)").unwrap()), None);
        // Two crates' stamps, concatenated by the linker: the first counts.
        let twice =
            wat::parse_str(r#"(module (@custom "airlock:world" "a:b/w@1.0.0\00a:b/w@1.0.0\00"))"#)
                .unwrap();
        assert_eq!(world_stamp(&twice).as_deref(), Some("a:b/w@1.0.0"));
        assert_eq!(world_stamp(b"\0asm garbage"), None);
    }
}
