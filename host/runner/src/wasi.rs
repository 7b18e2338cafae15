//! The guest's WASI context, built from the policy's grants.

use std::sync::Arc;

use airlock_protocol::{InitFailure, RunnerPolicy};
use wasmtime_wasi::clocks::MonotonicClock;
use wasmtime_wasi::sockets::SocketAddrUse;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder};

use crate::glue::HostConnection;
use crate::observe::{ObservedMonotonicClock, ObservedRandom, ObservedWallClock, Observer};

/// The guest's WASI context: captured stdio, the granted environment, the
/// preopened directories (reopened through their descriptors, so the runner
/// never learns their paths), and sockets only to the granted addresses.
pub(crate) fn build_wasi(
    policy: &RunnerPolicy,
    host: &HostConnection,
) -> Result<WasiCtx, InitFailure> {
    let mut wasi = WasiCtx::builder();
    wasi.stdout(host.stdout.clone())
        .stderr(host.stderr.clone())
        .envs(&policy.env);
    if let Some(observer) = &host.observer {
        observe_clocks_and_random(&mut wasi, observer);
    }
    for (i, grant) in policy.preopens.iter().enumerate() {
        let path = crate::platform::preopen_path(i)?;
        let perms = if grant.writable {
            FsPerms::ReadWrite
        } else {
            FsPerms::ReadOnly
        };
        wasi.preopened_dir(&path, &grant.guest_path, perms)
            .map_err(|e| {
                InitFailure::Instantiate(format!(
                    "preopened directory {} ({path}) is unusable: {e}",
                    grant.guest_path
                ))
            })?;
    }
    if !policy.network.is_empty() {
        let allowed = Arc::new(policy.network.clone());
        let denials = host.denials.clone();
        wasi.allow_tcp(true)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .socket_addr_check(move |addr, used| {
                let ok = match used {
                    // Implicit binds before a connect use the wildcard address.
                    SocketAddrUse::TcpBind => addr.ip().is_unspecified() && addr.port() == 0,
                    SocketAddrUse::TcpConnect => allowed.contains(&addr),
                    _ => false,
                };
                if !ok {
                    denials
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(("network".into(), format!("{used:?} {addr} is not granted")));
                }
                Box::pin(async move { ok })
            });
    }
    Ok(wasi.build())
}

/// Clocks and random through `observer`, for recording and replay; the
/// insecure seed fixed, as a replay could not be handed it back.
fn observe_clocks_and_random(wasi: &mut WasiCtxBuilder, observer: &Observer) {
    let random = |observer: &Observer| ObservedRandom {
        observer: observer.clone(),
        real: wasmtime_wasi::random::thread_rng(),
    };
    wasi.wall_clock(ObservedWallClock(observer.clone()))
        .monotonic_clock(ObservedMonotonicClock {
            observer: observer.clone(),
            real: MonotonicClock::new(),
        })
        .secure_random(random(observer))
        .insecure_random(random(observer))
        .insecure_random_seed(RECORDING_INSECURE_SEED);
}

/// `wasi:random/insecure-seed` while the host records.
const RECORDING_INSECURE_SEED: u128 = u128::from_le_bytes(*b"airlock recorded");
