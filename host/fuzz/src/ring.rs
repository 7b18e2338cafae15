//! Target `ring`: the shared-memory rings as a hostile runner leaves them.
//! The runner maps the same memfd as the host and may write anything into
//! it: the bytes of its ring and both positions in each ring's header. This
//! target plays that runner through a second mapping of a real
//! [`SharedRings`] file, then lets the host read frames from the runner's
//! ring and write a frame into its own.
//!
//! Input: a control byte (bit 0: publish the `written` position below
//! instead of the true one; bit 1: when the bytes end inside a frame, let
//! the host wait for the rest and time out; bit 2: write the host's frame
//! even when it does not fit the room the runner left, and time out; each
//! wait costs a spin of [`airlock_protocol::SPIN`], so only inputs that ask
//! for it pay it),
//! `written` (u32 LE), the `read` position the
//! runner claims in the host's ring (u32 LE), the length of the host's
//! payload (u16 LE), then the bytes the runner puts in its ring.
//!
//! Checked:
//! - reading: a position more than a ring ahead is refused as `InvalidData`
//!   before any byte is taken; otherwise the host reads exactly the frames
//!   a plain stream of the same bytes gives (rest of the ring: zeros), never
//!   reads past `written`, and a frame cut short waits and times out;
//! - writing: a `read` position that would give more room than the ring has
//!   is refused as `InvalidData`; otherwise the frame lands byte for byte at
//!   the start of the ring if it fits in the room the runner left, and the
//!   write times out (the runner is not reading) if it does not.

use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use airlock_protocol::ring::{self, Direction, RING_LEN, SharedRings};
use airlock_protocol::{FrameError, FrameReader, FrameWriter, FromRunner, ToRunner};

/// Frames the host reads per input at most.
const MAX_FRAMES: usize = 16;
/// The host's cap on frames from a runner after start-up (the default policy's).
const MAX_FRAME_LEN: u32 = 1 << 20;

/// Header words, in the order `ring.rs` lays them out: the writer's
/// position, the reader's, and the two parked flags.
const WRITTEN: usize = 0;
const READ: usize = 1;
const WORDS: usize = 4;

pub fn ring(data: &[u8]) {
    if data.len() < 11 {
        return;
    }
    let control = data[0];
    let claimed_written = u32::from_le_bytes(data[1..5].try_into().expect("four bytes"));
    let claimed_read = u32::from_le_bytes(data[5..9].try_into().expect("four bytes"));
    let payload_len = usize::from(u16::from_le_bytes([data[9], data[10]]));
    let bytes = &data[11..];
    let written = if control & 1 != 0 {
        claimed_written
    } else {
        bytes.len() as u32
    };
    let mut fixture = fixture().lock().unwrap_or_else(|e| e.into_inner());
    fixture.reset();
    host_reads(&mut fixture, bytes, written, control & 2 != 0);
    host_writes(&fixture, claimed_read, payload_len, bytes, control & 4 != 0);
}

/// The runner wrote `bytes` and published `written`; the host reads frames.
fn host_reads(fixture: &mut Fixture, bytes: &[u8], written: u32, wait_for_cut: bool) {
    let bytes = &bytes[..bytes.len().min(RING_LEN as usize)];
    fixture.put(bytes);
    fixture
        .word(Direction::FromRunner, WRITTEN)
        .store(written, Ordering::SeqCst);
    let mut input = ring::reader(
        fixture.rings.clone(),
        Direction::FromRunner,
        fixture.alive(),
    );
    input.set_deadline(Some(Instant::now()));
    let mut reader = FrameReader::new(MAX_FRAME_LEN);
    if written > RING_LEN {
        let err = reader
            .read::<_, FromRunner>(&mut input)
            .expect_err("a position beyond the ring was honoured");
        assert!(
            matches!(&err, FrameError::Io(e) if e.kind() == io::ErrorKind::InvalidData),
            "a position beyond the ring gave {err}"
        );
        assert_eq!(
            fixture
                .word(Direction::FromRunner, READ)
                .load(Ordering::SeqCst),
            0
        );
        return;
    }
    // What a plain stream of the same bytes gives: the oracle.
    let zeros = u64::from(written).saturating_sub(bytes.len() as u64);
    let mut plain = (&bytes[..bytes.len().min(written as usize)]).chain(io::repeat(0).take(zeros));
    let mut oracle = FrameReader::new(MAX_FRAME_LEN);
    for _ in 0..MAX_FRAMES {
        let expected = oracle.read::<_, FromRunner>(&mut plain);
        // On a plain stream the bytes ran out; in the ring the host would wait.
        let ran_out = match &expected {
            Err(FrameError::Closed) => break,
            Err(FrameError::Io(e)) => e.kind() == io::ErrorKind::UnexpectedEof,
            _ => false,
        };
        if ran_out && !wait_for_cut {
            break;
        }
        let got = reader.read::<_, FromRunner>(&mut input);
        let read = fixture
            .word(Direction::FromRunner, READ)
            .load(Ordering::SeqCst);
        assert!(
            read <= written,
            "the host read to {read}, past written {written}"
        );
        match (expected, got) {
            (Ok(want), Ok(message)) => {
                assert_eq!(format!("{message:?}"), format!("{want:?}"), "frames differ");
                assert_eq!(reader.payload(), oracle.payload(), "payloads differ");
            }
            (Err(_), Err(err)) if ran_out => assert!(err.is_timeout(), "a cut frame gave {err}"),
            (Err(want), Err(err)) => {
                assert_eq!(err.to_string(), want.to_string(), "errors differ");
                break;
            }
            (want, got) => panic!("the ring gave {got:?} where a stream gives {want:?}"),
        }
        if ran_out {
            break;
        }
    }
}

