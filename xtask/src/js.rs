//! JS/TS plugins for `cargo xtask build-plugins`: installs the pinned toolchain
//! (componentize-js, jco, rolldown, TypeScript) into target/toolchains/js with
//! `npm ci`, then builds each JS guest under examples/js into target/plugins/.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::util;

/// One JS or TS plugin: its folder under examples/js, its world, and the WIT it needs.
struct Guest {
    /// Folder under examples/js.
    dir: &'static str,
    /// The file componentize-js starts from, relative to the root (for TS, what `tsc` wrote).
    entry: &'static str,
    /// Whether `dir` holds a tsconfig.json to compile first.
    typescript: bool,
    world: &'static str,
    /// WIT folders relative to the root: the world's package first, then what it uses.
    wit: &'static [&'static str],
    /// The component's name in target/plugins (without `.wasm`).
    output: &'static str,
}

const GUESTS: &[Guest] = &[
    Guest {
        dir: "invert",
        entry: "examples/js/invert/invert.js",
        typescript: false,
        world: "airlock:design/filter",
        wit: &["wit/design", "wit/airlock"],
        output: "js_invert",
    },
    Guest {
        dir: "grayscale",
        entry: "examples/js/grayscale/grayscale.js",
        typescript: false,
        world: "airlock:design/filter",
        wit: &["wit/design", "wit/airlock"],
        output: "js_grayscale",
    },
    Guest {
        dir: "roundtrip",
        entry: "examples/js/roundtrip/roundtrip.js",
        typescript: false,
        world: "airlock:test/roundtrip",
        wit: &["host/testkit/wit", "wit/airlock"],
        output: "js_roundtrip",
    },
    Guest {
        dir: "vector-tool",
        entry: "target/js/vector-tool/vector-tool.js",
        typescript: true,
        world: "airlock:design/tool",
        wit: &["wit/design", "wit/airlock"],
        output: "js_vector_tool",
    },
];

/// Builds every JS guest into target/plugins/ (called after the Rust guests are collected).
pub fn build_plugins() -> Result<()> {
    let toolchain = ensure_toolchain()?;
    for guest in GUESTS {
        build(&toolchain, guest)?;
    }
    Ok(())
}

