//! Capture of the guest's stdout and stderr into bounded in-memory buffers.
//!
//! The runner flushes them to the host as `Output` frames before every frame it
//! sends, so output appears in the host's log in the order the guest wrote it,
//! before the call's result. Writes never fail: past the cap or the rate limit,
//! bytes are dropped and counted, so a chatty plugin can neither exhaust the
//! runner's memory nor flood the host's log.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError};

#[derive(Debug)]
struct Buffer {
    bytes: Vec<u8>,
    dropped: u64,
    cap: usize,
    /// Token bucket: bytes per second, with one second of burst.
    rate: u64,
    tokens: u64,
    refilled: Instant,
}

/// One captured stream; clones share the buffer.
#[derive(Debug, Clone)]
pub struct CapturedOutput {
    buffer: Arc<Mutex<Buffer>>,
}

impl CapturedOutput {
    /// A stream keeping at most `cap` bytes between flushes and accepting at
    /// most `rate` bytes per second.
    pub fn new(cap: usize, rate: u64) -> Self {
        Self {
            buffer: Arc::new(Mutex::new(Buffer {
                bytes: Vec::new(),
                dropped: 0,
                cap,
                rate,
                tokens: rate,
                refilled: Instant::now(),
            })),
        }
    }

    fn push(&self, bytes: &[u8]) {
        let mut b = self.buffer.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let earned = (now - b.refilled).as_secs_f64() * b.rate as f64;
        if earned >= 1.0 {
            b.tokens = b.tokens.saturating_add(earned as u64).min(b.rate);
            b.refilled = now;
        }
        let room = b.cap.saturating_sub(b.bytes.len());
        let take = room
            .min(bytes.len())
            .min(usize::try_from(b.tokens).unwrap_or(usize::MAX));
        b.tokens -= take as u64;
        b.bytes.extend_from_slice(&bytes[..take]);
        b.dropped += (bytes.len() - take) as u64;
    }

    /// Takes what was written since the last take, and how many bytes were dropped.
    pub fn take(&self) -> Option<(Vec<u8>, u64)> {
        let mut b = self.buffer.lock().unwrap_or_else(|e| e.into_inner());
        if b.bytes.is_empty() && b.dropped == 0 {
            return None;
        }
        let dropped = std::mem::take(&mut b.dropped);
        Some((std::mem::take(&mut b.bytes), dropped))
    }

    /// The last `max` bytes written and not yet taken, for error messages.
    pub fn peek_tail(&self, max: usize) -> String {
        let b = self.buffer.lock().unwrap_or_else(|e| e.into_inner());
        let start = b.bytes.len().saturating_sub(max);
        String::from_utf8_lossy(&b.bytes[start..]).into_owned()
    }
}

impl IsTerminal for CapturedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CapturedOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl OutputStream for CapturedOutput {
    fn write(&mut self, bytes: Bytes) -> Result<(), StreamError> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(64 << 10)
    }
}

#[async_trait::async_trait]
impl Pollable for CapturedOutput {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for CapturedOutput {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.push(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