/// The runner claims to have read to `read` in the host's ring; the host writes a frame.
fn host_writes(fixture: &Fixture, read: u32, payload_len: usize, bytes: &[u8], wait: bool) {
    fixture
        .word(Direction::ToRunner, READ)
        .store(read, Ordering::SeqCst);
    let payload: Vec<u8> = bytes.iter().copied().cycle().take(payload_len).collect();
    let message = ToRunner::Call {
        seq: u64::from(read),
        func: payload_len as u32,
    };
    let mut frame = Vec::new();
    FrameWriter::new()
        .write(&mut frame, &message, &payload)
        .expect("a frame can be written into memory");
    let used = 0u32.wrapping_sub(read);
    let room = RING_LEN.saturating_sub(used) as usize;
    if used <= RING_LEN && frame.len() > room && !wait {
        return;
    }
    let mut output = ring::writer(fixture.rings.clone(), Direction::ToRunner, fixture.alive());
    output.set_deadline(Some(Instant::now()));
    let result = FrameWriter::new().write(&mut output, &message, &payload);
    let published = fixture
        .word(Direction::ToRunner, WRITTEN)
        .load(Ordering::SeqCst);
    if used > RING_LEN {
        let err = result.expect_err("a read position beyond the ring was honoured");
        assert!(
            matches!(&err, FrameError::Io(e) if e.kind() == io::ErrorKind::InvalidData),
            "a read position beyond the ring gave {err}"
        );
        assert_eq!(
            published, 0,
            "bytes were written for an impossible position"
        );
        return;
    }
    if frame.len() <= room {
        result.expect("a frame that fits the room was refused");
        assert_eq!(
            published as usize,
            frame.len(),
            "the published position is wrong"
        );
        assert!(
            fixture.get(Direction::ToRunner, frame.len()) == frame,
            "the ring holds other bytes than the frame"
        );
    } else {
        let err = result.expect_err("a frame larger than the room was written");
        assert!(err.is_timeout(), "a full ring gave {err}");
        assert_eq!(published as usize, room, "the writer did not fill the room");
    }
}

/// One real pair of rings, and the runner's own mapping of them.
struct Fixture {
    rings: Arc<SharedRings>,
    /// The runner's view: the same file, mapped again.
    base: *mut u8,
    header_len: usize,
    /// Our end of the "runner is alive" socket, duplicated for each reader
    /// and writer; the other end stays open, so the runner never looks gone.
    alive: UnixStream,
    _runner_end: UnixStream,
    _fd: OwnedFd,
    /// How far into the runner's ring earlier inputs wrote, to clear it:
    /// the host must see the same bytes whenever an input is replayed.
    dirty: usize,
}

// SAFETY: the mapping is shared memory owned by the fixture for the life of
// the process; the fixture is only used under its mutex.
unsafe impl Send for Fixture {}

fn fixture() -> &'static Mutex<Fixture> {
    static FIXTURE: OnceLock<Mutex<Fixture>> = OnceLock::new();
    FIXTURE.get_or_init(|| Mutex::new(Fixture::new()))
}

