//! The runner executable for the test worlds, started by the integration tests.

use airlock_testkit::{roundtrip, roundtrip_plus};

fn main() {
    airlock::serve_runner_if_requested(&[&roundtrip::RunnerGlue, &roundtrip_plus::RunnerGlue]);
    eprintln!("airlock-test-runner is started by the Airlock host, not by hand");
    std::process::exit(2);
}
