//! What every POSIX system gives the host: a runner exec'd with exactly
//! its socket on descriptor 3 and what it inherits from descriptor 4 on,
//! the shared rings, exit signals, private files and folders, preopens as
//! descriptors, and files opened beneath a granted folder.

use std::fs::{DirBuilder, File, Metadata, OpenOptions};
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;

use airlock_protocol::ring::{self, Direction, SharedRings};
use airlock_protocol::{PREOPEN_FD_BASE, SandboxLayers, Stream, Wake};
use airlock_runner::{RUNNER_ARG, RUNNER_FD};

use super::{Inherit, OwnedDir, StderrSource};
use crate::granted_file::GrantedFileError;

pub(crate) use super::sealed::{FileIdentity, SealedArtifact};
pub(crate) use airlock_protocol::ring::{RingReader, RingWriter};

/// An exec'd runner: this process's child.
pub(crate) type ExecRunner = Child;

/// Rings offered to a runner: the mapping, and the memfd it inherits.
pub(crate) type RingOffer = (Arc<SharedRings>, OwnedFd);

/// The send buffer asked for on both ends of a runner's socket.
const SOCKET_BUFFER: usize = 4 << 20;

/// A socket pair for a runner: room for a whole bulk payload in the
/// socket, so that a 1 MiB list crosses in one write and one read instead
/// of a dozen alternating ones (the kernel caps it at net.core.wmem_max);
/// and a runner that closes its end must not SIGPIPE this process.
pub(super) fn runner_socket_pair() -> io::Result<(UnixStream, UnixStream)> {
    let (host_end, runner_end) = UnixStream::pair()?;
    for end in [&host_end, &runner_end] {
        let _ = rustix::net::sockopt::set_socket_send_buffer_size(end, SOCKET_BUFFER);
        airlock_protocol::quiet_socket(end.as_fd())?;
    }
    Ok((host_end, runner_end))
}

pub(super) fn exec_runner(
    program: &Path,
    plugin: &str,
    _memory: u64,
    inherit: &[Inherit<'_>],
) -> io::Result<(ExecRunner, Stream, StderrSource)> {
    let (host_end, runner_end) = runner_socket_pair()?;
    let mut command = Command::new(program);
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
    for (i, fd) in inherit.iter().enumerate() {
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
    let stderr = child.stderr.take().expect("stderr is piped");
    Ok((child, host_end, Box::new(stderr)))
}

pub(super) fn confirm_exec_layers(_runner: &ExecRunner, _layers: &mut SandboxLayers) {}

pub(super) fn hang_up(stream: &Stream) {
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

pub(super) fn exit_signal(status: &ExitStatus) -> Option<i32> {
    status.signal()
}

pub(super) const SECCOMP_SIGNAL: Option<i32> = Some(libc::SIGSYS);

/// A child's pid: it cannot be reused before the child is reaped.
#[derive(Debug)]
pub(crate) struct Killer(pub(super) u32);

impl Killer {
    pub(crate) fn kill(&self) {
        if let Some(pid) = rustix::process::Pid::from_raw(self.0 as i32) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
        }
    }
}

pub(super) fn exec_killer(runner: &ExecRunner) -> Option<Killer> {
    Some(Killer(runner.id()))
}

pub(super) fn offer_rings(wake: Wake) -> io::Result<RingOffer> {
    let (rings, fd) = SharedRings::create(wake)?;
    Ok((Arc::new(rings), fd))
}

pub(super) fn ring_inherit(offer: &RingOffer) -> Inherit<'_> {
    offer.1.as_fd()
}

pub(super) fn take_rings(
    offer: &RingOffer,
    stream: &Stream,
) -> io::Result<(RingReader, RingWriter)> {
    let input = ring::reader(
        offer.0.clone(),
        Direction::FromRunner,
        stream.as_fd().try_clone_to_owned()?,
    );
    let output = ring::writer(
        offer.0.clone(),
        Direction::ToRunner,
        stream.as_fd().try_clone_to_owned()?,
    );
    Ok((input, output))
}

pub(super) fn artifact_inherit(artifact: &SealedArtifact) -> Inherit<'_> {
    artifact.fd()
}

