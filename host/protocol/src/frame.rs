//! Framing: length-prefixed postcard headers followed by raw payloads.
//!
//! Reads are bounded by a caller-chosen maximum before any allocation, and
//! every decoding failure is an error value, never a panic: the bytes may come
//! from a compromised runner.

use std::io::{self, IoSlice, Read, Write};

use serde::{Serialize, de::DeserializeOwned};

/// Headers are small messages; a larger one is a protocol violation.
pub const MAX_HEADER_LEN: u32 = 64 << 10;

/// What went wrong while reading or writing a frame.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The peer closed the connection before a frame began.
    #[error("connection closed")]
    Closed,
    #[error("i/o error on the plugin channel: {0}")]
    Io(#[from] io::Error),
    #[error("frame of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge { len: u64, max: u64 },
    #[error("malformed frame: {0}")]
    Malformed(&'static str),
    #[error("undecodable frame header: {0}")]
    Decode(#[from] postcard::Error),
}

impl FrameError {
    /// True when the error is a read timeout rather than a broken peer.
    pub fn is_timeout(&self) -> bool {
        matches!(self, FrameError::Io(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut))
    }
}

/// Writes frames, reusing one header buffer.
#[derive(Debug, Default)]
pub struct FrameWriter {
    header: Vec<u8>,
}

impl FrameWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes `message` followed by `payload` as one frame, with one `writev` where possible.
    pub fn write<W: Write + ?Sized, M: Serialize>(
        &mut self,
        out: &mut W,
        message: &M,
        payload: &[u8],
    ) -> Result<(), FrameError> {
        self.prefix(message, payload.len() as u64)?;
        write_all_vectored(out, &self.header, payload)?;
        out.flush()?;
        Ok(())
    }

    /// Writes `message` with the postcard encoding of `value` as its payload,
    /// encoding straight into `out` (no intermediate buffer: for bulk
    /// arguments written into shared memory). `out` should absorb small
    /// writes cheaply: every field is one `write`.
    pub fn write_encoded<W: Write + ?Sized, M: Serialize, T: Serialize + ?Sized>(
        &mut self,
        out: &mut W,
        message: &M,
        value: &T,
    ) -> Result<(), FrameError> {
        let payload_len = crate::encoded_len(value)?;
        self.prefix(message, payload_len as u64)?;
        out.write_all(&self.header)?;
        postcard::to_io(value, &mut *out)?;
        out.flush()?;
        Ok(())
    }

    /// Fills `self.header` with the frame's length, header length and header.
    fn prefix<M: Serialize>(&mut self, message: &M, payload_len: u64) -> Result<(), FrameError> {
        self.header.clear();
        self.header.extend_from_slice(&[0; 8]);
        let buf = std::mem::take(&mut self.header);
        self.header = postcard::to_extend(message, buf)?;
        let header_len = self.header.len() - 8;
        if header_len as u64 > MAX_HEADER_LEN as u64 {
            return Err(FrameError::TooLarge {
                len: header_len as u64,
                max: MAX_HEADER_LEN as u64,
            });
        }
        let total = 4 + header_len as u64 + payload_len;
        let total = u32::try_from(total).map_err(|_| FrameError::TooLarge {
            len: total,
            max: u32::MAX as u64,
        })?;
        self.header[0..4].copy_from_slice(&total.to_le_bytes());
        self.header[4..8].copy_from_slice(&(header_len as u32).to_le_bytes());
        Ok(())
    }
}

fn write_all_vectored<W: Write + ?Sized>(
    out: &mut W,
    mut a: &[u8],
    mut b: &[u8],
) -> io::Result<()> {
    while !a.is_empty() || !b.is_empty() {
        let n = if a.is_empty() {
            out.write(b)?
        } else if b.is_empty() {
            out.write(a)?
        } else {
            out.write_vectored(&[IoSlice::new(a), IoSlice::new(b)])?
        };
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        let from_a = n.min(a.len());
        a = &a[from_a..];
        b = &b[n - from_a..];
    }
    Ok(())
}

/// Bytes read ahead of the current frame: small frames arrive in one system
/// call, length prefix and all.
const READ_AHEAD: usize = 16 << 10;

/// Reads frames into one reusable buffer.
#[derive(Debug)]
pub struct FrameReader {
    /// The frame buffer: the last frame is `buf[..frame_len]`. It is never
    /// shortened, so that the next frame's bytes are written over bytes it
    /// held before instead of over a fresh zero fill.
    buf: Vec<u8>,
    /// The other buffer while `take_frame`'s is out (the runner's, during a
    /// call, reads import results into it), kept the same way.
    spare: Vec<u8>,
    frame_len: usize,
    header_len: usize,
    max_frame: u32,
    /// Read-ahead: `ahead[start..end]` was read from the stream and not used yet.
    ahead: Box<[u8]>,
    start: usize,
    end: usize,
}

impl FrameReader {
    /// `max_frame` caps the whole frame (header and payload).
    pub fn new(max_frame: u32) -> Self {
        Self {
            buf: Vec::new(),
            spare: Vec::new(),
            frame_len: 0,
            header_len: 0,
            max_frame,
            ahead: vec![0; READ_AHEAD].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }

    /// Caps later frames at `max`; a buffer larger than that (left by a
    /// start-up frame, say) is freed, since no later frame needs it.
    pub fn set_max_frame(&mut self, max: u32) {
        self.max_frame = max;
        if self.buf.len() > max as usize {
            self.release_buffer();
        }
        if self.spare.len() > max as usize {
            self.spare = Vec::new();
        }
    }

    /// Reads one frame and decodes its header; the payload is then available
    /// from [`FrameReader::payload`] until the next read.
    pub fn read<R: Read + ?Sized, M: DeserializeOwned>(
        &mut self,
        input: &mut R,
    ) -> Result<M, FrameError> {
        // Until this read succeeds there is no payload, not the last one's.
        self.frame_len = 0;
        self.header_len = 0;
        self.fill_length_prefix(input)?;
        let len = u32::from_le_bytes(
            self.ahead[self.start..self.start + 4]
                .try_into()
                .expect("four bytes"),
        );
        if len > self.max_frame {
            return Err(FrameError::TooLarge {
                len: len as u64,
                max: self.max_frame as u64,
            });
        }
        if len < 4 {
            return Err(FrameError::Malformed(
                "frame shorter than its header length field",
            ));
        }
        self.start += 4;
        let len = len as usize;
        // What was read ahead, then the rest straight into the frame buffer.
        let taken = len.min(self.end - self.start);
        self.grow_to(taken);
        self.buf[..taken].copy_from_slice(&self.ahead[self.start..self.start + taken]);
        self.start += taken;
        let mut filled = taken;
        while filled < len {
            if filled == self.buf.len() {
                // Room for what may come next, never more than twice what
                // came: a peer cannot make this side commit memory for a
                // frame it only announced.
                self.grow_to(filled.saturating_mul(2).max(READ_AHEAD).min(len));
            }
            let room = self.buf.len().min(len);
            match input.read(&mut self.buf[filled..room]) {
                // As `read_exact` would: the peer went away mid-frame.
                Ok(0) => {
                    return Err(FrameError::Io(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed inside a frame",
                    )));
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        let header_len = u32::from_le_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]);
        if header_len > MAX_HEADER_LEN || header_len as usize > len - 4 {
            return Err(FrameError::Malformed("header length out of bounds"));
        }
        let header_len = header_len as usize;
        let (message, rest) = postcard::take_from_bytes(&self.buf[4..4 + header_len])?;
        if !rest.is_empty() {
            return Err(FrameError::Malformed("trailing bytes after the header"));
        }
        self.frame_len = len;
        self.header_len = header_len;
        Ok(message)
    }

    /// Makes sure the read-ahead holds at least the next frame's 4-byte length.
    fn fill_length_prefix<R: Read + ?Sized>(&mut self, input: &mut R) -> Result<(), FrameError> {
        if self.end - self.start >= 4 {
            return Ok(());
        }
        // Move the few bytes left to the front, then read as much as arrives.
        self.ahead.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        while self.end < 4 {
            match input.read(&mut self.ahead[self.end..]) {
                Ok(0) if self.end == 0 => return Err(FrameError::Closed),
                // The peer went away mid-frame: the same as a truncated payload.
                Ok(0) => {
                    return Err(FrameError::Io(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed inside a frame's length",
                    )));
                }
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Makes the buffer at least `len` long; only bytes it never held are zeroed.
    fn grow_to(&mut self, len: usize) {
        if self.buf.len() < len {
            self.buf.resize(len, 0);
        }
    }

    /// Where the last frame's payload lies in the buffer.
    fn payload_range(&self) -> std::ops::Range<usize> {
        (4 + self.header_len).min(self.frame_len)..self.frame_len
    }

    /// The payload of the last frame read.
    pub fn payload(&self) -> &[u8] {
        &self.buf[self.payload_range()]
    }

    /// Takes the last frame's buffer without copying: the payload is
    /// `buffer[range]`. Hand the buffer back with [`FrameReader::recycle`]
    /// to keep it.
    pub fn take_frame(&mut self) -> (Vec<u8>, std::ops::Range<usize>) {
        let range = self.payload_range();
        self.frame_len = 0;
        self.header_len = 0;
        let spare = std::mem::take(&mut self.spare);
        (std::mem::replace(&mut self.buf, spare), range)
    }

    /// Gives a buffer from [`FrameReader::take_frame`] back: the larger of
    /// it and the one in use reads the next frame, the other is the spare.
    pub fn recycle(&mut self, buf: Vec<u8>) {
        if buf.len() > self.buf.len() {
            self.spare = std::mem::replace(&mut self.buf, buf);
            self.frame_len = 0;
            self.header_len = 0;
        } else {
            self.spare = buf;
        }
    }

    /// Frees the frame buffer (after an exceptionally large frame, such as a
    /// compiled artifact); the next frame allocates what it needs.
    pub fn release_buffer(&mut self) {
        self.buf = Vec::new();
        self.frame_len = 0;
        self.header_len = 0;
    }

    /// Takes the payload of the last frame read, leaving the reader's buffer empty.
    pub fn take_payload(&mut self) -> Vec<u8> {
        let range = self.payload_range();
        let mut buf = std::mem::take(&mut self.buf);
        self.frame_len = 0;
        self.header_len = 0;
        buf.truncate(range.end);
        buf.drain(..range.start);
        buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FromRunner, LogLevel, ToRunner};

    #[test]
    fn frame_round_trip_keeps_header_and_payload() {
        let mut wire = Vec::new();
        let mut writer = FrameWriter::new();
        writer
            .write(&mut wire, &ToRunner::Call { seq: 7, func: 3 }, b"payload")
            .unwrap();
        writer
            .write(
                &mut wire,
                &FromRunner::Log {
                    level: LogLevel::Warn,
                    message: "hi".into(),
                },
                &[],
            )
            .unwrap();
        let mut input = &wire[..];
        let mut reader = FrameReader::new(1 << 20);
        let m: ToRunner = reader.read(&mut input).unwrap();
        assert_eq!(m, ToRunner::Call { seq: 7, func: 3 });
        assert_eq!(reader.payload(), b"payload");
        let m: FromRunner = reader.read(&mut input).unwrap();
        assert_eq!(
            m,
            FromRunner::Log {
                level: LogLevel::Warn,
                message: "hi".into()
            }
        );
        assert!(reader.payload().is_empty());
        assert!(matches!(
            reader.read::<_, FromRunner>(&mut input),
            Err(FrameError::Closed)
        ));
    }

    #[test]
    fn oversized_length_is_refused_before_allocating() {
        let wire = u32::MAX.to_le_bytes();
        let mut reader = FrameReader::new(1024);
        let err = reader.read::<_, FromRunner>(&mut &wire[..]).unwrap_err();
        assert!(
            matches!(err, FrameError::TooLarge { len, max: 1024 } if len == u32::MAX as u64),
            "{err}"
        );
    }

    #[test]
    fn header_length_beyond_frame_is_malformed() {
        let mut wire = Vec::new();
        wire.extend_from_slice(&8u32.to_le_bytes());
        wire.extend_from_slice(&100u32.to_le_bytes());
        wire.extend_from_slice(&[0; 4]);
        let err = FrameReader::new(1024)
            .read::<_, FromRunner>(&mut &wire[..])
            .unwrap_err();
        assert!(matches!(err, FrameError::Malformed(_)), "{err}");
    }

    #[test]
    fn an_encoded_payload_is_the_same_frame_as_a_buffered_one() {
        let value = (
            7u32,
            serde_bytes::ByteBuf::from(vec![9u8; 100_000]),
            "text".to_string(),
        );
        let mut encoded = Vec::new();
        crate::encode_into(&value, &mut encoded).unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let mut writer = FrameWriter::new();
        writer.write(&mut a, &ToRunner::Shutdown, &encoded).unwrap();
        writer
            .write_encoded(&mut b, &ToRunner::Shutdown, &value)
            .unwrap();
        assert!(a == b, "frames differ");
    }

    #[test]
    fn frames_read_ahead_together_come_out_one_by_one() {
        let mut wire = Vec::new();
        let mut writer = FrameWriter::new();
        let big = vec![7u8; 3 * READ_AHEAD + 5];
        let payloads: [&[u8]; 4] = [b"one", &big, b"", b"four"];
        for (i, payload) in payloads.iter().enumerate() {
            writer
                .write(&mut wire, &ToRunner::Ping { nonce: i as u64 }, payload)
                .unwrap();
        }
        // One reader over all the bytes: the first read takes several frames.
        let mut input = &wire[..];
        let mut reader = FrameReader::new(1 << 20);
        for (i, payload) in payloads.iter().enumerate() {
            let message: ToRunner = reader.read(&mut input).unwrap();
            assert_eq!(message, ToRunner::Ping { nonce: i as u64 });
            assert_eq!(reader.payload(), *payload);
        }
        assert!(matches!(
            reader.read::<_, ToRunner>(&mut input),
            Err(FrameError::Closed)
        ));
    }

    #[test]
    fn truncated_frame_is_an_error() {
        let mut wire = Vec::new();
        FrameWriter::new()
            .write(&mut wire, &ToRunner::Shutdown, b"abcdef")
            .unwrap();
        wire.truncate(wire.len() - 2);
        let err = FrameReader::new(1024)
            .read::<_, ToRunner>(&mut &wire[..])
            .unwrap_err();
        assert!(matches!(err, FrameError::Io(_)), "{err}");
    }

    #[test]
    fn a_peer_gone_inside_the_length_is_an_eof_not_a_malformed_frame() {
        let wire = [9u8, 0];
        let err = FrameReader::new(1024)
            .read::<_, ToRunner>(&mut &wire[..])
            .unwrap_err();
        assert!(
            matches!(&err, FrameError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof),
            "{err}"
        );
    }

    /// `Shutdown` frames carrying `payloads`, one after the other.
    fn wire(payloads: &[&[u8]]) -> Vec<u8> {
        let (mut wire, mut writer) = (Vec::new(), FrameWriter::new());
        for payload in payloads {
            writer
                .write(&mut wire, &ToRunner::Shutdown, payload)
                .unwrap();
        }
        wire
    }

    #[test]
    fn a_small_frame_after_a_large_one_keeps_the_buffer_and_only_its_own_bytes() {
        let (large, small) = (vec![7u8; 1 << 20], b"tiny".to_vec());
        let wire = wire(&[&large, &small, &large]);
        let mut reader = FrameReader::new(2 << 20);
        let mut input = &wire[..];
        for payload in [&large, &small, &large] {
            reader.read::<_, ToRunner>(&mut input).unwrap();
            assert!(
                reader.payload() == &payload[..],
                "a payload of {} bytes differs",
                payload.len()
            );
            // Never shortened: the next large frame is not zero-filled again.
            assert!(reader.buf.len() >= large.len(), "{}", reader.buf.len());
        }
        let (buffer, range) = reader.take_frame();
        assert_eq!(&buffer[range], &large[..]);
    }

    #[test]
    fn an_announced_frame_commits_memory_only_as_its_bytes_arrive() {
        let mut wire = wire(&[&vec![1u8; 8 << 20]]);
        let arrived = 100 << 10;
        wire.truncate(arrived);
        let mut reader = FrameReader::new(16 << 20);
        let err = reader.read::<_, ToRunner>(&mut &wire[..]).unwrap_err();
        assert!(matches!(err, FrameError::Io(_)), "{err}");
        assert!(
            reader.buf.len() <= 2 * arrived,
            "{} bytes for {arrived} that came",
            reader.buf.len()
        );
        assert!(
            reader.payload().is_empty(),
            "no payload from a frame that never ended"
        );
    }

    #[test]
    fn frames_read_while_a_taken_frame_is_out_reuse_a_spare_buffer() {
        let (call, import) = (vec![3u8; 1 << 20], vec![5u8; 1 << 20]);
        let wire = wire(&[&call, &import, &call, &import]);
        let mut reader = FrameReader::new(2 << 20);
        let mut input = &wire[..];
        for round in 0..2 {
            reader.read::<_, ToRunner>(&mut input).unwrap();
            let (frame, range) = reader.take_frame();
            if round > 0 {
                // The import result is read over the spare's old bytes.
                assert!(reader.buf.len() >= import.len(), "{}", reader.buf.len());
            }
            reader.read::<_, ToRunner>(&mut input).unwrap();
            assert!(reader.payload() == &import[..]);
            assert!(frame[range] == call[..]);
            reader.recycle(frame);
        }
    }

    #[test]
    fn a_failed_read_leaves_no_payload_behind() {
        let good = wire(&[b"kept?"]);
        // Too large; and a header length past the frame's end.
        let too_large = 1000u32.to_le_bytes().to_vec();
        let mut bad_header = 8u32.to_le_bytes().to_vec();
        bad_header.extend(50u32.to_le_bytes());
        bad_header.extend(b"abcd");
        for bad in [too_large, bad_header] {
            // A fresh reader each: a failed read leaves the stream unusable.
            let mut reader = FrameReader::new(64);
            reader.read::<_, ToRunner>(&mut &good[..]).unwrap();
            assert_eq!(reader.payload(), b"kept?");
            assert!(reader.read::<_, ToRunner>(&mut &bad[..]).is_err());
            assert!(reader.payload().is_empty(), "{:?}", reader.payload());
        }
    }

    #[test]
    fn a_lower_cap_frees_a_larger_buffer() {
        let wire = wire(&[&vec![0u8; 1 << 20]]);
        let mut reader = FrameReader::new(2 << 20);
        reader.read::<_, ToRunner>(&mut &wire[..]).unwrap();
        reader.set_max_frame(64 << 10);
        assert!(reader.buf.is_empty(), "{}", reader.buf.len());
    }
}
