//! Compiling a component in a child process of the runner, under a memory
//! limit and a deadline of its own.
//!
//! Cranelift allocates its working memory from the native heap, which
//! wasmtime's `ResourceLimiter` never sees: a component with a few hundred
//! thousand functions took a runner past 3 GB with a 512 MiB memory cap. So
//! the runner forks before compiling (it has one thread then), and the child
//! compiles under `RLIMIT_DATA` = what the runner already used + the policy's
//! memory cap. `RLIMIT_DATA` counts private writable mappings — heap, thread
//! stacks, code being emitted — and not wasmtime's reserved-but-inaccessible
//! address space, so, unlike `RLIMIT_AS`, it needs no change to wasmtime's
//! memory reservation settings. An allocation past it fails, which aborts the
//! compiling child (Rust aborts on a failed allocation); the runner itself
//! stays well and reports [`InitFailure::OutOfMemory`]. Past the compile
//! deadline the runner kills the child and reports [`InitFailure::Compile`].
//!
//! The child hands back the serialized component
//! (`Engine::precompile_component`), which the runner loads with
//! `Component::deserialize`: the bytes are the output of this process's own
//! compiler, made before any plugin code ran.

use std::io::Read;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Instant;

use airlock_protocol::InitFailure;
use wasmtime::Engine;

use super::CompileLimits;

/// How the child's answer starts: a compiled artifact follows.
const COMPILED: u8 = 0;
/// How the child's answer starts: a compile error's text follows.
const FAILED: u8 = 1;

/// Data the runner holds before compiling, in bytes (`VmData`), or `None`
/// where `/proc` cannot tell. Read it before Landlock closes `/proc`.
pub(super) fn data_in_use() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmData:"))?;
    let kib: u64 = line
        .trim_start_matches("VmData:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Compiles `bytes` with `engine` in a child process under `limits` and
/// returns the serialized component. Call only while the process has a
/// single thread: the child must not inherit a lock some other thread held.
pub(super) fn precompile_isolated(
    engine: &Engine,
    bytes: &[u8],
    limits: CompileLimits,
) -> Result<Vec<u8>, InitFailure> {
    let io = |what: &str, e: std::io::Error| {
        InitFailure::Compile(format!("cannot isolate the compile ({what}): {e}"))
    };
    let (read_end, write_end) = airlock_protocol::cloexec_pipe().map_err(|e| io("pipe", e))?;
    let started = Instant::now();
    let runner_pid = std::process::id() as libc::pid_t;
    // SAFETY: the caller guarantees a single thread, so the child starts
    // with no lock held by a thread that does not exist there.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io("fork", std::io::Error::last_os_error()));
    }
    if pid == 0 {
        drop(read_end);
        compile_in_child(engine, bytes, (limits, runner_pid), write_end);
    }
    drop(write_end);
    let answer = read_until(read_end, started + limits.deadline);
    let timed_out = answer.is_none();
    if timed_out {
        // SAFETY: `pid` is our own child, not yet reaped.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    let mut status = 0;
    // SAFETY: all-zero is a valid `rusage`.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: as above; reaps the child so it leaves no zombie.
    unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    // The child's peak resident memory (ru_maxrss is in KiB).
    let peak_mib = usage.ru_maxrss.max(0) as u64 / 1024;
    if timed_out {
        return Err(InitFailure::Compile(format!(
            "compiling took longer than the compile deadline of {:?}; the compiling process was killed (at {peak_mib} MiB)",
            limits.deadline
        )));
    }
    let answer = answer.unwrap_or_default();
    match answer.split_first() {
        Some((&COMPILED, artifact))
            if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 =>
        {
            Ok(artifact.to_vec())
        }
        Some((&FAILED, message)) => {
            let message = String::from_utf8_lossy(message).into_owned();
            Err(if out_of_memory(&message) {
                InitFailure::OutOfMemory {
                    limit_bytes: limits.memory_bytes,
                    detail: format!("compiling needs more than the memory cap: {message}"),
                }
            } else {
                InitFailure::Compile(message)
            })
        }
        _ if libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGABRT => {
            Err(InitFailure::OutOfMemory {
                limit_bytes: limits.memory_bytes,
                detail: format!(
                    "compiling needs more than the memory cap of {} bytes: an allocation past it aborted the compiler after {:?}, at {peak_mib} MiB",
                    limits.memory_bytes,
                    started.elapsed()
                ),
            })
        }
        _ => Err(InitFailure::Compile(format!(
            "the compiling process ended without an answer ({})",
            describe_status(status)
        ))),
    }
}

/// The child's side: limit, compile, answer, exit. Never returns.
fn compile_in_child(
    engine: &Engine,
    bytes: &[u8],
    (limits, runner_pid): (CompileLimits, libc::pid_t),
    out: OwnedFd,
) -> ! {
    // The compiler must not outlive the runner, even one killed before the
    // prctl took effect (then the child's parent is no longer the runner).
    // SAFETY: plain prctl, getppid and setrlimit calls on this process.
    unsafe {
        super::die_with_parent();
        if libc::getppid() != runner_pid {
            libc::_exit(71);
        }
        let cap = limits.baseline_bytes.saturating_add(limits.memory_bytes);
        let limit = libc::rlimit {
            rlim_cur: cap,
            rlim_max: cap,
        };
        if libc::setrlimit(libc::RLIMIT_DATA, &limit) != 0 {
            libc::_exit(70);
        }
    }
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        engine.precompile_component(bytes)
    }));
    let (tag, body) = match result {
        Ok(Ok(artifact)) => (COMPILED, artifact),
        Ok(Err(e)) => (FAILED, format!("{e:?}").into_bytes()),
        Err(_) => (FAILED, b"the compiler panicked".to_vec()),
    };
    let mut file = std::fs::File::from(out);
    let written = std::io::Write::write_all(&mut file, &[tag])
        .and_then(|()| std::io::Write::write_all(&mut file, &body));
    // SAFETY: ends the child without running the parent's exit handlers.
    unsafe { libc::_exit(if written.is_ok() { 0 } else { 71 }) }
}

/// Everything the child writes, or `None` when `deadline` passes first.
fn read_until(fd: OwnedFd, deadline: Instant) -> Option<Vec<u8>> {
    let mut file = std::fs::File::from(fd);
    let mut answer = Vec::new();
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        let mut pfd = libc::pollfd {
            fd: file.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let millis = left.as_millis().clamp(1, i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd.
        let ready = unsafe { libc::poll(&mut pfd, 1, millis) };
        if ready == 0 {
            continue;
        }
        if ready < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Some(answer);
        }
        match file.read(&mut chunk) {
            Ok(0) => return Some(answer),
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Some(answer),
        }
    }
}

/// Whether a compile error is the allocator or `mmap` refusing memory.
fn out_of_memory(message: &str) -> bool {
    message.contains("os error 12") || message.contains("Cannot allocate memory")
}

fn describe_status(status: i32) -> String {
    if libc::WIFSIGNALED(status) {
        format!("killed by signal {}", libc::WTERMSIG(status))
    } else {
        format!("exit status {}", libc::WEXITSTATUS(status))
    }
}
