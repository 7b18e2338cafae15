//! The host's side of the zygote (see `airlock_runner::zygote`): starting
//! it once per launcher, asking it for runners, restarting it when it died,
//! and the forked runner it hands back (a child of this process, held by
//! its pidfd).
//!
//! The zygote is started from one thread that lives as long as this
//! process: runners are forked with `CLONE_PARENT`, so their parent is the
//! thread that started the zygote, and their parent-death signal fires when
//! *that thread* ends.

use std::io::{IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use airlock_runner::RUNNER_ARG;
use airlock_runner::zygote::{
    MAX_REQUEST_FDS, MAX_REQUEST_NAME, REPLY_LEN, ZYGOTE_ARG, ZYGOTE_FD, ZYGOTE_GREETING,
};
use rustix::net::{
    AddressFamily, RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags, SocketFlags, SocketType, recvmsg, sendmsg, socketpair,
};
use rustix::process::{Signal, WaitId, WaitIdOptions, pidfd_send_signal, waitid};

use crate::runner_stderr::StderrTail;

/// How long a zygote may take to greet, and to answer one request.
const ZYGOTE_ANSWER: Duration = Duration::from_secs(5);

/// A runner forked by a zygote: this process's child, reached by its pidfd,
/// so that neither a signal nor a wait can hit a reused pid.
#[derive(Debug)]
pub(crate) struct ForkedRunner {
    pid: u32,
    pidfd: OwnedFd,
    status: Option<ExitStatus>,
}

impl ForkedRunner {
    pub(crate) fn id(&self) -> u32 {
        self.pid
    }

    pub(crate) fn try_wait(&mut self) -> std::io::Result<Option<ExitStatus>> {
        self.wait_with(WaitIdOptions::EXITED | WaitIdOptions::NOHANG)
    }

    pub(crate) fn wait(&mut self) -> std::io::Result<ExitStatus> {
        Ok(self
            .wait_with(WaitIdOptions::EXITED)?
            .expect("a blocking wait returns a status"))
    }

    pub(crate) fn kill(&mut self) -> std::io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        match pidfd_send_signal(&self.pidfd, Signal::KILL) {
            // Exited already, not yet reaped.
            Err(rustix::io::Errno::SRCH) | Ok(()) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn wait_with(&mut self, options: WaitIdOptions) -> std::io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        let status = loop {
            match waitid(WaitId::PidFd(self.pidfd.as_fd()), options) {
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
                Ok(None) => return Ok(None),
                Ok(Some(status)) => break status,
            }
        };
        // The wait status an exec'd child would have had.
        let raw = if let Some(code) = status.exit_status() {
            (code & 0xff) << 8
        } else if let Some(signal) = status.terminating_signal() {
            signal | if status.dumped() { 0x80 } else { 0 }
        } else {
            // Neither exited nor killed: only stops, not asked for.
            return Ok(None);
        };
        let status = ExitStatus::from_raw(raw);
        self.status = Some(status);
        Ok(Some(status))
    }
}

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

    /// Forks a runner for `plugin` with `socket` on its descriptor 3,
    /// `stderr` on 2 and `extra` from 4 on; `None` when runners must be
    /// exec'd instead (the reason is logged once).
    pub(crate) fn spawn(
        &self,
        plugin: &str,
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
                State::NotStarted => match Zygote::start(&self.program) {
                    Ok(zygote) => *state = State::Running(zygote),
                    Err(why) => {
                        tracing::warn!(program = %self.program.display(), "no zygote, runners are exec'd: {why}");
                        *state = State::Off(why);
                        return None;
                    }
                },
                State::Running(zygote) => match zygote.request(plugin, &fds) {
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
        let zygote = Self {
            control,
            process,
            _stderr: stderr,
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
        Ok(zygote)
    }

    /// Sends one request and reads its answer; an error means the zygote
    /// is gone or broken, and says whether the request reached it.
    fn request(&mut self, plugin: &str, fds: &[BorrowedFd<'_>]) -> Result<Answer, Lost> {
        let mut name = &plugin.as_bytes()[..plugin.len().min(MAX_REQUEST_NAME)];
        if name.is_empty() {
            name = b"plugin";
        }
        let mut space = vec![MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(fds.len()))];
        retry_interrupted(|| {
            let mut ancillary = SendAncillaryBuffer::new(&mut space);
            ancillary.push(SendAncillaryMessage::ScmRights(fds));
            sendmsg(
                &self.control,
                &[IoSlice::new(name)],
                &mut ancillary,
                SendFlags::NOSIGNAL,
            )
        })
        .map_err(|e| Lost::NotSent(e.into()))?;
        let mut reply = [0u8; REPLY_LEN];
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
        let mut ancillary = RecvAncillaryBuffer::new(&mut space);
        // The receive has a timeout (SO_RCVTIMEO), so a signal handler's
        // SA_RESTART does not restart it: an interrupted wait is retried here.
        let received = retry_interrupted(|| {
            recvmsg(
                &self.control,
                &mut [IoSliceMut::new(&mut reply)],
                &mut ancillary,
                RecvFlags::CMSG_CLOEXEC,
            )
        })
        .map_err(|e| Lost::Unanswered(e.into()))?;
        let truncated = received.flags.contains(rustix::net::ReturnFlags::CTRUNC);
        let mut pidfd = None;
        for message in ancillary.drain() {
            if let RecvAncillaryMessage::ScmRights(mut rights) = message {
                pidfd = pidfd.or(rights.next());
            }
        }
        if received.bytes != REPLY_LEN {
            return Err(Lost::Unanswered(std::io::Error::other(
                if received.bytes == 0 {
                    "it hung up".to_string()
                } else {
                    format!("a {}-byte answer", received.bytes)
                },
            )));
        }
        let pid = i32::from_le_bytes(reply[..4].try_into().expect("4 bytes"));
        let errno = i32::from_le_bytes(reply[4..].try_into().expect("4 bytes"));
        match (pid, pidfd) {
            (pid, Some(pidfd)) if pid > 0 && errno == 0 => Ok(Answer::Forked(ForkedRunner {
                pid: pid as u32,
                pidfd,
                status: None,
            })),
            (0, None) if errno > 0 => Ok(Answer::Refused(errno)),
            // A runner was forked, but its pidfd did not fit in this
            // process's descriptors: it is this process's unreaped child,
            // so its pid is still its own; end it, and report the limit.
            (pid, None) if pid > 0 && errno == 0 && truncated => {
                // SAFETY: plain kill and waitpid on a child of this process
                // that nothing else reaps.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, std::ptr::null_mut(), 0);
                }
                Ok(Answer::Refused(libc::EMFILE))
            }
            _ => Err(Lost::Unanswered(std::io::Error::other(format!(
                "a malformed answer (pid {pid}, errno {errno})"
            )))),
        }
    }
}

/// Runs `call` again while a signal interrupts it.
fn retry_interrupted<T>(mut call: impl FnMut() -> rustix::io::Result<T>) -> rustix::io::Result<T> {
    loop {
        match call() {
            Err(rustix::io::Errno::INTR) => continue,
            other => return other,
        }
    }
}

impl Drop for Zygote {
    fn drop(&mut self) {
        // It exits when its control socket hangs up; the kill is for one that hangs.
        let _ = rustix::net::shutdown(&self.control, rustix::net::Shutdown::Both);
        let _ = self.process.kill();
        let _ = self.process.wait();
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
