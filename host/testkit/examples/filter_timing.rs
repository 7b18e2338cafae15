//! One 1 MiB RGBA image through the grayscale filter plugin: out of process
//! through Airlock against the same typed call in process, side by side.
//!
//! `cargo run --release -p airlock-testkit --example filter_timing` (after
//! `cargo xtask build-plugins`). This binary is also its own runner.

use std::time::{Duration, Instant};

use airlock::{Launcher, PluginConfig};
use airlock_runner::in_process::InProcess;
use airlock_testkit::filter::{self, Filter, FilterError, Image};

const RUNS: usize = 60;

fn stats(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
    samples.sort();
    (
        samples[0],
        samples[samples.len() / 2],
        samples[samples.len() * 9 / 10],
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    airlock::serve_runner_if_requested(&[&filter::RunnerGlue]);
    let bytes = std::fs::read(airlock_testkit::guest_path("grayscale"))?;
    let (w, h) = (512u32, 512u32);
    let image = Image {
        width: w,
        height: h,
        pixels: (0..w * h * 4).map(|i| (i % 251) as u8).collect(),
    };
    assert_eq!(image.pixels.len(), 1 << 20);

    let mut out_of_process = Filter::start(
        &Launcher::current_exe()?,
        PluginConfig::new("grayscale", bytes.clone()),
    )?;
    let apply = filter::EXPORTS
        .iter()
        .position(|f| *f == "apply")
        .expect("filter exports apply") as u32;
    let mut in_process =
        InProcess::load(&filter::RunnerGlue, &bytes).map_err(|e| format!("{e:?}"))?;

    let mut oop = Vec::new();
    let mut inp = Vec::new();
    let mut out = Vec::new();
    for round in 0..RUNS + 5 {
        // Interleaved, so both see the same machine conditions.
        let t = Instant::now();
        let a = out_of_process
            .apply(&image, &[])?
            .map_err(|e| format!("{e:?}"))?;
        let t_oop = t.elapsed();

        let t = Instant::now();
        let args = postcard::to_stdvec(&(&image, &[] as &[filter::Param]))?;
        in_process
            .call(apply, &args, &mut out)
            .map_err(|e| format!("{e:?}"))?;
        let b: Result<Image, FilterError> = postcard::from_bytes(&out)?;
        let t_inp = t.elapsed();

        assert_eq!(
            a,
            b.map_err(|e| format!("{e:?}"))?,
            "both paths must compute the same image"
        );
        if round >= 5 {
            oop.push(t_oop);
            inp.push(t_inp);
        }
    }
    let (oop_min, oop_med, oop_p90) = stats(oop);
    let (inp_min, inp_med, inp_p90) = stats(inp);
    println!(
        "1 MiB image (512x512 RGBA) through the grayscale filter, {RUNS} runs each, interleaved"
    );
    println!(
        "{:<28} {:>10} {:>10} {:>10}",
        "path", "min", "median", "p90"
    );
    println!(
        "{:<28} {:>10.3?} {:>10.3?} {:>10.3?}",
        "airlock, out of process", oop_min, oop_med, oop_p90
    );
    println!(
        "{:<28} {:>10.3?} {:>10.3?} {:>10.3?}",
        "same call, in process", inp_min, inp_med, inp_p90
    );
    println!(
        "ratio (median): {:.2}x",
        oop_med.as_secs_f64() / inp_med.as_secs_f64()
    );
    Ok(())
}
