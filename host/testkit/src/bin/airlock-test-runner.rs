//! The runner executable for the test worlds, started by the integration tests.

use airlock_testkit::{filter, hostile, roundtrip, roundtrip_plus};

fn main() {
    airlock::serve_runner_if_requested(&[
        &roundtrip::RunnerGlue,
        &roundtrip_plus::RunnerGlue,
        &filter::RunnerGlue,
        &hostile::RunnerGlue,
    ]);
    eprintln!("airlock-test-runner is started by the Airlock host, not by hand");
    std::process::exit(2);
}