/// The toolchain folder, installed from guest-sdk/js/toolchain unless its lock file is already there.
pub fn ensure_toolchain() -> Result<PathBuf> {
    let pins = util::root().join("guest-sdk/js/toolchain");
    let dir = util::target_dir().join("toolchains/js");
    for tool in ["node", "npm"] {
        if util::probe(Command::new(tool).arg("--version")).is_none() {
            bail!(
                "`{tool}` was not found; install Node.js 20.19 or newer (with npm) to build the JS plugins"
            );
        }
    }
    check_node_version()?;
    let lock = fs::read(pins.join("package-lock.json")).with_context(|| {
        format!(
            "failed to read {}",
            pins.join("package-lock.json").display()
        )
    })?;
    // Written only after `npm ci` succeeded: an interrupted install is redone.
    let marker = dir.join("airlock-installed.json");
    let installed = fs::read(&marker).ok();
    if installed.as_deref() != Some(&lock[..]) || !dir.join("node_modules").is_dir() {
        eprintln!(
            "note: installing the JS plugin toolchain (componentize-js 0.23.0, jco 1.35.0, \
             TypeScript, rolldown) into target/toolchains/js with `npm ci`; about 10 s and 400 MB"
        );
        let started = Instant::now();
        fs::create_dir_all(&dir).with_context(|| format!("failed to create {}", dir.display()))?;
        let _ = fs::remove_file(&marker);
        copy(&pins.join("package.json"), &dir.join("package.json"))?;
        copy(
            &pins.join("package-lock.json"),
            &dir.join("package-lock.json"),
        )?;
        let result = util::run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
                .current_dir(&dir),
        );
        if let Err(err) = result {
            let _ = fs::remove_dir_all(dir.join("node_modules"));
            return Err(err).context("failed to install the JS toolchain with `npm ci`");
        }
        fs::write(&marker, &lock).context("failed to mark the JS toolchain installed")?;
        eprintln!(
            "note: JS toolchain installed in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    // The build script is small and may change without the pins: always refresh it.
    copy(&pins.join("build.mjs"), &dir.join("build.mjs"))?;
    Ok(dir)
}

fn build(toolchain: &Path, guest: &Guest) -> Result<()> {
    let root = util::root();
    let src = root.join("examples/js").join(guest.dir);
    let built = util::target_dir().join("js-plugins");
    fs::create_dir_all(&built).with_context(|| format!("failed to create {}", built.display()))?;
    let raw = built.join(format!("{}.wasm", guest.output));
    let mut inputs = vec![
        src.clone(),
        root.join("guest-sdk/js/src"),
        root.join("guest-sdk/js/toolchain"),
        root.join("guest-sdk/js/types"),
    ];
    inputs.extend(guest.wit.iter().map(|w| root.join(w)));
    // componentize-js output differs a little between builds, and each new
    // component is compiled afresh: rebuild only what changed.
    if util::is_stale(&raw, &inputs)? {
        if guest.typescript {
            util::run(
                Command::new("node")
                    .arg(toolchain.join("node_modules/typescript/bin/tsc"))
                    .arg("-p")
                    .arg(&src),
            )
            .with_context(|| format!("TypeScript failed for examples/js/{}", guest.dir))?;
        }
        let mut cmd = Command::new("node");
        cmd.arg(toolchain.join("build.mjs"))
            .arg("--source")
            .arg(root.join(guest.entry))
            .args(["--world", guest.world])
            .arg("--out")
            .arg(&raw)
            .arg("--sdk")
            .arg(root.join("guest-sdk/js"));
        for wit in guest.wit {
            cmd.arg("--wit").arg(root.join(wit));
        }
        util::run(&mut cmd)
            .with_context(|| format!("failed to componentize examples/js/{}", guest.dir))?;
    }
    // The world stamp and the manifest, after checking the component fits
    // (`airlock package` wants the world's own package last).
    let out = util::plugin_dir().join(format!("{}.wasm", guest.output));
    let manifest = src.join("airlock.toml");
    let wit: Vec<&str> = guest.wit.iter().rev().copied().collect();
    crate::package::package(
        &raw,
        &wit,
        guest.world,
        manifest.is_file().then_some(manifest.as_path()),
        &out,
    )?;
    let bytes = fs::metadata(&out)
        .with_context(|| format!("{} was not written", out.display()))?
        .len();
    eprintln!(
        "plugin {:<16} {:>8.1} KiB  target/plugins/{}.wasm (JS)",
        format!("js/{}", guest.dir),
        bytes as f64 / 1024.0,
        guest.output
    );
    Ok(())
}

/// rolldown 1.3 needs Node.js `^20.19.0 || >=22.12.0`; `npm ci` would only warn.
fn check_node_version() -> Result<()> {
    let version = util::probe(Command::new("node").arg("--version")).unwrap_or_default();
    let numbers: Vec<u32> = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .filter_map(|n| n.parse().ok())
        .collect();
    let (major, minor) = match numbers[..] {
        [major, minor, ..] => (major, minor),
        _ => bail!(
            "`node --version` printed `{}`, not a version",
            version.trim()
        ),
    };
    if (major, minor) < (20, 19) || (major == 21) || (major == 22 && minor < 12) {
        bail!(
            "Node.js {} is too old for the JS toolchain (rolldown needs ^20.19 or >=22.12); install a newer Node.js",
            version.trim()
        );
    }
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    fs::copy(from, to)
        .map(|_| ())
        .with_context(|| format!("failed to copy {} to {}", from.display(), to.display()))
}
