//! Many calls at once: [`PluginPool`] keeps several runners of one plugin
//! for parallel calls, serves a blocking and an async (tokio) API, cancels
//! an async call whose future is dropped, and replaces its plugin while
//! calls are in flight.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::error::Result;
use crate::launcher::Launcher;
use crate::plugin::{Plugin, PluginConfig, lock};

/// A typed client of a plugin, as `airlock::bindgen!` generates one per world.
pub trait Client: Send + Sized + 'static {
    fn start(launcher: &Launcher, config: PluginConfig) -> Result<Self>;
    fn plugin(&self) -> &Plugin;
    fn plugin_mut(&mut self) -> &mut Plugin;
}

/// `size` runners of one plugin, each its own process; a call takes an idle
/// one (waiting if all are busy) and gives it back when done.
///
/// Calls through different pools, or through one pool of size > 1, run in
/// parallel. [`PluginPool::reload`] swaps in a new component: calls in flight
/// finish on the old runners, which are then shut down; new calls get the
/// new ones.
pub struct PluginPool<C> {
    shared: Arc<Shared<C>>,
}

struct Shared<C> {
    state: Mutex<State<C>>,
    /// Blocking callers waiting for an idle client.
    returned: Condvar,
    /// Async callers waiting for an idle client.
    returned_async: tokio::sync::Notify,
    reloading: Mutex<()>,
}

struct State<C> {
    /// Idle clients, all of the current generation.
    idle: Vec<C>,
    /// Bumped by every reload; a client in use remembers the one it came from.
    generation: u64,
    config: PluginConfig,
    /// How many clients each generation has (idle or in use).
    size: usize,
}

