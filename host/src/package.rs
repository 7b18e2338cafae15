//! Packaging: writing the world stamp and the manifest into a component that
//! was built without the Rust guest SDK (componentize-js, componentize-py,
//! WAT…), so that hosts admit it as they admit a Rust plugin: stamp checked,
//! manifest reviewed.
//!
//! The sections are the guest SDK's (`airlock:world`, `airlock:manifest`,
//! each one NUL-terminated record, under [`MAX_STAMP_LEN`] and
//! [`MAX_MANIFEST_LEN`]), placed first among the component's top-level
//! sections: readers take the first section of each name, so a packaged
//! manifest comes before any a nested module carries. Packaging again for
//! the same world replaces the sections packaging wrote, so the result is
//! the same bytes.
//!
//! This checks the sections and the manifest, not the component's shape:
//! whether it fits the world's WIT is `airlock package`'s (and `airlock
//! check`'s) comparison, which needs the WIT.

use airlock_runner::stamp::{
    self, MANIFEST_SECTION, MAX_MANIFEST_LEN, MAX_STAMP_LEN, STAMP_SECTION,
};

use crate::manifest::Manifest;
use crate::text::PluginText;

/// Why a component could not be packaged.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The bytes are not a component (a core module, or not WebAssembly).
    #[error(
        "not a component: {0}; build a component (wasm32-wasip2, componentize-js, componentize-py)"
    )]
    NotAComponent(&'static str),
    /// A top-level section runs past the end of the bytes, or its header is bad.
    #[error("malformed component at byte {offset}: {detail}")]
    Malformed { offset: usize, detail: &'static str },
    /// The world name cannot be a stamp.
    #[error("world {} is not a world name such as \"namespace:package/world@1.0.0\": {detail}", PluginText::escape(.world))]
    BadWorld { world: String, detail: &'static str },
    /// The component is stamped already, for another world (or version).
    #[error(
        "the component is stamped for world `{}`, not `{}`; package it for its own \
         world, or rebuild it for this one",
        PluginText::escape(.stamp),
        PluginText::escape(.world)
    )]
    StampedForAnotherWorld { stamp: String, world: String },
    /// A section would be (or already is) longer than hosts read.
    #[error("the `{section}` section would be {len} bytes, more than the {limit} bytes hosts read")]
    TooLong {
        section: &'static str,
        len: usize,
        limit: usize,
    },
    /// The manifest does not parse or validate, or is for another world.
    #[error(transparent)]
    Manifest(crate::Error),
}

/// Returns `component` with its world stamp set to `world`
/// (`namespace:package/world@version`) and, when `manifest` (TOML text) is
/// given, that manifest embedded; without one, a manifest the component
/// carries already is kept (and checked). The manifest is checked as a host
/// checks one when it loads the component, and must be for `world`.
pub fn package(
    component: &[u8],
    world: &str,
    manifest: Option<&str>,
) -> Result<Vec<u8>, PackageError> {
    check_header(component)?;
    check_world(world)?;
    let stamp_record = record(STAMP_SECTION, world.as_bytes(), MAX_STAMP_LEN)?;
    let manifest_record = manifest
        .map(|text| {
            // Sized before it is parsed.
            let record = record(MANIFEST_SECTION, text.as_bytes(), MAX_MANIFEST_LEN)?;
            check_manifest(text.as_bytes(), world)?;
            Ok(record)
        })
        .transpose()?;
    let found = stamp::sections(component);
    if let Some(oversized) = &found.oversized {
        return Err(PackageError::TooLong {
            section: oversized.section,
            len: oversized.len,
            limit: oversized.limit,
        });
    }
    if let Some(stamp) = found.stamp.filter(|s| s != world) {
        return Err(PackageError::StampedForAnotherWorld {
            stamp,
            world: world.to_string(),
        });
    }

    let mut out = Vec::with_capacity(component.len() + 64 + manifest.map_or(0, str::len));
    out.extend_from_slice(&component[..8]);
    custom_section(&mut out, STAMP_SECTION, &stamp_record);
    if let Some(record) = &manifest_record {
        custom_section(&mut out, MANIFEST_SECTION, record);
    }
    for section in top_level_sections(component)? {
        let replaced = match section.custom_name {
            Some(STAMP_SECTION) => true,
            Some(MANIFEST_SECTION) => manifest_record.is_some(),
            _ => false,
        };
        if !replaced {
            out.extend_from_slice(&component[section.range]);
        }
    }

    // Read back as hosts read it: this stamp, and a manifest for this world.
    let written = stamp::sections(&out);
    if written.stamp.as_deref() != Some(world) {
        return Err(PackageError::Malformed {
            offset: 8,
            detail: "the stamp written does not read back",
        });
    }
    if let Some(text) = &written.manifest {
        check_manifest(text, world)?;
    }
    Ok(out)
}

/// Whether `component` was packaged: its stamp is one of its own top-level
/// sections (the guest SDK's lies in the core module inside).
pub fn is_packaged(component: &[u8]) -> bool {
    check_header(component).is_ok()
        && top_level_sections(component)
            .is_ok_and(|s| s.iter().any(|s| s.custom_name == Some(STAMP_SECTION)))
}

