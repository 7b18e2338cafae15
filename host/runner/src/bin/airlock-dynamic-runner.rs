//! A runner program for the dynamic world alone (any component, exports
//! called with WAVE text): what the runner's own process tests start,
//! without the host crate — on Windows, under Wine, first of all.

fn main() {
    airlock_runner::run_runner_process(&[&airlock_runner::dynamic::DynamicGlue])
}
