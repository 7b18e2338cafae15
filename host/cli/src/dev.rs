//! `airlock dev`: builds a plugin project, serves it, and rebuilds and
//! hot-reloads it whenever its sources change.
//!
//! The project is built and its cases are run exactly as by `airlock test`
//! ([`crate::project_test`]); the version served is a one-runner
//! [`PluginPool`], swapped by [`PluginPool::reload`] only once a new build has
//! packaged and started. A build that fails, or a component that does not
//! start, leaves the version before it served. Each line on stdin is a call
//! (`EXPORT(ARG, …)` in WAVE), answered by the version served then against
//! the project's `mock.toml`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use airlock::mock::Mock;
use airlock::{DynamicPlugin, Launcher, PluginPool};
use anyhow::Context;
use notify::{EventKind, RecursiveMode, Watcher};

use crate::project_test::{BuildOutput, Project, case_name, run_case};
use crate::{CacheArgs, Common, Failure, esc, shown};

/// How long the sources must stay unchanged before a rebuild starts: an
/// editor's save, a `git checkout`, are several events in a row.
const QUIET: Duration = Duration::from_millis(300);

/// What is never watched: what builds write (`target/`, `node_modules/`,
/// Python's caches, `Cargo.lock`, which cargo writes when `Cargo.toml`
/// changes) and version control's own folder.
const IGNORED: &[&str] = &[
    "target",
    "node_modules",
    "__pycache__",
    ".git",
    "Cargo.lock",
];

/// Set by SIGINT or SIGTERM: the loop ends at its next turn.
static STOP: AtomicBool = AtomicBool::new(false);

enum Event {
    /// A source changed: the path, relative to the project.
    Changed(PathBuf),
    /// A line on stdin: a call to make.
    Line(String),
}

/// The version being served and the reload that built it.
struct Served {
    pool: PluginPool<DynamicPlugin>,
    reload: u64,
}

pub fn dev(
    dir: &Path,
    max_reloads: Option<u64>,
    common: &Common,
    cache: &CacheArgs,
) -> Result<(), Failure> {
    let project = Project::open(dir)?;
    let launcher = crate::run::launcher(cache, false)?;
    // The artifact cache is written by the first start of each build: a
    // cache inside the project must not set off a reload of its own.
    let cache_dir = match cache.no_cache {
        true => None,
        false => cache
            .cache
            .clone()
            .or_else(airlock::ArtifactCache::default_dir),
    };
    let (events, received) = channel();
    let _watcher = watch(
        dir,
        cache_dir.and_then(|d| d.canonicalize().ok()),
        events.clone(),
    )?;
    read_calls(events);
    crate::platform::catch_stop(&STOP);
    println!(
        "watching {} (Ctrl-C stops; a line `EXPORT(ARGS)` calls the version served)",
        shown(dir)
    );
    let mut served: Option<Served> = None;
    let mut reloads = 0;
    let mut changed = Vec::new();
    while !STOP.load(Ordering::SeqCst) {
        reloads += 1;
        reload(&project, reloads, &changed, &launcher, common, &mut served);
        if max_reloads.is_some_and(|max| reloads >= max) {
            break;
        }
        match wait_for_change(&received, &project, served.as_ref()) {
            Some(paths) => changed = paths,
            None => break,
        }
    }
    drop(served);
    println!("stopped after {reloads} reload(s)");
    Ok(())
}

