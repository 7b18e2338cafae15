//! The chaos run: the design host's tools, filters and exporters called
//! over and over with their runner SIGKILLed or SIGSTOPped at a random point
//! of the call. Every run must end in the typed error the signal causes (or
//! a success, when the answer came first), leave the document byte-equal to
//! its copy from before a failed call, leave the next call working, and
//! leave no zombie, descriptor, memfd, thread or file behind.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use airlock::{ArtifactCache, Error, Launcher};
use airlock_example_design_host::document::Document;
use anyhow::{Context, Result, bail};

use crate::fingerprint::document_bytes;
use crate::held::Held;
use crate::rng::Rng;
use crate::signaller::Signaller;
use crate::subjects::{self, Op, Outcome, Subject};

/// What a chaos session does.
#[derive(Debug, Clone)]
pub struct ChaosOptions {
    pub runs: u64,
    pub seed: u64,
    /// Replay only this run of the session.
    pub only: Option<u64>,
    /// Every plugin's call deadline: how long a stopped runner holds a call.
    pub deadline: Duration,
    pub plugin_dir: PathBuf,
    /// Attack only this plugin (a name of [`subjects::COMPONENTS`]).
    pub plugin: Option<String>,
    /// A fault made on purpose, to show the run notices it.
    pub inject: Option<Fault>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Failed tool calls commit their transaction.
    SkipRollback,
    /// The host leaks a descriptor in every run.
    LeakFd,
}

impl std::str::FromStr for Fault {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "skip-rollback" => Fault::SkipRollback,
            "fd" => Fault::LeakFd,
            other => bail!("unknown fault `{other}` (skip-rollback, fd)"),
        })
    }
}

/// What one run found wrong.
#[derive(Debug, Clone)]
pub struct Problem {
    pub run: u64,
    pub kind: ProblemKind,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    Corrupted,
    Leaked,
    Failed,
}

/// How a session went.
#[derive(Debug, Default)]
pub struct ChaosReport {
    pub runs: u64,
    pub killed: u64,
    pub stopped: u64,
    /// Signalled runs whose call failed with the expected typed error.
    pub typed_errors: u64,
    /// Signalled runs whose answer came first (the call succeeded).
    pub after_answer: u64,
    /// Runs whose call ended before the signal was due (none sent).
    pub too_late: u64,
    pub problems: Vec<Problem>,
    pub elapsed: Duration,
}

impl ChaosReport {
    /// Runs with a problem of this kind.
    fn count(&self, kind: ProblemKind) -> usize {
        let runs: std::collections::BTreeSet<u64> = self
            .problems
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.run)
            .collect();
        runs.len()
    }

    pub fn lines(&self, seed: u64) -> Vec<String> {
        vec![
            format!(
                "chaos: {} runs, {} corrupted, {} leaked",
                self.runs,
                self.count(ProblemKind::Corrupted),
                self.count(ProblemKind::Leaked)
            ),
            format!(
                "chaos: {} SIGKILL, {} SIGSTOP: {} typed errors, {} answered first, {} ended before the signal, {} other failures; {:.1} s, seed {seed}",
                self.killed,
                self.stopped,
                self.typed_errors,
                self.after_answer,
                self.too_late,
                self.count(ProblemKind::Failed),
                self.elapsed.as_secs_f64()
            ),
        ]
    }
}

