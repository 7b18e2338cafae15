//! Reading from a socket with a short spin first: a peer that answers within
//! microseconds is not paid for with a sleep and a cross-CPU wake-up, which
//! costs tens of microseconds on a virtual machine.

use std::io::{self, Read};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use rustix::io::Errno;
use rustix::net::RecvFlags;

/// How long a reader polls before it blocks. Short, because on a 2-core
/// machine the peer may need the very CPU a spinner holds; each poll also
/// yields the CPU to anything else runnable.
pub const SPIN: Duration = Duration::from_micros(40);

/// A socket reader that polls without blocking for up to `spin`, yielding
/// between polls, then falls back to a blocking read (which honours the
/// socket's read timeout).
#[derive(Debug)]
pub struct SpinningReader<S> {
    socket: S,
    spin: Duration,
}

impl<S> SpinningReader<S> {
    pub fn new(socket: S, spin: Duration) -> Self {
        Self { socket, spin }
    }
}

impl<S: AsFd + Read> Read for SpinningReader<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.spin.is_zero() && !buf.is_empty() {
            let started = Instant::now();
            loop {
                match rustix::net::recv(&self.socket, &mut *buf, RecvFlags::DONTWAIT) {
                    Ok((n, _)) => return Ok(n),
                    Err(Errno::AGAIN) => {
                        if started.elapsed() >= self.spin {
                            break;
                        }
                        std::thread::yield_now();
                    }
                    Err(Errno::INTR) => {}
                    // Not a socket (a pipe in tests): just read.
                    Err(Errno::NOTSOCK) => break,
                    Err(e) => return Err(e.into()),
                }
            }
        }
        self.socket.read(buf)
    }
}
