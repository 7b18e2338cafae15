//! No two modules of a crate import each other, directly or round a loop.
//!
//! A module's imports are the `crate::x` paths in its code (comments and
//! `#[cfg(test)]` code after it do not count), where `x` is a top-level
//! module of the same crate; a folder module counts as one module with all
//! its files. Test files (`*_tests.rs`) are skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::tree::{self, Scratch};

/// Every crate's `src` folder: the ones beside a `Cargo.toml`.
fn crate_sources(root: &Path) -> Vec<PathBuf> {
    tree::files(root, Path::new(""), "/Cargo.toml")
        .iter()
        .map(|m| m.parent().expect("a parent").join("src"))
        .filter(|src| root.join(src).is_dir())
        .collect()
}

/// Top-level module → the top-level modules it names through `crate::`.
fn imports(root: &Path, src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for rel in tree::files(root, src, ".rs") {
        let inner = rel.strip_prefix(src).expect("under src");
        let first = inner.components().next().expect("a file");
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if ["lib", "main", "bin"].contains(&module.as_str())
            || inner.to_string_lossy().ends_with("_tests.rs")
        {
            continue;
        }
        let text = tree::read(root, &rel);
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let name: String = line[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    graph.entry(module.clone()).or_default().insert(name);
                }
            }
        }
    }
    graph
}

/// One loop of imports through `from`, if there is one: `[from, …, from]`.
fn cycle_through(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![(from.to_string(), vec![from.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((at, path)) = stack.pop() {
        for next in graph.get(&at).into_iter().flatten() {
            if next == from {
                let mut path = path.clone();
                path.push(next.clone());
                return Some(path);
            }
            if seen.insert(next.clone()) {
                let mut path = path.clone();
                path.push(next.clone());
                stack.push((next.clone(), path));
            }
        }
    }
    None
}

pub fn problems(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for src in crate_sources(root) {
        let graph = imports(root, &src);
        let mut reported = BTreeSet::new();
        for module in graph.keys() {
            if let Some(cycle) = cycle_through(&graph, module) {
                let mut members: Vec<String> = cycle[1..].to_vec();
                members.sort();
                if reported.insert(members) {
                    problems.push(format!("{}: {}", src.display(), cycle.join(" → ")));
                }
            }
        }
    }
    problems
}

#[test]
fn no_module_imports_one_that_imports_it() {
    tree::report(
        "import cycles between modules",
        "move what both sides need into a module neither imports, or make one side \
         take it as an argument",
        &problems(&tree::root()),
    );
}

#[test]
fn a_planted_loop_is_named_and_a_comment_or_test_is_not_one() {
    let scratch = Scratch::new("cycles");
    scratch
        .file("a/Cargo.toml", "")
        .file("a/src/lib.rs", "//! A.\nmod x;\nmod y;\nmod z;\n")
        .file("a/src/x.rs", "//! X.\nuse crate::y::Y;\n")
        .file("a/src/y/mod.rs", "//! Y.\nmod inner;\n")
        .file("a/src/y/inner.rs", "//! Inner.\nuse crate::z::Z;\n")
        .file("a/src/z.rs", "//! Z.\nuse crate::x::X;\n")
        .file("b/Cargo.toml", "")
        .file("b/src/lib.rs", "//! B.\nmod p;\nmod q;\n")
        .file("b/src/p.rs", "//! P.\nuse crate::q::Q;\n")
        .file(
            "b/src/q.rs",
            "//! Q, which names [`crate::p`] only in docs.\n// crate::p\n#[cfg(test)]\nmod tests { use crate::p::P; }\n",
        );
    let problems = problems(&scratch.root);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("a/src: "), "{problems:?}");
    for module in ["x", "y", "z"] {
        assert!(problems[0].contains(module), "{problems:?}");
    }
}
