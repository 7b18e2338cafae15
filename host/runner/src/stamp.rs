//! The world stamp: the guest SDK writes `namespace:package/world@version`
//! into a custom section `airlock:world`; hosts and runners read it to refuse
//! a plugin built for another version of their world before compiling it.

/// The custom section holding the stamp.
pub const STAMP_SECTION: &str = "airlock:world";

/// The custom section holding a manifest embedded by the guest SDK (the
/// plugin's `airlock.toml`, as text).
pub const MANIFEST_SECTION: &str = "airlock:manifest";

/// The longest stamp read from a component: a world name with its version
/// fits many times over. A longer one is refused, never copied.
pub const MAX_STAMP_LEN: usize = 1024;

/// The longest embedded manifest read from a component (or from a file
/// beside it): a manifest with dozens of capabilities fits many times over.
pub const MAX_MANIFEST_LEN: usize = 64 << 10;

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
    /// A stamp or manifest longer than its cap, left unread (that field is
    /// then `None`): a host refuses such a component.
    pub oversized: Option<OversizedSection>,
}

/// A stamp or manifest section longer than the host reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OversizedSection {
    pub section: &'static str,
    pub len: usize,
    pub limit: usize,
}

impl std::fmt::Display for OversizedSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "its `{}` section is {} bytes, more than the {} bytes the host reads",
            self.section, self.len, self.limit
        )
    }
}

/// The stamp and the embedded manifest, in one pass over the component
/// (the first record of the first section of each name). The scan borrows
/// the component's bytes; the only copies are of the two records, each
/// under its cap ([`MAX_STAMP_LEN`], [`MAX_MANIFEST_LEN`]): a longer one is
/// reported in [`Sections::oversized`] and ends the scan.
pub fn sections(component: &[u8]) -> Sections {
    let mut found = Sections::default();
    let (mut stamp_seen, mut manifest_seen) = (false, false);
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        let Ok(payload) = payload else { break };
        let wasmparser::Payload::CustomSection(section) = payload else {
            continue;
        };
        let (name, limit) = match section.name() {
            STAMP_SECTION if !stamp_seen => {
                stamp_seen = true;
                (STAMP_SECTION, MAX_STAMP_LEN)
            }
            MANIFEST_SECTION if !manifest_seen => {
                manifest_seen = true;
                (MANIFEST_SECTION, MAX_MANIFEST_LEN)
            }
            _ => continue,
        };
        let record = first_record(section.data());
        if record.len() > limit {
            found.oversized = Some(OversizedSection {
                section: name,
                len: record.len(),
                limit,
            });
            break;
        }
        if name == STAMP_SECTION {
            found.stamp = std::str::from_utf8(record)
                .ok()
                .map(|s| s.trim().to_string());
        } else {
            found.manifest = Some(record.to_vec());
        }
        if stamp_seen && manifest_seen {
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

    #[test]
    fn sections_beyond_their_caps_are_reported_not_copied() {
        let long = "a".repeat(MAX_STAMP_LEN + 1);
        let module =
            wat::parse_str(format!(r#"(module (@custom "airlock:world" "{long}"))"#)).unwrap();
        let found = sections(&module);
        assert_eq!(found.stamp, None);
        assert_eq!(
            found.oversized,
            Some(OversizedSection {
                section: STAMP_SECTION,
                len: MAX_STAMP_LEN + 1,
                limit: MAX_STAMP_LEN
            })
        );
        let big = "x".repeat(MAX_MANIFEST_LEN + 1);
        let module =
            wat::parse_str(format!(r#"(module (@custom "airlock:manifest" "{big}"))"#)).unwrap();
        let found = sections(&module);
        assert_eq!(found.manifest, None);
        let oversized = found.oversized.unwrap();
        assert_eq!(
            (oversized.section, oversized.len),
            (MANIFEST_SECTION, MAX_MANIFEST_LEN + 1)
        );
        assert!(
            oversized.to_string().contains("airlock:manifest"),
            "{oversized}"
        );
        // At the caps, both are read.
        let stamp = "s".repeat(MAX_STAMP_LEN);
        let manifest = "m".repeat(MAX_MANIFEST_LEN);
        let module = wat::parse_str(format!(
            r#"(module (@custom "airlock:world" "{stamp}") (@custom "airlock:manifest" "{manifest}"))"#
        ))
        .unwrap();
        let found = sections(&module);
        assert_eq!(found.oversized, None);
        assert_eq!(found.stamp.map(|s| s.len()), Some(MAX_STAMP_LEN));
        assert_eq!(found.manifest.map(|m| m.len()), Some(MAX_MANIFEST_LEN));
    }
}
