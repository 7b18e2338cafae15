//! Target `frames`: the bytes a runner writes to its socket, read as the
//! host reads them ([`FrameReader`] decoding [`FromRunner`] headers), arriving
//! in chunks of a size the input chooses.
//!
//! Input: one control byte (low two bits: the frame cap; the next three: the
//! chunk size, 0 meaning all at once), then the stream.
//!
//! Checked: no panic; a frame that is read fits the cap and its payload is
//! what follows its header; every frame read survives being written again
//! and read back (same message, same payload); every error can be shown.

use std::io::{self, Read};

use airlock_protocol::{FrameReader, FrameWriter, FromRunner, MAX_CODE_FRAME_LEN};

/// Frames read per input at most: enough to reach the read-ahead's edges.
const MAX_FRAMES: usize = 16;

/// The caps the host uses: tiny, a policy's small one, a large one, start-up's.
const CAPS: [u32; 4] = [64, 4096, 1 << 20, MAX_CODE_FRAME_LEN];

pub fn frames(data: &[u8]) {
    let Some((&control, stream)) = data.split_first() else {
        return;
    };
    let cap = CAPS[usize::from(control & 3)];
    let chunk = match (control >> 2) & 7 {
        0 => usize::MAX,
        n => usize::from(n),
    };
    let mut input = Chunked {
        bytes: stream,
        chunk,
    };
    let mut reader = FrameReader::new(cap);
    for _ in 0..MAX_FRAMES {
        match reader.read::<_, FromRunner>(&mut input) {
            Ok(message) => check_frame(&mut reader, &message, cap, control & 0x80 != 0),
            Err(e) => {
                let _ = e.to_string();
                break;
            }
        }
    }
}

fn check_frame(reader: &mut FrameReader, message: &FromRunner, cap: u32, take: bool) {
    let payload = reader.payload().to_vec();
    assert!(
        payload.len() < cap as usize,
        "a payload of {} bytes passed a cap of {cap}",
        payload.len()
    );
    // The host sometimes takes the payload out of the reader instead.
    if take {
        assert_eq!(
            reader.take_payload(),
            payload,
            "take_payload differs from payload"
        );
    }
    let mut wire = Vec::new();
    FrameWriter::new()
        .write(&mut wire, message, &payload)
        .expect("a frame that was read can be written");
    let mut again = FrameReader::new(u32::MAX);
    let read_back: FromRunner = again
        .read(&mut &wire[..])
        .expect("a frame that was written can be read");
    // Debug, not PartialEq: a NaN progress fraction is not equal to itself.
    assert_eq!(
        format!("{read_back:?}"),
        format!("{message:?}"),
        "the message changed through its own encoding"
    );
    assert_eq!(
        again.payload(),
        payload,
        "the payload changed through its own encoding"
    );
}

/// A stream that hands out at most `chunk` bytes per read, as a socket may.
struct Chunked<'a> {
    bytes: &'a [u8],
    chunk: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.chunk).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}
