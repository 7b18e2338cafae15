//! Walking the repository for the tidy checks, reporting what they found,
//! and scratch trees to plant violations in.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The repository root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ has a parent directory")
        .to_path_buf()
}

/// Folders never read: build output, installed packages, generated snapshots.
fn skipped(dir: &Path) -> bool {
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    name.starts_with('.')
        || name == "target"
        || name == "node_modules"
        || name == "__pycache__"
        || (name == "snapshots" && dir.parent().is_some_and(|p| p.ends_with("tests")))
}

/// Every file under `dir` whose name ends with `suffix`, as paths relative to
/// `root`, sorted.
pub fn files(root: &Path, dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.join(dir)];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("readable directory entry").path();
            if path.is_dir() {
                if !skipped(&path) {
                    pending.push(path);
                }
            } else if path.to_string_lossy().ends_with(suffix) {
                found.push(path.strip_prefix(root).expect("under root").to_path_buf());
            }
        }
    }
    found.sort();
    found
}

/// Every Rust file of the repository, relative to `root`.
pub fn rust_files(root: &Path) -> Vec<PathBuf> {
    files(root, Path::new(""), ".rs")
}

/// `README.md` and every page under `docs/`, relative to `root`.
pub fn doc_pages(root: &Path) -> Vec<PathBuf> {
    let mut pages = Vec::new();
    if root.join("README.md").is_file() {
        pages.push(PathBuf::from("README.md"));
    }
    pages.extend(files(root, Path::new("docs"), ".md"));
    pages
}

/// Reads a file the walk found; the tree is ours, so failing to is a bug.
pub fn read(root: &Path, rel: &Path) -> String {
    fs::read_to_string(root.join(rel))
        .unwrap_or_else(|e| panic!("failed to read {}: {e}", rel.display()))
}

/// Fails the test with every problem on its own line, under what to do.
pub fn report(check: &str, advice: &str, problems: &[String]) {
    if !problems.is_empty() {
        panic!(
            "\n{check}: {} problem(s)\n{advice}\n\n{}\n",
            problems.len(),
            problems.join("\n")
        );
    }
}

/// A throwaway repository under cargo's test scratch folder, to plant
/// violations in.
pub struct Scratch {
    pub root: PathBuf,
}

impl Scratch {
    pub fn new(name: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "tidy-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).expect("create scratch tree");
        Self { root }
    }

    /// Writes `text` to `rel`, creating its folders.
    pub fn file(&self, rel: &str, text: &str) -> &Self {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
        fs::write(&path, text).expect("write scratch file");
        self
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}
