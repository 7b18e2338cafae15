//! The fast transport after start-up: two single-producer single-consumer
//! byte rings in one shared memory file (memfd), one per direction, read and
//! written as ordinary `Read`/`Write` streams so that frames are exactly the
//! same as on the socket. A waiting side spins briefly (for a few
//! microseconds without yielding, then yielding), then parks until its
//! peer wakes it, which the peer does only when it is parked: on a futex,
//! or on the control socket (see [`Wake`]). Nothing on the fast path is a
//! system call while both sides are busy.
//!
//! The peer is untrusted: positions read from shared memory are only used
//! masked into the ring or compared, and an impossible position is an error.
//! Bytes are copied out of shared memory before anyone parses them.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use rustix::mm::{MapFlags, ProtFlags};

use crate::platform::Wake;
use crate::platform::{self, Parked};

/// Bytes in each direction's ring; a power of two. Larger frames stream
/// through it.
pub const RING_LEN: u32 = 4 << 20;
/// Per-ring header: written position, read position, and who is parked,
/// each in its own [`SLOT`]. Words written by different sides never share a
/// cache line, so a side's store does not take away the line its peer polls,
/// and a flag that rarely changes stays cached on both sides.
pub const HEADER: usize = 4 * SLOT;
/// Bytes per header word: two cache lines, because x86 prefetches lines in
/// adjacent pairs.
const SLOT: usize = 128;
/// How long a waiting side with a deadline (the host, during a call) stays
/// parked before it checks that the peer is alive.
const PARK_SLICE: Duration = Duration::from_millis(2);
/// The same for a side without a deadline (an idle runner): rare wake-ups.
const IDLE_PARK_SLICE: Duration = Duration::from_millis(250);
/// How long a waiting side polls without yielding before it starts to
/// yield between polls: a peer on another CPU usually answers within this
/// (a small call's round trip, with room for a noisy virtual machine),
/// and a `sched_yield` per poll (a system call, most of a microsecond on a
/// virtual machine) would delay noticing it by that much. Short, because a
/// peer on the same CPU cannot run while this side spins without yielding.
const PURE_SPIN: Duration = Duration::from_micros(6);
/// How long a reader spins, yielding, for the answer of a peer its writer
/// has just woken, before it parks: about a wake-up's time on a virtual
/// machine. Spent only once per wake-up, when a call finds its peer asleep.
const WOKEN_SPIN: Duration = Duration::from_micros(250);
/// The most waits that yield from the start after polling without yielding
/// missed: the pause doubles with every miss in a row, from one wait, and
/// ends with a hit.
const PURE_SPIN_PAUSE: u32 = 32;

/// Which ring of the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    ToRunner = 0,
    FromRunner = 1,
}

/// A mapping of the shared file holding both rings.
#[derive(Debug)]
pub struct SharedRings {
    base: NonNull<u8>,
    len: usize,
    /// This side's own note, not shared: its writer woke the parked peer and
    /// its reader has not read since. A peer that was asleep takes a wake-up
    /// (tens of microseconds on a virtual machine) to answer, so the next
    /// wait for its answer, if it has a deadline, spins for [`WOKEN_SPIN`]
    /// instead of parking and needing a wake-up of its own.
    woke_peer: AtomicBool,
    /// How a parked side is woken: the same on both sides.
    wake: Wake,
}

// SAFETY: the mapping is plain shared memory; all access to the headers is
// atomic and the data areas are only touched by the side that owns the bytes
// in question (and copied, never referenced, across the boundary).
unsafe impl Send for SharedRings {}
// SAFETY: as for `Send`: shared references only reach the atomic headers
// and copy bytes out of the data areas.
unsafe impl Sync for SharedRings {}

/// The shared file's length: both rings, padded to a multiple of 16 KiB,
/// because macOS rounds a shared memory object up to whole pages (16 KiB
/// on Apple silicon) and reports the rounded size.
fn total_len() -> usize {
    (2 * (HEADER + RING_LEN as usize)).next_multiple_of(16 << 10)
}

