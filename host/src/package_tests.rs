//! Unit tests of packaging, on components built byte by byte.

use super::*;

const WORLD: &str = "airlock:design/filter@0.2.0";
const EMPTY: &[u8] = b"\0asm\x0d\0\x01\0";

fn manifest(world: &str) -> String {
    format!("name = \"p\"\nversion = \"1.0.0\"\nworld = \"{world}\"\n")
}

fn with_section(mut bytes: Vec<u8>, id: u8, payload: &[u8]) -> Vec<u8> {
    bytes.push(id);
    leb128(&mut bytes, payload.len());
    bytes.extend_from_slice(payload);
    bytes
}

/// A component holding one core module that carries `name`'s custom section.
fn nested(name: &str, data: &[u8]) -> Vec<u8> {
    let mut module = b"\0asm\x01\0\0\0".to_vec();
    custom_section(&mut module, name, data);
    with_section(EMPTY.to_vec(), 1, &module)
}

#[test]
fn packaging_writes_both_sections_and_is_idempotent() {
    let text = manifest(WORLD);
    let once = package(EMPTY, WORLD, Some(&text)).unwrap();
    let found = stamp::sections(&once);
    assert_eq!(found.stamp.as_deref(), Some(WORLD));
    assert_eq!(found.manifest.as_deref(), Some(text.as_bytes()));
    assert!(is_packaged(&once) && !is_packaged(EMPTY));
    assert_eq!(package(&once, WORLD, Some(&text)).unwrap(), once);
    // Without a manifest, the one packaged before is kept.
    assert_eq!(package(&once, WORLD, None).unwrap(), once);
    // With another, it is replaced, not added beside.
    let other = text.replace("1.0.0\"\nworld", "1.1.0\"\nworld");
    let again = package(&once, WORLD, Some(&other)).unwrap();
    assert_eq!(
        stamp::sections(&again).manifest.as_deref(),
        Some(other.as_bytes())
    );
    assert_eq!(again.len(), once.len());
}

#[test]
fn a_packaged_manifest_comes_before_a_nested_one() {
    let inner = nested(MANIFEST_SECTION, b"not toml at all\0");
    let text = manifest(WORLD);
    let out = package(&inner, WORLD, Some(&text)).unwrap();
    assert_eq!(
        stamp::sections(&out).manifest.as_deref(),
        Some(text.as_bytes())
    );
    // The nested module is copied whole.
    assert!(out.ends_with(&inner[8..]));
}

#[test]
fn a_component_stamped_for_another_world_is_refused() {
    let guest = nested(STAMP_SECTION, b"airlock:design/exporter@0.2.0\0");
    let err = package(&guest, WORLD, None).unwrap_err();
    assert!(
        matches!(&err, PackageError::StampedForAnotherWorld { stamp, .. } if stamp == "airlock:design/exporter@0.2.0"),
        "{err}"
    );
    // Another version is another world too.
    let old = package(EMPTY, "airlock:design/filter@0.1.0", None).unwrap();
    assert!(matches!(
        package(&old, WORLD, None),
        Err(PackageError::StampedForAnotherWorld { .. })
    ));
    // Its own world is fine.
    let same = nested(STAMP_SECTION, format!("{WORLD}\0").as_bytes());
    assert!(package(&same, WORLD, None).is_ok());
}

#[test]
fn sections_over_their_caps_are_refused() {
    let long = format!("a:b/{}", "w".repeat(MAX_STAMP_LEN));
    assert!(matches!(
        package(EMPTY, &long, None),
        Err(PackageError::TooLong { section: STAMP_SECTION, len, limit: MAX_STAMP_LEN }) if len == long.len()
    ));
    let at_cap = format!("a:b/{}", "w".repeat(MAX_STAMP_LEN - 4));
    assert!(package(EMPTY, &at_cap, None).is_ok());
    let big = format!("{}# {}\n", manifest(WORLD), "x".repeat(MAX_MANIFEST_LEN));
    assert!(matches!(
        package(EMPTY, WORLD, Some(&big)),
        Err(PackageError::TooLong {
            section: MANIFEST_SECTION,
            ..
        })
    ));
    // An oversized section already inside is refused too, not copied on.
    let huge = nested(MANIFEST_SECTION, &vec![b'x'; MAX_MANIFEST_LEN + 1]);
    assert!(matches!(
        package(&huge, WORLD, None),
        Err(PackageError::TooLong { .. })
    ));
}

#[test]
fn manifests_are_checked_as_hosts_check_them() {
    let err = package(
        EMPTY,
        WORLD,
        Some(&manifest("airlock:design/exporter@0.2.0")),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("airlock:design/exporter@0.2.0"),
        "{err}"
    );
    let err = package(EMPTY, WORLD, Some("name = \"p\"")).unwrap_err();
    assert!(matches!(err, PackageError::Manifest(_)), "{err}");
    let err = package(EMPTY, WORLD, Some(&format!("{}\0", manifest(WORLD)))).unwrap_err();
    assert!(err.to_string().contains("NUL"), "{err}");
    // A bad manifest the component carries is refused when it is kept.
    let carried = nested(MANIFEST_SECTION, manifest("a:b/c@1.0.0").as_bytes());
    assert!(matches!(
        package(&carried, WORLD, None),
        Err(PackageError::Manifest(_))
    ));
}

#[test]
fn what_is_not_a_component_is_refused() {
    for (bytes, needle) in [
        (&b"\0asm\x01\0\0\0"[..], "core WebAssembly module"),
        (b"hello, world", "\\0asm"),
        (b"\0asm", "\\0asm"),
    ] {
        let err = package(bytes, WORLD, None).unwrap_err();
        assert!(err.to_string().contains(needle), "{err}");
    }
    for world in ["filter", "a:b/", "a:b/w x", "a:/w", "a:b/w\u{1b}[2J"] {
        assert!(
            matches!(
                package(EMPTY, world, None),
                Err(PackageError::BadWorld { .. })
            ),
            "{world:?}"
        );
    }
    // Sections cut short: each is refused, none panics.
    let whole = with_section(EMPTY.to_vec(), 1, &[0; 16]);
    for len in 9..whole.len() {
        assert!(
            matches!(
                package(&whole[..len], WORLD, None),
                Err(PackageError::Malformed { .. })
            ),
            "{len}"
        );
    }
    let endless_size = [EMPTY, &[1, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]].concat();
    assert!(matches!(
        package(&endless_size, WORLD, None),
        Err(PackageError::Malformed { .. })
    ));
}
