//! A plugin instance into the calling process, without a runner or a sandbox.
//!
//! For baselines and tooling only: benchmarks compare Airlock's out-of-process
//! call with exactly this in-process typed call (same glue, same postcard
//! encoding, same wasmtime configuration). Untrusted plugins must never be run
//! this way in a host application.

use std::io;

use airlock_protocol::{CallFailure, InitFailure, RunnerPolicy};

use crate::glue::{HostConnection, WorldGlue};
use crate::instance::PluginInstance;
use crate::wasi::build_wasi;

/// One in-process instance of a plugin for a world without host imports
/// (import calls fail: there is no host on the other end).
pub struct InProcess {
    instance: PluginInstance,
    policy: RunnerPolicy,
    /// The arguments and the result of [`InProcess::call_with`], kept across
    /// calls so that the baseline allocates nothing of its own per call.
    args: Vec<u8>,
    out: Vec<u8>,
}

impl InProcess {
    pub fn load(glue: &dyn WorldGlue, component: &[u8]) -> Result<Self, InitFailure> {
        let policy = RunnerPolicy {
            deadline_ms: u64::MAX / 4,
            max_memory_bytes: u64::MAX,
            ..RunnerPolicy::default()
        };
        let mut instance = PluginInstance::load(glue, component, &policy)?;
        let host = HostConnection::new(
            Box::new(io::empty()),
            Box::new(io::sink()),
            u32::MAX,
            64 << 10,
        );
        let wasi = build_wasi(&policy, &host)?;
        instance.connect(host, wasi, u64::MAX / 4)?;
        Ok(Self {
            instance,
            policy,
            args: Vec::new(),
            out: Vec::new(),
        })
    }

    /// Calls export `func` with postcard-encoded `args`; the encoded result lands in `out`.
    pub fn call(&mut self, func: u32, args: &[u8], out: &mut Vec<u8>) -> Result<(), CallFailure> {
        self.instance
            .call(func, args, out, u64::MAX / 4, &self.policy)
    }

    /// Calls export `func` with the arguments `encode` writes into a buffer
    /// kept across calls; `decode` reads the result where it landed, and
    /// `failed` turns a failed call into the caller's error. The typed call
    /// at its best: what a generated client over this baseline runs.
    pub fn call_with<T, E>(
        &mut self,
        func: u32,
        encode: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
        decode: impl FnOnce(&[u8]) -> Result<T, E>,
        failed: impl FnOnce(CallFailure) -> E,
    ) -> Result<T, E> {
        self.args.clear();
        encode(&mut self.args)?;
        self.instance
            .call(func, &self.args, &mut self.out, u64::MAX / 4, &self.policy)
            .map_err(failed)?;
        decode(&self.out)
    }
}
