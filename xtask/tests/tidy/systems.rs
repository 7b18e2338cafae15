//! Systems: outside the platform layer, no host crate's source names an
//! operating system. A `cfg` (or `cfg!`, `cfg_attr`) on `target_os`,
//! `target_vendor`, `target_family`, `unix` or `windows` may appear only in
//! a `platform/`, `lockdown/` or `backend/` folder, in the `airlock-platform` crate (`host/platform`),
//! or in a `lib.rs` right above the `mod` line it gates (or the `pub use`
//! that re-exports a system's own names), where the module list says which
//! modules are one system's own. Test code is exempt.

use std::path::Path;

use crate::headers::is_test_file;
use crate::tree::{self, Scratch};

/// Whether `code` is a `cfg` (attribute, `cfg!` or `cfg_attr`) that names
/// a system: a `target_os`, `target_vendor` or `target_family` key, or the
/// word `unix` or `windows` anywhere in it.
fn names_a_system(code: &str) -> bool {
    if !code.contains("cfg") {
        return false;
    }
    code.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|word| {
            matches!(
                word,
                "target_os" | "target_vendor" | "target_family" | "unix" | "windows"
            )
        })
}

/// Whether `rel` belongs to the platform layer.
fn in_platform_layer(rel: &Path) -> bool {
    rel.starts_with("host/platform")
        || rel.components().any(|c| {
            ["platform", "lockdown", "backend"].contains(&&*c.as_os_str().to_string_lossy())
        })
}

/// `file:line: text` for each line naming a system outside the layer.
pub fn systems_named(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for rel in tree::rust_files(root) {
        if !rel.starts_with("host") || is_test_file(&rel) || in_platform_layer(&rel) {
            continue;
        }
        let text = tree::read(root, &rel);
        let lines: Vec<&str> = text.lines().collect();
        let is_lib = rel.file_name().is_some_and(|n| n == "lib.rs");
        for (i, line) in lines.iter().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if !names_a_system(code) {
                continue;
            }
            let gates_a_mod = lines.get(i + 1).is_some_and(|next| {
                let next = next.trim_start();
                ["mod ", "pub mod ", "pub use "]
                    .iter()
                    .any(|start| next.starts_with(start))
            });
            if is_lib && code.trim_start().starts_with("#[cfg(") && gates_a_mod {
                continue;
            }
            found.push(format!("{}:{}: {}", rel.display(), i + 1, line.trim()));
        }
    }
    found
}

#[test]
fn no_host_source_names_a_system_outside_the_platform_layer() {
    tree::report(
        "host sources that name an operating system outside the platform layer",
        "move the system's code behind the crate's `platform` module (one module per system; docs/platforms.md)",
        &systems_named(&tree::root()),
    );
}

#[test]
fn a_planted_system_name_is_found_and_the_layer_is_exempt() {
    let scratch = Scratch::new("systems");
    scratch
        .file(
            "host/src/launcher.rs",
            "//! L.\n#[cfg(target_os = \"linux\")]\nfn f() {}\n// cfg(target_os) in a comment\n",
        )
        .file(
            "host/src/lib.rs",
            "//! Lib.\n#[cfg(target_os = \"linux\")]\nmod zygote;\n#[cfg(unix)]\nfn g() {}\n#[cfg(unix)]\npub use zygote::Z;\n",
        )
        .file(
            "host/src/platform/linux.rs",
            "//! P.\n#[cfg(target_os = \"linux\")]\nfn h() {}\n",
        )
        .file(
            "host/runner/src/lockdown/mod.rs",
            "//! D.\n#[cfg(target_os = \"macos\")]\nmod macos;\n",
        )
        .file(
            "host/platform/src/seatbelt.rs",
            "//! S.\n#[cfg(target_os = \"macos\")]\nfn s() {}\n",
        )
        .file(
            "host/src/thing_tests.rs",
            "//! T.\nlet x = cfg!(target_os = \"linux\");\n",
        )
        .file(
            "host/src/other.rs",
            "//! O.\n#[cfg(not(unix))]\nfn a() {}\nlet w = cfg!(windows);\n#[cfg_attr(any(unix, test), allow(dead_code))]\nlet unix_time = 1; // unix\n",
        )
        .file("host/runner/src/backend/linux.rs", "//! B.\n#[cfg(target_os = \"linux\")]\nfn b() {}\n")
        .file("xtask/src/zig.rs", "//! X.\n#[cfg(unix)]\nfn z() {}\n");
    assert_eq!(
        systems_named(&scratch.root),
        [
            "host/src/launcher.rs:2: #[cfg(target_os = \"linux\")]",
            "host/src/lib.rs:4: #[cfg(unix)]",
            "host/src/other.rs:2: #[cfg(not(unix))]",
            "host/src/other.rs:4: let w = cfg!(windows);",
            "host/src/other.rs:5: #[cfg_attr(any(unix, test), allow(dead_code))]",
        ]
    );
}
