//! Windows: the control channel is a duplex named pipe opened for
//! overlapped I/O at both ends, so every read and write can wait on an
//! event with a deadline and be cancelled at it — what `poll` gives a
//! socket on POSIX systems. Both ends are made in the host ([`Pipe::pair`]:
//! one instance, remote clients refused, a random name that is never used
//! again), and the runner's end reaches it as an inherited handle
//! ([`Pipe::from_inherited`]): nothing opens the pipe by name once it is
//! connected, so no other process can take a runner's place.

use std::ffi::OsStr;
use std::io::{self, IoSlice, Read, Write};
use std::os::windows::ffi::OsStrExt;
use std::os::windows::io::{AsHandle, AsRawHandle, BorrowedHandle, FromRawHandle, OwnedHandle};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use windows_sys::Win32::Foundation::{
    ERROR_BROKEN_PIPE, ERROR_IO_PENDING, ERROR_NO_DATA, ERROR_OPERATION_ABORTED,
    ERROR_PIPE_CONNECTED, ERROR_PIPE_NOT_CONNECTED, FALSE, GENERIC_READ, GENERIC_WRITE,
    INVALID_HANDLE_VALUE, TRUE, WAIT_OBJECT_0, WAIT_TIMEOUT,
};
use windows_sys::Win32::Storage::FileSystem::{
    CreateFileW, FILE_FLAG_FIRST_PIPE_INSTANCE, FILE_FLAG_OVERLAPPED, FILE_TYPE_PIPE, GetFileType,
    OPEN_EXISTING, PIPE_ACCESS_DUPLEX, ReadFile, SECURITY_IDENTIFICATION, SECURITY_SQOS_PRESENT,
    WriteFile,
};
use windows_sys::Win32::System::IO::{CancelIoEx, GetOverlappedResult, OVERLAPPED};
use windows_sys::Win32::System::Performance::{QueryPerformanceCounter, QueryPerformanceFrequency};
use windows_sys::Win32::System::Pipes::{
    ConnectNamedPipe, CreateNamedPipeW, DisconnectNamedPipe, PIPE_READMODE_BYTE,
    PIPE_REJECT_REMOTE_CLIENTS, PIPE_TYPE_BYTE, PIPE_WAIT, PeekNamedPipe,
};
use windows_sys::Win32::System::Threading::{CreateEventW, INFINITE, WaitForSingleObject};

use super::channel::{Channel, remaining};

/// Bytes the system buffers in each direction before a writer waits.
const BUFFER: u32 = 256 << 10;

/// One end of a duplex byte pipe, opened for overlapped I/O.
#[derive(Debug)]
pub struct Pipe {
    handle: OwnedHandle,
}

impl Pipe {
    /// Both ends of a new pipe, in this process (tests, and the host's end
    /// before a child takes the other).
    pub fn pair() -> io::Result<(Pipe, Pipe)> {
        let (server, name) = Pipe::listen()?;
        let client = Pipe::connect(&name)?;
        server.accept(None)?;
        Ok((server, client))
    }

