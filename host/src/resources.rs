//! Resources a plugin exports, the host's half: which plugin instance a
//! [`PluginResource`](crate::PluginResource) came from, the releases its
//! drops queue, and the check that a handle goes only to that instance.
//!
//! Every call runs inside a [`CallScope`] (made current with the runner
//! crate's `with_scope`): handles in the arguments are checked against the
//! plugin's current [`ResourceOwner`], handles in the result are tied to it.
//! Dropping a handle queues its release, which travels with the plugin's
//! next call; once the instance ends (a trap, a deadline, a restart, the
//! plugin dropped), every handle from it refuses to be sent, so a stale
//! handle fails with an error instead of reaching another object.

use std::any::Any;
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use airlock_runner::scope::{self, ResourceOrigin, ResourceScope};

/// One plugin instance as the maker of the resources the host holds.
#[derive(Debug)]
pub struct ResourceOwner {
    plugin: String,
    live: AtomicBool,
    /// Numbers of handles the host dropped, to release with the next call.
    released: std::sync::Mutex<Vec<u32>>,
    /// Whether `released` may hold any: calls skip the lock when not.
    any_released: AtomicBool,
}

impl ResourceOwner {
    pub fn new(plugin: &str) -> Arc<Self> {
        Arc::new(Self {
            plugin: plugin.to_string(),
            live: AtomicBool::new(true),
            released: Default::default(),
            any_released: AtomicBool::new(false),
        })
    }

    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// The instance is gone, and every object it made with it.
    pub fn end(&self) {
        self.live.store(false, Ordering::Release);
        self.lock().clear();
    }

    /// The handles dropped since the last call.
    pub fn take_released(&self) -> Vec<u32> {
        if !self.any_released.load(Ordering::Acquire) {
            return Vec::new();
        }
        let mut released = self.lock();
        self.any_released.store(false, Ordering::Release);
        std::mem::take(&mut *released)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<u32>> {
        self.released.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl ResourceOrigin for ResourceOwner {
    fn release(&self, id: u32) {
        if self.is_live() {
            self.lock().push(id);
            self.any_released.store(true, Ordering::Release);
        }
    }

    fn is_live(&self) -> bool {
        ResourceOwner::is_live(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The context of one call on the host: the instance it goes to, and why a
/// handle refused to be encoded, for the caller's error.
#[derive(Debug)]
pub struct CallScope {
    owner: RefCell<Arc<ResourceOwner>>,
    refusal: RefCell<Option<String>>,
}

impl CallScope {
    pub fn new(owner: &Arc<ResourceOwner>) -> Self {
        Self {
            owner: RefCell::new(owner.clone()),
            refusal: RefCell::new(None),
        }
    }

    /// Runs `f` (the call) with this scope current on this thread.
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        scope::with_scope(self, f)
    }
}

/// Within a call: from now on, `owner` is the instance (the runner was
/// restarted and its instance replaced). Costs a pointer comparison when
/// nothing changed.
pub fn follow(owner: &Arc<ResourceOwner>) {
    scope::current_as::<CallScope, _>(|call| {
        if let Some(call) = call {
            let mut current = call.owner.borrow_mut();
            if !Arc::ptr_eq(&current, owner) {
                *current = owner.clone();
            }
        }
    });
}

/// Why the last encoding in the current call refused a handle.
pub fn take_refusal() -> Option<String> {
    scope::take_refusal()
}

impl ResourceScope for CallScope {
    fn encode_handle(
        &self,
        id: u32,
        name: &'static str,
        origin: Option<&Arc<dyn ResourceOrigin>>,
    ) -> Result<(), String> {
        let current = self.owner.borrow();
        let Some(why) = refusal(id, name, origin, &current) else {
            return Ok(());
        };
        *self.refusal.borrow_mut() = Some(why.clone());
        Err(why)
    }

    fn decode_handle(
        &self,
        _id: u32,
        _name: &'static str,
    ) -> Result<Option<Arc<dyn ResourceOrigin>>, String> {
        let owner: Arc<dyn ResourceOrigin> = self.owner.borrow().clone();
        Ok(Some(owner))
    }

    fn take_refusal(&self) -> Option<String> {
        self.refusal.borrow_mut().take()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Why handle `id`, made by `origin`, cannot go into a call to `current`;
/// `None` when it can.
fn refusal(
    id: u32,
    name: &str,
    origin: Option<&Arc<dyn ResourceOrigin>>,
    current: &Arc<ResourceOwner>,
) -> Option<String> {
    let owner = origin.and_then(|o| o.as_any().downcast_ref::<ResourceOwner>());
    Some(match owner {
        Some(owner) if std::ptr::eq(owner, Arc::as_ptr(current)) => return None,
        None => format!(
            "this `{name}` (#{id}) was not made by a call to a plugin (a handle only comes from the instance that made the object)"
        ),
        Some(owner) if !owner.is_live() => format!(
            "this `{name}` (#{id}) came from an instance of plugin `{}` that has ended (a trap, a deadline, a restart or a reload ended it), and its object with it; ask the plugin for a new one",
            owner.plugin
        ),
        Some(owner) if owner.plugin == current.plugin => format!(
            "this `{name}` (#{id}) belongs to another instance of plugin `{}` (another runner of a pool, say); a handle works only with the instance that made it",
            owner.plugin
        ),
        Some(owner) => format!(
            "this `{name}` (#{id}) belongs to plugin `{}`, not to `{}`; a handle works only with the instance that made it",
            owner.plugin, current.plugin
        ),
    })
}
