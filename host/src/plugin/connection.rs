//! The host end of the connection to one runner (the mirror of the runner's
//! `HostConnection`): frames over the socket, or over the shared rings once the
//! runner took them, and the one place a failed receive is classified.

use std::process::ExitStatus;
use std::time::Instant;

use airlock_protocol::{
    DeadlineWriter, FrameError, FrameReader, FrameWriter, FromRunner, SPIN, SpinningReader, Stream,
};
use serde::Serialize;

use super::peer::Peer;
use crate::platform::{RingOffer, RingReader, RingWriter};

/// The host end of a connection to a live runner.
pub(super) struct Runner {
    pub(super) peer: Peer,
    pub(super) socket: Stream,
    pub(super) reader: FrameReader,
    pub(super) writer: FrameWriter,
    /// The shared rings once the runner took them (after `Ready`): every
    /// frame then goes through them, and the socket stays silent.
    pub(super) rings: Option<(RingReader, RingWriter)>,
    /// The rings offered (and their memfd) until the runner has them.
    pub(super) rings_offer: Option<RingOffer>,
}

/// How waiting for a frame ended, when it did not produce one.
pub(super) enum RecvError {
    Timeout,
    /// The runner closed the connection or the socket failed: it probably died.
    Gone(String),
    /// The runner sent bytes the protocol does not allow.
    Violation(String),
}

impl Runner {
    /// Sends one frame, giving up at `deadline` if the runner does not take it.
    pub(super) fn send<M: Serialize>(
        &mut self,
        message: &M,
        payload: &[u8],
        deadline: Instant,
    ) -> std::result::Result<(), FrameError> {
        match &mut self.rings {
            Some((_, ring)) => {
                ring.set_deadline(Some(deadline));
                self.writer.write(ring, message, payload)
            }
            None => self.writer.write(
                &mut DeadlineWriter::new(&self.socket, deadline),
                message,
                payload,
            ),
        }
    }

    /// Sends `message` with `value` encoded straight into the rings.
    pub(super) fn send_encoded<M: Serialize, T: Serialize>(
        &mut self,
        message: &M,
        value: &T,
        deadline: Instant,
    ) -> std::result::Result<(), FrameError> {
        match &mut self.rings {
            Some((_, ring)) => {
                ring.set_deadline(Some(deadline));
                self.writer.write_encoded(ring, message, value)
            }
            None => unreachable!("only called with rings"),
        }
    }

    /// Switches to the shared rings the runner accepted in its `Ready`.
    pub(super) fn take_rings(&mut self) -> std::io::Result<()> {
        let offer = self
            .rings_offer
            .take()
            .ok_or_else(|| std::io::Error::other("the runner took rings it was never offered"))?;
        self.rings = Some(crate::platform::take_rings(&offer, &self.socket)?);
        Ok(())
    }

    /// Waits until `deadline` for the next frame, from the rings once the
    /// runner took them, else from the socket.
    pub(super) fn recv(&mut self, deadline: Instant) -> std::result::Result<FromRunner, RecvError> {
        if Instant::now() >= deadline {
            return Err(RecvError::Timeout);
        }
        let read = match &mut self.rings {
            Some((ring, _)) => {
                ring.set_deadline(Some(deadline));
                self.reader.read(ring)
            }
            // The deadline bounds the whole frame, however slowly its bytes come.
            None => self
                .reader
                .read(&mut SpinningReader::new(&self.socket, SPIN).with_deadline(deadline)),
        };
        read.map_err(RecvError::classify)
    }

    /// The runner's process id, when it is a process.
    pub(super) fn pid(&self) -> Option<u32> {
        self.peer.pid()
    }

    /// Gives the runner until `until` to end by itself, then ends it.
    pub(super) fn end(&mut self, until: Instant) -> Option<ExitStatus> {
        self.peer.end(&self.socket, until)
    }
}

impl RecvError {
    /// The one place a failed receive is classified: a deadline, a runner
    /// that went away, or one that sent what the protocol does not allow.
    pub(super) fn classify(e: FrameError) -> Self {
        match e {
            e if e.is_timeout() => Self::Timeout,
            FrameError::Closed => Self::Gone("connection closed".into()),
            // Bytes that no frame can be (from the rings' framing, say).
            FrameError::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                Self::Violation(e.to_string())
            }
            FrameError::Io(e) => Self::Gone(e.to_string()),
            e => Self::Violation(e.to_string()),
        }
    }
}

pub(super) fn describe(message: &FromRunner) -> String {
    match message {
        FromRunner::Ready { .. } => "Ready".into(),
        FromRunner::InitFailed(_) => "InitFailed".into(),
        FromRunner::Return { seq, .. } => format!("Return for call {seq}"),
        other => format!("{other:?}"),
    }
}
