//! What Windows gives a runner process: its host connection is its end
//! of a named pipe, inherited, whose handle value follows the runner
//! argument on its command line. Not yet: preopened
//! folders, the shared rings, a compile child and mapped artifacts; a
//! policy that needs them is refused with a sentence that says so, and the
//! compile runs in the runner itself, inside the host's Job object, whose
//! memory limit bounds what the compiler allocates.

use std::io::{Read, Write};
use std::sync::Arc;

use airlock_protocol::{InitFailure, Stream, Wake};
use wasmtime::Engine;
use wasmtime::component::Component;

use super::{CompileLimits, Dir, HostStreams};

pub(super) fn host_stream(runner_arg: &str) -> Result<Stream, String> {
    let value = std::env::args()
        .skip_while(|a| a != runner_arg)
        .nth(1)
        .and_then(|value| value.parse::<usize>().ok())
        .ok_or_else(|| format!("started without its pipe's handle value after {runner_arg}"))?;
    // SAFETY: the host makes runners inherit their end of the pipe and
    // names its value here; nothing else in this process owns it.
    unsafe { Stream::from_inherited(value) }
        .map_err(|e| format!("the handle after {runner_arg} is not the host's pipe: {e}"))
}

pub(super) fn connect_to_host(runner_arg: &str) -> Result<HostStreams, String> {
    let pipe = Arc::new(host_stream(runner_arg)?);
    Ok(HostStreams {
        input: Box::new(airlock_protocol::SpinningReader::new(
            SharedPipe(pipe.clone()),
            airlock_protocol::SPIN,
        )),
        output: Box::new(SharedPipe(pipe)),
        socket_fd: None,
    })
}

/// One end of the pipe, read on one side and written on the other.
struct SharedPipe(Arc<Stream>);

impl airlock_protocol::Channel for SharedPipe {
    fn try_read(&self, buf: &mut [u8]) -> std::io::Result<Option<usize>> {
        self.0.try_read(buf)
    }

    fn read_by(
        &self,
        buf: &mut [u8],
        deadline: Option<std::time::Instant>,
    ) -> std::io::Result<usize> {
        self.0.read_by(buf, deadline)
    }

    fn write_by(
        &self,
        bufs: &[std::io::IoSlice<'_>],
        deadline: std::time::Instant,
    ) -> std::io::Result<usize> {
        self.0.write_by(bufs, deadline)
    }
}

impl Write for SharedPipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        (&*self.0).write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn not_yet(what: &str) -> InitFailure {
    InitFailure::Instantiate(format!(
        "{what} are not available to plugins on Windows yet; grant none there"
    ))
}

pub(super) fn preopen(_index: usize) -> Result<Dir, InitFailure> {
    Err(not_yet("preopened folders"))
}

pub(super) fn preopen_path(_index: usize) -> Result<String, InitFailure> {
    Err(not_yet("preopened folders"))
}

#[allow(clippy::type_complexity, reason = "one pair of boxed streams")]
pub(super) fn take_rings(
    _rings_fd: Option<i32>,
    _socket_fd: Option<i32>,
    _wake: Wake,
) -> Option<std::io::Result<(Box<dyn Read + Send>, Box<dyn Write + Send>)>> {
    None
}

pub(super) fn data_in_use() -> Option<u64> {
    None
}

pub(super) fn precompile_isolated(
    engine: &Engine,
    bytes: &[u8],
    _limits: CompileLimits,
) -> Result<Vec<u8>, InitFailure> {
    engine
        .precompile_component(bytes)
        .map_err(|e| InitFailure::Compile(format!("{e:?}")))
}

pub(super) fn load_mapped(_engine: &Engine, _fd: i32) -> Result<(Component, bool), InitFailure> {
    Err(InitFailure::StaleArtifact(
        "sealed memory files are Linux's: this system's host sends an artifact's bytes instead; refused"
            .into(),
    ))
}
