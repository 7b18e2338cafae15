//! The host's side of the zygote (see `airlock_runner::zygote`): starting
//! it once per launcher, asking it for runners, restarting it when it died,
//! and keeping one spare runner it forked ahead of need (see
//! `airlock_runner::spare`), which a start without network grants takes.
//!
//! The zygote is started from one thread that lives as long as this
//! process: runners are forked with `CLONE_PARENT`, so their parent is the
//! thread that started the zygote, and their parent-death signal fires when
//! *that thread* ends.

use std::io::IoSliceMut;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use airlock_runner::RUNNER_ARG;
use airlock_runner::zygote::{
    MAX_REQUEST_FDS, REQUEST_FORK, REQUEST_SPARE, ZYGOTE_ARG, ZYGOTE_FD, ZYGOTE_GREETING,
};
use rustix::net::{
    AddressFamily, RecvAncillaryBuffer, RecvFlags, SocketFlags, SocketType, recvmsg, socketpair,
};

use crate::forked_runner::ForkedRunner;
use crate::zygote_wire::{self, Kind, Message, request_name, retry_interrupted};

use crate::runner_stderr::StderrTail;

/// How long a zygote may take to greet, and to answer one request.
const ZYGOTE_ANSWER: Duration = Duration::from_secs(5);

/// How long a zygote that was hung up on may take to exit before it is killed.
const ZYGOTE_EXIT: Duration = Duration::from_millis(100);

/// A launcher's zygote: started on first use, restarted when it died,
/// switched off (runners are then exec'd) when it cannot serve.
#[derive(Debug)]
pub(crate) struct Zygotes {
    program: PathBuf,
    state: Mutex<State>,
}

#[derive(Debug)]
enum State {
    NotStarted,
    Running(Zygote),
    /// Why runners are exec'd instead.
    Off(String),
}

#[derive(Debug)]
struct Zygote {
    control: OwnedFd,
    process: Child,
    _stderr: StderrTail,
    /// A runner forked ahead of need, waiting on its link.
    spare: Option<Spare>,
    /// A spare was asked for and its message not read yet.
    spare_asked: bool,
}

/// A spare runner (see `airlock_runner::spare`): this process's child, and
/// the link on which it waits for its request.
#[derive(Debug)]
struct Spare {
    runner: ForkedRunner,
    link: OwnedFd,
}

/// How a zygote answered a request.
enum Answer {
    Forked(ForkedRunner),
    /// The fork failed with this errno.
    Refused(i32),
}

/// Why a request got no answer.
enum Lost {
    /// Nothing reached the zygote: the request may go to a new one.
    NotSent(std::io::Error),
    /// The request was sent, so the zygote may have forked a runner for its
    /// descriptors: sending them again could give one socket two runners.
    Unanswered(std::io::Error),
}

impl Zygotes {
    pub(crate) fn new(program: PathBuf) -> Self {
        Self {
            program,
            state: Mutex::new(State::NotStarted),
        }
    }

    /// Why runners are not forked, once the zygote was found unable to serve.
    pub(crate) fn off_reason(&self) -> Option<String> {
        match &*self.state.lock().unwrap_or_else(|e| e.into_inner()) {
            State::Off(why) => Some(why.clone()),
            _ => None,
        }
    }

    /// Starts the zygote into `state`, or switches it off (the reason logged once).
    fn start_into(&self, state: &mut State) {
        *state = match Zygote::start(&self.program) {
            Ok(zygote) => State::Running(zygote),
            Err(why) => {
                tracing::warn!(program = %self.program.display(), "no zygote, runners are exec'd: {why}");
                State::Off(why)
            }
        };
    }

    /// Starts the zygote if it is not running, and waits for its spare.
    pub(crate) fn warm_up(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(*state, State::NotStarted) {
            self.start_into(&mut state);
        }
        if let State::Running(zygote) = &mut *state {
            zygote.wait_for_spare();
        }
    }

