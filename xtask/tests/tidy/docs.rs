//! The docs name real paths, and their relative links and anchors resolve.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use crate::tree::{self, Scratch};

/// Inline code starting with one of these is taken for a repository path.
const PATH_ROOTS: [&str; 6] = [
    "host/",
    "docs/",
    "examples/",
    "xtask/",
    "wit/",
    "guest-sdk/",
];

/// A page's lines outside fenced code blocks, numbered from 1.
fn prose(text: &str) -> Vec<(usize, &str)> {
    let mut fence: Option<&str> = None;
    let mut lines = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(open), Some(m)) if open == m => fence = None,
            (None, None) => lines.push((n + 1, line)),
            _ => {}
        }
    }
    lines
}

/// The inline code spans of a line, and the line with them blanked out.
fn code_spans(line: &str) -> (Vec<&str>, String) {
    let mut spans = Vec::new();
    let mut rest = String::new();
    for (i, part) in line.split('`').enumerate() {
        if i % 2 == 1 {
            spans.push(part);
        } else {
            rest.push_str(part);
            rest.push(' ');
        }
    }
    (spans, rest)
}

/// The repository path a code span names, without `:line` or `::item`;
/// `None` if it is not a path or holds a placeholder.
fn named_path(span: &str) -> Option<&str> {
    let span = span.trim();
    if !PATH_ROOTS.iter().any(|r| span.starts_with(r))
        || span.contains(char::is_whitespace)
        || span.contains(['<', '>', '*', '…', '{', '$', '|'])
        || span.contains("...")
    {
        return None;
    }
    let end = span.find(':').unwrap_or(span.len());
    Some(span[..end].trim_end_matches([',', '.', ';', ')']))
}

/// Link targets of a line with its code spans removed: `[text](target)`
/// and reference definitions `[label]: target`.
fn link_targets(line: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = rest[..end].split_whitespace().next().unwrap_or_default();
        targets.push(target.trim_matches(['<', '>']).to_string());
        rest = &rest[end..];
    }
    let trimmed = line.trim_start();
    if trimmed.starts_with('[')
        && let Some(at) = trimmed.find("]: ")
        && let Some(target) = trimmed[at + 3..].split_whitespace().next()
    {
        targets.push(target.to_string());
    }
    targets
}

fn is_external(target: &str) -> bool {
    target.is_empty() || target.contains("://") || target.starts_with("mailto:")
}

/// GitHub's anchor for a heading: markup dropped, lowercase, spaces to `-`,
/// every other character but letters, digits, `-` and `_` removed.
pub fn slug(heading: &str) -> String {
    let mut text = String::new();
    let mut rest = heading;
    // Links read as their text.
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|c| open + c) else {
            break;
        };
        let Some(end) = rest[close..].find(')').map(|e| close + e) else {
            break;
        };
        text.push_str(&rest[..open]);
        text.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    text.push_str(rest);
    text.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a page: one per heading (repeats numbered) and any
/// `id="…"` or `name="…"` in HTML.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut anchors = BTreeSet::new();
    for (_, line) in prose(text) {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            let base = slug(line[hashes..].trim().trim_end_matches('#').trim());
            let n = seen.entry(base.clone()).or_default();
            anchors.insert(if *n == 0 {
                base.clone()
            } else {
                format!("{base}-{n}")
            });
            *n += 1;
        }
        for attr in ["id=\"", "name=\""] {
            for part in line.split(attr).skip(1) {
                anchors.insert(part.split('"').next().unwrap_or_default().to_string());
            }
        }
    }
    anchors
}

