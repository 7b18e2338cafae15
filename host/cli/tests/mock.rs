//! `airlock call --mock`: a plugin's imports answered by a pretend host from
//! a script, with the transcript of what it did pinned as a golden file.

mod common;

use airlock_testkit::guest_path as plugin;
use common::{airlock, repo, s, scratch};

fn document() -> String {
    repo("examples/mocks/design-document.toml")
        .display()
        .to_string()
}

/// The grid tool against the shipped mock document: every import call it
/// made, with its arguments and the answer, then its result.
#[test]
fn a_tool_runs_against_the_mock_document_and_its_transcript_is_pinned() {
    let cache = scratch("mock-grid");
    let grid = plugin("grid");
    let args = [
        "call",
        s(&grid),
        "run",
        "[]",
        "--mock",
        &document(),
        "--transcript",
    ];
    let (code, out, err) = airlock(&args, &cache);
    assert_eq!(code, 0, "{out}{err}");
    insta::assert_snapshot!("grid_against_the_mock_document", out);
    // The same parameters an author would try next.
    let rows = r#"[{name: "rows", value: integer(1)}, {name: "cols", value: integer(2)}]"#;
    let args = ["call", s(&grid), "run", rows, "--mock", &document()];
    let (code, out, err) = airlock(&args, &cache);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), r#"ok("added 2 shapes to layer 2")"#);
}

/// An import the script does not answer fails the call, naming the import
/// and the script to add it to; without any script, every import of the
/// host's is refused by name.
#[test]
fn imports_the_script_does_not_answer_fail_by_name() {
    let dir = scratch("mock-missing");
    let script = dir.join("partial.toml");
    std::fs::write(
        &script,
        "[imports]\n\"airlock:design/document#selection\" = \"[2]\"\n",
    )
    .unwrap();
    let grid = plugin("grid");
    let args = [
        "call",
        s(&grid),
        "run",
        "[]",
        "--mock",
        s(&script),
        "--transcript",
    ];
    let (code, out, err) = airlock(&args, &dir);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.starts_with("import airlock:design/document@0.2.0#selection() -> [2]\n"),
        "{out}"
    );
    assert!(
        err.contains("import `airlock:design/document@0.2.0#selection-bounds` failed: the mock answers no import")
            && err.contains("partial.toml"),
        "{err}"
    );
    let (code, _, err) = airlock(&["call", s(&grid), "run", "[]"], &dir);
    assert_eq!(code, 3);
    assert!(
        err.contains("import `airlock:design/document@0.2.0#selection` failed: it is not provided"),
        "{err}"
    );
}

/// A scripted failure traps the plugin with its message; an answer that is
/// not a value of the import's type says so; a handle number in a result
/// becomes a handle the plugin calls methods on, and its drop is recorded.
#[test]
fn answers_are_checked_against_the_imports_types() {
    let dir = scratch("mock-types");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let grid = plugin("grid");
    let failing = write(
        "failing.toml",
        "[imports]\n\"airlock:design/document#selection\" = { error = \"the document is locked\" }\n",
    );
    let (code, _, err) = airlock(
        &["call", s(&grid), "run", "[]", "--mock", s(&failing)],
        &dir,
    );
    assert_eq!(code, 3);
    assert!(err.contains("failed: the document is locked"), "{err}");
    let mistyped = write(
        "mistyped.toml",
        "[imports]\n\"airlock:design/document#selection\" = '[\"two\"]'\n",
    );
    let (code, _, err) = airlock(
        &["call", s(&grid), "run", "[]", "--mock", s(&mistyped)],
        &dir,
    );
    assert_eq!(code, 3);
    assert!(
        err.contains("the host's answer to `airlock:design/document@0.2.0#selection`: `[\"two\"]` is not a WAVE value of type list<u32>"),
        "{err}"
    );
    // Nothing selected: the tool says so, having asked for exactly two things.
    let empty = write(
        "empty.toml",
        "[imports]\n\"airlock:design/document#selection\" = \"[]\"\n\"airlock:design/document#selection-bounds\" = \"none\"\n",
    );
    let args = [
        "call",
        s(&grid),
        "run",
        "[]",
        "--mock",
        s(&empty),
        "--transcript",
    ];
    let (code, out, err) = airlock(&args, &dir);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(out.ends_with("err(nothing-selected)\n"), "{out}");
}

/// A script that is not valid is bad input, named, before any runner starts.
#[test]
fn a_bad_script_is_bad_input() {
    let dir = scratch("mock-bad");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[imports]\n\"a:b/c#f\" = 42\n").unwrap();
    let grid = plugin("grid");
    let (code, _, err) = airlock(&["call", s(&grid), "run", "[]", "--mock", s(&bad)], &dir);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.toml") && err.contains("`a:b/c#f`"),
        "{err}"
    );
    let (code, _, err) = airlock(
        &[
            "call",
            s(&grid),
            "run",
            "[]",
            "--mock",
            s(&dir.join("absent.toml")),
        ],
        &dir,
    );
    assert_eq!(code, 2);
    assert!(err.contains("cannot read the mock script"), "{err}");
}

/// A resource one interface hands out and another `use`s is one host object
/// type: the plugin links, passes a crate from one to the other, and each
/// handle's drop is recorded. Handles from the mock's answers count against
/// the policy's `handles`.
#[test]
fn handles_cross_interfaces_and_are_bounded_by_the_policy() {
    let dir = scratch("mock-handles");
    let script = dir.join("crates.toml");
    std::fs::write(
        &script,
        "[imports]\n\"airlock:test/crates#open\" = \"7\"\n\"airlock:test/shelves#weigh\" = \"5\"\n",
    )
    .unwrap();
    let guest = plugin("test_mocked");
    let args = [
        "call",
        s(&guest),
        "run",
        "2",
        "--mock",
        s(&script),
        "--transcript",
    ];
    let (code, out, err) = airlock(&args, &dir);
    assert_eq!(code, 0, "{out}{err}");
    let open = "import airlock:test/crates@0.1.0#open() -> 7";
    let weigh = "import airlock:test/shelves@0.1.0#weigh(7) -> 5";
    let dropped = "import airlock:test/crates@0.1.0#[resource-drop]crate(7)";
    assert_eq!(
        out,
        format!("{open}\n{weigh}\n{open}\n{weigh}\n{dropped}\n{dropped}\n10\n")
    );
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, "handles = 100\n").unwrap();
    let args = [
        "call",
        s(&guest),
        "run",
        "101",
        "--mock",
        s(&script),
        "--policy",
        s(&policy),
    ];
    let (code, _, err) = airlock(&args, &dir);
    assert_eq!(code, 3);
    assert!(
        err.contains("would hold 101 handles") && err.contains("the policy's 100"),
        "{err}"
    );
    let args = [
        "call",
        s(&guest),
        "run",
        "100",
        "--mock",
        s(&script),
        "--policy",
        s(&policy),
    ];
    let (code, out, err) = airlock(&args, &dir);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "500");
}
