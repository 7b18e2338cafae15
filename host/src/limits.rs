//! Spawn failures for a limit, explained: which limit was reached, its
//! value, and what to do about it.

use std::io::Error;

/// `error` from starting a runner, with the limit it hit named when it hit one.
pub(crate) fn explain_spawn_error(error: Error) -> Error {
    let Some(hint) = error.raw_os_error().and_then(hint) else {
        return error;
    };
    Error::new(error.kind(), format!("{error}; {hint}"))
}

fn hint(errno: i32) -> Option<String> {
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
