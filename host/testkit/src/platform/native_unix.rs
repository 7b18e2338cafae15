//! The native attacks of POSIX systems (Linux's system calls), made from
//! inside a locked-down runner
//! (the test runner's `after_lock_down` hook), for plugins named
//! `native:<attack>`.
//!
//! Each attack prints one line to stderr and exits: `refused: <errno>` when the
//! kernel said no, `ESCAPED: <what>` when the call worked. A seccomp kill
//! (SIGSYS) prints nothing. The host reads the outcome from the runner's exit.

/// Every native attack, by name.
pub const ATTACKS: &[&str] = &[
    "open-etc-passwd",
    "socket-inet",
    "socket-netlink",
    "connect-loopback",
    "fork",
    "clone3-process",
    "execve",
    "ptrace-parent",
    "process-vm-readv-parent",
    "kill-parent",
    "mmap-exec",
    "mprotect-exec",
    "unshare-user",
    "mount-tmpfs",
    "bpf",
    "io-uring-setup",
    "ioctl-tiocsti",
    "x32-syscall",
];

/// Attacks on the sealed artifact memfd a runner started from the cache
/// maps (shared with every other runner of the plugin); run by the battery
/// with a cached launcher. `reopen-artifact-rw` goes through
/// `/proc/self/fd`, the way the runner itself opened it.
pub const ARTIFACT_ATTACKS: &[&str] = &[
    "write-artifact",
    "map-artifact-shared-writable",
    "unseal-artifact",
    "reopen-artifact-rw",
];

/// The descriptor of the sealed artifact memfd this runner holds (through
/// wasmtime), or -1. The rings' memfd carries no write seal.
fn artifact_fd() -> libc::c_int {
    (0..1024)
        .find(|&fd| {
            // SAFETY: F_GET_SEALS only reads the descriptor's seals.
            let seals = unsafe { libc::fcntl(fd, libc::F_GET_SEALS) };
            seals >= 0 && seals & libc::F_SEAL_WRITE != 0
        })
        .unwrap_or(-1)
}