impl Fixture {
    fn new() -> Self {
        let (rings, fd) = SharedRings::create(airlock_protocol::Wake::NATIVE)
            .expect("shared rings can be created");
        let len = rustix::fs::fstat(&fd).expect("fstat of the rings").st_size as usize;
        // SAFETY: a fresh shared mapping of the whole file, never unmapped
        // (the fixture lives as long as the process).
        let base = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                len,
                rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
                rustix::mm::MapFlags::SHARED,
                fd.as_fd(),
                0,
            )
            .expect("the rings can be mapped a second time")
        };
        let (alive, runner_end) = UnixStream::pair().expect("a socket pair");
        let mut fixture = Self {
            rings: Arc::new(rings),
            base: base.cast(),
            // Each ring is its header and data; the file may end in padding.
            header_len: ring::HEADER,
            alive,
            _runner_end: runner_end,
            _fd: fd,
            dirty: 0,
        };
        fixture.check_layout();
        fixture
    }

    /// The layout this target assumes is the one the rings use: a frame the
    /// host writes shows up at the start of the data, `written` in word 0.
    fn check_layout(&mut self) {
        let mut output = ring::writer(self.rings.clone(), Direction::ToRunner, self.alive());
        FrameWriter::new()
            .write(&mut output, &ToRunner::Shutdown, b"layout")
            .expect("a frame into an empty ring");
        let mut frame = Vec::new();
        FrameWriter::new()
            .write(&mut frame, &ToRunner::Shutdown, b"layout")
            .expect("a frame into memory");
        assert_eq!(
            self.word(Direction::ToRunner, WRITTEN)
                .load(Ordering::SeqCst) as usize,
            frame.len(),
            "the ring header is not laid out as this target assumes"
        );
        assert!(
            self.get(Direction::ToRunner, frame.len()) == frame,
            "the ring data is not laid out as this target assumes"
        );
        self.reset();
    }

    fn alive(&self) -> OwnedFd {
        self.alive
            .as_fd()
            .try_clone_to_owned()
            .expect("the socket can be duplicated")
    }

    /// Fresh rings: positions and flags zero, and no bytes left in the
    /// runner's ring from earlier inputs (the host's own ring is only ever
    /// compared where the host has just written).
    fn reset(&mut self) {
        for direction in [Direction::ToRunner, Direction::FromRunner] {
            for word in 0..WORDS {
                self.word(direction, word).store(0, Ordering::SeqCst);
            }
        }
        let dirty = std::mem::take(&mut self.dirty);
        // SAFETY: inside the data area of the mapping (dirty <= RING_LEN).
        unsafe { std::ptr::write_bytes(self.data(Direction::FromRunner), 0, dirty) };
    }

    fn ring_start(&self, direction: Direction) -> *mut u8 {
        // SAFETY: the offset of one ring, inside the mapping.
        unsafe {
            self.base
                .add(direction as usize * (self.header_len + RING_LEN as usize))
        }
    }

    fn data(&self, direction: Direction) -> *mut u8 {
        // SAFETY: the data area follows the header, inside the mapping.
        unsafe { self.ring_start(direction).add(self.header_len) }
    }

    fn word(&self, direction: Direction, index: usize) -> &AtomicU32 {
        assert!(index < WORDS);
        // SAFETY: a 4-byte-aligned word of the header (page-aligned mapping,
        // the header's words evenly spaced in it), only ever accessed
        // atomically by both sides.
        unsafe {
            &*self
                .ring_start(direction)
                .add(index * (self.header_len / WORDS))
                .cast::<AtomicU32>()
        }
    }

    /// Writes `bytes` at the start of the runner's ring, as the runner would.
    fn put(&mut self, bytes: &[u8]) {
        assert!(bytes.len() <= RING_LEN as usize);
        // SAFETY: inside the data area; the host is not touching it now.
        unsafe {
            std::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                self.data(Direction::FromRunner),
                bytes.len(),
            );
        }
        self.dirty = self.dirty.max(bytes.len());
    }

    /// The first `len` bytes of `direction`'s data.
    fn get(&self, direction: Direction, len: usize) -> Vec<u8> {
        assert!(len <= RING_LEN as usize);
        // SAFETY: inside the data area; copied out, never referenced.
        unsafe { std::slice::from_raw_parts(self.data(direction), len).to_vec() }
    }
}
