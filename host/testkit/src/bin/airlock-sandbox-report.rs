//! Runs the hostile battery and prints, per attack, the layer that stopped it,
//! the outcome and the time to stop; then the runner's active layers; and as
//! its last line `hostile: N tried, N contained, host alive`.
//! Run through `cargo xtask sandbox-report`, which builds what it needs.

use std::path::PathBuf;
use std::process::ExitCode;

use airlock::Layer;
use airlock_testkit::battery::{Battery, DEADLINE, MEMORY_CAP};

fn main() -> ExitCode {
    let exe = std::env::current_exe().expect("locate this executable");
    let bin_dir = exe.parent().expect("executable directory").to_path_buf();
    let plugin_dir = std::env::var_os("AIRLOCK_PLUGIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| bin_dir.join("../plugins"));
    let battery = Battery {
        test_runner: bin_dir.join("airlock-test-runner"),
        fake_runner: bin_dir.join("airlock-fake-runner"),
        hostile_guest: plugin_dir.join("test_hostile.wasm"),
        roundtrip_guest: plugin_dir.join("test_roundtrip.wasm"),
        scratch: std::env::temp_dir()
            .join(format!("airlock-sandbox-report-{}", std::process::id())),
    };
    for path in [
        &battery.test_runner,
        &battery.fake_runner,
        &battery.hostile_guest,
        &battery.roundtrip_guest,
    ] {
        if !path.exists() {
            eprintln!(
                "error: {} is missing; run `cargo xtask sandbox-report`, which builds it",
                path.display()
            );
            return ExitCode::from(2);
        }
    }

    println!(
        "deadline {DEADLINE:?}, memory cap {} MiB\n",
        MEMORY_CAP >> 20
    );
    let (outcomes, layers) = battery.run();
    let _ = std::fs::remove_dir_all(&battery.scratch);
    let width = outcomes.iter().map(|o| o.attack.len()).max().unwrap_or(10);
    let layer_width = outcomes.iter().map(|o| o.layer.len()).max().unwrap_or(10);
    println!(
        "{:<width$}  {:<layer_width$}  {:<9}  {:>9}  detail",
        "attack", "stopped by", "outcome", "time"
    );
    for o in &outcomes {
        println!(
            "{:<width$}  {:<layer_width$}  {:<9}  {:>7.1}ms  {}",
            o.attack,
            o.layer,
            if o.contained { "contained" } else { "ESCAPED" },
            o.took.as_secs_f64() * 1e3,
            o.detail
        );
    }
    println!();
    let active: Vec<String> = Layer::active(&layers)
        .iter()
        .map(|l| l.to_string())
        .collect();
    println!("active layers: {}", active.join(", "));
    if layers.landlock_abi > 0 {
        println!("landlock ABI: {}", layers.landlock_abi);
    }
    for note in &layers.notes {
        println!("  note: {}", airlock::PluginText::escape(note));
    }
    let tried = outcomes.len();
    let contained = outcomes.iter().filter(|o| o.contained).count();
    println!("hostile: {tried} tried, {contained} contained, host alive");
    if contained == tried {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