    /// The server end of a new pipe with a fresh random name, which a
    /// client opens with [`Pipe::connect`].
    fn listen() -> io::Result<(Pipe, String)> {
        static MADE: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            r"\\.\pipe\airlock-{}-{}-{:016x}",
            std::process::id(),
            MADE.fetch_add(1, Ordering::Relaxed),
            random_u64(),
        );
        // SAFETY: a valid, NUL-terminated name; no security attributes (the
        // default, not inheritable); the handle is checked before use.
        let raw = unsafe {
            CreateNamedPipeW(
                wide(&name).as_ptr(),
                PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                1,
                BUFFER,
                BUFFER,
                0,
                std::ptr::null(),
            )
        };
        Ok((Pipe::own(raw)?, name))
    }

    /// The client end of the pipe named `name`. The server learns who we
    /// are (to check our process id) but cannot act as us.
    fn connect(name: &str) -> io::Result<Pipe> {
        // SAFETY: as for `listen`.
        let raw = unsafe {
            CreateFileW(
                wide(name).as_ptr(),
                GENERIC_READ | GENERIC_WRITE,
                0,
                std::ptr::null(),
                OPEN_EXISTING,
                FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION,
                std::ptr::null_mut(),
            )
        };
        Pipe::own(raw)
    }

    /// Waits (server end) until a client has opened the pipe, until
    /// `deadline` at most.
    fn accept(&self, deadline: Option<Instant>) -> io::Result<()> {
        let mut done = 0;
        self.overlapped(deadline, &mut done, |handle, overlapped| {
            // SAFETY: `overlapped` outlives the operation (see `overlapped`).
            unsafe { ConnectNamedPipe(handle, overlapped) }
        })
        .or_else(|e| match e.raw_os_error() {
            Some(code) if code == ERROR_PIPE_CONNECTED as i32 => Ok(0),
            _ => Err(e),
        })
        .map(drop)
    }

    /// Hangs up (server end): the client's reads end and its writes fail;
    /// this end's too.
    pub fn hang_up(&self) {
        // SAFETY: a valid pipe handle; a client end just refuses.
        unsafe { DisconnectNamedPipe(self.raw()) };
    }

    /// The end a runner inherited, whose handle value its command line
    /// gives: checked to be a pipe before it is used.
    ///
    /// # Safety
    ///
    /// `value` must be a handle this process inherited for this purpose
    /// and that nothing else in the process owns.
    pub unsafe fn from_inherited(value: usize) -> io::Result<Pipe> {
        let raw = value as windows_sys::Win32::Foundation::HANDLE;
        // SAFETY: a file type query on what the caller says is a handle;
        // a wrong value fails it.
        if unsafe { GetFileType(raw) } != FILE_TYPE_PIPE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("handle {value:#x} is not a pipe"),
            ));
        }
        Pipe::own(raw)
    }

    /// This end's handle value, as a child that inherits it sees it too.
    pub fn handle_value(&self) -> usize {
        self.raw() as usize
    }

    fn own(raw: windows_sys::Win32::Foundation::HANDLE) -> io::Result<Pipe> {
        if raw == INVALID_HANDLE_VALUE || raw.is_null() {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a fresh handle that nothing else owns.
        let handle = unsafe { OwnedHandle::from_raw_handle(raw) };
        Ok(Pipe { handle })
    }

    fn raw(&self) -> windows_sys::Win32::Foundation::HANDLE {
        self.handle.as_raw_handle()
    }

    /// Starts one overlapped operation and waits for it until `deadline`;
    /// at the deadline it is cancelled, and only a cancelled operation that
    /// moved no bytes is `TimedOut`. The `OVERLAPPED` and its event live on
    /// this frame until the operation is over, whichever way it ends.
    fn overlapped(
        &self,
        deadline: Option<Instant>,
        done: &mut u32,
        start: impl FnOnce(windows_sys::Win32::Foundation::HANDLE, *mut OVERLAPPED) -> i32,
    ) -> io::Result<u32> {
        let event = Event::new()?;
        let mut overlapped = OVERLAPPED {
            hEvent: event.raw(),
            ..OVERLAPPED::default()
        };
        if start(self.raw(), &mut overlapped) == FALSE {
            let err = io::Error::last_os_error();
            if err.raw_os_error() != Some(ERROR_IO_PENDING as i32) {
                return Err(err);
            }
            let wait = match deadline {
                None => INFINITE,
                Some(deadline) => match remaining(deadline) {
                    // Rounded up, at most what a wait can say.
                    Ok(left) => left.as_micros().div_ceil(1000).min(INFINITE as u128 - 1) as u32,
                    Err(_) => 0,
                },
            };
            // SAFETY: a valid event handle.
            let waited = unsafe { WaitForSingleObject(event.raw(), wait) };
            if waited != WAIT_OBJECT_0 {
                let failed = (waited != WAIT_TIMEOUT).then(io::Error::last_os_error);
                // SAFETY: cancels only this operation, still pending on this
                // handle; the result below waits for it to end, so neither
                // the `OVERLAPPED` nor the buffer is left to the system.
                unsafe { CancelIoEx(self.raw(), &overlapped) };
                if let Some(failed) = failed {
                    // SAFETY: as below.
                    unsafe { GetOverlappedResult(self.raw(), &overlapped, done, TRUE) };
                    return Err(failed);
                }
            }
        }
        // SAFETY: the operation started on this handle with this
        // `OVERLAPPED`; waiting makes sure it is over before both go.
        if unsafe { GetOverlappedResult(self.raw(), &overlapped, done, TRUE) } == FALSE {
            let err = io::Error::last_os_error();
            if err.raw_os_error() == Some(ERROR_OPERATION_ABORTED as i32) {
                // Cancelled at the deadline: what moved before it counts.
                return match *done {
                    0 => Err(io::ErrorKind::TimedOut.into()),
                    moved => Ok(moved),
                };
            }
            return Err(err);
        }
        Ok(*done)
    }
}

