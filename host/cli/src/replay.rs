//! `airlock replay`: a recorded call run again on a component with no host.

use std::path::Path;

use airlock::{PluginConfig, Recording, Verdict};
use anyhow::anyhow;

use crate::component::Decoded;
use crate::run::{failure, launcher, policy};
use crate::{CacheArgs, Common, Failure, esc};

pub fn replay(
    file: &Path,
    component: &Path,
    common: &Common,
    cache: &CacheArgs,
) -> Result<(), Failure> {
    let recording = Recording::load(file).map_err(|e| Failure::Input(anyhow!("{e}")))?;
    let decoded = Decoded::read(component)?;
    let digest = blake3::hash(&decoded.bytes).to_hex().to_string();
    println!(
        "recording: `{}` of {} ({}): {} import calls, {} clock readings, {} random bytes{}",
        esc(&recording.export),
        esc(&recording.plugin),
        esc(&recording.world),
        recording.compared_imports().count(),
        recording.observed.readings.len(),
        recording.observed.random.len(),
        if recording.cut {
            " (cut at its bound)"
        } else {
            ""
        },
    );
    if digest != recording.component {
        println!(
            "note: {} is not the component recorded ({}…), so differences may be its changes",
            esc(&component.display().to_string()),
            esc(recording
                .component
                .get(..12)
                .unwrap_or(&recording.component)),
        );
    }
    let config = PluginConfig::new(recording.plugin.clone(), decoded.bytes)
        .policy(policy(common)?.unwrap_or_default())
        .manifest_beside(component)
        .map_err(failure)?;
    let launcher = launcher(cache, false)?;
    let replay = airlock::replay(&launcher, config, &recording).map_err(failure)?;
    println!(
        "replayed {} of {} import calls",
        replay.answered, replay.recorded
    );
    if let Some(what) = &replay.ran_out {
        println!(
            "note: the plugin read more {} than the recorded call did",
            esc(what)
        );
    }
    if let Some(results) = &replay.results {
        for result in results {
            println!("result {}", esc(result));
        }
    }
    match &replay.verdict {
        Verdict::Reproduced { .. } => {
            for line in replay.verdict.to_string().lines() {
                println!("{}", esc(line));
            }
            Ok(())
        }
        verdict => Err(Failure::No(verdict.to_string())),
    }
}