impl<C> Clone for PluginPool<C> {
    fn clone(&self) -> Self {
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<C: Client> PluginPool<C> {
    /// Starts `size` runners (at least one) of `config`.
    pub fn start(launcher: &Launcher, config: PluginConfig, size: usize) -> Result<Self> {
        let clients = start_all(launcher, &config, size)?;
        Ok(Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    size: clients.len(),
                    idle: clients,
                    generation: 0,
                    config,
                }),
                returned: Condvar::new(),
                returned_async: tokio::sync::Notify::new(),
                reloading: Mutex::new(()),
            }),
        })
    }

    /// Runs `f` on an idle client, waiting for one if all are busy.
    pub fn with<R>(&self, f: impl FnOnce(&mut C) -> R) -> R {
        let (generation, client) = self.shared.take_blocking();
        let mut lease = Lease {
            shared: self.shared.clone(),
            generation,
            client: Some(client),
        };
        f(lease.client.as_mut().expect("held until the lease drops"))
    }

    /// Runs `f` on an idle client on tokio's blocking threads, waiting (without
    /// blocking the executor) for one if all are busy.
    ///
    /// Dropping the returned future before it completes cancels the call: its
    /// runner is killed, the call fails with [`crate::Error::Cancelled`], and
    /// the client goes back to the pool to start a fresh runner on its next call.
    pub async fn call<R, F>(&self, f: F) -> R
    where
        F: FnOnce(&mut C) -> R + Send + 'static,
        R: Send + 'static,
    {
        let (generation, client) = self.shared.take_async().await;
        let phase = Arc::new(Mutex::new(Phase::Pending));
        let abort = AbortOnDrop {
            handle: client.plugin().abort_handle(),
            phase: phase.clone(),
        };
        let mut lease = Lease {
            shared: self.shared.clone(),
            generation,
            client: Some(client),
        };
        // The lease moves into the task: the client comes back to the pool
        // when the call ends, even if this future was dropped meanwhile. The
        // phase, switched under its lock, keeps a late abort from reaching
        // whoever takes the client next, and a call cancelled before it
        // started from running at all.
        let task = tokio::task::spawn_blocking(move || {
            {
                let mut phase = lock(&phase);
                if *phase == Phase::Cancelled {
                    return None;
                }
                *phase = Phase::Running;
            }
            let result = f(lease.client.as_mut().expect("held until the lease drops"));
            *lock(&phase) = Phase::Done;
            Some(result)
        });
        let result = task.await;
        drop(abort);
        match result {
            Ok(Some(result)) => result,
            Ok(None) => unreachable!("only a dropped future cancels its call"),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    /// Replaces the plugin: starts as many runners of `config` as the pool
    /// has (if any fails,
    /// nothing changes and the error says why), then new calls get them;
    /// calls in flight finish on the old runners, which are shut down as
    /// they come back.
    pub fn reload(&self, launcher: &Launcher, config: PluginConfig) -> Result<()> {
        // One reload at a time: the last one called is the one that stays.
        let _reloading = lock(&self.shared.reloading);
        let size = self.shared.lock().size;
        let fresh = start_all(launcher, &config, size)?;
        let old = {
            let mut state = self.shared.lock();
            state.generation += 1;
            state.config = config;
            std::mem::replace(&mut state.idle, fresh)
        };
        // Shut the old idle runners down outside the lock.
        drop(old);
        self.shared.returned.notify_all();
        self.shared.returned_async.notify_waiters();
        Ok(())
    }

    /// The configuration new calls run under (the last one reloaded).
    pub fn config(&self) -> PluginConfig {
        self.shared.lock().config.clone()
    }

    /// Idle clients now.
    pub fn idle(&self) -> usize {
        self.shared.lock().idle.len()
    }
}

fn start_all<C: Client>(launcher: &Launcher, config: &PluginConfig, size: usize) -> Result<Vec<C>> {
    (0..size.max(1))
        .map(|_| C::start(launcher, config.clone()))
        .collect()
}

impl<C: Client> Shared<C> {
    fn lock(&self) -> MutexGuard<'_, State<C>> {
        lock(&self.state)
    }

    /// An idle client and the generation it belongs to.
    fn try_take(&self) -> Option<(u64, C)> {
        let mut state = self.lock();
        state.idle.pop().map(|c| (state.generation, c))
    }

    fn take_blocking(&self) -> (u64, C) {
        let mut state = self.lock();
        loop {
            if let Some(client) = state.idle.pop() {
                return (state.generation, client);
            }
            state = self.returned.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Cancel-safe: nothing is taken until the client is handed out.
    async fn take_async(&self) -> (u64, C) {
        loop {
            let mut notified = std::pin::pin!(self.returned_async.notified());
            notified.as_mut().enable();
            if let Some(client) = self.try_take() {
                return client;
            }
            notified.await;
        }
    }

    /// Returns a client; one of an older generation is shut down instead.
    fn give_back(&self, generation: u64, client: C) {
        let stale = {
            let mut state = self.lock();
            if generation == state.generation {
                state.idle.push(client);
                None
            } else {
                Some(client)
            }
        };
        drop(stale);
        self.returned.notify_one();
        self.returned_async.notify_one();
    }
}

/// A client taken from the pool; given back when dropped (also on a panic).
struct Lease<C: Client> {
    shared: Arc<Shared<C>>,
    generation: u64,
    client: Option<C>,
}

impl<C: Client> Drop for Lease<C> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            self.shared.give_back(self.generation, client);
        }
    }
}

/// Where an async call stands, for its cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Pending,
    Running,
    Done,
    Cancelled,
}

/// Cancels an async call whose future is dropped: before it started, it will
/// not start; while it runs, its runner is killed; once done, nothing.
struct AbortOnDrop {
    handle: crate::plugin::AbortHandle,
    phase: Arc<Mutex<Phase>>,
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        let mut phase = lock(&self.phase);
        match *phase {
            Phase::Pending => *phase = Phase::Cancelled,
            // Under the lock: the call cannot finish and hand its client to
            // someone else while the kill is on its way.
            Phase::Running => {
                self.handle.abort();
            }
            Phase::Done | Phase::Cancelled => {}
        }
    }
}

impl<C> std::fmt::Debug for PluginPool<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = lock(&self.shared.state);
        f.debug_struct("PluginPool")
            .field("plugin", &state.config.name())
            .field("idle", &state.idle.len())
            .field("generation", &state.generation)
            .finish()
    }
}