impl SharedRings {
    /// Makes the shared file (host side) and maps it; the descriptor goes
    /// to the runner, which maps it with the same `wake`.
    pub fn create(wake: Wake) -> io::Result<(Self, OwnedFd)> {
        let fd = platform::shared_file(total_len())?;
        let rings = Self::map(fd.as_fd(), wake)?;
        Ok((rings, fd))
    }

    /// Maps a shared file made by [`SharedRings::create`] (runner side).
    pub fn map(fd: BorrowedFd<'_>, wake: Wake) -> io::Result<Self> {
        if !wake.available() {
            return Err(platform::unavailable(wake));
        }
        let size = rustix::fs::fstat(fd)?.st_size;
        if size as u64 != total_len() as u64 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("shared rings of {size} bytes, expected {}", total_len()),
            ));
        }
        // SAFETY: a fresh shared, non-executable mapping of the whole file,
        // owned by the returned value and unmapped on drop.
        let ptr = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                total_len(),
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
                fd,
                0,
            )?
        };
        Ok(Self {
            base: NonNull::new(ptr.cast()).expect("mmap never returns null on success"),
            len: total_len(),
            woke_peer: AtomicBool::new(false),
            wake,
        })
    }

    fn ring(&self, direction: Direction) -> Ring<'_> {
        let offset = direction as usize * (HEADER + RING_LEN as usize);
        // SAFETY: inside the mapping; the header words are 4-byte aligned
        // (page-aligned base, offsets multiples of `SLOT`).
        unsafe {
            let header = self.base.as_ptr().add(offset);
            Ring {
                written: &*(header as *const AtomicU32),
                read: &*(header.add(SLOT) as *const AtomicU32),
                reader_parked: &*(header.add(2 * SLOT) as *const AtomicU32),
                writer_parked: &*(header.add(3 * SLOT) as *const AtomicU32),
                data: header.add(HEADER),
            }
        }
    }
}

/// The reading end of `direction`'s ring. `alive` is (a duplicate of) the
/// peer's socket: when it hangs up, a waiting read ends (end of file).
pub fn reader(rings: Arc<SharedRings>, direction: Direction, alive: OwnedFd) -> RingReader {
    // Positions start at zero in a fresh file; never taken from shared memory.
    RingReader {
        rings,
        direction,
        position: 0,
        alive,
        deadline: None,
        spinner: Spinner::default(),
    }
}

/// The writing end of `direction`'s ring.
pub fn writer(rings: Arc<SharedRings>, direction: Direction, alive: OwnedFd) -> RingWriter {
    RingWriter {
        rings,
        direction,
        position: 0,
        alive,
        deadline: None,
        spinner: Spinner::default(),
    }
}

impl Drop for SharedRings {
    fn drop(&mut self) {
        // SAFETY: this value owns the mapping; nothing refers to it any more
        // (readers and writers borrow `self`).
        unsafe {
            let _ = rustix::mm::munmap(self.base.as_ptr().cast(), self.len);
        }
    }
}

struct Ring<'a> {
    written: &'a AtomicU32,
    read: &'a AtomicU32,
    reader_parked: &'a AtomicU32,
    writer_parked: &'a AtomicU32,
    data: *mut u8,
}

impl Ring<'_> {
    /// Copies `bytes` into the ring at `position` (wrapping).
    fn put(&self, position: u32, bytes: &[u8]) {
        let start = (position & (RING_LEN - 1)) as usize;
        let first = bytes.len().min(RING_LEN as usize - start);
        // SAFETY: both ranges lie inside the data area (masked start, lengths
        // bounded by the ring); the bytes are free (the reader is past them).
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.data.add(start), first);
            std::ptr::copy_nonoverlapping(bytes[first..].as_ptr(), self.data, bytes.len() - first);
        }
    }

    /// Copies bytes at `position` (wrapping) out of the ring into `out`.
    fn get(&self, position: u32, out: &mut [u8]) {
        let start = (position & (RING_LEN - 1)) as usize;
        let first = out.len().min(RING_LEN as usize - start);
        // SAFETY: as in `put`; a hostile writer may change the bytes while
        // they are copied, which only makes the copy garbage.
        unsafe {
            std::ptr::copy_nonoverlapping(self.data.add(start), out.as_mut_ptr(), first);
            let rest = out.len() - first;
            std::ptr::copy_nonoverlapping(self.data, out[first..].as_mut_ptr(), rest);
        }
    }
}