impl Channel for Pipe {
    fn try_read(&self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        let mut available = 0;
        // SAFETY: a valid pipe handle; only the count is asked for.
        let peeked = unsafe {
            PeekNamedPipe(
                self.raw(),
                std::ptr::null_mut(),
                0,
                std::ptr::null_mut(),
                &mut available,
                std::ptr::null_mut(),
            )
        };
        if peeked == FALSE {
            return match end_of_file(io::Error::last_os_error()) {
                Ok(()) => Ok(Some(0)),
                Err(e) => Err(e),
            };
        }
        if available == 0 || buf.is_empty() {
            return Ok(None);
        }
        // Never a wait: the bytes counted may belong to a write the peer
        // cancels before this read takes them.
        match self.read_by(buf, Some(Instant::now())) {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn read_by(&self, buf: &mut [u8], deadline: Option<Instant>) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let len = buf.len().min(u32::MAX as usize) as u32;
        loop {
            let mut done = 0;
            let read = self.overlapped(deadline, &mut done, |handle, overlapped| {
                // SAFETY: `buf` outlives the operation, as `overlapped` does.
                unsafe {
                    ReadFile(
                        handle,
                        buf.as_mut_ptr(),
                        len,
                        std::ptr::null_mut(),
                        overlapped,
                    )
                }
            });
            match read {
                // A pipe's end of file is an error; a read of nothing is a
                // peer's empty write: wait for bytes again.
                Ok(0) => {}
                Ok(n) => return Ok(n as usize),
                Err(e) => return end_of_file(e).map(|()| 0),
            }
        }
    }

    fn write_by(&self, bufs: &[IoSlice<'_>], deadline: Instant) -> io::Result<usize> {
        let Some(buf) = bufs.iter().find(|b| !b.is_empty()) else {
            return Ok(0);
        };
        let len = buf.len().min(u32::MAX as usize) as u32;
        let mut done = 0;
        let written = self.overlapped(Some(deadline), &mut done, |handle, overlapped| {
            // SAFETY: `buf` outlives the operation, as `overlapped` does.
            unsafe { WriteFile(handle, buf.as_ptr(), len, std::ptr::null_mut(), overlapped) }
        });
        match written {
            Ok(n) => Ok(n as usize),
            Err(e) => Err(match end_of_file(e) {
                Ok(()) => io::ErrorKind::BrokenPipe.into(),
                Err(e) => e,
            }),
        }
    }
}

impl Channel for &Pipe {
    fn try_read(&self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        (**self).try_read(buf)
    }

    fn read_by(&self, buf: &mut [u8], deadline: Option<Instant>) -> io::Result<usize> {
        (**self).read_by(buf, deadline)
    }

    fn write_by(&self, bufs: &[IoSlice<'_>], deadline: Instant) -> io::Result<usize> {
        (**self).write_by(bufs, deadline)
    }
}

impl Read for &Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_by(buf, None)
    }
}

impl Write for &Pipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // A write without a deadline: a day is for ever to a plugin call.
        let far = Instant::now() + std::time::Duration::from_secs(86_400);
        self.write_by(&[IoSlice::new(buf)], far)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self).read(buf)
    }
}

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsHandle for Pipe {
    fn as_handle(&self) -> BorrowedHandle<'_> {
        self.handle.as_handle()
    }
}

/// A manual-reset event, closed on drop.
struct Event(OwnedHandle);

impl Event {
    fn new() -> io::Result<Event> {
        // SAFETY: no name, no security attributes; checked below.
        let raw = unsafe { CreateEventW(std::ptr::null(), TRUE, FALSE, std::ptr::null()) };
        if raw.is_null() {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a fresh handle that nothing else owns.
        Ok(Event(unsafe { OwnedHandle::from_raw_handle(raw) }))
    }

    fn raw(&self) -> windows_sys::Win32::Foundation::HANDLE {
        self.0.as_raw_handle()
    }
}

/// `Ok` when `err` says the peer closed its end.
fn end_of_file(err: io::Error) -> io::Result<()> {
    match err.raw_os_error().map(|c| c as u32) {
        Some(ERROR_BROKEN_PIPE | ERROR_NO_DATA | ERROR_PIPE_NOT_CONNECTED) => Ok(()),
        _ => Err(err),
    }
}

fn wide(s: &str) -> Vec<u16> {
    OsStr::new(s).encode_wide().chain([0]).collect()
}

/// 64 random bits from the system's generator (through the keys std draws
/// for its hash maps), so that another process cannot guess a pipe's name.
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(std::process::id() as u64);
    hasher.finish()
}

/// The performance counter now, in nanoseconds: the same clock in every
/// process of the machine.
pub(super) fn monotonic_now() -> u64 {
    let (mut count, mut frequency) = (0i64, 0i64);
    // SAFETY: valid out pointers; both calls cannot fail on XP and later.
    unsafe {
        QueryPerformanceCounter(&mut count);
        QueryPerformanceFrequency(&mut frequency);
    }
    (count as u128 * 1_000_000_000 / frequency.max(1) as u128) as u64
}

#[cfg(test)]
#[path = "windows_tests.rs"]
mod tests;
