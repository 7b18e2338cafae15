//! The OS lock-down of a runner process (Linux), in three steps that follow
//! the runner's life:
//!
//! 1. [`enter_namespaces`], right after the handshake while the process still
//!    has a single thread (user namespaces demand it): new user, mount, IPC,
//!    UTS and — unless the policy grants network addresses — network
//!    namespaces.
//! 2. [`restrict_paths`], after the preopened directories are open and before
//!    compiling (still single-threaded, so every later thread inherits it):
//!    Landlock, allowing only the preopens.
//! 3. [`lock_down`], after the component is compiled and instantiated and every
//!    helper thread has started, before any call into untrusted code: rlimits,
//!    capabilities dropped, `no_new_privs`, not dumpable, parent-death signal,
//!    and last the seccomp-bpf allow-list on every thread (TSYNC), which kills
//!    the process on any other system call and forbids new executable mappings.
//!
//! The debugging policy (`RunnerPolicy::debugger`) relaxes step 3 only: the
//! runner stays dumpable, so that a debugger of the same user may attach, and
//! seccomp also allows `restart_syscall`, which a thread stopped by the
//! debugger in a timed sleep makes when it resumes (docs/debugging.md).
//!
//! Each layer that cannot be switched on is reported in
//! [`SandboxLayers::notes`]; the host decides whether that is acceptable.

use std::collections::BTreeMap;
use std::os::fd::{AsFd, BorrowedFd};

use airlock_protocol::{RunnerPolicy, SandboxLayers};

/// Step 1: new namespaces. `network` keeps the host's network namespace
/// (the policy grants addresses).
pub fn enter_namespaces(layers: &mut SandboxLayers, network: bool) {
    #[cfg(target_os = "linux")]
    {
        use rustix::thread::{UnshareFlags, unshare_unsafe};
        let uid = rustix::process::getuid().as_raw();
        let gid = rustix::process::getgid().as_raw();
        // A runner forked from a zygote joins the network namespace its
        // zygote made (see `netns`), unless the policy grants addresses.
        let mut network_joined = false;
        if let Some((user, net)) = crate::netns::take()
            && !network
        {
            match crate::netns::join(&user, &net) {
                Ok(()) => {
                    network_joined = true;
                    layers.network_namespace = true;
                    layers.notes.push(
                        "network namespace: the empty one this zygote's runners share (no interface up, no capability in it)"
                            .into(),
                    );
                }
                Err(e) => layers
                    .notes
                    .push(format!("network namespace: cannot join the zygote's: {e}")),
            }
        }
        // SAFETY: the runner is single-threaded here (nothing has spawned a
        // thread before the handshake), and no file-descriptor table or fs
        // state is shared with another process.
        match unsafe { unshare_unsafe(UnshareFlags::NEWUSER) } {
            Ok(()) => {
                // Map our own ids so files created in read-write preopens have
                // a valid owner; everything else stays unmapped.
                let mapped = std::fs::write("/proc/self/setgroups", "deny")
                    .and_then(|()| std::fs::write("/proc/self/uid_map", format!("{uid} {uid} 1")))
                    .and_then(|()| std::fs::write("/proc/self/gid_map", format!("{gid} {gid} 1")));
                match mapped {
                    Ok(()) => layers.user_namespace = true,
                    Err(e) => layers
                        .notes
                        .push(format!("user namespace: entered but ids not mapped: {e}")),
                }
            }
            Err(e) => layers.notes.push(format!("user namespace: {e}")),
        }
        if network {
            layers
                .notes
                .push("network namespace: not entered, the policy grants network addresses".into());
        }
        let each = [
            (
                UnshareFlags::NEWNS,
                "mount",
                &mut layers.mount_namespace,
                true,
            ),
            (UnshareFlags::NEWIPC, "ipc", &mut layers.ipc_namespace, true),
            (UnshareFlags::NEWUTS, "uts", &mut layers.uts_namespace, true),
            (
                UnshareFlags::NEWNET,
                "network",
                &mut layers.network_namespace,
                !network && !network_joined,
            ),
        ];
        for (flag, name, active, wanted) in each {
            if !wanted {
                continue;
            }
            // SAFETY: as above, single-threaded.
            match unsafe { unshare_unsafe(flag) } {
                Ok(()) => *active = true,
                Err(e) => layers.notes.push(format!("{name} namespace: {e}")),
            }
        }
        layers.notes.push(
            "pid namespace: not entered (it would only apply to children, and seccomp forbids creating processes)"
                .into(),
        );
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = network;
        layers.notes.push("namespaces: Linux only".into());
    }
}

