//! The runner executable for the test worlds, started by the integration tests.
//! Plugins named `native:<attack>` make that raw system call right after the
//! lock-down (see `airlock_testkit::native`).

use airlock_testkit::{bare, files, filter, hostile, native, roundtrip, roundtrip_plus};

fn main() {
    if std::env::args_os().nth(1).as_deref()
        == Some(std::ffi::OsStr::new(airlock_runner::RUNNER_ARG))
    {
        airlock_runner::run_runner_process_with(
            &[
                &roundtrip::RunnerGlue,
                &roundtrip_plus::RunnerGlue,
                &filter::RunnerGlue,
                &hostile::RunnerGlue,
                &bare::RunnerGlue,
                &files::RunnerGlue,
            ],
            airlock_runner::ServeOptions {
                lock_down: true,
                after_lock_down: Some(native::attack),
                ..Default::default()
            },
        );
    }
    eprintln!("airlock-test-runner is started by the Airlock host, not by hand");
    std::process::exit(2);
}
