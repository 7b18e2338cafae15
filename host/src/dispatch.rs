//! The host side of import calls: generated code implements [`ImportDispatch`]
//! for the host application's trait implementations.

/// Decodes an import call, runs the host's implementation, encodes the result.
pub trait ImportDispatch {
    fn dispatch(&mut self, func: u32, args: &[u8], out: &mut Vec<u8>) -> Result<(), DispatchError>;

    /// The name of import `func` (`interface#function`), for errors about it.
    fn import_name(&self, func: u32) -> Option<&'static str> {
        let _ = func;
        None
    }
}

/// Why an import call from a runner could not be served; the runner is then
/// treated as misbehaving.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error("the runner called import {0}, which the world does not have")]
    UnknownImport(u32),
    #[error("import arguments did not decode: {0}")]
    Decode(#[from] postcard::Error),
}

/// The dispatcher of worlds without imports: every import call is a violation.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoImports;

impl ImportDispatch for NoImports {
    fn dispatch(&mut self, func: u32, _: &[u8], _: &mut Vec<u8>) -> Result<(), DispatchError> {
        Err(DispatchError::UnknownImport(func))
    }
}
