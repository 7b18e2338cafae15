//! The seccomp-bpf allow-list (Linux). Everything a runner needs after setup — the frame loop,
//! wasmtime's memory management and trap handling, WASI's tokio threads —
//! and, only when the policy grants them, file and socket calls.

use std::collections::BTreeMap;

use airlock_protocol::RunnerPolicy;
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen as Len, SeccompCmpOp as Op, SeccompCondition,
    SeccompFilter, SeccompRule, TargetArch, sock_filter,
};

const PROT_EXEC: u64 = libc::PROT_EXEC as u64;
const CLONE_THREAD: u64 = libc::CLONE_THREAD as u64;

fn rule(conditions: Vec<SeccompCondition>) -> Result<SeccompRule, seccompiler::BackendError> {
    SeccompRule::new(conditions)
}

fn arg(index: u8, op: Op, value: u64) -> Result<SeccompCondition, seccompiler::BackendError> {
    SeccompCondition::new(index, Len::Qword, op, value)
}

/// Installs one filter: `clone3` fails with `ENOSYS` (its flags sit
/// behind a pointer, so it cannot be filtered by them; libc then falls
/// back to `clone`, which is), then the allow-list, which kills the
/// process on any other call. One filter, not two stacked: each costs
/// the kernel a translation, a JIT and its per-syscall cache, 0.1 ms and
/// more on a virtual machine.
pub(super) fn install(policy: &RunnerPolicy) -> Result<(), String> {
    let arch = TargetArch::try_from(std::env::consts::ARCH).map_err(|e| e.to_string())?;
    let allow = allow_list(policy).map_err(|e| e.to_string())?;
    let allow = SeccompFilter::new(
        allow,
        SeccompAction::KillProcess,
        SeccompAction::Allow,
        arch,
    )
    .map_err(|e| e.to_string())?;
    let allow: BpfProgram = allow
        .try_into()
        .map_err(|e: seccompiler::BackendError| e.to_string())?;
    let program = with_clone3_refused(allow);
    seccompiler::apply_filter_all_threads(&program).map_err(|e| e.to_string())
}

/// `program` behind three instructions that answer `clone3` with
/// `ENOSYS`. They look at the call's number before the program checks
/// the architecture: whatever the architecture, they can only refuse a
/// call, never allow one. Jumps in `program` are relative, so it runs
/// unchanged after them.
fn with_clone3_refused(program: BpfProgram) -> BpfProgram {
    const LD_W_ABS: u16 = 0x20;
    const JMP_JEQ_K: u16 = 0x05 | 0x10;
    const RET_K: u16 = 0x06;
    let insn = |code, jt, jf, k| sock_filter { code, jt, jf, k };
    let mut out = vec![
        // A = seccomp_data.nr
        insn(LD_W_ABS, 0, 0, 0),
        insn(JMP_JEQ_K, 0, 1, libc::SYS_clone3 as u32),
        insn(RET_K, 0, 0, libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32),
    ];
    out.extend(program);
    out
}

