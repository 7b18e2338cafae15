//! The runner's end of the connection to the host (the mirror of the
//! host's `plugin/connection.rs`): frames to and from the host, import calls
//! forwarded to it, and a call's arguments decoded and result encoded.

use std::io::{Read, Write};

use airlock_protocol::{FrameError, FrameReader, FrameWriter, FromRunner, OutputStream, ToRunner};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::observe::{Finished, Observer};
use crate::output::CapturedOutput;

/// Why a call into the guest failed.
#[derive(Debug)]
pub enum CallError {
    /// A trap or host-side failure reported by wasmtime; poisons the store.
    Wasm(wasmtime::Error),
    BadArguments(String),
    UnknownFunction(u32),
    /// The result did not encode (cannot happen for well-formed values).
    Encode(String),
}

/// The connection to the host, owned by the store so that import calls can use it.
pub struct HostConnection {
    pub(crate) input: Box<dyn Read + Send>,
    pub(crate) output: Box<dyn Write + Send>,
    pub(crate) reader: FrameReader,
    pub(crate) writer: FrameWriter,
    pub(crate) scratch: Vec<u8>,
    pub(crate) next_import_seq: u64,
    pub(crate) stdout: CapturedOutput,
    pub(crate) stderr: CapturedOutput,
    /// Capability refusals noticed inside WASI (e.g. a connect to an address
    /// not granted), sent to the host before the next frame.
    pub(crate) denials: Denials,
    /// `log` bytes the guest may still send in this call, and messages dropped.
    pub(crate) log_budget: u64,
    pub(crate) log_dropped: u64,
    /// The socket streams while frames go through the shared rings: kept
    /// open, since the host watches the socket to see the runner exit.
    pub(crate) socket_streams: Option<(Box<dyn Read + Send>, Box<dyn Write + Send>)>,
    /// The clocks and random the guest reads, when the host records.
    pub(crate) observer: Option<crate::observe::Observer>,
    /// The dynamic world forwards imports in the wire's encoding, not as
    /// WAVE: set for the length of a replayed call.
    pub(crate) wire_imports: bool,
    /// The `Return` of the call being served, while a bulk result may still
    /// be encoded straight into it (`glue::return_result`); set by the call loop
    /// for calls over the shared rings.
    pub(crate) pending_return: Option<PendingReturn>,
    /// How sending the `Return` went, when `glue::return_result` sent it.
    pub(crate) return_sent: Option<Result<(), FrameError>>,
}

/// What a call's `Return` needs besides its result, for `glue::return_result`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PendingReturn {
    pub(crate) seq: u64,
    /// The fuel the call started with (the policy's per call), for its cost.
    pub(crate) fuel: Option<u64>,
    /// The policy's log volume per call, for the note of what was dropped.
    pub(crate) max_log_bytes: u64,
}

/// Shared list of `(capability, reason)` refusals.
pub type Denials = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

impl HostConnection {
    pub(crate) fn new(
        input: Box<dyn Read + Send>,
        output: Box<dyn Write + Send>,
        max_frame: u32,
        max_output: usize,
    ) -> Self {
        Self {
            input,
            output,
            reader: FrameReader::new(max_frame),
            writer: FrameWriter::new(),
            scratch: Vec::new(),
            next_import_seq: 0,
            stdout: CapturedOutput::new(max_output, u64::MAX),
            stderr: CapturedOutput::new(max_output, u64::MAX),
            denials: Denials::default(),
            log_budget: u64::MAX,
            log_dropped: 0,
            socket_streams: None,
            observer: None,
            wire_imports: false,
            pending_return: None,
            return_sent: None,
        }
    }

    /// What goes between a call's end and its `Return`: the clocks and
    /// random it read (when the host records) and a note of the log and
    /// progress messages dropped over the volume of `max_log_bytes`.
    pub(crate) fn finish_call(&mut self, max_log_bytes: u64) -> Result<(), FrameError> {
        self.send_observations()?;
        if self.log_dropped > 0 {
            let message = format!(
                "{} log and progress messages dropped: over the volume of {max_log_bytes} bytes per call",
                self.log_dropped
            );
            self.warn(message)?;
        }
        Ok(())
    }

    /// When the host records: what the call that just ended read of the
    /// clocks and random ([`FromRunner::Observed`]), before its `Return`.
    pub(crate) fn send_observations(&mut self) -> Result<(), FrameError> {
        let Some(Finished::Recorded(observed)) = self.observer.as_ref().map(Observer::finish)
        else {
            return Ok(());
        };
        let mut payload = std::mem::take(&mut self.scratch);
        payload.clear();
        let sent = airlock_protocol::encode_into(&observed, &mut payload)
            .map_err(FrameError::from)
            .and_then(|()| self.send(&FromRunner::Observed, &payload));
        self.scratch = payload;
        sent
    }

