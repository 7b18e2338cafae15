//! The commands that start runners: `call` and `compile`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use airlock::mock::Mock;
use airlock::{ArtifactCache, DynamicPlugin, Launcher, NoDynamicImports, PluginConfig, Policy};
use anyhow::{Context, anyhow};
use indicatif::{ProgressBar, ProgressStyle};

use crate::component::Decoded;
use crate::{CacheArgs, Common, Failure, MockArgs};

/// The policy given with `--policy`, if one was.
pub fn policy(common: &Common) -> Result<Option<Policy>, Failure> {
    common
        .policy
        .as_ref()
        .map(|path| Policy::from_file(path).map_err(failure))
        .transpose()
}

pub fn launcher(cache: &CacheArgs, required: bool) -> Result<Launcher, Failure> {
    let launcher = Launcher::current_exe()
        .context("cannot locate this executable, which runs the plugins")
        .map_err(Failure::Plugin)?;
    let dir = match (&cache.cache, cache.no_cache) {
        (_, true) if required => {
            return Err(Failure::Input(anyhow!(
                "`compile` fills the artifact cache; it cannot run with --no-cache"
            )));
        }
        (_, true) => return Ok(launcher),
        (Some(dir), false) => dir.clone(),
        (None, false) => match ArtifactCache::default_dir() {
            Some(dir) => dir,
            None if required => {
                return Err(Failure::Input(anyhow!(
                    "no cache directory: set HOME or XDG_CACHE_HOME, or pass --cache DIR"
                )));
            }
            None => return Ok(launcher),
        },
    };
    let cache = ArtifactCache::open(&dir)
        .map_err(|e| Failure::Input(anyhow!("{e} (choose another with --cache DIR)")))?;
    Ok(launcher.with_cache(cache))
}

/// The plugin's name in logs and errors: the file's stem.
fn plugin_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plugin".into())
}

/// The exit code's class of an error: bad input (2) or the plugin failing (3).
pub fn failure(e: airlock::Error) -> Failure {
    match e {
        airlock::Error::Manifest { .. }
        | airlock::Error::Policy { .. }
        | airlock::Error::ReadComponent { .. }
        | airlock::Error::BadArguments { .. }
        | airlock::Error::WorldMismatch { .. } => Failure::Input(e.into()),
        e => Failure::Plugin(e.into()),
    }
}

pub fn call(
    path: &Path,
    export: &str,
    args: &[String],
    debug: bool,
    mock_args: &MockArgs,
    common: &Common,
    cache: &CacheArgs,
) -> Result<(), Failure> {
    // Decoding first gives a clear message for a file that is no component.
    let component = Decoded::read(path)?;
    let mut mock = match &mock_args.mock {
        Some(script) => Some(Mock::from_file(script).map_err(|e| Failure::Input(e.into()))?),
        None if mock_args.transcript => {
            Some(Mock::from_toml("", "(no --mock script)").expect("empty"))
        }
        None => None,
    };
    let mut policy = policy(common)?.unwrap_or_default();
    if debug {
        // The given policy, with the debugging policy's two relaxations and
        // at least its deadline.
        policy = policy.debugger(true);
        policy.deadline = policy.deadline.max(airlock::DEBUG_DEADLINE);
    }
    let config = PluginConfig::new(plugin_name(path), component.bytes)
        .policy(policy)
        .manifest_beside(path)
        .map_err(failure)?;
    let launcher = launcher(cache, false)?;
    let mut plugin = DynamicPlugin::start(&launcher, config).map_err(failure)?;
    if debug {
        wait_for_debugger(plugin.plugin().pid())?;
    }
    let called = match &mut mock {
        Some(mock) => plugin.call_with(export, args, mock),
        None => plugin.call_with(export, args, &mut NoDynamicImports),
    };
    if let (true, Some(mock)) = (mock_args.transcript, &mock) {
        for line in mock.transcript() {
            println!("import {}", crate::esc(&line));
        }
    }
    match called {
        Ok(Ok(results)) => {
            for result in results {
                // WAVE escapes controls in strings; the escape catches the rest.
                println!("{}", crate::esc(&result));
            }
            Ok(())
        }
        Ok(Err(refused)) => Err(Failure::Input(anyhow!(
            "{}",
            crate::esc(&refused.to_string())
        ))),
        Err(e) => Err(failure(e)),
    }
}

/// Tells how to attach to the runner `pid` and waits until a debugger has
/// (its `TracerPid` in /proc), so that breakpoints can be set before the call.
fn wait_for_debugger(pid: Option<u32>) -> Result<(), Failure> {
    let pid = pid.ok_or_else(|| Failure::Plugin(anyhow!("the runner is not running")))?;
    eprintln!(
        "airlock: the runner, process {pid}, waits for a debugger; attach with\n  \
         gdb -iex 'set sysroot /' -ex 'handle SIGSEGV SIGILL SIGFPE SIGBUS nostop noprint pass' -p {pid}\n\
         then set breakpoints (`break src/lib.rs:LINE`) and `continue`"
    );
    let status = format!("/proc/{pid}/status");
    loop {
        let text = std::fs::read_to_string(&status)
            .map_err(|e| Failure::Plugin(anyhow!("the runner, process {pid}, is gone: {e}")))?;
        let tracer = text
            .lines()
            .find_map(|l| l.strip_prefix("TracerPid:"))
            .map(str::trim);
        if let Some(tracer) = tracer.filter(|t| *t != "0") {
            eprintln!("airlock: process {tracer} is attached; calling");
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn compile(paths: &[PathBuf], common: &Common, cache: &CacheArgs) -> Result<(), Failure> {
    let policy = policy(common)?.unwrap_or_default();
    let launcher = launcher(cache, true)?;
    // Read and check every file before compiling any.
    let components = paths
        .iter()
        .map(|p| Decoded::read(p).map(|d| (p, d.bytes)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let bar = ProgressBar::new(components.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} [{pos}/{len}] {elapsed_precise} {wide_msg}")
            .expect("a valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    let (mut compiled, mut cached) = (0, 0);
    for (path, bytes) in components {
        bar.set_message(format!("compiling {}", crate::shown(path)));
        let started = Instant::now();
        // Compiling needs no grants: a manifest's requests are for running.
        let config = PluginConfig::new(plugin_name(path), bytes)
            .policy(policy.clone())
            .ignore_manifest();
        let plugin = DynamicPlugin::start(&launcher, config);
        let plugin = match plugin {
            Ok(p) => p,
            Err(e) => {
                bar.abandon();
                let context = format!("compiling {}", crate::shown(path));
                return Err(match failure(e) {
                    Failure::Input(e) => Failure::Input(e.context(context)),
                    Failure::Plugin(e) => Failure::Plugin(e.context(context)),
                    no => no,
                });
            }
        };
        let took = started.elapsed();
        if plugin.plugin().started_from_cache() {
            cached += 1;
            bar.suspend(|| println!("{}: already in the cache", crate::shown(path)));
        } else {
            compiled += 1;
            bar.suspend(|| {
                println!(
                    "{}: compiled in the sandbox in {:.0?}",
                    crate::shown(path),
                    took
                )
            });
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let cache = launcher.cache().expect("compile requires a cache");
    println!(
        "{compiled} compiled, {cached} already cached, in {}",
        cache.dir().display()
    );
    Ok(())
}