/// Runs the attack named by `plugin` (`native:<attack>`), then exits; returns
/// at once for any other plugin.
pub fn attack(plugin: &str) {
    let Some(name) = plugin.strip_prefix("native:") else {
        return;
    };
    // A runner that compiled (the host dropped the entry after the attack's
    // runner died) has no artifact to attack: it starts normally.
    if ARTIFACT_ATTACKS.contains(&name) && artifact_fd() < 0 {
        return;
    }
    let parent = std::os::unix::process::parent_id() as libc::pid_t;
    // SAFETY: raw system calls with valid (or deliberately harmless) arguments;
    // the process exits right after.
    let result: libc::c_long = unsafe {
        match name {
            "open-etc-passwd" => libc::syscall(
                libc::SYS_openat,
                libc::AT_FDCWD,
                c"/etc/passwd".as_ptr(),
                libc::O_RDONLY,
            ),
            "socket-inet" => libc::syscall(libc::SYS_socket, libc::AF_INET, libc::SOCK_STREAM, 0),
            "socket-netlink" => {
                libc::syscall(libc::SYS_socket, libc::AF_NETLINK, libc::SOCK_RAW, 0)
            }
            "connect-loopback" => {
                // A TCP connect needs a socket first: that is where it stops.
                let fd = libc::syscall(libc::SYS_socket, libc::AF_INET, libc::SOCK_STREAM, 0);
                if fd < 0 {
                    fd
                } else {
                    let addr = libc::sockaddr_in {
                        sin_family: libc::AF_INET as libc::sa_family_t,
                        sin_port: 22u16.to_be(),
                        sin_addr: libc::in_addr {
                            s_addr: u32::from_be_bytes([127, 0, 0, 1]).to_be(),
                        },
                        sin_zero: [0; 8],
                    };
                    libc::syscall(
                        libc::SYS_connect,
                        fd,
                        &addr as *const libc::sockaddr_in,
                        std::mem::size_of::<libc::sockaddr_in>(),
                    )
                }
            }
            "fork" => libc::syscall(libc::SYS_fork),
            // A process by clone3, whose flags seccomp cannot see (they sit
            // behind a pointer): refused as a whole.
            "clone3-process" => {
                let mut args = [0u64; 11];
                args[4] = libc::SIGCHLD as u64; // exit_signal; no CLONE_THREAD
                let pid = libc::syscall(
                    libc::SYS_clone3,
                    args.as_ptr(),
                    std::mem::size_of_val(&args),
                );
                if pid == 0 {
                    libc::_exit(0);
                }
                pid
            }
            "execve" => {
                let argv = [c"/bin/true".as_ptr(), std::ptr::null()];
                let envp: [*const libc::c_char; 1] = [std::ptr::null()];
                libc::syscall(
                    libc::SYS_execve,
                    c"/bin/true".as_ptr(),
                    argv.as_ptr(),
                    envp.as_ptr(),
                )
            }
            "ptrace-parent" => libc::syscall(libc::SYS_ptrace, libc::PTRACE_ATTACH, parent, 0, 0),
            "process-vm-readv-parent" => {
                let mut buf = [0u8; 16];
                let local = libc::iovec {
                    iov_base: buf.as_mut_ptr().cast(),
                    iov_len: buf.len(),
                };
                let remote = libc::iovec {
                    iov_base: 0x40_0000 as *mut libc::c_void,
                    iov_len: buf.len(),
                };
                libc::syscall(
                    libc::SYS_process_vm_readv,
                    parent,
                    &local as *const libc::iovec,
                    1,
                    &remote as *const libc::iovec,
                    1,
                    0,
                )
            }
            // Signal 0 probes without harming the host, but is checked like any signal.
            "kill-parent" => libc::syscall(libc::SYS_kill, parent, 0),
            "mmap-exec" => libc::syscall(
                libc::SYS_mmap,
                0,
                4096,
                libc::PROT_READ | libc::PROT_EXEC,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            ),
            "mprotect-exec" => {
                let page = libc::syscall(
                    libc::SYS_mmap,
                    0,
                    4096,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                );
                libc::syscall(
                    libc::SYS_mprotect,
                    page,
                    4096,
                    libc::PROT_READ | libc::PROT_EXEC,
                )
            }
            "unshare-user" => libc::syscall(libc::SYS_unshare, libc::CLONE_NEWUSER),
            "mount-tmpfs" => libc::syscall(
                libc::SYS_mount,
                c"none".as_ptr(),
                c"/tmp".as_ptr(),
                c"tmpfs".as_ptr(),
                0,
                std::ptr::null::<libc::c_void>(),
            ),
            "bpf" => libc::syscall(libc::SYS_bpf, 0, std::ptr::null::<libc::c_void>(), 0),
            "io-uring-setup" => {
                let mut params = [0u8; 120];
                libc::syscall(libc::SYS_io_uring_setup, 8, params.as_mut_ptr())
            }
            "ioctl-tiocsti" => {
                let c = b'x';
                libc::syscall(libc::SYS_ioctl, 0, libc::TIOCSTI, &c as *const u8)
            }
            "write-artifact" => {
                let page = [0xccu8; 4096];
                libc::syscall(libc::SYS_write, artifact_fd(), page.as_ptr(), page.len())
            }
            "map-artifact-shared-writable" => libc::syscall(
                libc::SYS_mmap,
                0,
                4096,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                artifact_fd(),
                0,
            ),
            // Seals can only be added, and F_SEAL_SEAL forbids even that.
            "unseal-artifact" => libc::syscall(
                libc::SYS_fcntl,
                artifact_fd(),
                libc::F_ADD_SEALS,
                libc::F_SEAL_FUTURE_WRITE,
            ),
            "reopen-artifact-rw" => {
                let path = std::ffi::CString::new(format!("/proc/self/fd/{}", artifact_fd()))
                    .expect("no NUL");
                libc::syscall(
                    libc::SYS_openat,
                    libc::AT_FDCWD,
                    path.as_ptr(),
                    libc::O_RDWR,
                )
            }
            // x32 ABI: the same number space with bit 30 set.
            "x32-syscall" => libc::syscall(0x4000_0000 | libc::SYS_getpid),
            other => {
                eprintln!("unknown native attack `{other}`");
                std::process::exit(3);
            }
        }
    };
    if result < 0 {
        eprintln!("refused: {}", std::io::Error::last_os_error());
        std::process::exit(0);
    }
    eprintln!("ESCAPED: {name} returned {result}");
    std::process::exit(1);
}
