//! The runner process entry point: the socket on descriptor 3, serve, exit;
//! or, asked for a zygote, the zygote's loop.

use std::os::fd::FromRawFd;
use std::os::unix::net::UnixStream;

use crate::glue::WorldGlue;
use crate::serve::{ServeError, ServeOptions, serve_connection};

/// The first argument that makes a host binary act as a runner.
pub const RUNNER_ARG: &str = "__airlock-runner";

/// The descriptor on which a runner finds its connection to the host.
pub const RUNNER_FD: i32 = 3;

/// Serves the host connection on [`RUNNER_FD`] and exits the process.
pub fn run_runner_process(worlds: &[&dyn WorldGlue]) -> ! {
    run_runner_process_with(
        worlds,
        ServeOptions {
            lock_down: true,
            ..ServeOptions::default()
        },
    )
}

/// [`run_runner_process`] with explicit options (testing hooks). Started
/// as `RUNNER_ARG ZYGOTE_ARG HOST_PID`, the process serves as a zygote instead, and
/// each runner it forks serves with `options`.
#[doc(hidden)]
pub fn run_runner_process_with(worlds: &[&dyn WorldGlue], options: ServeOptions) -> ! {
    crate::began::mark();
    // wasmtime-wasi's tokio runtime would start a worker per CPU, after
    // reading the cgroup's CPU quota; a runner's blocking work needs one.
    // SAFETY: a runner program calls this first thing in `main`, with one
    // thread; nothing reads the environment concurrently.
    unsafe { std::env::set_var("TOKIO_WORKER_THREADS", "1") };
    // Returns in each runner a zygote forks, which then goes on as an
    // exec'd one, and at once in a process that is no zygote.
    crate::backend::serve_as_zygote_if_asked(RUNNER_FD, worlds);
    let options = ServeOptions {
        socket_fd: Some(RUNNER_FD),
        isolate_compile: true,
        ..options
    };
    // SAFETY: the host starts runners with their end of a socket pair dup'ed
    // to RUNNER_FD, and nothing else in this process owns that descriptor.
    let socket = unsafe { UnixStream::from_raw_fd(RUNNER_FD) };
    let input = match socket.try_clone() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("airlock runner: descriptor {RUNNER_FD} is not a usable socket: {e}");
            std::process::exit(70);
        }
    };
    let input = airlock_protocol::SpinningReader::new(input, airlock_protocol::SPIN);
    match serve_connection(Box::new(input), Box::new(socket), worlds, &options) {
        Ok(()) => std::process::exit(0),
        Err(ServeError::Init(_)) => std::process::exit(65),
        Err(e) => {
            eprintln!("airlock runner: {e}");
            std::process::exit(70);
        }
    }
}
