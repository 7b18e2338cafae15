//! Reading from a socket with a short spin first: a peer that answers within
//! microseconds is not paid for with a sleep and a cross-CPU wake-up, which
//! costs tens of microseconds on a virtual machine.

use std::io::{self, IoSlice, Read, Write};
use std::time::{Duration, Instant};

use crate::platform::Channel;

/// How long a reader polls before it blocks. Short, because on a 2-core
/// machine the peer may need the very CPU a spinner holds; each poll also
/// yields the CPU to anything else runnable.
pub const SPIN: Duration = Duration::from_micros(40);

/// A socket reader that polls without blocking for up to `spin`, yielding
/// between polls, then blocks until data arrives or the deadline passes.
///
/// The deadline is absolute and covers every read made through the reader:
/// a peer that trickles one byte at a time cannot stretch a frame past it,
/// as it could with a per-read socket timeout.
#[derive(Debug)]
pub struct SpinningReader<S> {
    socket: S,
    spin: Duration,
    deadline: Option<Instant>,
}

impl<S> SpinningReader<S> {
    pub fn new(socket: S, spin: Duration) -> Self {
        Self {
            socket,
            spin,
            deadline: None,
        }
    }

    /// Reads past `deadline` fail with [`io::ErrorKind::TimedOut`].
    pub fn with_deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }
}

impl<S: Channel> Read for SpinningReader<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.spin.is_zero() && !buf.is_empty() {
            let started = Instant::now();
            loop {
                if let Some(n) = self.socket.try_read(buf)? {
                    return Ok(n);
                }
                if started.elapsed() >= self.spin {
                    break;
                }
                std::thread::yield_now();
            }
        }
        self.socket.read_by(buf, self.deadline)
    }
}

/// A socket writer that never blocks past its deadline: it sends without
/// blocking and waits for room only until the deadline, so a peer that reads
/// slowly cannot hold the writer longer than that (a per-write socket
/// timeout would restart with every byte the peer takes).
#[derive(Debug)]
pub struct DeadlineWriter<S> {
    socket: S,
    deadline: Instant,
}

impl<S> DeadlineWriter<S> {
    pub fn new(socket: S, deadline: Instant) -> Self {
        Self { socket, deadline }
    }
}

impl<S: Channel> Write for DeadlineWriter<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.socket.write_by(&[IoSlice::new(buf)], self.deadline)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.socket.write_by(bufs, self.deadline)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Stream;
    use std::io::Write;

    #[test]
    fn a_trickling_peer_cannot_stretch_the_deadline() {
        let (mut writer, reader) = Stream::pair().unwrap();
        // One byte every 20 ms: each read alone would finish quickly.
        let trickle = std::thread::spawn(move || {
            for _ in 0..50 {
                if writer.write_all(&[1]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        let started = Instant::now();
        let mut input =
            SpinningReader::new(&reader, SPIN).with_deadline(started + Duration::from_millis(100));
        let mut buf = [0u8; 1000];
        let err = input.read_exact(&mut buf).unwrap_err();
        let took = started.elapsed();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
        // Far below the 1 s the trickle would take; room for a loaded machine.
        assert!(took < Duration::from_millis(900), "took {took:?}");
        drop(reader);
        trickle.join().unwrap();
    }

    #[test]
    fn a_peer_that_does_not_read_cannot_hold_a_writer_past_its_deadline() {
        let (writer, _silent) = Stream::pair().unwrap();
        let started = Instant::now();
        let mut output = DeadlineWriter::new(&writer, started + Duration::from_millis(100));
        // Far more than any socket buffer holds.
        let err = output.write_all(&vec![0u8; 64 << 20]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn a_writer_delivers_whole_frames_to_a_reading_peer() {
        let (writer, mut reader) = Stream::pair().unwrap();
        let payload = vec![7u8; 8 << 20];
        let expected = payload.clone();
        let reading = std::thread::spawn(move || {
            let mut frames = crate::FrameReader::new(64 << 20);
            let message: crate::ToRunner = frames.read(&mut reader).unwrap();
            (message, frames.payload().to_vec())
        });
        let mut output = DeadlineWriter::new(&writer, Instant::now() + Duration::from_secs(30));
        crate::FrameWriter::new()
            .write(&mut output, &crate::ToRunner::Shutdown, &payload)
            .unwrap();
        let (message, got) = reading.join().unwrap();
        assert_eq!(message, crate::ToRunner::Shutdown);
        assert!(got == expected);
    }

    #[test]
    fn data_before_the_deadline_is_read() {
        let (mut writer, reader) = Stream::pair().unwrap();
        writer.write_all(b"hello").unwrap();
        let mut input = SpinningReader::new(&reader, Duration::ZERO)
            .with_deadline(Instant::now() + Duration::from_secs(5));
        let mut buf = [0u8; 5];
        input.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"hello");
    }
}