/// `base/rel` with `.` and `..` folded; `None` if it climbs out of the root.
fn join(base: &Path, rel: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in base.join(rel).components() {
        match part {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// The edit distance of two anchors, to suggest the one meant.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// Code spans naming repository paths that do not exist.
pub fn missing_paths(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for page in tree::doc_pages(root) {
        for (n, line) in prose(&tree::read(root, &page)) {
            for path in code_spans(line).0.into_iter().filter_map(named_path) {
                if !root.join(path).exists() {
                    problems.push(format!("{}:{n}: `{path}` does not exist", page.display()));
                }
            }
        }
    }
    problems
}

/// Relative links to missing files or headings.
pub fn broken_links(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for page in tree::doc_pages(root) {
        let text = tree::read(root, &page);
        let dir = page.parent().unwrap_or(Path::new(""));
        for (n, line) in prose(&text) {
            for target in link_targets(&code_spans(line).1) {
                if is_external(&target) {
                    continue;
                }
                let at = format!("{}:{n}: link `{target}`", page.display());
                let (file, anchor) = match target.split_once('#') {
                    Some((file, anchor)) => (file, Some(anchor)),
                    None => (target.as_str(), None),
                };
                let resolved = if file.is_empty() {
                    Some(page.clone())
                } else {
                    join(dir, file)
                };
                let Some(resolved) = resolved.filter(|r| root.join(r).exists()) else {
                    problems.push(format!("{at}: no such file"));
                    continue;
                };
                let Some(anchor) = anchor else { continue };
                if resolved.extension().is_none_or(|e| e != "md") {
                    continue;
                }
                let known = anchors(&tree::read(root, &resolved));
                if !known.contains(anchor) {
                    let near: Vec<&String> =
                        known.iter().filter(|a| distance(a, anchor) <= 3).collect();
                    problems.push(format!(
                        "{at}: no heading `#{anchor}` in {} (similar: {near:?})",
                        resolved.display()
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn every_path_the_docs_name_exists() {
    tree::report(
        "paths named in README.md and docs/ that do not exist",
        "fix the path, or drop it if the file is gone (placeholders use `<name>`)",
        &missing_paths(&tree::root()),
    );
}

#[test]
fn every_relative_doc_link_resolves() {
    tree::report(
        "broken relative links in README.md and docs/",
        "point each at an existing file and heading (anchors are GitHub's slugs of the heading)",
        &broken_links(&tree::root()),
    );
}

#[test]
fn slugs_follow_github() {
    assert_eq!(slug("The `airlock` CLI"), "the-airlock-cli");
    assert_eq!(slug("Manifests and grants"), "manifests-and-grants");
    assert_eq!(slug("Compiled-artifact cache"), "compiled-artifact-cache");
    assert_eq!(slug("What's in a name? (v0.1)"), "whats-in-a-name-v01");
    assert_eq!(slug("[Links](x.md) & snake_case"), "links--snake_case");
    let twice = anchors("# Tests\n\n## Tests\n```\n# not a heading\n```\n");
    assert_eq!(twice, ["tests", "tests-1"].map(String::from).into());
}

const PAGE: &str = "\
# Guide

See `host/src/lib.rs:12`, `host/src/<name>.rs` and `cargo xtask test`.
[The tests](#the-tests-table), [design](design.md#birds-eye-view).
[Upstream](https://example.invalid/x#y) and `[not](a-link.md)`.

```sh
cat host/src/gone.rs  # [not read](gone.md)
```

## The tests table
";

#[test]
fn planted_missing_paths_and_broken_links_are_named() {
    let scratch = Scratch::new("docs");
    scratch
        .file("host/src/lib.rs", "//! Lib.\n")
        .file(
            "README.md",
            "[Guide](docs/guide.md#guide) names `host/src/gone.rs`.\n",
        )
        .file("docs/guide.md", PAGE)
        .file("docs/design.md", "# Design\n\n## Bird's-eye view\n");
    assert_eq!(
        missing_paths(&scratch.root),
        ["README.md:1: `host/src/gone.rs` does not exist"]
    );
    assert!(
        broken_links(&scratch.root).is_empty(),
        "{:?}",
        broken_links(&scratch.root)
    );

    let broken = PAGE
        .replace("#the-tests-table", "#the-test-table")
        .replace("design.md#", "architecture.md#");
    scratch.file("docs/guide.md", &broken);
    let problems = broken_links(&scratch.root);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].starts_with("docs/guide.md:4: link `#the-test-table`: no heading"));
    assert!(
        problems[0].contains("the-tests-table"),
        "suggests the near one"
    );
    assert!(problems[1].starts_with("docs/guide.md:4: link `architecture.md#birds-eye-view`"));
    assert!(problems[1].ends_with("no such file"));
}
