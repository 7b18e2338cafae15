//! The handshake: checking the host's `Hello`, and telling the host why a
//! plugin cannot start.

use airlock_protocol::{FrameError, FromRunner, Hello, InitFailure, PROTOCOL_VERSION};

use crate::glue::{HostConnection, WorldGlue};

/// Why serving stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("host connection failed: {0}")]
    Frame(#[from] FrameError),
    #[error("protocol violation by the host: {0}")]
    Protocol(String),
    #[error("the plugin could not be started: {0}")]
    Init(InitFailure),
}

/// Largest Hello frame: it carries the component's bytes.
pub(crate) const MAX_HELLO_LEN: u32 = airlock_protocol::MAX_CODE_FRAME_LEN;

/// Tells the host why the plugin cannot start, and returns the error to exit with.
pub(crate) fn init_failed(host: &mut HostConnection, failure: InitFailure) -> ServeError {
    match host.send(&FromRunner::InitFailed(failure.clone()), &[]) {
        Ok(()) => ServeError::Init(failure),
        Err(e) => e.into(),
    }
}

pub(crate) fn check_hello<'w>(
    hello: &Hello,
    worlds: &[&'w dyn WorldGlue],
) -> Result<&'w dyn WorldGlue, InitFailure> {
    if hello.protocol != PROTOCOL_VERSION {
        return Err(InitFailure::ProtocolMismatch {
            host: hello.protocol,
            runner: PROTOCOL_VERSION,
        });
    }
    let Some(glue) = worlds.iter().find(|w| w.world_name() == hello.world) else {
        let known = worlds.iter().map(|w| w.world_name().to_string()).collect();
        return Err(InitFailure::UnknownWorld {
            world: hello.world.clone(),
            known,
        });
    };
    if glue.world_hash() != hello.world_hash {
        return Err(InitFailure::WorldMismatch(format!(
            "the host and this runner were built from different versions of world `{}`",
            hello.world
        )));
    }
    Ok(*glue)
}
