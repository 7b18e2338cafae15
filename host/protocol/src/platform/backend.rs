//! Which backend starts and reaches a runner: the platform layer's one
//! switch, picked by the host and told to the runner in the
//! [`crate::Hello`].

use serde::{Deserialize, Serialize};

use super::Wake;

/// How runners are started and reached. The lock-down a runner applies is
/// its system's own whichever backend started it (Landlock and seccomp on
/// Linux, Seatbelt on macOS, a Job object and a restricted token on
/// Windows); the backend decides the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Backend {
    /// Linux: runners forked by a zygote (or exec'd), each in new user,
    /// mount, IPC, UTS and network namespaces; rings woken by futex.
    Linux,
    /// Any POSIX system (macOS's): each runner an exec with exactly its
    /// descriptors, no namespaces, rings woken over the control socket.
    /// Selectable on Linux, so that what macOS shares with Linux is tested
    /// there.
    Posix,
    /// Windows: each runner a process reached by a named pipe; no rings
    /// yet, so calls stay on the pipe.
    Windows,
}

impl Backend {
    /// This system's own.
    pub const NATIVE: Backend = if cfg!(target_os = "linux") {
        Backend::Linux
    } else if cfg!(windows) {
        Backend::Windows
    } else {
        Backend::Posix
    };

    /// Whether this system can use this backend.
    pub fn available(self) -> bool {
        match self {
            Backend::Linux => cfg!(target_os = "linux"),
            Backend::Posix => cfg!(unix),
            Backend::Windows => cfg!(windows),
        }
    }

    /// The backend's name, as `AIRLOCK_BACKEND` and the docs spell it.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Linux => "linux",
            Backend::Posix => "posix",
            Backend::Windows => "windows",
        }
    }

    /// The backend named `name`, if there is one by that name.
    pub fn from_name(name: &str) -> Option<Backend> {
        [Backend::Linux, Backend::Posix, Backend::Windows]
            .into_iter()
            .find(|b| b.name() == name)
    }

    /// The rings' wake-ups this backend uses unless told otherwise.
    pub fn wake(self) -> Wake {
        match self {
            Backend::Linux => Wake::NATIVE,
            Backend::Posix | Backend::Windows => Wake::Socket,
        }
    }

    /// Whether runners enter namespaces of their own (and may be forked by
    /// a zygote that holds a shared network namespace).
    pub fn namespaces(self) -> bool {
        self == Backend::Linux
    }
}
