//! The one role a generated client needs from what runs its plugin: call
//! an export. [`Plugin`](crate::Plugin) (a runner process, or a runner loop on a thread)
//! and the in-process baseline [`InProcess`] both play it, so one
//! generated client drives any of them.

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use airlock_runner::in_process::InProcess;

use crate::dispatch::ImportDispatch;
use crate::error::{Error, Result};

/// Calls the exports of one plugin instance, whatever runs it.
///
/// [`Plugin`](crate::Plugin)'s implementation is beside its call loop
/// (`plugin/call.rs`), so that a call is read in one file.
///
/// Generated clients are generic over it (`Filter<I: Invoke = Plugin>`):
/// a client over [`Plugin`](crate::Plugin) is the sandboxed plugin every host runs; over
/// [`InProcess`] it is the unsandboxed baseline benchmarks compare with.
pub trait Invoke {
    /// The plugin's name, for errors.
    fn name(&self) -> &str;

    /// Calls export `func` (named `function` in errors) with postcard-encoded
    /// `args`, serving the plugin's import calls through `imports`; the
    /// encoded result replaces what `out` held.
    fn invoke(
        &mut self,
        func: u32,
        function: &str,
        args: &[u8],
        imports: &mut dyn ImportDispatch,
        out: &mut Vec<u8>,
    ) -> Result<()>;

    /// [`Invoke::invoke`] with typed arguments and result, which is what
    /// generated clients call. [`Plugin`](crate::Plugin) replaces it to skip the copies
    /// (bulk arguments go straight into shared memory, results are decoded
    /// where they arrived).
    fn call<A: Serialize, R: DeserializeOwned>(
        &mut self,
        func: u32,
        function: &str,
        args: &A,
        imports: &mut dyn ImportDispatch,
    ) -> Result<R>
    where
        Self: Sized,
    {
        let mut encoded = Vec::new();
        airlock_protocol::encode_into(args, &mut encoded)
            .map_err(|e| bad_arguments(self.name(), function, e))?;
        let mut out = Vec::new();
        self.invoke(func, function, &encoded, imports, &mut out)?;
        airlock_protocol::decode(&out).map_err(|e| undecodable(self.name(), function, e))
    }
}

/// The name errors of the in-process baseline carry.
const IN_PROCESS: &str = "in-process";

/// The baseline has no host on the other end: its plugin's import calls
/// fail inside it, and `imports` is never called.
impl Invoke for InProcess {
    fn name(&self) -> &str {
        IN_PROCESS
    }

    fn invoke(
        &mut self,
        func: u32,
        function: &str,
        args: &[u8],
        _imports: &mut dyn ImportDispatch,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        InProcess::call(self, func, args, out)
            .map_err(|failure| in_process_failed(function, failure))
    }

    /// Encodes into and decodes from buffers the baseline keeps, so that it
    /// is measured at its best.
    fn call<A: Serialize, R: DeserializeOwned>(
        &mut self,
        func: u32,
        function: &str,
        args: &A,
        _imports: &mut dyn ImportDispatch,
    ) -> Result<R> {
        self.call_with(
            func,
            |buf| {
                airlock_protocol::encode_into(args, buf)
                    .map_err(|e| bad_arguments(IN_PROCESS, function, e))
            },
            |out| airlock_protocol::decode(out).map_err(|e| undecodable(IN_PROCESS, function, e)),
            |failure| in_process_failed(function, failure),
        )
    }
}

fn in_process_failed(function: &str, failure: airlock_protocol::CallFailure) -> Error {
    // The baseline runs without a deadline of its own.
    Error::from_call_failure(IN_PROCESS, function, failure, std::time::Duration::MAX)
}

fn bad_arguments(plugin: &str, function: &str, e: postcard::Error) -> Error {
    Error::BadArguments {
        plugin: plugin.to_string(),
        function: function.to_string(),
        detail: e.to_string().into(),
    }
}

fn undecodable(plugin: &str, function: &str, e: postcard::Error) -> Error {
    Error::Protocol {
        plugin: plugin.to_string(),
        detail: format!("the result of `{function}` did not decode: {e}").into(),
    }
}
