//! What the CLI's test binaries share: paths, scratch folders, running the
//! real `airlock` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `path` from the repository root.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// A fresh, empty folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("airlock-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `airlock args…` with `XDG_CACHE_HOME` at `cache`; returns (exit
/// code, stdout, stderr).
pub fn airlock(args: &[&str], cache: &Path) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_airlock"))
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .env_remove("AIRLOCK_LOG")
        .output()
        .expect("run airlock");
    (
        status.code().expect("airlock exited, not killed"),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

pub fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `airlock new NAME --lang LANG` for `world` in `dir`; the project's path.
#[allow(dead_code)] // Only the binaries that start projects use it.
pub fn new_project(dir: &Path, name: &str, world: &str, lang: &str) -> PathBuf {
    let project = dir.join(name);
    let (airlock_wit, design_wit) = (repo("wit/airlock"), repo("wit/design"));
    let args = [
        "new",
        name,
        "--wit",
        s(&airlock_wit),
        "--wit",
        s(&design_wit),
        "--world",
        world,
        "--lang",
        lang,
        "--dir",
        s(&project),
    ];
    let (code, out, err) = airlock(&args, dir);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("next: cd") && out.contains("airlock test"),
        "{out}"
    );
    project
}