pub(super) fn open_dir(path: &Path) -> io::Result<OwnedDir> {
    use rustix::fs::{Mode, OFlags};
    Ok(rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?)
}

pub(super) fn dir_inherit(dir: &OwnedDir) -> Inherit<'_> {
    dir.as_fd()
}

pub(super) fn open_without_blocking(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

pub(super) fn private_file(options: &mut OpenOptions) -> &mut OpenOptions {
    options.mode(0o600)
}

pub(super) fn private_dir(builder: &mut DirBuilder) -> &mut DirBuilder {
    builder.mode(0o700)
}

pub(super) fn check_private(meta: &Metadata, path: &Path) -> Result<(), String> {
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(format!(
            "the key file is open to other users (mode {:o}); run `chmod 600 {}`",
            mode & 0o777,
            path.display()
        ));
    }
    Ok(())
}

/// Checks the layers a runner reported against `/proc/<pid>/status`
/// (Seccomp, NoNewPrivs, CapEff), clearing any the kernel does not confirm.
/// Where there is no `/proc` (not Linux), the report stands as sent.
pub(super) fn verify_layers(pid: u32, layers: &mut SandboxLayers) {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return;
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .map(str::trim)
    };
    let checks = [
        (&mut layers.seccomp, "Seccomp", "2"),
        (&mut layers.no_new_privs, "NoNewPrivs", "1"),
        (
            &mut layers.capabilities_dropped,
            "CapEff",
            "0000000000000000",
        ),
    ];
    for (claimed, name, expected) in checks {
        let seen = field(name);
        if *claimed && seen != Some(expected) {
            *claimed = false;
            layers.notes.push(format!(
                "the runner claimed {name} {expected}, /proc/{pid}/status says {seen:?}"
            ));
        }
    }
}

pub(super) fn private_keys_checked() -> Result<(), String> {
    Ok(())
}

pub(super) fn open_granted_file(folder: &Path, name: &Path) -> Result<File, GrantedFileError> {
    super::granted_unix::open(folder, name, true)
}

pub(super) fn spawn_limit_hint(errno: i32) -> Option<String> {
    use rustix::process::{Resource, getrlimit};
    let limit = |resource| {
        let limit = getrlimit(resource);
        let show = |v: Option<u64>| v.map_or("unlimited".to_string(), |v| v.to_string());
        format!("soft {}, hard {}", show(limit.current), show(limit.maximum))
    };
    let sysctl = |name: &str| {
        std::fs::read_to_string(format!("/proc/sys/kernel/{name}"))
            .map_or_else(|_| "?".into(), |v| v.trim().to_string())
    };
    Some(match errno {
        libc::EAGAIN => format!(
            "the process limit is reached: RLIMIT_NPROC ({}) counts every process and thread \
             of this user, kernel.pid_max ({}) and kernel.threads-max ({}) those of the \
             system, and a cgroup's pids.max (a container's --pids-limit, systemd's \
             TasksMax) those of its group; each plugin is one runner process of a few \
             threads, so end idle plugins or raise the limit (`ulimit -u`, setrlimit, the \
             sysctl or the cgroup's pids.max)",
            limit(Resource::Nproc),
            sysctl("pid_max"),
            sysctl("threads-max"),
        ),
        libc::EMFILE => format!(
            "this process's descriptor limit is reached: RLIMIT_NOFILE ({}); the host holds \
             a few descriptors per live plugin (see docs/pools.md), so \
             raise the soft limit to the hard one (`ulimit -n`, or setrlimit at start-up)",
            limit(Resource::Nofile),
        ),
        libc::ENFILE => "the system's descriptor limit (fs.file-max) is reached; raise it \
                         with sysctl or end other processes' files"
            .to_string(),
        libc::ENOMEM => "the kernel refused the memory for a new process; end idle \
                         plugins or add memory"
            .to_string(),
        _ => return None,
    })
}
