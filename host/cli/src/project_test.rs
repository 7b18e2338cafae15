//! `airlock test`: builds a plugin project (the kind `airlock new` writes)
//! and runs each case of its `tests/` folder in the sandbox, its imports
//! answered by the case's mock script.
//!
//! The language is read from the project's files: `Cargo.toml` (Rust, built
//! with `cargo build --target wasm32-wasip2`), `package.json` (JavaScript,
//! componentize-js) or `app.py` (Python, componentize-py). The component is
//! packaged with the project's `airlock.toml` into `target/NAME.wasm`.
//!
//! `airlock dev` ([`crate::dev`]) builds and runs cases with the same code.

use std::path::{Path, PathBuf};
use std::process::Command;

use airlock::mock::Mock;
use airlock::{DynamicPlugin, PluginConfig};
use anyhow::{Context, anyhow, bail};
use serde::Deserialize;

use crate::{CacheArgs, Common, Failure, shown};

/// The part of the project's manifest this reads.
#[derive(Deserialize)]
pub(crate) struct Manifest {
    pub name: String,
    world: String,
}

/// A plugin project: its folder and manifest.
pub(crate) struct Project {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

/// Whether a build's output goes to the terminal as it comes, or is kept
/// and shown only when the build fails.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum BuildOutput {
    Shown,
    Kept,
}

/// One case of `tests/`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    export: String,
    #[serde(default)]
    args: Vec<String>,
    /// The WAVE results, joined by ", ".
    expect: Option<String>,
    /// Instead: the call fails (a trap, say) with a message holding this.
    #[serde(rename = "expect-error")]
    expect_error: Option<String>,
    /// The mock script, relative to the case's file.
    mock: Option<PathBuf>,
    /// A golden transcript, relative to the case's file.
    transcript: Option<PathBuf>,
}

impl Project {
    /// The project in `dir`, if it has a readable `airlock.toml`.
    pub(crate) fn open(dir: &Path) -> anyhow::Result<Self> {
        let manifest_path = dir.join("airlock.toml");
        let text = std::fs::read_to_string(&manifest_path).with_context(|| {
            format!(
                "{} has no airlock.toml: is it a plugin project (`airlock new`)?",
                shown(dir)
            )
        })?;
        let manifest = toml::from_str(&text)
            .with_context(|| format!("cannot read {}", shown(&manifest_path)))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            manifest,
        })
    }

    /// Builds the project and packages it into `target/NAME.wasm`; returns that path.
    pub(crate) fn build(&self, output: BuildOutput) -> Result<PathBuf, Failure> {
        let (dir, manifest) = (&self.dir, &self.manifest);
        let raw = build(dir, manifest, output).map_err(Failure::Input)?;
        let component = dir.join("target").join(format!("{}.wasm", manifest.name));
        crate::package::package(&crate::package::Request {
            component: &raw,
            wit: &[dir.join("wit")],
            world: &manifest.world,
            manifest: Some(&dir.join("airlock.toml")),
            output: &component,
            in_place: raw == component,
            quiet: output == BuildOutput::Kept,
        })?;
        Ok(component)
    }

    /// The cases in `tests/`, in name order; none is an error.
    pub(crate) fn cases(&self) -> Result<Vec<PathBuf>, Failure> {
        let dir = &self.dir;
        let mut cases: Vec<PathBuf> = std::fs::read_dir(dir.join("tests"))
            .with_context(|| format!("{} has no tests/ folder", shown(dir)))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        cases.sort();
        if cases.is_empty() {
            return Err(Failure::No(format!(
                "{} has no cases: add a tests/*.toml (see the README `airlock new` wrote)",
                shown(&dir.join("tests"))
            )));
        }
        Ok(cases)
    }
}

/// How a packaged component is started: under the policy, its manifest
/// (written beside it by `package`) reviewed as a host would.
pub(crate) fn config(
    name: &str,
    component: &Path,
    common: &Common,
) -> Result<PluginConfig, Failure> {
    let bytes =
        std::fs::read(component).with_context(|| format!("cannot read {}", shown(component)))?;
    let policy = crate::run::policy(common)?.unwrap_or_default();
    PluginConfig::new(name, bytes)
        .policy(policy)
        .manifest_beside(component)
        .map_err(crate::run::failure)
}

