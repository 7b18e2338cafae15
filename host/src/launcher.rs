//! Starting runner processes: which executable, with what inherited, and the
//! hook that lets one binary be both the host application and its runners.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use airlock_protocol::PREOPEN_FD_BASE;

use crate::text::PluginText;

use crate::cache::ArtifactCache;
use airlock_runner::{RUNNER_ARG, RUNNER_FD, WorldGlue};

/// Serves as a runner and exits when this process was started as one;
/// returns at once otherwise. Call it first thing in `main` of a host
/// application that runs its own plugins, with the glue of every world it uses.
pub fn serve_runner_if_requested(worlds: &[&dyn WorldGlue]) {
    if std::env::args_os().nth(1).as_deref() == Some(OsStr::new(RUNNER_ARG)) {
        airlock_runner::run_runner_process(worlds);
    }
}

/// The send buffer asked for on both ends of a runner's socket.
const SOCKET_BUFFER: usize = 4 << 20;

/// Which executable runs plugins.
///
/// The runner is started with an empty environment, stdin from `/dev/null`,
/// stdout discarded, stderr captured into the host's log, one socket on
/// descriptor 3 and the preopened directories from descriptor 4; every other
/// descriptor is close-on-exec.
#[derive(Debug, Clone)]
pub struct Launcher {
    program: PathBuf,
    cache: Option<Arc<ArtifactCache>>,
}

impl Launcher {
    /// This very executable; its `main` must call [`serve_runner_if_requested`].
    pub fn current_exe() -> std::io::Result<Self> {
        Ok(Self {
            program: std::env::current_exe()?,
            cache: None,
        })
    }

    /// A dedicated runner executable whose `main` calls [`serve_runner_if_requested`].
    pub fn program(path: impl Into<PathBuf>) -> Self {
        Self {
            program: path.into(),
            cache: None,
        }
    }

    /// Keeps compiled components in `cache`: the first start of a component
    /// compiles it in its runner and stores the result, tagged with the
    /// cache's key; later starts (restarts, other plugins with the same
    /// bytes, other host processes sharing the directory) skip compiling.
    pub fn with_cache(mut self, cache: ArtifactCache) -> Self {
        self.cache = Some(Arc::new(cache));
        self
    }

    pub fn path(&self) -> &Path {
        &self.program
    }

    pub fn cache(&self) -> Option<&ArtifactCache> {
        self.cache.as_deref()
    }

    pub(crate) fn cache_handle(&self) -> Option<Arc<ArtifactCache>> {
        self.cache.clone()
    }

    /// Spawns a runner, returning it with the host's end of its socket. The
    /// socket lands on descriptor 3 and `preopens` on 4, 5, … in order;
    /// nothing else is inherited.
    pub(crate) fn spawn(
        &self,
        plugin: &str,
        preopens: &[BorrowedFd<'_>],
    ) -> std::io::Result<(Child, UnixStream, StderrTail)> {
        let (host_end, runner_end) = UnixStream::pair()?;
        // Room for a whole bulk payload in the socket, so that a 1 MiB list
        // crosses in one write and one read instead of a dozen alternating
        // ones (the kernel caps it at net.core.wmem_max).
        for end in [&host_end, &runner_end] {
            let _ = rustix::net::sockopt::set_socket_send_buffer_size(end, SOCKET_BUFFER);
        }
        let mut command = Command::new(&self.program);
        command
            .arg(RUNNER_ARG)
            .arg0(format!("airlock-runner: {plugin}"))
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // (source, target) pairs, and room for the temporary copies, made
        // before the fork: nothing may allocate between fork and exec.
        let mut moves: Vec<(RawFd, RawFd)> = vec![(runner_end.as_raw_fd(), RUNNER_FD)];
        for (i, fd) in preopens.iter().enumerate() {
            moves.push((fd.as_raw_fd(), PREOPEN_FD_BASE + i as RawFd));
        }
        let above = PREOPEN_FD_BASE + moves.len() as RawFd;
        let mut temporary: Vec<RawFd> = vec![-1; moves.len()];
        // SAFETY: only async-signal-safe calls (fcntl, dup2) run between fork
        // and exec, on memory allocated before the fork.
        unsafe {
            command.pre_exec(move || {
                // First copy every source above all targets (close-on-exec), so
                // that placing one cannot overwrite another still to be placed.
                for (i, (source, _)) in moves.iter().enumerate() {
                    let copy = libc::fcntl(*source, libc::F_DUPFD_CLOEXEC, above);
                    if copy < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    temporary[i] = copy;
                }
                // dup2 clears close-on-exec on the target.
                for (i, (_, target)) in moves.iter().enumerate() {
                    if libc::dup2(temporary[i], *target) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        let mut child = command.spawn()?;
        drop(runner_end);
        let stderr = StderrTail::follow(
            child.stderr.take().expect("stderr is piped"),
            plugin.to_string(),
        );
        Ok((child, host_end, stderr))
    }
}

/// The last lines a runner wrote to its stderr, kept for crash reports while
/// every line also goes to the host's log.
#[derive(Debug)]
pub(crate) struct StderrTail {
    tail: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

const TAIL_LINES: usize = 20;
const MAX_LINE: usize = 4096;
/// Lines of a runner's own stderr logged per runner; the tail is kept anyway.
const MAX_LOGGED_LINES: usize = 1000;

fn trim_line(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &line[..end]
}

impl StderrTail {
    fn follow(stderr: ChildStderr, plugin: String) -> Self {
        let tail = Arc::new(Mutex::new(Vec::new()));
        let sink = tail.clone();
        let thread = std::thread::Builder::new()
            .name(format!("airlock-stderr-{plugin}"))
            .spawn(move || {
                let mut reader = BufReader::new(stderr);
                let mut line = Vec::new();
                let mut logged = 0usize;
                loop {
                    line.clear();
                    // A line is read at most MAX_LINE bytes at a time: a runner
                    // that never writes a newline cannot grow this buffer.
                    match (&mut reader).take(MAX_LINE as u64).read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            let text = PluginText::from_bytes(trim_line(&line));
                            logged += 1;
                            if logged <= MAX_LOGGED_LINES {
                                tracing::warn!(target: "airlock::runner", plugin = %PluginText::escape(&plugin), "{text}");
                            } else if logged == MAX_LOGGED_LINES + 1 {
                                tracing::warn!(target: "airlock::runner", plugin = %PluginText::escape(&plugin), "more than {MAX_LOGGED_LINES} lines on the runner's stderr; the rest is not logged");
                            }
                            let mut t = sink.lock().unwrap_or_else(|e| e.into_inner());
                            if t.len() == TAIL_LINES {
                                t.remove(0);
                            }
                            t.push(text.into_string());
                        }
                    }
                }
            })
            .ok();
        Self { tail, thread }
    }

    /// The captured tail, after waiting briefly for the pipe to drain.
    pub(crate) fn finish(&mut self) -> String {
        if let Some(thread) = &self.thread {
            let until = std::time::Instant::now() + std::time::Duration::from_millis(500);
            while !thread.is_finished() && std::time::Instant::now() < until {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
        if self.thread.as_ref().is_some_and(|t| t.is_finished()) {
            let _ = self.thread.take().map(JoinHandle::join);
        }
        self.tail
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .join("\n")
    }
}