/// Step 2: Landlock, allowing file access only beneath the preopened
/// directories (read-only or read-write), and no TCP bind or connect beyond
/// the granted ports.
pub fn restrict_paths(
    layers: &mut SandboxLayers,
    preopens: &[(BorrowedFd<'_>, bool)],
    policy: &RunnerPolicy,
) {
    #[cfg(target_os = "linux")]
    {
        use landlock::{
            ABI, Access, AccessFs, AccessNet, NetPort, PathBeneath, Ruleset, RulesetAttr,
            RulesetCreatedAttr, RulesetStatus, Scope,
        };
        let abi = ABI::V6;
        let result = (|| -> Result<_, landlock::RulesetError> {
            let mut ruleset = Ruleset::default()
                .handle_access(AccessFs::from_all(abi))?
                .handle_access(AccessNet::from_all(abi))?
                .scope(Scope::from_all(abi))?
                .create()?;
            for (fd, writable) in preopens {
                let access = if *writable {
                    AccessFs::from_all(abi)
                } else {
                    AccessFs::from_read(abi)
                };
                ruleset = ruleset.add_rule(PathBeneath::new(fd.as_fd(), access))?;
            }
            for addr in &policy.network {
                ruleset = ruleset.add_rule(NetPort::new(addr.port(), AccessNet::ConnectTcp))?;
            }
            ruleset.restrict_self()
        })();
        match result {
            Ok(status) => match status.ruleset {
                RulesetStatus::FullyEnforced | RulesetStatus::PartiallyEnforced => {
                    layers.landlock_abi = match status.landlock {
                        landlock::LandlockStatus::Available { effective_abi, .. } => {
                            effective_abi as u8
                        }
                        _ => 1,
                    };
                    if status.ruleset == RulesetStatus::PartiallyEnforced {
                        layers.notes.push(format!(
                            "landlock: partially enforced (kernel ABI {})",
                            layers.landlock_abi
                        ));
                    }
                }
                RulesetStatus::NotEnforced => layers
                    .notes
                    .push("landlock: not supported by this kernel".into()),
            },
            Err(e) => layers.notes.push(format!("landlock: {e}")),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (preopens, policy);
        layers.notes.push("landlock: Linux only".into());
    }
}

/// Step 3: everything else, ending with seccomp. Call with every helper
/// thread started; after this, only the allow-listed system calls work.
pub fn lock_down(layers: &mut SandboxLayers, policy: &RunnerPolicy) {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Resource, Rlimit, Signal, setrlimit};
        match rustix::process::set_parent_process_death_signal(Some(Signal::KILL)) {
            Ok(()) => layers.parent_death_signal = true,
            Err(e) => layers.notes.push(format!("parent-death signal: {e}")),
        }
        let limit = |n: u64| Rlimit {
            current: Some(n),
            maximum: Some(n),
        };
        let rlimits = [
            (Resource::Core, 0, "RLIMIT_CORE"),
            (Resource::Nofile, 256, "RLIMIT_NOFILE"),
            (Resource::Fsize, 1 << 30, "RLIMIT_FSIZE"),
        ];
        layers.rlimits = true;
        for (resource, value, name) in rlimits {
            if let Err(e) = setrlimit(resource, limit(value)) {
                layers.rlimits = false;
                layers.notes.push(format!("{name}: {e}"));
            }
        }
        layers.notes.push(
            "RLIMIT_NPROC: not set (it counts every process of the user, host included); seccomp forbids creating processes instead"
                .into(),
        );
        match drop_capabilities() {
            Ok(()) => layers.capabilities_dropped = true,
            Err(e) => layers.notes.push(format!("capabilities: {e}")),
        }
        match rustix::thread::set_no_new_privs(true) {
            Ok(()) => layers.no_new_privs = true,
            Err(e) => layers.notes.push(format!("no_new_privs: {e}")),
        }
        if policy.debugger {
            // The debugging policy's one relaxation of the lock-down: the
            // kernel lets a process of the same user ptrace-attach only to
            // a dumpable one (and the runner's /proc files stay readable).
            layers.notes.push(
                "not dumpable: not set, the debugging policy keeps the runner attachable by a debugger"
                    .into(),
            );
        } else {
            match rustix::process::set_dumpable_behavior(
                rustix::process::DumpableBehavior::NotDumpable,
            ) {
                Ok(()) => layers.not_dumpable = true,
                Err(e) => layers.notes.push(format!("not dumpable: {e}")),
            }
        }
        match seccomp::install(policy) {
            Ok(()) => layers.seccomp = true,
            Err(e) => layers.notes.push(format!("seccomp: {e}")),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = policy;
        layers.notes.push("OS lock-down: Linux only".into());
    }
    layers
        .notes
        .push("cgroup v2: not used (the memory cap is enforced inside wasmtime)".into());
}

/// Empties the bounding, effective, permitted and inheritable capability sets.
#[cfg(target_os = "linux")]
fn drop_capabilities() -> std::io::Result<()> {
    use rustix::thread::{CapabilitySet, CapabilitySets};
    // The bounding set first: dropping from it needs CAP_SETPCAP, which the
    // next step removes. Capabilities this kernel does not know fail with EINVAL.
    for bit in 0..64u32 {
        let cap = CapabilitySet::from_bits_retain(1 << bit);
        let _ = rustix::thread::remove_capability_from_bounding_set(cap);
    }
    rustix::thread::set_capabilities(
        None,
        CapabilitySets {
            effective: CapabilitySet::empty(),
            permitted: CapabilitySet::empty(),
            inheritable: CapabilitySet::empty(),
        },
    )?;
    Ok(())
}

#[cfg(target_os = "linux")]
mod seccomp {
    //! The allow-list. Everything a runner needs after setup — the frame loop,
    //! wasmtime's memory management and trap handling, WASI's tokio threads —
    //! and, only when the policy grants them, file and socket calls.

    use super::*;
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
}
