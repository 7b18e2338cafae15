//! `airlock new` and `airlock test`: a project for each language, written,
//! built with its real toolchain and tested against its mock host; then
//! changed so that its test fails.

mod common;

use std::path::Path;

use common::{airlock, repo, s, scratch};

/// `airlock test` in `project`, its Rust builds sharing one target folder.
fn test(project: &Path, cache: &Path) -> (i32, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_airlock"))
        .arg("test")
        .current_dir(project)
        .env("XDG_CACHE_HOME", cache)
        .env("CARGO_TARGET_DIR", repo("target/airlock-new"))
        .env_remove("AIRLOCK_LOG")
        .output()
        .expect("run airlock test");
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Builds, passes, then fails once the stub answers something else.
fn passes_then_fails(project: &Path, cases: usize, source: &str, from: &str, to: &str) {
    let (code, out, err) = test(project, &project.join("cache"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.ends_with(&format!("{cases} passed, 0 failed\n")),
        "{out}"
    );
    let path = project.join(source);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{text}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    let (code, out, _) = test(project, &project.join("cache"));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAILED") && out.contains("1 failed"), "{out}");
}

#[test]
fn a_rust_tool_project_builds_and_passes_its_test() {
    let dir = scratch("new-rust");
    let project = common::new_project(&dir, "my-tool", "tool", "rust");
    let source = std::fs::read_to_string(project.join("src/lib.rs")).unwrap();
    assert!(
        source.contains("fn run(params: Vec<Param>) -> Result<String, ToolError>"),
        "{source}"
    );
    passes_then_fails(
        &project,
        1,
        "src/lib.rs",
        "Ok(String::new())",
        "Ok(\"hi\".into())",
    );
}

#[test]
fn a_javascript_filter_project_builds_and_passes_its_tests() {
    let dir = scratch("new-js");
    let project = common::new_project(&dir, "js-filter", "filter", "js");
    passes_then_fails(&project, 2, "src/plugin.js", "name: \"\"", "name: \"Mine\"");
}

#[test]
fn a_python_exporter_project_builds_and_passes_its_tests() {
    let dir = scratch("new-py");
    let project = common::new_project(&dir, "py-exporter", "exporter", "python");
    let mock = std::fs::read_to_string(project.join("mock.toml")).unwrap();
    assert!(
        mock.contains("\"airlock:design/document@0.2.0#layers\" = '[]'"),
        "{mock}"
    );
    passes_then_fails(&project, 3, "app.py", "return 0", "return 7");
}

/// Bad names, a folder in use and an unknown world are bad input, and
/// nothing is written.
#[test]
fn bad_requests_write_nothing() {
    let dir = scratch("new-bad");
    let wit = [repo("wit/airlock"), repo("wit/design")];
    let base = |name: &str, world: &str| {
        vec![
            "new".to_string(),
            name.into(),
            "--wit".into(),
            s(&wit[0]).into(),
            "--wit".into(),
            s(&wit[1]).into(),
            "--world".into(),
            world.into(),
            "--lang".into(),
            "rust".into(),
        ]
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        airlock(&args, &dir)
    };
    let (code, _, err) = run(base("My_Tool", "tool"));
    assert_eq!(code, 2);
    assert!(err.contains("is not a project name"), "{err}");
    let (code, _, err) = run(base("nope", "no-such-world"));
    assert_eq!(code, 2);
    assert!(err.contains("no-such-world"), "{err}");
    std::fs::create_dir_all(dir.join("taken")).unwrap();
    std::fs::write(dir.join("taken/keep.txt"), "mine").unwrap();
    let mut args = base("taken", "tool");
    args.extend(["--dir".into(), s(&dir.join("taken")).into()]);
    let (code, _, err) = run(args);
    assert_eq!(code, 2);
    assert!(err.contains("is not empty"), "{err}");
    assert_eq!(std::fs::read_dir(dir.join("taken")).unwrap().count(), 1);
    assert!(!dir.join("nope").exists() && !dir.join("My_Tool").exists());
    // A file as --dir; a crate the plugin depends on as its name.
    let mut args = base("afile", "tool");
    args.extend(["--dir".into(), s(&dir.join("taken/keep.txt")).into()]);
    let (code, _, err) = run(args);
    assert_eq!(code, 2);
    assert!(err.contains("is not a folder"), "{err}");
    let (code, _, err) = run(base("airlock-guest", "tool"));
    assert_eq!(code, 2);
    assert!(err.contains("a crate the plugin depends on"), "{err}");
    // A project inside a --wit folder would copy itself without end.
    let wit_copy = dir.join("wit-copy");
    std::fs::create_dir_all(&wit_copy).unwrap();
    for f in ["types.wit", "worlds.wit"] {
        std::fs::copy(wit[1].join(f), wit_copy.join(f)).unwrap();
    }
    let args = vec![
        "new".to_string(),
        "inside".into(),
        "--wit".into(),
        s(&wit[0]).into(),
        "--wit".into(),
        s(&wit_copy).into(),
        "--world".into(),
        "tool".into(),
        "--lang".into(),
        "js".into(),
        "--dir".into(),
        s(&wit_copy.join("inside")).into(),
    ];
    let (code, _, err) = run(args);
    assert_eq!(code, 2);
    assert!(err.contains("inside --wit"), "{err}");
    assert!(!wit_copy.join("inside").exists());
}