/// One reload: build, start, swap, run the cases; one line saying how it went.
fn reload(
    project: &Project,
    number: u64,
    changed: &[PathBuf],
    launcher: &Launcher,
    common: &Common,
    served: &mut Option<Served>,
) {
    // Named: the files that changed and are there (not an editor's or sed's
    // temporary file, renamed away at once), else the ones removed.
    let present: Vec<&PathBuf> = changed
        .iter()
        .filter(|p| project.dir.join(p).exists())
        .collect();
    let named = match present.is_empty() {
        true => changed.iter().collect(),
        false => present,
    };
    let what = match named[..] {
        [] => String::new(),
        [one] => format!(" ({})", shown(one)),
        [one, ..] => format!(" ({} and {} more)", shown(one), named.len() - 1),
    };
    let head = format!("reload {number}{what}");
    let still = match served {
        Some(s) => format!("still serving reload {}", s.reload),
        None => "nothing served yet".to_string(),
    };
    let started = Instant::now();
    let built = project.build(BuildOutput::Kept);
    if STOP.load(Ordering::SeqCst) {
        return; // The build was interrupted with the rest of us.
    }
    let component = match built {
        Ok(c) => c,
        Err(why) => {
            println!("{head}: build failed, {still}");
            print_indented(&failure_text(why));
            return;
        }
    };
    let took = started.elapsed().as_secs_f64();
    let config = match crate::project_test::config(&project.manifest.name, &component, common) {
        Ok(c) => c,
        Err(why) => {
            println!("{head}: built in {took:.1} s but cannot be started, {still}");
            print_indented(&failure_text(why));
            return;
        }
    };
    // The new version replaces the old only once it has started.
    let swapped = match served {
        Some(s) => s.pool.reload(launcher, config).map(|()| s.reload = number),
        None => PluginPool::start(launcher, config, 1).map(|pool| {
            *served = Some(Served {
                pool,
                reload: number,
            });
        }),
    };
    if let Err(e) = swapped {
        println!("{head}: built in {took:.1} s but did not start, {still}");
        print_indented(&e.to_string());
        return;
    }
    let pool = &served.as_ref().expect("swapped in above").pool;
    let cases = match project.cases() {
        Ok(cases) => cases,
        Err(why) => {
            println!("{head}: built in {took:.1} s, serving it; no cases run");
            print_indented(&failure_text(why));
            return;
        }
    };
    let failures: Vec<(String, anyhow::Error)> = cases
        .iter()
        .filter_map(|path| {
            let result = pool.with(|plugin| run_case(plugin, path));
            result.err().map(|why| (case_name(path), why))
        })
        .collect();
    println!(
        "{head}: built in {took:.1} s, {}/{} cases passed",
        cases.len() - failures.len(),
        cases.len()
    );
    for (name, why) in failures {
        print_indented(&format!("{name}: {why:#}"));
    }
}

/// Waits for a change of the sources, answering calls meanwhile; `None`
/// when told to stop. Returns the paths that changed, once they have been
/// quiet for [`QUIET`].
fn wait_for_change(
    received: &Receiver<Event>,
    project: &Project,
    served: Option<&Served>,
) -> Option<Vec<PathBuf>> {
    let mut changed: Vec<PathBuf> = Vec::new();
    let mut last_change = Instant::now();
    loop {
        if STOP.load(Ordering::SeqCst) {
            return None;
        }
        if !changed.is_empty() && last_change.elapsed() >= QUIET {
            return Some(changed);
        }
        match received.recv_timeout(Duration::from_millis(100)) {
            Ok(Event::Changed(path)) => {
                if !changed.contains(&path) {
                    changed.push(path);
                }
                last_change = Instant::now();
            }
            Ok(Event::Line(line)) => call(project, served, &line),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

/// Answers a line of stdin with the version served.
fn call(project: &Project, served: Option<&Served>, line: &str) {
    let line = line.trim();
    if line.is_empty() {
        return;
    }
    let Some(served) = served else {
        println!("nothing is served yet: the first build has not succeeded");
        return;
    };
    let (export, args) = match parse_call(line) {
        Ok(call) => call,
        Err(why) => {
            println!("not a call: {why} (write `EXPORT(ARG, …)`, arguments in WAVE)");
            return;
        }
    };
    let mock_path = project.dir.join("mock.toml");
    let mock = match mock_path.is_file() {
        true => Mock::from_file(&mock_path),
        false => Mock::from_toml("", "(no mock)"),
    };
    let mut mock = match mock {
        Ok(m) => m,
        Err(e) => {
            println!("cannot read {}: {}", shown(&mock_path), esc(&e.to_string()));
            return;
        }
    };
    let answer = served
        .pool
        .with(|plugin| plugin.call_with(&export, &args, &mut mock));
    let answer = match answer {
        Ok(Ok(results)) => results.join(", "),
        Ok(Err(refused)) => format!("refused: {refused}"),
        Err(e) => format!("failed: {e}"),
    };
    println!("answer from reload {}: {}", served.reload, esc(&answer));
}

/// `name` or `name(arg, …)`: the export and its WAVE arguments, split at the
/// commas outside brackets, strings and chars.
fn parse_call(line: &str) -> Result<(String, Vec<String>), String> {
    let Some((export, rest)) = line.split_once('(') else {
        return Ok((line.to_string(), Vec::new()));
    };
    let inner = rest
        .strip_suffix(')')
        .ok_or("the arguments do not end with `)`")?;
    let (mut args, mut arg) = (Vec::new(), String::new());
    let (mut depth, mut quote, mut escaped) = (0usize, None::<char>, false);
    for c in inner.chars() {
        match (quote, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth = depth.checked_sub(1).ok_or("unbalanced brackets")?,
            (None, ',') if depth == 0 => {
                args.push(std::mem::take(&mut arg).trim().to_string());
                continue;
            }
            (None, _) => {}
        }
        arg.push(c);
    }
    if depth != 0 || quote.is_some() {
        return Err("unbalanced brackets or quotes".into());
    }
    if !arg.trim().is_empty() || !args.is_empty() {
        args.push(arg.trim().to_string());
    }
    Ok((export.trim().to_string(), args))
}

/// Watches the project's sources: the folder itself (its manifest,
/// `Cargo.toml`, `package.json`, `app.py`, `mock.toml`) and every folder in
/// it but the [`IGNORED`] ones and the artifact cache, each with what is in it.
fn watch(
    dir: &Path,
    cache: Option<PathBuf>,
    events: Sender<Event>,
) -> anyhow::Result<notify::RecommendedWatcher> {
    let root = dir.canonicalize()?;
    let (base, cache_dir) = (root.clone(), cache.clone());
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        for path in event.paths {
            if let Some(relative) = source(&base, cache_dir.as_deref(), &path) {
                let _ = events.send(Event::Changed(relative));
            }
        }
    })
    .context("cannot watch files")?;
    watcher
        .watch(&root, RecursiveMode::NonRecursive)
        .with_context(|| format!("cannot watch {}", shown(dir)))?;
    for entry in std::fs::read_dir(&root)? {
        let path = entry?.path();
        if path.is_dir() && source(&root, cache.as_deref(), &path).is_some() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", shown(&path)))?;
        }
    }
    Ok(watcher)
}

