//! Python plugins: installs the pinned componentize-py into target/toolchains/python/
//! and builds the guests under examples/python/ into target/plugins/.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::util;

/// The version pinned (with its wheels' hashes) in xtask/python/requirements.txt.
const COMPONENTIZE_PY: &str = "0.25.1";

/// One Python guest: its folder under examples/python/, the world it targets,
/// the WIT folders (from the repository root) that define it, and the name of
/// its component in target/plugins/.
struct Guest {
    folder: &'static str,
    world: &'static str,
    wit: &'static [&'static str],
    output: &'static str,
}

const GUESTS: &[Guest] = &[
    Guest {
        folder: "invert",
        world: "airlock:design/filter@0.2.0",
        wit: &["wit/airlock", "wit/design"],
        output: "py_invert",
    },
    Guest {
        folder: "grayscale",
        world: "airlock:design/filter@0.2.0",
        wit: &["wit/airlock", "wit/design"],
        output: "py_grayscale",
    },
    Guest {
        folder: "roundtrip",
        world: "airlock:test/roundtrip@0.1.0",
        wit: &["wit/airlock", "host/testkit/wit"],
        output: "py_roundtrip",
    },
    Guest {
        folder: "raster-filter",
        world: "airlock:design/filter@0.2.0",
        wit: &["wit/airlock", "wit/design"],
        output: "posterize",
    },
    Guest {
        folder: "exporter",
        world: "airlock:design/exporter@0.2.0",
        wit: &["wit/airlock", "wit/design"],
        output: "json_export",
    },
];

/// Installs the toolchain if needed and builds every Python guest into target/plugins/.
/// Runs after the Rust guests are collected (which deletes stale components there).
pub fn build_plugins() -> Result<()> {
    let componentize = ensure_toolchain()?;
    let built = util::target_dir().join("python-plugins");
    fs::create_dir_all(&built).with_context(|| format!("failed to create {}", built.display()))?;
    for guest in GUESTS {
        let out = built.join(format!("{}.wasm", guest.output));
        if is_stale(guest, &out)? {
            componentize_guest(&componentize, guest, &out)?;
        }
        // The world stamp and the manifest, after checking the component fits.
        let dst = util::plugin_dir().join(format!("{}.wasm", guest.output));
        let manifest = util::root()
            .join("examples/python")
            .join(guest.folder)
            .join("airlock.toml");
        let with_manifest = manifest.is_file();
        crate::package::package(
            &out,
            guest.wit,
            guest.world,
            with_manifest.then_some(manifest.as_path()),
            &dst,
        )?;
        let bytes = fs::metadata(&dst)
            .with_context(|| format!("{} was not written", dst.display()))?
            .len();
        eprintln!(
            "plugin {:<16} {:>8.1} KiB  target/plugins/{}.wasm (Python){}",
            format!("python/{}", guest.folder),
            bytes as f64 / 1024.0,
            guest.output,
            if with_manifest { " (+ manifest)" } else { "" }
        );
    }
    Ok(())
}

/// The folder of the toolchain's virtual environment.
fn venv() -> PathBuf {
    util::target_dir().join("toolchains/python/venv")
}

fn requirements() -> PathBuf {
    util::root().join("xtask/python/requirements.txt")
}

/// Makes target/toolchains/python/venv hold componentize-py as pinned, unless it
/// already does; returns the path of its `componentize-py` executable.
fn ensure_toolchain() -> Result<PathBuf> {
    let venv = venv();
    let exe = venv.join("bin/componentize-py");
    let pins = fs::read_to_string(requirements())
        .with_context(|| format!("failed to read {}", requirements().display()))?;
    // The stamp holds the requirements it was installed from: a changed pin reinstalls.
    let stamp = venv.join("airlock-installed.txt");
    if exe.is_file() && fs::read_to_string(&stamp).is_ok_and(|s| s == pins) {
        return Ok(exe);
    }
    let python = find_python()?;
    eprintln!(
        "note: installing componentize-py {COMPONENTIZE_PY} (a ~17 MB wheel from PyPI) into {}; this takes ~10 seconds, once",
        venv.display()
    );
    let started = Instant::now();
    if venv.exists() {
        fs::remove_dir_all(&venv)
            .with_context(|| format!("failed to remove {}", venv.display()))?;
    }
    util::run(Command::new(&python).arg("-m").arg("venv").arg(&venv)).with_context(|| {
        format!(
            "failed to create a virtual environment with {python}; install the venv module (Debian: apt-get install python3-venv)"
        )
    })?;
    util::run(
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(["--require-hashes", "--no-deps", "--only-binary=:all:", "-r"])
            .arg(requirements()),
    )
    .context(
        "failed to install componentize-py from PyPI (pinned in xtask/python/requirements.txt)",
    )?;
    let version = util::probe(Command::new(&exe).arg("--version")).unwrap_or_default();
    if !version.contains(COMPONENTIZE_PY) {
        bail!(
            "installed componentize-py reports `{}`, expected {COMPONENTIZE_PY}; fix xtask/python/requirements.txt",
            version.trim()
        );
    }
    fs::write(&stamp, pins).with_context(|| format!("failed to write {}", stamp.display()))?;
    eprintln!(
        "note: componentize-py {COMPONENTIZE_PY} installed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(exe)
}

/// `python3` (3.11 or newer, as componentize-py's bindings use `typing.Self`), or a clear error.
pub fn find_python() -> Result<String> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
    let version = util::probe(
        Command::new(&python).args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"]),
    );
    let Some(version) = version else {
        bail!(
            "`{python}` was not found: install CPython 3.11 or newer (Debian: apt-get install python3 python3-venv), or set PYTHON to its path"
        );
    };
    let (major, minor) = version
        .trim()
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
        .with_context(|| format!("`{python}` reported an unreadable version `{version}`"))?;
    if (major, minor) < (3, 11) {
        bail!("`{python}` is Python {major}.{minor}; the Python plugins need 3.11 or newer");
    }
    Ok(python)
}

/// True if `out` is missing or older than any of the guest's inputs (its
/// sources, the SDK, its WIT and the toolchain).
fn is_stale(guest: &Guest, out: &Path) -> Result<bool> {
    let root = util::root();
    let mut inputs = vec![
        root.join("examples/python").join(guest.folder),
        root.join("guest-sdk/python/airlock_guest"),
        venv().join("airlock-installed.txt"),
    ];
    inputs.extend(guest.wit.iter().map(|w| root.join(w)));
    util::is_stale(out, &inputs)
}

/// Runs `componentize-py componentize app` for `guest`, writing `out`.
fn componentize_guest(componentize: &Path, guest: &Guest, out: &Path) -> Result<()> {
    let root = util::root();
    let dir = root.join("examples/python").join(guest.folder);
    let mut cmd = Command::new(componentize);
    for wit in guest.wit {
        cmd.arg("-d").arg(root.join(wit));
    }
    cmd.args(["-q", "-w", guest.world, "componentize", "app", "-p"])
        .arg(&dir)
        .arg("-p")
        .arg(root.join("guest-sdk/python"))
        .arg("-o")
        .arg(out)
        // Only the guest's folder and the SDK: never the toolchain's own packages.
        .env_remove("VIRTUAL_ENV")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .current_dir(&dir);
    let started = Instant::now();
    util::run(&mut cmd).with_context(|| {
        format!(
            "failed to build the Python guest examples/python/{}",
            guest.folder
        )
    })?;
    eprintln!(
        "note: componentized examples/python/{} in {:.1} s",
        guest.folder,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