/// Runs a chaos session in a private work folder under the temp folder.
pub fn run(options: &ChaosOptions) -> Result<ChaosReport> {
    let work = std::env::temp_dir().join(format!("airlock-chaos-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let export_dir = work.join("export");
    std::fs::create_dir_all(&export_dir)
        .with_context(|| format!("failed to create {}", export_dir.display()))?;
    let launcher = Launcher::current_exe()
        .context("failed to locate this executable as the runner")?
        .with_cache(ArtifactCache::open(work.join("cache")).context("failed to open the cache")?);
    let result = session(&launcher, options, &export_dir);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn session(launcher: &Launcher, options: &ChaosOptions, export_dir: &Path) -> Result<ChaosReport> {
    let mut subjects =
        subjects::start_all(launcher, &options.plugin_dir, export_dir, options.deadline)?;
    let sample = Document::sample();
    // How long each call takes unsignalled, kept up to date as the session
    // goes (the machine's load changes, a fresh runner is slower): the
    // signal is due within it.
    let mut typical: Vec<Vec<Durations>> = Vec::new();
    for s in &mut subjects {
        let mut times = Vec::new();
        for op in s.ops.clone() {
            let mut took = Durations::default();
            for _ in 0..5 {
                let started = Instant::now();
                match subjects::call(s, op, &mut sample.clone(), export_dir, false) {
                    Outcome::Done => took.push(started.elapsed()),
                    other => bail!("{} {op:?} fails without chaos: {other:?}", s.name),
                }
            }
            times.push(took);
        }
        typical.push(times);
    }

    let candidates: Vec<usize> = (0..subjects.len())
        .filter(|&k| {
            options
                .plugin
                .as_deref()
                .is_none_or(|p| p == subject_name(k))
        })
        .collect();
    if candidates.is_empty() {
        bail!(
            "no plugin {:?} (plugins: {:?})",
            options.plugin,
            subjects::COMPONENTS
        );
    }
    let mut report = ChaosReport::default();
    let temp = std::env::temp_dir();
    let mut held = Held::now(launcher, &mut subjects, &temp)?;
    let mut progress = crate::progress::bar(options.runs, "chaos");
    let started = Instant::now();
    let runs = match options.only {
        Some(run) => run..run + 1,
        None => 0..options.runs,
    };
    for index in runs {
        let mut rng = Rng::for_run(options.seed, index);
        let k = candidates[rng.below(candidates.len() as u64) as usize];
        let subject = &mut subjects[k];
        let which = rng.below(subject.ops.len() as u64) as usize;
        let op = subject.ops[which];
        let signal = if rng.below(2) == 0 {
            libc::SIGKILL
        } else {
            libc::SIGSTOP
        };
        // A save writes its file at the end of the call: its signals
        // come late, to catch the runner between creating and finishing it.
        let point = match op {
            Op::Save => 0.5 + 0.7 * rng.fraction(),
            _ => 1.2 * rng.fraction(),
        };
        let delay = typical[k][which].shortest().mul_f64(point);
        let what = format!("{} {op:?}, {}", subject_name(k), sig_name(signal));
        let ran = one_run(
            subject,
            op,
            signal,
            delay,
            &sample,
            export_dir,
            options.inject,
        );
        for took in ran.unsignalled.iter().copied() {
            typical[k][which].push(took);
        }
        if ran.fired {
            if signal == libc::SIGKILL {
                report.killed += 1;
            } else {
                report.stopped += 1;
            }
        }
        match ran.class {
            Some(Class::Typed) => report.typed_errors += 1,
            Some(Class::AfterAnswer) => report.after_answer += 1,
            Some(Class::TooLate) => report.too_late += 1,
            None => {}
        }
        for (kind, detail) in ran.problems {
            report.problems.push(Problem {
                run: index,
                kind,
                detail: format!("{what}: {detail}"),
            });
        }
        if options.inject == Some(Fault::LeakFd) {
            std::mem::forget(std::fs::File::open("/dev/null")?);
        }
        // Whatever the run did, nothing may be left over once it settles.
        match held.settled(launcher, &mut subjects, &temp) {
            Ok(now) => held = now,
            Err((now, leak)) => {
                report.problems.push(Problem {
                    run: index,
                    kind: ProblemKind::Leaked,
                    detail: format!("{what}: {leak}"),
                });
                held = now;
            }
        }
        report.runs += 1;
        progress.set_position(report.runs);
        progress.set_message(format!("{} problems", report.problems.len()));
    }
    progress.finish_and_clear();
    report.elapsed = started.elapsed();
    Ok(report)
}

fn subject_name(k: usize) -> &'static str {
    subjects::COMPONENTS[k]
}

fn sig_name(signal: i32) -> &'static str {
    if signal == libc::SIGKILL {
        "SIGKILL"
    } else {
        "SIGSTOP"
    }
}

/// How a run that found nothing wrong ended.
enum Class {
    Typed,
    AfterAnswer,
    TooLate,
}

/// The last few durations of one call.
#[derive(Debug, Default)]
struct Durations(std::collections::VecDeque<Duration>);

impl Durations {
    fn push(&mut self, took: Duration) {
        if self.0.len() == 9 {
            self.0.pop_front();
        }
        self.0.push_back(took);
    }

    /// The shortest: most calls take at least this long, so a point within
    /// it (and a little past) lands in most calls, their ends included.
    fn shortest(&self) -> Duration {
        self.0.iter().copied().min().unwrap_or_default()
    }
}

/// What one run saw.
struct Ran {
    /// How long its calls took that ran whole, unsignalled, on a runner
    /// already running.
    unsignalled: Vec<Duration>,
    fired: bool,
    class: Option<Class>,
    problems: Vec<(ProblemKind, String)>,
}

/// One call with a signal armed, and the checks of the document and of the next call.
fn one_run(
    subject: &mut Subject,
    op: Op,
    signal: i32,
    delay: Duration,
    sample: &Document,
    export_dir: &Path,
    inject: Option<Fault>,
) -> Ran {
    let mut ran = Ran {
        unsignalled: Vec::new(),
        fired: false,
        class: None,
        problems: Vec::new(),
    };
    let Some(pid) = subject.pid() else {
        ran.problems
            .push((ProblemKind::Failed, "no runner before the call".into()));
        return ran;
    };
    let mut doc = sample.clone();
    let before = document_bytes(&doc);
    let signaller = Signaller::arm(pid, signal, delay);
    signaller.call_started();
    let started = Instant::now();
    let skip_rollback = inject == Some(Fault::SkipRollback);
    let outcome = subjects::call(subject, op, &mut doc, export_dir, skip_rollback);
    let took = started.elapsed();
    ran.fired = signaller.call_done();
    if !ran.fired {
        ran.unsignalled.push(took);
    }
    // A save that did not succeed leaves nothing in the folder (one that
    // did was taken away already), before the next save could overwrite it.
    let left: Vec<_> = std::fs::read_dir(export_dir)
        .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    if !left.is_empty() {
        ran.problems.push((
            ProblemKind::Leaked,
            format!("the export folder holds {left:?} after {outcome:?}"),
        ));
        for name in left {
            let _ = std::fs::remove_file(export_dir.join(name));
        }
    }
    let committed = matches!(outcome, Outcome::Done) && matches!(op, Op::Tool | Op::Filter);
    if !committed && document_bytes(&doc) != before {
        ran.problems.push((
            ProblemKind::Corrupted,
            format!("the document changed after {outcome:?}"),
        ));
    }
    match (&outcome, ran.fired) {
        (Outcome::Done, false) => ran.class = Some(Class::TooLate),
        (Outcome::Done, true) => {
            // The runner is dead or stopped and the host cannot know yet; a
            // supervisor's health check finds out, with a typed error.
            if subject
                .plugin_mut()
                .health_check(Duration::from_millis(300))
                .is_ok()
            {
                ran.problems.push((
                    ProblemKind::Failed,
                    "a signalled runner passed its health check".into(),
                ));
                return ran;
            }
            ran.class = Some(Class::AfterAnswer);
        }
        (Outcome::Failed(e), true) if expected(signal, e) => ran.class = Some(Class::Typed),
        (other, fired) => {
            let when = if fired { "signalled" } else { "not signalled" };
            ran.problems.push((
                ProblemKind::Failed,
                format!("{when}, the call ended {other:?}"),
            ));
            return ran;
        }
    }
    // The next call works, on a fresh runner if need be.
    let runners = subject.plugin_mut().runners_started();
    let started = Instant::now();
    match subjects::call(subject, op, &mut sample.clone(), export_dir, false) {
        Outcome::Done if subject.plugin_mut().runners_started() == runners => {
            ran.unsignalled.push(started.elapsed())
        }
        Outcome::Done => {}
        other => ran.problems.push((
            ProblemKind::Failed,
            format!("the next call ended {other:?}"),
        )),
    }
    ran
}

/// The error a signal must cause: a crash by SIGKILL, or, for a stopped
/// runner, a timeout (the host kills it at the deadline).
fn expected(signal: i32, e: &Error) -> bool {
    match e {
        Error::Crashed { signal: s, .. } => signal == libc::SIGKILL && *s == Some(libc::SIGKILL),
        Error::Timeout { .. } => signal == libc::SIGSTOP,
        _ => false,
    }
}
