//! The control channel's contract: what the spinning reader and the deadline
//! writer ([`crate::spin`]) need of one end of it, whatever the system makes
//! it of (a Unix stream socket on POSIX systems, an overlapped named pipe on
//! Windows).

use std::io::{self, IoSlice};
use std::time::Instant;

/// One end of a control channel, shared by reference between a reader and
/// a writer: at most one read and one write at a time.
pub trait Channel {
    /// Reads what has already arrived, without waiting: `None` when nothing
    /// has, `Some(0)` at end of file.
    fn try_read(&self, buf: &mut [u8]) -> io::Result<Option<usize>>;

    /// Reads at least one byte, or end of file, waiting until `deadline` at
    /// most (for ever without one); past it, fails with
    /// [`io::ErrorKind::TimedOut`] having read nothing.
    fn read_by(&self, buf: &mut [u8], deadline: Option<Instant>) -> io::Result<usize>;

    /// Writes some of `bufs`, in order, waiting for room until `deadline` at
    /// most; past it, fails with [`io::ErrorKind::TimedOut`] having written
    /// nothing. A peer that has closed its end is
    /// [`io::ErrorKind::BrokenPipe`], never a signal.
    fn write_by(&self, bufs: &[IoSlice<'_>], deadline: Instant) -> io::Result<usize>;
}

/// The remaining wait until `deadline`, or `TimedOut` once it has passed.
pub(crate) fn remaining(deadline: Instant) -> io::Result<std::time::Duration> {
    let now = Instant::now();
    if now >= deadline {
        return Err(io::ErrorKind::TimedOut.into());
    }
    Ok(deadline - now)
}