fn allow_list(
    policy: &RunnerPolicy,
) -> Result<BTreeMap<i64, Vec<SeccompRule>>, seccompiler::BackendError> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    let always = [
        // The frame loop and captured output.
        libc::SYS_read,
        libc::SYS_write,
        libc::SYS_readv,
        libc::SYS_writev,
        libc::SYS_recvfrom,
        libc::SYS_sendto,
        libc::SYS_recvmsg,
        libc::SYS_sendmsg,
        libc::SYS_close,
        libc::SYS_poll,
        libc::SYS_ppoll,
        libc::SYS_fcntl,
        libc::SYS_fstat,
        // Memory: wasmtime's linear memories, tables, allocator.
        libc::SYS_munmap,
        libc::SYS_madvise,
        libc::SYS_brk,
        libc::SYS_mremap,
        // Signals: wasmtime turns guard-page faults into traps.
        libc::SYS_rt_sigreturn,
        libc::SYS_rt_sigprocmask,
        libc::SYS_sigaltstack,
        // Threads and time: the epoch ticker, tokio inside wasmtime-wasi.
        libc::SYS_futex,
        libc::SYS_sched_yield,
        libc::SYS_sched_getaffinity,
        libc::SYS_clock_nanosleep,
        libc::SYS_nanosleep,
        libc::SYS_clock_gettime,
        libc::SYS_gettimeofday,
        libc::SYS_set_robust_list,
        libc::SYS_rseq,
        libc::SYS_gettid,
        libc::SYS_getpid,
        libc::SYS_getppid,
        libc::SYS_epoll_wait,
        libc::SYS_epoll_pwait,
        libc::SYS_epoll_ctl,
        libc::SYS_clone3,
        libc::SYS_getrandom,
        libc::SYS_exit,
        libc::SYS_exit_group,
    ];
    for nr in always {
        rules.insert(nr, vec![]);
    }
    // No new executable mappings.
    rules.insert(
        libc::SYS_mmap,
        vec![rule(vec![arg(2, Op::MaskedEq(PROT_EXEC), 0)?])?],
    );
    rules.insert(
        libc::SYS_mprotect,
        vec![rule(vec![arg(2, Op::MaskedEq(PROT_EXEC), 0)?])?],
    );
    // Threads only, never processes.
    rules.insert(
        libc::SYS_clone,
        vec![rule(vec![arg(
            0,
            Op::MaskedEq(CLONE_THREAD),
            CLONE_THREAD,
        )?])?],
    );
    // Naming threads; nothing else of prctl.
    rules.insert(
        libc::SYS_prctl,
        vec![rule(vec![arg(0, Op::Eq, libc::PR_SET_NAME as u64)?])?],
    );
    // Signals to this process only (abort, tokio).
    let pid = std::process::id() as u64;
    rules.insert(libc::SYS_tgkill, vec![rule(vec![arg(0, Op::Eq, pid)?])?]);
    // Reading limits (thread stacks), never changing them.
    rules.insert(
        libc::SYS_prlimit64,
        vec![rule(vec![arg(0, Op::Eq, 0)?, arg(2, Op::Eq, 0)?])?],
    );
    rules.insert(libc::SYS_getrlimit, vec![]);
    if policy.debugger {
        // A debugger stops every thread when it attaches or hits a
        // breakpoint; a thread stopped in a timed sleep or wait (the
        // epoch ticker's clock_nanosleep) resumes it through
        // restart_syscall, which seccomp sees as a call of its own.
        rules.insert(libc::SYS_restart_syscall, vec![]);
    }

    if !policy.preopens.is_empty() {
        // Landlock confines these to the preopened directories. Each is
        // what wasmtime-wasi 48 (through cap-std) issues for a
        // `wasi:filesystem` call, as seen with `strace -f` on a runner
        // running the file-work guest (`host/testkit/tests/all/files.rs`
        // has one test per call); nothing else is allowed.
        for nr in [
            // open-at (cap-std resolves guest paths with RESOLVE_BENEATH),
            // and read-directory, which reopens the directory itself.
            libc::SYS_openat2,
            libc::SYS_openat,
            // stat, stat-at, metadata-hash, is-same-object.
            libc::SYS_statx,
            // read-directory.
            libc::SYS_getdents64,
            // read and read-via-stream.
            libc::SYS_pread64,
            // write and write-via-stream.
            libc::SYS_pwrite64,
            // append-via-stream: pwritev2 with RWF_APPEND.
            libc::SYS_pwritev2,
            // sync, and sync-data.
            libc::SYS_fsync,
            libc::SYS_fdatasync,
            // set-size.
            libc::SYS_ftruncate,
            // set-times and set-times-at.
            libc::SYS_utimensat,
            // rename-at.
            libc::SYS_renameat,
            // create-directory-at.
            libc::SYS_mkdirat,
            // unlink-file-at and remove-directory-at.
            libc::SYS_unlinkat,
            // readlink-at, and cap-std's manual path resolution, which
            // reads links where openat2 cannot resolve a path alone.
            libc::SYS_readlinkat,
            // symlink-at and link-at (cap-std refuses links that point
            // outside the preopen before making them).
            libc::SYS_symlinkat,
            libc::SYS_linkat,
            // advise.
            libc::SYS_fadvise64,
            // cap-std's manual path resolution checks `.` and `..` access.
            libc::SYS_faccessat,
            libc::SYS_faccessat2,
            // set-times-at on a file it cannot open falls back to
            // /proc/self/fd, which cap-std first checks with fstatfs
            // (Landlock then refuses /proc: the call fails, the runner lives).
            libc::SYS_fstatfs,
        ] {
            rules.insert(nr, vec![]);
        }
    }
    if !policy.network.is_empty() {
        // wasmtime-wasi checks each address against the allow-list.
        let inet = |family: i32| -> Result<SeccompRule, seccompiler::BackendError> {
            rule(vec![arg(0, Op::Eq, family as u64)?])
        };
        rules.insert(
            libc::SYS_socket,
            vec![inet(libc::AF_INET)?, inet(libc::AF_INET6)?],
        );
        for nr in [
            libc::SYS_connect,
            libc::SYS_bind,
            libc::SYS_getsockname,
            libc::SYS_getpeername,
            libc::SYS_setsockopt,
            libc::SYS_getsockopt,
            libc::SYS_shutdown,
            libc::SYS_listen,
            libc::SYS_accept4,
        ] {
            rules.insert(nr, vec![]);
        }
        rules.insert(
            libc::SYS_ioctl,
            vec![rule(vec![arg(1, Op::Eq, libc::FIONBIO)?])?],
        );
    }
    Ok(rules)
}