/// Parses and validates a manifest as a host does when it loads one
/// embedded, and checks that it is for `world` as a host serving `world` does.
fn check_manifest(text: &[u8], world: &str) -> Result<(), PackageError> {
    let manifest =
        Manifest::from_section(text, "the packaged component").map_err(PackageError::Manifest)?;
    stamp::check_stamp(&manifest.world, world).map_err(|detail| {
        PackageError::Manifest(crate::Error::Manifest {
            origin: "the manifest".into(),
            detail: format!("its `world` does not fit: {detail}").into(),
        })
    })
}

fn check_header(component: &[u8]) -> Result<(), PackageError> {
    match component.get(..8) {
        Some([0, b'a', b's', b'm', 0x0d, 0, 1, 0]) => Ok(()),
        Some([0, b'a', b's', b'm', 1, 0, 0, 0]) => Err(PackageError::NotAComponent(
            "it is a core WebAssembly module",
        )),
        Some([0, b'a', b's', b'm', ..]) => Err(PackageError::NotAComponent(
            "its WebAssembly version is not the component model's",
        )),
        _ => Err(PackageError::NotAComponent(
            "it does not start with `\\0asm`",
        )),
    }
}

/// `namespace:package/world`, optionally `@version`, in printable ASCII.
fn check_world(world: &str) -> Result<(), PackageError> {
    let bad = |detail| {
        Err(PackageError::BadWorld {
            world: world.to_string(),
            detail,
        })
    };
    if !world.bytes().all(|b| b.is_ascii_graphic()) {
        return bad("it holds spaces, control or non-ASCII characters");
    }
    let name = world.split('@').next().unwrap_or_default();
    match name.split_once(':').map(|(_, rest)| rest.split_once('/')) {
        Some(Some((package, w))) if !package.is_empty() && !w.is_empty() => Ok(()),
        _ => bad("it lacks `namespace:package/` or the world's own name"),
    }
}

/// A section's record: `bytes` and a NUL, `bytes` at most `limit` long and
/// holding no NUL (readers stop at the first).
fn record(section: &'static str, bytes: &[u8], limit: usize) -> Result<Vec<u8>, PackageError> {
    if bytes.len() > limit {
        return Err(PackageError::TooLong {
            section,
            len: bytes.len(),
            limit,
        });
    }
    if bytes.contains(&0) {
        return Err(PackageError::Malformed {
            offset: 0,
            detail: "the text to embed holds a NUL byte",
        });
    }
    let mut record = bytes.to_vec();
    record.push(0);
    Ok(record)
}

/// Appends a custom section (id 0) named `name` holding `data`.
fn custom_section(out: &mut Vec<u8>, name: &str, data: &[u8]) {
    let mut body = Vec::with_capacity(name.len() + data.len() + 5);
    leb128(&mut body, name.len());
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(data);
    out.push(0);
    leb128(out, body.len());
    out.extend_from_slice(&body);
}

fn leb128(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// One top-level section: its bytes (id, size and payload) and, for a
/// custom section, its name.
struct Section<'a> {
    range: std::ops::Range<usize>,
    custom_name: Option<&'a str>,
}

/// The top-level sections after the header. Nested modules and components
/// are sections too, copied whole; only sizes are read, every one bounds-checked.
fn top_level_sections(component: &[u8]) -> Result<Vec<Section<'_>>, PackageError> {
    let mut sections = Vec::new();
    let mut at = 8;
    while at < component.len() {
        let start = at;
        let id = component[at];
        at += 1;
        let size = read_leb(component, &mut at)?;
        let end = at
            .checked_add(size)
            .filter(|end| *end <= component.len())
            .ok_or(PackageError::Malformed {
                offset: start,
                detail: "a section runs past the end of the component",
            })?;
        let custom_name = if id == 0 {
            let mut name_at = at;
            let len = read_leb(&component[..end], &mut name_at)?;
            let name = name_at
                .checked_add(len)
                .filter(|e| *e <= end)
                .and_then(|e| std::str::from_utf8(&component[name_at..e]).ok())
                .ok_or(PackageError::Malformed {
                    offset: start,
                    detail: "a custom section's name is cut short or not UTF-8",
                })?;
            Some(name)
        } else {
            None
        };
        sections.push(Section {
            range: start..end,
            custom_name,
        });
        at = end;
    }
    Ok(sections)
}

/// An unsigned LEB128 of at most 32 bits, as section sizes are.
fn read_leb(bytes: &[u8], at: &mut usize) -> Result<usize, PackageError> {
    let offset = *at;
    let bad = || PackageError::Malformed {
        offset,
        detail: "a section size is cut short or longer than 32 bits",
    };
    let mut value: u64 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*at).ok_or_else(bad)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return u32::try_from(value).map(|v| v as usize).map_err(|_| bad());
        }
    }
    Err(bad())
}

#[cfg(test)]
#[path = "package_tests.rs"]
mod tests;
