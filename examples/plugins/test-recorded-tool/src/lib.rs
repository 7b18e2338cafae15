//! Test tool for record and replay: reads the monotonic and wall clocks,
//! eight random bytes and the document's layers, then panics with all of
//! them in its message when given a `fail` parameter, so that a replay
//! reproduces that message only if it hands back what the guest saw.
//!
//! Built twice: `test-recorded-tool-edited` compiles this file with the
//! `edited` feature, the same plugin after a change that asks each layer for
//! its shapes instead of its info (a replay diverges there).

airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../wit/design"], world: "airlock:design/tool" });

use airlock::design::document;
use std::time::{Instant, SystemTime};

struct RecordedTool;

impl Guest for RecordedTool {
    fn run(params: Vec<Param>) -> Result<String, ToolError> {
        let started = Instant::now();
        let wall =
            SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let token = getrandom::u64().unwrap_or(0);
        let (width, height) = document::canvas_size();
        let layers = document::layers();
        let mut seen = Vec::new();
        for layer in &layers {
            if cfg!(feature = "edited") {
                let shapes = layer.shapes().map(|s| s.len()).unwrap_or(0);
                seen.push(format!("{shapes} shapes"));
            } else {
                seen.push(layer.info().name);
            }
        }
        let elapsed = started.elapsed().as_nanos();
        if params.iter().any(|p| p.name == "fail") {
            give_up(width, height, &seen, token, wall, elapsed);
        }
        Ok(format!("looked at {} layers", seen.len()))
    }
}

fn give_up(width: u32, height: u32, seen: &[String], token: u64, wall: u128, elapsed: u128) -> ! {
    panic!(
        "gave up on the {width}×{height} canvas after {seen:?}: token {token:016x}, wall clock {wall} ns, {elapsed} ns in"
    )
}

export!(RecordedTool);
