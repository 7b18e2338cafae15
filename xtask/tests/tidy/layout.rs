//! Each crate root's `# Layout` list names exactly the modules it declares.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::tree::{self, Scratch};

/// The modules a crate root declares at its top level.
#[derive(Debug, Default)]
struct Modules {
    /// `mod x;`, outside `#[cfg(test)]`: the list must name these.
    files: BTreeSet<String>,
    /// `mod x { … }` as well: the list may name these.
    all: BTreeSet<String>,
}

fn modules(text: &str) -> Modules {
    let mut found = Modules::default();
    let mut test_only = false;
    for line in text.lines() {
        // Attributes stack up on the lines above the item they apply to.
        if line.starts_with("#[") {
            test_only |= line.starts_with("#[cfg(test)]");
            continue;
        }
        let item = line
            .strip_prefix("pub ")
            .or_else(|| line.strip_prefix("pub(crate) "))
            .unwrap_or(line);
        if let Some(rest) = item.strip_prefix("mod ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !test_only {
                if rest[name.len()..].trim_start().starts_with(';') {
                    found.files.insert(name.clone());
                }
                found.all.insert(name);
            }
        }
        if !line.trim().is_empty() && !line.starts_with("//") {
            test_only = false;
        }
    }
    found
}

/// The `//! # Layout` section of the crate docs, one string per list item
/// (continuation lines joined); `None` when there is no such section.
fn layout_items(text: &str) -> Option<Vec<String>> {
    let docs = text
        .lines()
        .map_while(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l));
    let mut items: Option<Vec<String>> = None;
    for line in docs {
        if line.starts_with('#') {
            if items.is_some() {
                break;
            }
            if line.trim() == "# Layout" {
                items = Some(Vec::new());
            }
            continue;
        }
        let Some(items) = items.as_mut() else {
            continue;
        };
        if let Some(item) = line.strip_prefix("- ") {
            items.push(item.to_string());
        } else if let (Some(last), true) = (items.last_mut(), line.starts_with("  ")) {
            last.push(' ');
            last.push_str(line.trim());
        }
    }
    items
}

/// The identifiers in backticks in `text` (`` `x` `` and ``[`x`]``).
fn backticked(text: &str) -> impl Iterator<Item = &str> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || c == '_'))
}

fn is_module_like(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// What is wrong with the layout list of the crate root `rel`.
fn problems_of(rel: &Path, text: &str) -> Vec<String> {
    let modules = modules(text);
    let at = rel.display();
    let Some(items) = layout_items(text) else {
        if modules.files.is_empty() {
            return Vec::new();
        }
        return vec![format!(
            "{at}: declares modules but has no `//! # Layout` section; add one naming {}",
            list(&modules.files)
        )];
    };
    let named: BTreeSet<String> = items
        .iter()
        .flat_map(|i| backticked(i))
        .map(String::from)
        .collect();
    let mut problems = Vec::new();
    let missing: BTreeSet<String> = modules.files.difference(&named).cloned().collect();
    if !missing.is_empty() {
        problems.push(format!(
            "{at}: `# Layout` does not name {}; add a line for each",
            list(&missing)
        ));
    }
    let extra: BTreeSet<String> = items
        .iter()
        .flat_map(|i| backticked(i.split(": ").next().unwrap_or_default()))
        .filter(|n| is_module_like(n) && !modules.all.contains(*n))
        .map(String::from)
        .collect();
    if !extra.is_empty() {
        problems.push(format!(
            "{at}: `# Layout` lists {}, not modules of this crate; remove them or name them \
             in the description instead",
            list(&extra)
        ));
    }
    problems
}

fn list(names: &BTreeSet<String>) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}

/// Every `src/lib.rs` and `src/main.rs` beside a `Cargo.toml`.
fn crate_roots(root: &Path) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    for manifest in tree::files(root, Path::new(""), "/Cargo.toml") {
        let dir = manifest.parent().expect("a parent");
        for file in ["src/lib.rs", "src/main.rs"] {
            if root.join(dir).join(file).is_file() {
                roots.push(dir.join(file));
            }
        }
    }
    roots
}

pub fn problems(root: &Path) -> Vec<String> {
    crate_roots(root)
        .iter()
        .flat_map(|rel| problems_of(rel, &tree::read(root, rel)))
        .collect()
}

#[test]
fn every_layout_list_names_exactly_its_modules() {
    tree::report(
        "`# Layout` lists out of date",
        "each crate root's `//! # Layout` list names every `mod x;` it declares, \
         as `- [`x`]: what it is for`",
        &problems(&tree::root()),
    );
}

const GOOD_LIB: &str = "\
//! A crate.
//!
//! # Layout
//!
//! - [`frame`]: frames; with [`ring`] the
//!   rings, and [`Thing`] a type.
//! - `__private`: for generated code.
//!
//! # Other
//!
//! - [`not_a_module`]: after the section, not read.

mod frame;
pub mod ring;
#[cfg(test)]
mod tests;
#[doc(hidden)]
pub mod __private {}
";

#[test]
fn planted_layout_drift_is_named_missing_and_extra() {
    let scratch = Scratch::new("layout");
    let with_new_module = GOOD_LIB.replace("pub mod ring;", "pub mod ring;\nmod spin;");
    let with_stale_entry = GOOD_LIB.replace("- `__private`", "- `codec`, `__private`");
    scratch
        .file("good/Cargo.toml", "")
        .file("good/src/lib.rs", GOOD_LIB)
        .file("missing/Cargo.toml", "")
        .file("missing/src/lib.rs", &with_new_module)
        .file("extra/Cargo.toml", "")
        .file("extra/src/lib.rs", &with_stale_entry)
        .file("bin/Cargo.toml", "")
        .file("bin/src/main.rs", "//! A tool.\n\nmod lint;\n")
        .file("plain/Cargo.toml", "")
        .file(
            "plain/src/main.rs",
            "//! No modules, no list needed.\nfn main() {}\n",
        );
    let problems = problems(&scratch.root);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].starts_with("bin/src/main.rs: declares modules but has no"));
    assert!(problems[0].contains("`lint`"));
    assert!(problems[1].starts_with("extra/src/lib.rs: `# Layout` lists `codec`"));
    assert!(problems[2].starts_with("missing/src/lib.rs: `# Layout` does not name `spin`"));
}
