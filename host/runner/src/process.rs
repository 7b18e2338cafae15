//! The runner process entry point: the host connection it was started
//! with (the socket on descriptor 3, or a named pipe on Windows), serve,
//! exit; or, asked for a zygote, the zygote's loop.

use crate::glue::WorldGlue;
use crate::serve::{ServeError, ServeOptions, serve_connection};

/// The first argument that makes a host binary act as a runner.
pub const RUNNER_ARG: &str = "__airlock-runner";

pub use crate::platform::RUNNER_FD;

/// The raw channel to the host this process was started with, for test
/// runners that speak frames by hand; the error says what is wrong.
///
/// # Safety
///
/// Call it once, in a process the host started as a runner: the stream
/// takes ownership of the descriptor or handle it was given.
#[doc(hidden)]
pub unsafe fn host_stream() -> Result<airlock_protocol::Stream, String> {
    crate::platform::host_stream(RUNNER_ARG)
}

/// Serves the host connection the process was started with and exits.
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
    let host = match crate::platform::connect_to_host(RUNNER_ARG) {
        Ok(host) => host,
        Err(e) => {
            eprintln!("airlock runner: {e}");
            std::process::exit(70);
        }
    };
    let options = ServeOptions {
        socket_fd: host.socket_fd,
        isolate_compile: true,
        ..options
    };
    match serve_connection(host.input, host.output, worlds, &options) {
        Ok(()) => std::process::exit(0),
        Err(ServeError::Init(_)) => std::process::exit(65),
        Err(e) => {
            eprintln!("airlock runner: {e}");
            std::process::exit(70);
        }
    }
}