/// `path` relative to the project, if it is a source: not under an
/// [`IGNORED`] name, not hidden (an editor's swap file), not a backup (`~`),
/// not Markdown (the README), not in the artifact cache.
fn source(root: &Path, cache: Option<&Path>, path: &Path) -> Option<PathBuf> {
    if cache.is_some_and(|c| path.starts_with(c)) {
        return None;
    }
    let relative = path.strip_prefix(root).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = relative.file_name()?.to_str()?;
    let ignored = IGNORED.contains(&first)
        || relative
            .components()
            .any(|c| c.as_os_str() == "__pycache__")
        || name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".md");
    (!ignored).then(|| relative.to_path_buf())
}

/// Sends each line of stdin as a call, from a thread of its own.
fn read_calls(events: Sender<Event>) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { return };
            if events.send(Event::Line(line)).is_err() {
                return;
            }
        }
    });
}

fn failure_text(failure: Failure) -> String {
    match failure {
        Failure::No(why) => why,
        Failure::Input(e) | Failure::Plugin(e) => format!("{e:#}"),
    }
}

fn print_indented(text: &str) {
    for line in text.lines() {
        println!("  {}", esc(line));
    }
}

#[cfg(test)]
mod tests {
    use super::parse_call;

    #[test]
    fn calls_split_at_the_commas_between_arguments() {
        let call = |line| parse_call(line).unwrap();
        assert_eq!(call("describe"), ("describe".into(), vec![]));
        assert_eq!(call("describe()"), ("describe".into(), vec![]));
        assert_eq!(call("run([])"), ("run".into(), vec!["[]".to_string()]));
        assert_eq!(
            call(r#"f({a: 1, b: "x,)y\""}, [1, 2], ',')"#),
            (
                "f".into(),
                vec![
                    r#"{a: 1, b: "x,)y\""}"#.to_string(),
                    "[1, 2]".into(),
                    "','".into()
                ]
            )
        );
        assert_eq!(
            call("airlock:design/x@0.2.0#g(some(1))"),
            (
                "airlock:design/x@0.2.0#g".into(),
                vec!["some(1)".to_string()]
            )
        );
        assert!(parse_call("f([1, 2)").is_err());
        assert!(parse_call("f(1").is_err());
        assert!(parse_call(r#"f("a)"#).is_err());
    }
}
