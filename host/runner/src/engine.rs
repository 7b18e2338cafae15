//! The engine a policy asks for, and compiling or loading a component with it.

use airlock_protocol::{Code, InitFailure, PROTOCOL_VERSION, RunnerPolicy};
use wasmtime::component::Component;
use wasmtime::{Config, Engine};

/// The engine, the component, its serialized form if asked for, and whether it was mapped.
pub(crate) type Compiled = (Engine, Component, Option<Vec<u8>>, bool);

/// Compiles `bytes` with `engine`, made by [`make_engine`] for the policy
/// (or, for [`Code::Artifact`], loads them; for [`Code::MappedArtifact`],
/// maps the sealed memfd); returns the serialized component too when `code`
/// asks for it, and whether the code was mapped. With `isolation`, compiling
/// happens in a child process under those limits.
pub(crate) fn compile(
    engine: Engine,
    bytes: &[u8],
    code: Code,
    isolation: Option<crate::platform::CompileLimits>,
) -> Result<Compiled, InitFailure> {
    if let Code::MappedArtifact { fd } = code {
        let (component, mapped) = crate::platform::load_mapped(&engine, fd)?;
        return Ok((engine, component, None, mapped));
    }
    if let (Code::Component { want_artifact }, Some(limits)) = (code, isolation) {
        let artifact = crate::platform::precompile_isolated(&engine, bytes, limits)?;
        // SAFETY: `deserialize` trusts its input; these bytes are what this
        // process's own compiler (in its child) made of the component,
        // before any plugin code ran.
        let component = unsafe { Component::deserialize(&engine, &artifact) }.map_err(|e| {
            InitFailure::Compile(format!("failed to load the compiled form: {e:#}"))
        })?;
        return Ok((engine, component, want_artifact.then_some(artifact), false));
    }
    let component = match code {
        Code::Component { .. } => {
            Component::new(&engine, bytes).map_err(|e| InitFailure::Compile(format!("{e:?}")))?
        }
        // SAFETY: `deserialize` trusts its input. The host sends an artifact
        // only after checking its keyed MAC, which only the host can make,
        // over bytes a runner compiled before running any plugin code.
        // wasmtime still checks the engine and version it was made for; a
        // mismatch is reported as stale.
        Code::Artifact => unsafe { Component::deserialize(&engine, bytes) }
            .map_err(|e| InitFailure::StaleArtifact(format!("{e:#}")))?,
        Code::MappedArtifact { .. } => unreachable!("returned above"),
    };
    let artifact = match code {
        Code::Component {
            want_artifact: true,
        } => Some(
            component
                .serialize()
                .map_err(|e| InitFailure::Compile(format!("failed to serialize: {e:#}")))?,
        ),
        _ => None,
    };
    Ok((engine, component, artifact, false))
}

/// What of an engine's configuration a policy decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EngineSettings {
    fuel: bool,
    max_wasm_stack: u32,
    debugger: bool,
}

impl EngineSettings {
    pub(crate) fn of(policy: &RunnerPolicy) -> Self {
        Self {
            fuel: policy.fuel_per_call.is_some(),
            max_wasm_stack: policy.max_wasm_stack,
            debugger: policy.debugger,
        }
    }
}

/// What an artifact depends on besides the component's bytes: the settings
/// [`engine`] derives from the policy, and the runner's build. Part of the
/// host's cache key, so that one cache serves runners with different policies.
pub fn artifact_fingerprint(policy: &RunnerPolicy) -> String {
    let settings = EngineSettings::of(policy);
    format!(
        "airlock-runner {} protocol {PROTOCOL_VERSION} fuel={} stack={} backtrace=details debug-info={}",
        env!("CARGO_PKG_VERSION"),
        settings.fuel,
        settings.max_wasm_stack,
        settings.debugger
    )
}

/// A new engine for `policy`, or why there is none.
pub(crate) fn make_engine(policy: &RunnerPolicy) -> Result<Engine, InitFailure> {
    engine(EngineSettings::of(policy)).map_err(|e| InitFailure::Compile(format!("{e:?}")))
}

pub(crate) fn engine(settings: EngineSettings) -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    config.concurrency_support(false);
    config.max_wasm_stack(settings.max_wasm_stack as usize);
    config.consume_fuel(settings.fuel);
    // A component's own debug information, if it carries any, names the
    // source line of each frame of a trap. (The runner's environment is
    // empty, so the default, reading WASMTIME_BACKTRACE_DETAILS, is off.)
    config.wasm_backtrace_details(wasmtime::WasmBacktraceDetails::Enable);
    // The debugging policy: native DWARF for the compiled code, translated
    // from the component's own, which wasmtime registers with gdb's JIT
    // interface when the code is loaded (the `debug-builtins` feature).
    // It changes the compiled code, so the fingerprint above includes it.
    config.debug_info(settings.debugger);
    Engine::new(&config)
}