    /// Sends a frame, after any guest output captured so far.
    pub(crate) fn send(&mut self, message: &FromRunner, payload: &[u8]) -> Result<(), FrameError> {
        self.flush_output()?;
        self.writer.write(&mut self.output, message, payload)
    }

    /// Sends a frame whose payload is `value` encoded straight into the
    /// output (the shared rings: no intermediate buffer), after any guest
    /// output captured so far. The bytes are those of [`Self::send`] with
    /// the encoded value.
    pub(crate) fn send_encoded<T: Serialize + ?Sized>(
        &mut self,
        message: &FromRunner,
        value: &T,
    ) -> Result<(), FrameError> {
        self.flush_output()?;
        self.writer.write_encoded(&mut self.output, message, value)
    }

    /// Sends a warning to the host's log.
    pub(crate) fn warn(&mut self, message: String) -> Result<(), FrameError> {
        self.send(
            &FromRunner::Log {
                level: airlock_protocol::LogLevel::Warn,
                message,
            },
            &[],
        )
    }

    fn flush_output(&mut self) -> Result<(), FrameError> {
        let denials = std::mem::take(&mut *self.denials.lock().unwrap_or_else(|e| e.into_inner()));
        for (capability, reason) in denials {
            self.writer.write(
                &mut self.output,
                &FromRunner::Denied { capability, reason },
                &[],
            )?;
        }
        for (stream, captured) in [
            (OutputStream::Stdout, &self.stdout),
            (OutputStream::Stderr, &self.stderr),
        ] {
            if let Some((bytes, dropped)) = captured.take() {
                self.writer.write(
                    &mut self.output,
                    &FromRunner::Output { stream, dropped },
                    &bytes,
                )?;
            }
        }
        Ok(())
    }

    pub(crate) fn recv(&mut self) -> Result<ToRunner, FrameError> {
        self.reader.read(&mut self.input)
    }

    /// Sends `message` and waits for the host's answer to it, which must be `expected`.
    pub(crate) fn round_trip(
        &mut self,
        message: &FromRunner,
        payload_from_scratch: bool,
        expected: impl Fn(&ToRunner) -> bool,
    ) -> wasmtime::Result<ToRunner> {
        let payload = if payload_from_scratch {
            std::mem::take(&mut self.scratch)
        } else {
            Vec::new()
        };
        let sent = self.send(message, &payload);
        self.scratch = payload;
        sent.map_err(|e| wasmtime::format_err!("lost the connection to the host: {e}"))?;
        let reply = self
            .recv()
            .map_err(|e| wasmtime::format_err!("lost the connection to the host: {e}"))?;
        if expected(&reply) {
            Ok(reply)
        } else {
            Err(wasmtime::format_err!(
                "protocol violation by the host: unexpected {reply:?}"
            ))
        }
    }
}

/// [`call_import`] over the connection itself, for when no store holds it.
pub(crate) fn call_import_on<A: Serialize, R: DeserializeOwned>(
    host: &mut HostConnection,
    func: u32,
    args: &A,
) -> wasmtime::Result<R> {
    airlock_protocol::encode_into(args, &mut host.scratch)
        .map_err(|e| wasmtime::format_err!("failed to encode arguments of import {func}: {e}"))?;
    host.next_import_seq += 1;
    let seq = host.next_import_seq;
    host.round_trip(
        &FromRunner::ImportCall { seq, func },
        true,
        |m| matches!(m, ToRunner::ImportReturn { seq: s } if *s == seq),
    )?;
    airlock_protocol::decode(host.reader.payload()).map_err(|e| {
        wasmtime::format_err!("the host's result for import {func} did not decode: {e}")
    })
}

/// Decodes a call's arguments (borrowing strings and bytes from `args`); a
/// handle the instance refused while decoding is named in the error.
pub fn decode_args<'a, T: Deserialize<'a>>(args: &'a [u8]) -> Result<T, CallError> {
    airlock_protocol::decode(args).map_err(|e| {
        CallError::BadArguments(crate::scope::take_refusal().unwrap_or_else(|| e.to_string()))
    })
}

/// Encodes a call's result into `out`.
pub fn encode_result<T: Serialize>(value: &T, out: &mut Vec<u8>) -> Result<(), CallError> {
    airlock_protocol::encode_into(value, out).map_err(|e| CallError::Encode(e.to_string()))
}
