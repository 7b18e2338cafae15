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