/// A case's name: its file's, without `.toml`.
pub(crate) fn case_name(path: &Path) -> String {
    path.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

pub fn test(dir: &Path, common: &Common, cache: &CacheArgs) -> Result<(), Failure> {
    let project = Project::open(dir)?;
    let component = project.build(BuildOutput::Shown)?;
    let cases = project.cases()?;
    let launcher = crate::run::launcher(cache, false)?;
    let config = config(&project.manifest.name, &component, common)?;
    let mut plugin = DynamicPlugin::start(&launcher, config).map_err(crate::run::failure)?;
    let mut failed = 0;
    for path in &cases {
        let name = case_name(path);
        match run_case(&mut plugin, path) {
            Ok(()) => println!("test {name} ... ok"),
            Err(why) => {
                failed += 1;
                println!("test {name} ... FAILED");
                for line in format!("{why:#}").lines() {
                    println!("  {}", crate::esc(line));
                }
            }
        }
    }
    println!("{} passed, {failed} failed", cases.len() - failed);
    if failed > 0 {
        return Err(Failure::No(format!(
            "{failed} of {} cases failed",
            cases.len()
        )));
    }
    Ok(())
}

/// Runs one case on `plugin`; why it failed otherwise.
pub(crate) fn run_case(plugin: &mut DynamicPlugin, path: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let case: Case =
        toml::from_str(&text).with_context(|| format!("cannot read {}", shown(path)))?;
    let here = path.parent().unwrap_or(Path::new("."));
    let mut mock = match &case.mock {
        Some(m) => Mock::from_file(&here.join(m))?,
        None => Mock::from_toml("", "(no mock)")?,
    };
    let called = plugin.call_with(&case.export, &case.args, &mut mock);
    match (called, &case.expect, &case.expect_error) {
        (Ok(Ok(results)), Some(expect), None) => {
            let results = results.join(", ");
            if results != *expect {
                bail!("expected {expect}, got {results}");
            }
        }
        (Ok(Ok(results)), None, Some(want)) => {
            bail!(
                "expected an error holding `{want}`, got {}",
                results.join(", ")
            )
        }
        (Err(e), None, Some(want)) if e.to_string().contains(want.as_str()) => {}
        (Err(e), None, Some(want)) => bail!("expected an error holding `{want}`, got: {e}"),
        (Ok(Err(refused)), _, _) => bail!("the call was refused: {refused}"),
        (Err(e), _, _) => bail!("{e}"),
        (Ok(Ok(_)), _, _) => bail!("a case has `expect` or `expect-error`, one of them"),
    }
    if let Some(golden) = &case.transcript {
        let golden = here.join(golden);
        let want = std::fs::read_to_string(&golden)
            .with_context(|| format!("cannot read {}", shown(&golden)))?;
        let got = mock.transcript().join("\n");
        if want.trim_end() != got {
            bail!("the imports differ from {}:\n{got}", shown(&golden));
        }
    }
    Ok(())
}

/// Builds the project; returns the raw component's path.
fn build(dir: &Path, manifest: &Manifest, output: BuildOutput) -> anyhow::Result<PathBuf> {
    let target = dir.join("target");
    std::fs::create_dir_all(&target)?;
    let world = manifest.world.split('@').next().unwrap_or(&manifest.world);
    let out = target.join(format!("{}.raw.wasm", manifest.name));
    if dir.join("Cargo.toml").is_file() {
        run(
            Command::new(std::env::var_os("CARGO").unwrap_or("cargo".into()))
                .args(["build", "--release", "--target", "wasm32-wasip2"])
                .current_dir(dir),
            output,
        )?;
        let cargo_target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or(target);
        let cargo_target = if cargo_target.is_relative() {
            dir.join(cargo_target)
        } else {
            cargo_target
        };
        return Ok(cargo_target
            .join("wasm32-wasip2/release")
            .join(format!("{}.wasm", manifest.name.replace('-', "_"))));
    }
    if dir.join("package.json").is_file() {
        let toolchain = toolchain(
            "AIRLOCK_JS_TOOLCHAIN",
            "target/toolchains/js",
            "the JS toolchain (componentize-js)",
        )?;
        run(
            Command::new("node")
                .arg(toolchain.join("build.mjs"))
                .arg("--source")
                .arg(dir.join("src/plugin.js"))
                .args(["--world", world, "--out"])
                .arg(&out)
                .arg("--sdk")
                .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../../guest-sdk/js"))
                .arg("--wit")
                .arg(dir.join("wit")),
            output,
        )?;
        return Ok(out);
    }
    if dir.join("app.py").is_file() {
        let exe = match std::env::var_os("AIRLOCK_COMPONENTIZE_PY") {
            Some(p) => PathBuf::from(p),
            None => toolchain(
                "AIRLOCK_COMPONENTIZE_PY",
                "target/toolchains/python/venv/bin/componentize-py",
                "componentize-py",
            )?,
        };
        run(
            Command::new(exe)
                .arg("-d")
                .arg(dir.join("wit"))
                .args(["-q", "-w", world, "componentize", "app", "-p"])
                .arg(dir)
                .arg("-o")
                .arg(&out)
                .env_remove("VIRTUAL_ENV")
                .env("PYTHONDONTWRITEBYTECODE", "1")
                .current_dir(dir),
            output,
        )?;
        return Ok(out);
    }
    Err(anyhow!(
        "{} has no Cargo.toml, package.json or app.py: which language is it?",
        shown(dir)
    ))
}

/// The toolchain named by `var`, else the one `cargo xtask build-plugins`
/// installed in the checkout this `airlock` was built from.
fn toolchain(var: &str, in_checkout: &str, what: &str) -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os(var) {
        return Ok(PathBuf::from(p));
    }
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(in_checkout);
    anyhow::ensure!(
        path.exists(),
        "{what} is not installed: run `cargo xtask build-plugins` in Airlock's checkout, or set {var}"
    );
    Ok(path)
}

/// Runs a build step; with [`BuildOutput::Kept`], what it printed is the
/// error when it fails.
fn run(cmd: &mut Command, output: BuildOutput) -> anyhow::Result<()> {
    let cannot = format!("cannot run {:?}", cmd.get_program());
    if output == BuildOutput::Shown {
        eprintln!("building: {cmd:?}");
        let status = cmd.status().context(cannot)?;
        anyhow::ensure!(
            status.success(),
            "the build failed ({status}); fix the errors above and run `airlock test` again"
        );
        return Ok(());
    }
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .context(cannot)?;
    if !out.status.success() {
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        bail!("the build failed ({}):\n{}", out.status, said.trim_end());
    }
    Ok(())
}
