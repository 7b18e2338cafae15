//! A warm pool: runners for one plugin started ahead of need, so that getting
//! a fresh, isolated instance costs a hand-over instead of a process start.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::Result;
use crate::launcher::Launcher;
use crate::plugin::{Plugin, PluginConfig, WorldRef};

/// Keeps `size` started runners of one plugin ready; [`WarmPool::take`] hands
/// one over and a background thread starts its replacement.
///
/// Every runner is started and locked down exactly as by [`Plugin::start`];
/// a taken runner is never given back, so no state passes from one user to
/// the next. [`WarmPool::reload`] swaps in a new component: the ready runners
/// are replaced, the ones taken already keep running theirs.
pub struct WarmPool {
    shared: Arc<Shared>,
    /// Detached on drop, never joined.
    filler: Option<JoinHandle<()>>,
    launcher: Launcher,
    world: WorldRef,
    /// One reload at a time: the last one called is the one that stays.
    reloading: Mutex<()>,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    ready: VecDeque<Plugin>,
    size: usize,
    stop: bool,
    /// The last start failure, reported by the next `take` that finds the pool empty.
    failure: Option<String>,
    /// What runners are started from: the last configuration reloaded.
    config: PluginConfig,
    /// Bumped by every reload; a start begun before one is thrown away.
    generation: u64,
}

impl WarmPool {
    /// Starts filling a pool of `size` runners in the background.
    pub fn new(launcher: &Launcher, config: PluginConfig, world: WorldRef, size: usize) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                ready: VecDeque::new(),
                size,
                stop: false,
                failure: None,
                config: config.clone(),
                generation: 0,
            }),
            changed: Condvar::new(),
        });
        let filler = {
            let (shared, launcher) = (shared.clone(), launcher.clone());
            std::thread::Builder::new()
                .name(format!("airlock-pool: {}", config.name()))
                .spawn(move || fill(&shared, &launcher, world))
                .expect("failed to start the pool's filler thread")
        };
        Self {
            shared,
            filler: Some(filler),
            launcher: launcher.clone(),
            world,
            reloading: Mutex::new(()),
        }
    }

    /// A started runner: a ready one if there is one, else one started now.
    pub fn take(&self) -> Result<Plugin> {
        let (ready, config) = {
            let mut state = self.shared.lock();
            let plugin = state.ready.pop_front();
            if let Some(why) = state.failure.take() {
                tracing::warn!(plugin = %crate::PluginText::escape(state.config.name()), "warm pool could not start runners: {why}");
            }
            (plugin, state.config.clone())
        };
        self.shared.changed.notify_all();
        match ready {
            Some(plugin) => Ok(plugin),
            None => Plugin::start(&self.launcher, config, self.world),
        }
    }

    /// Replaces the plugin: starts one runner of `config` now (if it fails,
    /// nothing changes and the error says why), then shuts the ready runners
    /// of the old one down and fills the pool with the new one. Runners taken
    /// already keep running the old component until their users drop them.
    pub fn reload(&self, config: PluginConfig) -> Result<()> {
        let _reloading = crate::plugin::lock(&self.reloading);
        let fresh = Plugin::start(&self.launcher, config.clone(), self.world)?;
        let (old, unused) = {
            let mut state = self.shared.lock();
            state.generation += 1;
            state.config = config;
            state.failure = None;
            let (ready, unused) = match state.size {
                0 => (VecDeque::new(), Some(fresh)),
                _ => (VecDeque::from([fresh]), None),
            };
            (std::mem::replace(&mut state.ready, ready), unused)
        };
        self.shared.changed.notify_all();
        // Shut the old ready runners down outside the lock.
        drop((old, unused));
        Ok(())
    }

    /// The configuration runners are started from (the last one reloaded).
    pub fn config(&self) -> PluginConfig {
        self.shared.lock().config.clone()
    }

    /// How many runners are ready now.
    pub fn ready(&self) -> usize {
        self.shared.lock().ready.len()
    }

    /// Waits until the pool is full (or `timeout` passes); returns how many are ready.
    pub fn wait_full(&self, timeout: Duration) -> usize {
        let state = self.shared.lock();
        let (state, _) = self
            .shared
            .changed
            .wait_timeout_while(state, timeout, |s| {
                s.ready.len() < s.size && s.failure.is_none()
            })
            .unwrap_or_else(|e| e.into_inner());
        state.ready.len()
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How long the filler waits after a take before starting a replacement: a
/// process start takes a whole core for about a millisecond, and on a small
/// machine it would compete with the first calls of the runner just taken.
const REFILL_DELAY: Duration = Duration::from_millis(5);

fn fill(shared: &Shared, launcher: &Launcher, world: WorldRef) {
    loop {
        let mut waited = false;
        let (config, generation) = {
            let mut state = shared.lock();
            while !state.stop && (state.ready.len() >= state.size || state.failure.is_some()) {
                waited = true;
                state = shared
                    .changed
                    .wait(state)
                    .unwrap_or_else(|e| e.into_inner());
                // The next take clears a failure: try again then.
            }
            if state.stop {
                return;
            }
            (state.config.clone(), state.generation)
        };
        if waited {
            // Woken by a take: let the taker's first calls run first.
            std::thread::sleep(REFILL_DELAY);
        }
        let started = Plugin::start(launcher, config, world);
        let mut state = shared.lock();
        // A start begun before a reload is of the old component: dropped
        // (outside the lock), its failure no longer news.
        let stale = if state.generation != generation {
            started.ok()
        } else {
            match started {
                Ok(plugin) => state.ready.push_back(plugin),
                Err(e) => state.failure = Some(e.to_string()),
            }
            None
        };
        drop(state);
        drop(stale);
        shared.changed.notify_all();
    }
}

impl Drop for WarmPool {
    /// Stops the filler without waiting for it: a start in progress finishes
    /// in the background (bounded by the start-up timeout) and its runner is
    /// shut down with the pool's shared state. The ready runners shut down now.
    fn drop(&mut self) {
        let ready = {
            let mut state = self.shared.lock();
            state.stop = true;
            std::mem::take(&mut state.ready)
        };
        self.shared.changed.notify_all();
        drop(ready);
        drop(self.filler.take());
    }
}

impl std::fmt::Debug for WarmPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarmPool")
            .field("plugin", &self.config().name())
            .field("ready", &self.ready())
            .finish_non_exhaustive()
    }
}
