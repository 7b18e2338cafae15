//! What a zygote makes once, before it forks any runner, so that each
//! runner need not: the engine for the default policy's settings and, for
//! each world the program serves, a linker with WASI, the runner's own
//! services and the world's imports defined.
//!
//! None of it holds anything of a plugin: an engine is configuration and a
//! compiler, a linker a table of host functions. Each forked runner gets
//! its own copy-on-write copy; a runner whose policy asks for other engine
//! settings makes its own engine (and then its own linker) as an exec'd
//! runner does.

use std::sync::OnceLock;

use airlock_protocol::{InitFailure, RunnerPolicy};
use wasmtime::Engine;
use wasmtime::component::Linker;

use crate::engine::EngineSettings;
use crate::glue::{RunnerState, WorldGlue};

/// A world by name and hash.
type WorldKey = (&'static str, [u8; 32]);

struct Prepared {
    settings: EngineSettings,
    engine: Engine,
    /// Per world (name and hash), its linker for `engine`.
    linkers: Vec<(WorldKey, Linker<RunnerState>)>,
}

static PREPARED: OnceLock<Prepared> = OnceLock::new();

/// Makes the engine and the linkers; in the zygote, before its first fork.
/// A failure leaves runners to make their own.
#[allow(dead_code, reason = "only the Linux backend has a zygote")]
pub(crate) fn prepare(worlds: &[&dyn WorldGlue]) {
    let settings = EngineSettings::of(&RunnerPolicy::default());
    let Ok(engine) = crate::engine::engine(settings) else {
        return;
    };
    let linkers = worlds
        .iter()
        .filter_map(|glue| Some((world_of(*glue), world_linker(&engine, *glue).ok()?)))
        .collect();
    warm_caches(&engine);
    let _ = PREPARED.set(Prepared {
        settings,
        engine,
        linkers,
    });
}

/// Fills process-wide caches every runner would fill alike on its way to
/// its first call, none of which holds a secret or anything of a plugin.
/// Each costs a runner tens of µs on a virtual machine, where `CPUID`
/// traps to the hypervisor.
#[allow(dead_code, reason = "only the Linux backend has a zygote")]
fn warm_caches(engine: &Engine) {
    use rand::{RngExt as _, SeedableRng as _};
    // std's CPU feature detection, which the engine's compatibility check
    // and Cranelift's settings read.
    #[cfg(target_arch = "x86_64")]
    let _ = std::arch::is_x86_feature_detected!("avx2");
    // The engine checks once, on its first load, that its settings fit this
    // CPU; bytes that are no artifact make that load run the check and fail.
    // SAFETY: these bytes are not an ELF image: wasmtime refuses them in its
    // header check, before anything is mapped or run.
    let _ = unsafe { wasmtime::Module::deserialize(engine, b"no artifact") };
    // getrandom looks its system call up with dlsym on first use. The byte
    // drawn is thrown away; runners draw their own from the kernel.
    let _ = getrandom::fill(&mut [0u8; 1]);
    // chacha20 detects the CPU's vector units when the first generator is
    // seeded. This one has a constant seed and is dropped at once; runners
    // seed every generator of their own from the kernel.
    let _: u64 = rand::rngs::StdRng::seed_from_u64(0).random();
    // Wasmtime's per-thread set-up for calls into wasm (the signal stack and
    // its thread-local state), otherwise done by a runner's first call. The
    // forked runner's one thread is this one, so it inherits both; the
    // stack holds nothing until a trap, and a trap is its runner's own.
    Engine::tls_eager_initialize();
}

/// The engine for `policy`: the one the zygote made before forking this
/// runner when its settings are the policy's, else a new one.
pub(crate) fn engine_for(policy: &RunnerPolicy) -> Result<Engine, InitFailure> {
    let settings = EngineSettings::of(policy);
    match PREPARED.get().filter(|p| p.settings == settings) {
        Some(prepared) => Ok(prepared.engine.clone()),
        None => crate::engine::make_engine(policy),
    }
}

/// The prepared linker for `glue`'s world, when `engine` is the prepared engine.
pub(crate) fn linker_ref(
    engine: &Engine,
    glue: &dyn WorldGlue,
) -> Option<&'static Linker<RunnerState>> {
    PREPARED
        .get()
        .filter(|p| Engine::same(&p.engine, engine))
        .and_then(|p| p.linkers.iter().find(|(world, _)| *world == world_of(glue)))
        .map(|(_, linker)| linker)
}

/// A linker for `glue`'s world on `engine` with everything but the
/// component's own additions defined: a copy of the prepared one when
/// `engine` is the prepared engine, else a new one.
pub(crate) fn linker(
    engine: &Engine,
    glue: &dyn WorldGlue,
) -> wasmtime::Result<Linker<RunnerState>> {
    match linker_ref(engine, glue) {
        Some(linker) => Ok(linker.clone()),
        None => world_linker(engine, glue),
    }
}

fn world_of(glue: &dyn WorldGlue) -> WorldKey {
    (glue.world_name(), glue.world_hash())
}

fn world_linker(engine: &Engine, glue: &dyn WorldGlue) -> wasmtime::Result<Linker<RunnerState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    crate::services::add_to_linker(&mut linker)?;
    glue.link(&mut linker)?;
    Ok(linker)
}
