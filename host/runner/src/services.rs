//! The runner's own implementation of the `airlock:plugin` interfaces (log,
//! progress, cancel) that every world may import. Log and progress are one-way
//! frames that share the call's log volume; `is-cancelled` asks the host, which answers from the call's
//! cancellation flag.

use airlock_protocol::{FromRunner, LogLevel, ToRunner};
use wasmtime::StoreContextMut;
use wasmtime::component::{ComponentType, Lift, Linker, Lower};

use crate::glue::RunnerState;

const LOG: &str = "airlock:plugin/log@0.1.0";
const PROGRESS: &str = "airlock:plugin/progress@0.1.0";
const CANCEL: &str = "airlock:plugin/cancel@0.1.0";

/// Longest log or progress message forwarded; longer ones are cut.
const MAX_MESSAGE: usize = 16 << 10;

#[derive(ComponentType, Lift, Lower, Clone, Copy, Debug)]
#[allow(dead_code, reason = "constructed by Lift")]
#[component(enum)]
#[repr(u8)]
enum Level {
    #[component(name = "trace")]
    Trace,
    #[component(name = "debug")]
    Debug,
    #[component(name = "info")]
    Info,
    #[component(name = "warn")]
    Warn,
    #[component(name = "error")]
    Error,
}

fn truncate(mut s: String) -> String {
    if s.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

/// What every message costs on top of its length, as the host counts it
/// (`airlock::plugin_log::MESSAGE_COST`): an empty message is not free.
const MESSAGE_COST: u64 = 64;

/// Charges a log or progress message to the call's volume. Over it, the
/// message is dropped and counted; the host hears about it once, as a
/// warning, when the call ends. (The host counts again: it trusts no runner.)
fn within_volume(cx: &mut StoreContextMut<'_, RunnerState>, message: &str) -> bool {
    let host = &mut cx.data_mut().host;
    let cost = (message.len().min(MAX_MESSAGE) as u64).saturating_add(MESSAGE_COST);
    if cost > host.log_budget {
        host.log_dropped += 1;
        return false;
    }
    host.log_budget -= cost;
    true
}

fn send(cx: &mut StoreContextMut<'_, RunnerState>, message: FromRunner) -> wasmtime::Result<()> {
    cx.data_mut()
        .host
        .send(&message, &[])
        .map_err(|e| wasmtime::format_err!("lost the connection to the host: {e}"))
}

/// Defines the `airlock:plugin` interfaces in `linker`.
pub fn add_to_linker(linker: &mut Linker<RunnerState>) -> wasmtime::Result<()> {
    linker.instance(LOG)?.func_wrap(
        "log",
        |mut cx: StoreContextMut<'_, RunnerState>, (level, message): (Level, String)| {
            let level = match level {
                Level::Trace => LogLevel::Trace,
                Level::Debug => LogLevel::Debug,
                Level::Info => LogLevel::Info,
                Level::Warn => LogLevel::Warn,
                Level::Error => LogLevel::Error,
            };
            if !within_volume(&mut cx, &message) {
                return Ok(());
            }
            send(
                &mut cx,
                FromRunner::Log {
                    level,
                    message: truncate(message),
                },
            )
        },
    )?;
    linker.instance(PROGRESS)?.func_wrap(
        "report",
        |mut cx: StoreContextMut<'_, RunnerState>, (fraction, message): (f32, String)| {
            if !within_volume(&mut cx, &message) {
                return Ok(());
            }
            let fraction = if fraction.is_nan() {
                0.0
            } else {
                fraction.clamp(0.0, 1.0)
            };
            send(
                &mut cx,
                FromRunner::Progress {
                    fraction,
                    message: truncate(message),
                },
            )
        },
    )?;
    linker.instance(CANCEL)?.func_wrap(
        "is-cancelled",
        |mut cx: StoreContextMut<'_, RunnerState>, (): ()| -> wasmtime::Result<(bool,)> {
            let reply = cx
                .data_mut()
                .host
                .round_trip(&FromRunner::CancelQuery, false, |m| {
                    matches!(m, ToRunner::CancelReply { .. })
                })?;
            match reply {
                ToRunner::CancelReply { cancelled } => Ok((cancelled,)),
                _ => unreachable!("round_trip checked the reply"),
            }
        },
    )?;
    Ok(())
}
