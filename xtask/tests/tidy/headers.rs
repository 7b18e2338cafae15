//! Every Rust file opens with a `//!` line; no source file is over 600 lines.

use std::path::Path;

use crate::tree::{self, Scratch};

/// The most lines a non-test source file may have.
pub const MAX_SOURCE_LINES: usize = 600;

/// Files whose first line is not a `//!` line.
pub fn missing_headers(root: &Path) -> Vec<String> {
    tree::rust_files(root)
        .into_iter()
        .filter(|rel| {
            let text = tree::read(root, rel);
            !text.lines().next().is_some_and(|l| l.starts_with("//!"))
        })
        .map(|rel| format!("{}: does not open with a `//!` line", rel.display()))
        .collect()
}

/// Test code: under a `tests/` folder, or `tests.rs` / `*_tests.rs`.
pub fn is_test_file(rel: &Path) -> bool {
    let name = rel.file_name().unwrap_or_default().to_string_lossy();
    rel.components().any(|c| c.as_os_str() == "tests")
        || name == "tests.rs"
        || name.ends_with("_tests.rs")
}

/// Source files over [`MAX_SOURCE_LINES`].
pub fn oversized(root: &Path) -> Vec<String> {
    tree::rust_files(root)
        .into_iter()
        .filter(|rel| !is_test_file(rel))
        .filter_map(|rel| {
            let lines = tree::read(root, &rel).lines().count();
            (lines > MAX_SOURCE_LINES).then(|| format!("{}: {lines} lines", rel.display()))
        })
        .collect()
}

#[test]
fn every_rust_file_opens_with_a_doc_line() {
    tree::report(
        "files without a `//!` header",
        "open each with a `//!` line saying what the file is for",
        &missing_headers(&tree::root()),
    );
}

#[test]
fn no_source_file_is_over_600_lines() {
    tree::report(
        "source files over 600 lines",
        "split each by responsibility (aim for 150-400 lines); tests may move to `NAME_tests.rs` or `tests/`",
        &oversized(&tree::root()),
    );
}

#[test]
fn a_planted_file_without_a_header_is_named() {
    let scratch = Scratch::new("headers");
    scratch
        .file("host/src/good.rs", "//! Good.\nfn f() {}\n")
        .file("host/src/bad.rs", "// Not a doc line.\nfn f() {}\n")
        .file("host/src/empty.rs", "")
        .file("target/debug/build/out.rs", "fn generated() {}\n")
        .file("host/bindgen/tests/snapshots/gen.rs", "/// Generated.\n");
    assert_eq!(
        missing_headers(&scratch.root),
        [
            "host/src/bad.rs: does not open with a `//!` line",
            "host/src/empty.rs: does not open with a `//!` line",
        ]
    );
}

#[test]
fn a_planted_long_source_file_is_named_and_tests_are_exempt() {
    let long = format!("//! Long.\n{}", "fn f() {}\n".repeat(MAX_SOURCE_LINES));
    let fits = format!("//! Fits.\n{}", "fn f() {}\n".repeat(MAX_SOURCE_LINES - 1));
    let scratch = Scratch::new("size");
    scratch
        .file("host/src/plugin.rs", &long)
        .file("host/src/fits.rs", &fits)
        .file("host/src/cache_tests.rs", &long)
        .file("host/src/tests.rs", &long)
        .file("host/testkit/tests/all/main.rs", &long);
    assert_eq!(oversized(&scratch.root), ["host/src/plugin.rs: 601 lines"]);
}
