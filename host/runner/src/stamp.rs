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
    custom_section(component, STAMP_SECTION)
        .and_then(|data| String::from_utf8(data).ok())
        .map(|s| s.trim().to_string())
}

/// The first record of a custom section the guest SDK wrote: records end
/// with a NUL, and the linker concatenates sections of one name when several
/// crates of a plugin write one.
pub fn first_record(data: &[u8]) -> &[u8] {
    data.split(|b| *b == 0).next().unwrap_or_default()
}

/// The first record of the first custom section called `name` in a
/// component or any module inside it (see [`first_record`]).
pub fn custom_section(component: &[u8], name: &str) -> Option<Vec<u8>> {
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        match payload {
            Ok(wasmparser::Payload::CustomSection(section)) if section.name() == name => {
                return Some(first_record(section.data()).to_vec());
            }
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
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