/// Whether a waiting side first polls without yielding: while that finds
/// the peer (it runs on another CPU), yes; after a miss (the peer may need
/// this very CPU) the next waits yield from the start, one after a single
/// miss and twice as many after each further miss in a row, up to
/// [`PURE_SPIN_PAUSE`]. A peer that is only sometimes slow (an interrupt, a
/// busy neighbour) costs one yielding wait; one that shares this CPU costs a
/// pure spin once every [`PURE_SPIN_PAUSE`] waits.
#[derive(Debug, Default)]
struct Spinner {
    /// Waits left before polling without yielding is tried again.
    skip: u32,
    /// The pause after the last miss; zero after a hit.
    pause: u32,
}

impl Spinner {
    /// Whether this wait polls without yielding first.
    fn begin(&mut self) -> bool {
        let pure = self.skip == 0;
        self.skip = self.skip.saturating_sub(1);
        pure
    }

    fn hit(&mut self) {
        self.pause = 0;
    }

    fn missed(&mut self) {
        self.pause = (self.pause * 2).clamp(1, PURE_SPIN_PAUSE);
        self.skip = self.pause;
    }
}

/// Waits until `ready()` gives `Some`: polls without a system call for
/// [`PURE_SPIN`] (when `spinner` says so), then yielding until `spin`, then
/// parks on `word` in slices, checking `alive` and the deadline between.
fn wait<T>(
    (wake, word): (Wake, &AtomicU32),
    parked: &AtomicU32,
    alive: BorrowedFd<'_>,
    deadline: Option<Instant>,
    (spinner, spin): (&mut Spinner, Duration),
    mut ready: impl FnMut() -> io::Result<Option<T>>,
) -> io::Result<Option<T>> {
    // Ready at once (a frame's rest, room in the ring): no clock read.
    if let Some(v) = ready()? {
        return Ok(Some(v));
    }
    let mut pure = spinner.begin();
    let started = Instant::now();
    loop {
        if let Some(v) = ready()? {
            if pure {
                spinner.hit();
            }
            return Ok(Some(v));
        }
        let spun = started.elapsed();
        if spun >= spin {
            break;
        }
        if pure && spun < PURE_SPIN {
            std::hint::spin_loop();
        } else {
            if pure {
                pure = false;
                spinner.missed();
            }
            std::thread::yield_now();
        }
    }
    loop {
        let seen = word.load(Ordering::SeqCst);
        parked.store(1, Ordering::SeqCst);
        // Checked after announcing the park: a peer that moved on before it
        // saw the flag is caught here; one that moves on after will wake us.
        // The fence keeps `ready`'s acquire load after the store (Arm may
        // otherwise run it first, and both sides would miss each other).
        std::sync::atomic::fence(Ordering::SeqCst);
        if let Some(v) = ready()? {
            parked.store(0, Ordering::SeqCst);
            return Ok(Some(v));
        }
        let mut slice = IDLE_PARK_SLICE;
        if let Some(deadline) = deadline {
            slice = PARK_SLICE;
            let now = Instant::now();
            if now >= deadline {
                parked.store(0, Ordering::SeqCst);
                return Err(io::ErrorKind::TimedOut.into());
            }
            slice = slice.min(deadline - now);
        }
        let parked_for = platform::park(wake, word, seen, alive, slice);
        parked.store(0, Ordering::SeqCst);
        if parked_for? == Parked::PeerGone {
            // One last look: the peer may have written and then exited.
            return ready();
        }
    }
}

/// Wakes the peer if it is parked on `word`; whether it was.
fn notify(wake: Wake, word: &AtomicU32, parked: &AtomicU32, alive: BorrowedFd<'_>) -> bool {
    let asleep = parked.load(Ordering::SeqCst) != 0;
    if asleep {
        platform::unpark(wake, word, alive);
    }
    asleep
}