    /// Forks a runner for `plugin` with `socket` on its descriptor 3,
    /// `stderr` on 2 and `extra` from 4 on, or hands them to a spare when
    /// the plugin has no `network` grant; `None` when runners must be
    /// exec'd instead (the reason is logged once).
    pub(crate) fn spawn(
        &self,
        plugin: &str,
        network: bool,
        socket: BorrowedFd<'_>,
        stderr: BorrowedFd<'_>,
        extra: &[BorrowedFd<'_>],
    ) -> Option<std::io::Result<ForkedRunner>> {
        if extra.len() + 2 > MAX_REQUEST_FDS {
            return None;
        }
        let mut fds = vec![socket, stderr];
        fds.extend_from_slice(extra);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut restarted = false;
        loop {
            match &mut *state {
                State::Off(_) => return None,
                State::NotStarted => self.start_into(&mut state),
                State::Running(zygote) => match zygote.start_runner(plugin, network, &fds) {
                    Ok(Answer::Forked(runner)) => return Some(Ok(runner)),
                    // Limits and memory: exec'ing would fail just the same.
                    Ok(Answer::Refused(
                        errno @ (libc::EAGAIN | libc::ENOMEM | libc::EMFILE | libc::ENFILE),
                    )) => return Some(Err(std::io::Error::from_raw_os_error(errno))),
                    Ok(Answer::Refused(errno)) => {
                        let why = format!(
                            "the zygote cannot fork runners: {}",
                            std::io::Error::from_raw_os_error(errno)
                        );
                        tracing::warn!(program = %self.program.display(), "runners are exec'd: {why}");
                        *state = State::Off(why);
                        return None;
                    }
                    Err(Lost::NotSent(e)) if !restarted => {
                        tracing::warn!(program = %self.program.display(), "the zygote ended ({e}); restarting it");
                        restarted = true;
                        *state = State::NotStarted;
                    }
                    Err(Lost::NotSent(e)) => {
                        let why = format!("the zygote ended twice in a row: {e}");
                        tracing::warn!(program = %self.program.display(), "runners are exec'd: {why}");
                        *state = State::Off(why);
                        return None;
                    }
                    Err(Lost::Unanswered(e)) => {
                        // This start fails (its socket is dropped, so a runner
                        // forked for it ends at once); the next one gets a new zygote.
                        tracing::warn!(program = %self.program.display(), "the zygote did not answer ({e}); restarting it");
                        *state = State::NotStarted;
                        return Some(Err(std::io::Error::other(format!(
                            "the zygote did not answer a fork request: {e}"
                        ))));
                    }
                },
            }
        }
    }
}

impl Zygote {
    /// Starts `program` as a zygote and waits for its greeting.
    fn start(program: &std::path::Path) -> Result<Self, String> {
        let (control, zygote_end) = socketpair(
            AddressFamily::UNIX,
            SocketType::SEQPACKET,
            SocketFlags::CLOEXEC,
            None,
        )
        .map_err(|e| format!("socketpair: {e}"))?;
        let program = program.to_path_buf();
        let spawned = on_keeper_thread(move || {
            let mut command = Command::new(&program);
            command
                .arg0("airlock-zygote")
                .args([RUNNER_ARG, ZYGOTE_ARG])
                .arg(std::process::id().to_string())
                .env_clear()
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            let source = zygote_end.as_raw_fd();
            // SAFETY: only async-signal-safe calls (fcntl, dup2) run between
            // fork and exec.
            unsafe {
                command.pre_exec(move || {
                    // A copy above the target first, in case the source is the target.
                    let copy: RawFd = libc::fcntl(source, libc::F_DUPFD_CLOEXEC, ZYGOTE_FD + 1);
                    if copy < 0 || libc::dup2(copy, ZYGOTE_FD) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            let spawned = command.spawn();
            drop(zygote_end);
            spawned
        })
        .map_err(|e| format!("no thread to start it from: {e}"))?;
        let mut process = spawned.map_err(|e| format!("cannot start it: {e}"))?;
        let stderr = StderrTail::follow(
            process.stderr.take().expect("stderr is piped"),
            "zygote".to_string(),
        );
        let mut zygote = Self {
            control,
            process,
            _stderr: stderr,
            spare: None,
            spare_asked: false,
        };
        rustix::net::sockopt::set_socket_timeout(
            &zygote.control,
            rustix::net::sockopt::Timeout::Recv,
            Some(ZYGOTE_ANSWER),
        )
        .map_err(|e| format!("socket timeout: {e}"))?;
        let mut greeting = [0u8; 64];
        let received = retry_interrupted(|| {
            recvmsg(
                &zygote.control,
                &mut [IoSliceMut::new(&mut greeting)],
                &mut RecvAncillaryBuffer::default(),
                RecvFlags::empty(),
            )
        })
        .map_err(|e| format!("no greeting: {e}"))?;
        if &greeting[..received.bytes] != ZYGOTE_GREETING {
            return Err(
                "the program does not serve as a zygote (its main must call \
                 airlock::serve_runner_if_requested first)"
                    .into(),
            );
        }
        zygote.ask_for_spare();
        Ok(zygote)
    }

    /// A runner from the spare when `network` is not granted and there is
    /// one, otherwise from a fork request.
    fn start_runner(
        &mut self,
        plugin: &str,
        network: bool,
        fds: &[BorrowedFd<'_>],
    ) -> Result<Answer, Lost> {
        if !network && let Some(runner) = self.hand_to_spare(plugin, fds) {
            return Ok(Answer::Forked(runner));
        }
        match self.request(plugin, fds) {
            // The idle spare holds a process slot this start needs.
            Ok(Answer::Refused(libc::EAGAIN)) if self.spare.is_some() => {
                if let Some(spare) = self.spare.take() {
                    spare.end();
                }
                self.request(plugin, fds)
            }
            other => other,
        }
    }

    /// Sends one request and reads its answer; an error means the zygote
    /// is gone or broken, and says whether the request reached it.
    fn request(&mut self, plugin: &str, fds: &[BorrowedFd<'_>]) -> Result<Answer, Lost> {
        let name = request_name(plugin);
        zygote_wire::send(self.control.as_fd(), &[&[REQUEST_FORK], name], fds)
            .map_err(Lost::NotSent)?;
        let message = loop {
            let message = zygote_wire::receive(self.control.as_fd()).map_err(Lost::Unanswered)?;
            match message.kind {
                Kind::Spare => self.keep_spare(message),
                Kind::Runner => break message,
            }
        };
        let Message {
            pid,
            errno,
            mut fds,
            truncated,
            ..
        } = message;
        let pidfd = (!fds.is_empty()).then(|| fds.remove(0));
        match (pid, pidfd) {
            (pid, Some(pidfd)) if pid > 0 && errno == 0 => {
                Ok(Answer::Forked(ForkedRunner::new(pid as u32, pidfd)))
            }
            (0, None) if errno > 0 => Ok(Answer::Refused(errno)),
            // A runner was forked, but its pidfd did not fit in this
            // process's descriptors: it is this process's unreaped child,
            // so its pid is still its own; end it, and report the limit.
            (pid, None) if pid > 0 && errno == 0 && truncated => {
                reap_by_pid(pid);
                Ok(Answer::Refused(libc::EMFILE))
            }
            _ => Err(Lost::Unanswered(std::io::Error::other(format!(
                "a malformed answer (pid {pid}, errno {errno})"
            )))),
        }
    }

    /// Hands `fds` to the spare (read from the zygote first if it came)
    /// and asks for the next one; `None` when there is none yet or it is
    /// gone, and the zygote should fork instead.
    fn hand_to_spare(&mut self, plugin: &str, fds: &[BorrowedFd<'_>]) -> Option<ForkedRunner> {
        self.drop_dead_spare();
        // Not forked yet (a start soon after the last): the zygote forks
        // this one. Out of step, or gone: the fork request finds out which.
        if self.spare.is_none() && self.spare_asked && self.read_message(false) != Some(Kind::Spare)
        {
            return None;
        }
        let Some(spare) = self.spare.take() else {
            // The last one could not be forked (a limit): try again for the next start.
            self.ask_for_spare();
            return None;
        };
        let handed = zygote_wire::send(spare.link.as_fd(), &[request_name(plugin)], fds);
        self.ask_for_spare();
        match handed {
            Ok(()) => Some(spare.runner),
            Err(e) => {
                // It ended while it waited (killed from outside): reaped here.
                tracing::debug!(
                    pid = spare.runner.id(),
                    "a spare runner is gone ({e}); forking instead"
                );
                spare.end();
                None
            }
        }
    }

    /// Reads one message outside a fork request, waiting for it when
    /// `wait`: keeps the spare it announces, and ends a runner it reports
    /// (the late answer to a request given up on, whose start failed);
    /// its kind, or `None` when there was none or the zygote hung up.
    fn read_message(&mut self, wait: bool) -> Option<Kind> {
        let message = match wait {
            true => zygote_wire::receive(self.control.as_fd()).ok(),
            false => zygote_wire::receive_now(self.control.as_fd())
                .ok()
                .flatten(),
        }?;
        let kind = message.kind;
        match kind {
            Kind::Spare => self.keep_spare(message),
            Kind::Runner if message.pid > 0 => reap_by_pid(message.pid),
            Kind::Runner => {}
        }
        Some(kind)
    }

    /// Waits for the spare asked for (asking first if none was), up to the
    /// zygote's answer timeout; a zygote that is gone is found by the next start.
    fn wait_for_spare(&mut self) {
        self.drop_dead_spare();
        self.ask_for_spare();
        while self.spare.is_none()
            && self.spare_asked
            && self.read_message(true) == Some(Kind::Spare)
        {}
    }

    /// Asks the zygote to fork the next spare; its answer is read when a
    /// start needs it.
    fn ask_for_spare(&mut self) {
        if !self.spare_asked
            && self.spare.is_none()
            && zygote_wire::send(self.control.as_fd(), &[&[REQUEST_SPARE]], &[]).is_ok()
        {
            self.spare_asked = true;
        }
    }

    /// Forgets a spare that ended while it waited (killed from outside),
    /// reaping it, so that no zombie stays until the next start.
    fn drop_dead_spare(&mut self) {
        if let Some(spare) = &mut self.spare
            && matches!(spare.runner.try_wait(), Ok(Some(_)))
        {
            tracing::debug!(
                pid = spare.runner.id(),
                "a spare runner ended while it waited"
            );
            self.spare = None;
        }
    }

    /// Keeps the spare a message announces (or notes that none came).
    fn keep_spare(&mut self, message: Message) {
        self.spare_asked = false;
        let Message { pid, mut fds, .. } = message;
        if pid > 0 && fds.len() == 2 {
            let link = fds.pop().expect("two descriptors");
            let pidfd = fds.pop().expect("two descriptors");
            if let Some(old) = self.spare.replace(Spare {
                runner: ForkedRunner::new(pid as u32, pidfd),
                link,
            }) {
                old.end();
            }
        } else if pid > 0 {
            // Its descriptors did not fit in this process: no use for it.
            reap_by_pid(pid);
        }
    }
}

impl Spare {
    /// Hangs up on it (which ends it) and reaps it.
    fn end(self) {
        let Spare { mut runner, link } = self;
        drop(link);
        let _ = runner.kill();
        let _ = runner.wait();
    }
}

/// Ends and reaps a child of this process known only by its pid (its
/// pidfd did not fit): unreaped, the pid cannot have been reused.
fn reap_by_pid(pid: i32) {
    // SAFETY: plain kill and waitpid on a child of this process that
    // nothing else reaps.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        libc::waitpid(pid, std::ptr::null_mut(), 0);
    }
}

impl Drop for Zygote {
    fn drop(&mut self) {
        // It exits when its control socket hangs up (a spare asked for and
        // not yet forked is not forked then). It is given a moment to, so
        // that one it is forking now is announced; the kill is for one that
        // hangs or is stopped. What it sent is read, and the spares ended.
        let _ = rustix::net::shutdown(&self.control, rustix::net::Shutdown::Write);
        let until = std::time::Instant::now() + ZYGOTE_EXIT;
        while matches!(self.process.try_wait(), Ok(None)) && std::time::Instant::now() < until {
            std::thread::sleep(Duration::from_micros(200));
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
        while self.read_message(false).is_some() {}
        if let Some(spare) = self.spare.take() {
            spare.end();
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// Runs `job` on the one thread that starts zygotes, which lives as long as
/// this process (see the module's documentation for why).
fn on_keeper_thread<T: Send + 'static>(
    job: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<T> {
    static KEEPER: OnceLock<std::io::Result<mpsc::Sender<Job>>> = OnceLock::new();
    let keeper = KEEPER.get_or_init(|| {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("airlock-zygote-keeper".into())
            .spawn(move || {
                for job in queue {
                    job();
                }
            })?;
        Ok(jobs)
    });
    let jobs = keeper
        .as_ref()
        .map_err(|e| std::io::Error::new(e.kind(), e.to_string()))?;
    let (answer, answered) = mpsc::sync_channel(1);
    jobs.send(Box::new(move || {
        let _ = answer.send(job());
    }))
    .map_err(|_| std::io::Error::other("the keeper thread is gone"))?;
    answered
        .recv()
        .map_err(|_| std::io::Error::other("the keeper thread is gone"))
}