/// Reads a ring as a byte stream.
pub struct RingReader {
    rings: Arc<SharedRings>,
    direction: Direction,
    /// Our own count of bytes read: never taken back from shared memory.
    position: u32,
    alive: OwnedFd,
    deadline: Option<Instant>,
    spinner: Spinner,
}

impl RingReader {
    /// Reads past `deadline` fail with `TimedOut`; `None` waits as long as the peer lives.
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }
}

impl Read for RingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let ring = self.rings.ring(self.direction);
        let position = self.position;
        let alive = self.alive.as_fd();
        // Only a wait for an answer (one with a deadline: the host's, in a
        // call) spins longer; an idle runner waiting for a call does not.
        let woke = self.rings.woke_peer.load(Ordering::Relaxed)
            && self.rings.woke_peer.swap(false, Ordering::Relaxed);
        let spin = if woke && self.deadline.is_some() {
            WOKEN_SPIN
        } else {
            crate::SPIN
        };
        let available = wait(
            (self.rings.wake, ring.written),
            ring.reader_parked,
            alive,
            self.deadline,
            (&mut self.spinner, spin),
            || {
                let written = ring.written.load(Ordering::Acquire);
                let available = written.wrapping_sub(position);
                if available > RING_LEN {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "the peer moved its ring position out of bounds",
                    ));
                }
                Ok((available > 0).then_some(available))
            },
        )?;
        let Some(available) = available else {
            return Ok(0); // the peer is gone and left nothing
        };
        let n = buf.len().min(available as usize);
        ring.get(position, &mut buf[..n]);
        self.position = position.wrapping_add(n as u32);
        ring.read.store(self.position, Ordering::SeqCst);
        let _ = notify(self.rings.wake, ring.read, ring.writer_parked, alive);
        Ok(n)
    }
}

/// Writes a ring as a byte stream; every write is visible to the reader at once.
pub struct RingWriter {
    rings: Arc<SharedRings>,
    direction: Direction,
    position: u32,
    alive: OwnedFd,
    deadline: Option<Instant>,
    spinner: Spinner,
}

impl RingWriter {
    /// Writes that find the ring full past `deadline` fail with `TimedOut`.
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    /// Room in the ring, waiting for some if there is none.
    fn room(&mut self) -> io::Result<u32> {
        let position = self.position;
        let ring = self.rings.ring(self.direction);
        let room = wait(
            (self.rings.wake, ring.read),
            ring.writer_parked,
            self.alive.as_fd(),
            self.deadline,
            (&mut self.spinner, crate::SPIN),
            || {
                let read = ring.read.load(Ordering::Acquire);
                let used = position.wrapping_sub(read);
                if used > RING_LEN {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "the peer moved its ring position out of bounds",
                    ));
                }
                let room = RING_LEN - used;
                Ok((room > 0).then_some(room))
            },
        )?;
        room.ok_or_else(|| io::ErrorKind::BrokenPipe.into())
    }

    fn publish(&mut self, n: usize) {
        self.position = self.position.wrapping_add(n as u32);
        let ring = self.rings.ring(self.direction);
        ring.written.store(self.position, Ordering::SeqCst);
        if notify(
            self.rings.wake,
            ring.written,
            ring.reader_parked,
            self.alive.as_fd(),
        ) {
            self.rings.woke_peer.store(true, Ordering::Relaxed);
        }
    }
}

impl Write for RingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = buf.len().min(self.room()? as usize);
        self.rings
            .ring(self.direction)
            .put(self.position, &buf[..n]);
        self.publish(n);
        Ok(n)
    }

    /// Copies as many of the slices as fit, then publishes once, so a frame's
    /// header and payload wake the reader once.
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        if total == 0 {
            return Ok(0);
        }
        let room = self.room()? as usize;
        let ring = self.rings.ring(self.direction);
        let mut done = 0;
        for buf in bufs {
            let n = buf.len().min(room - done);
            ring.put(self.position.wrapping_add(done as u32), &buf[..n]);
            done += n;
            if done == room {
                break;
            }
        }
        self.publish(done);
        Ok(done)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
#[path = "ring_tests.rs"]
mod tests;
