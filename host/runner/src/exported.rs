//! Resources a plugin exports (a WIT `resource` in an exported interface):
//! the host holds them by number, the runner keeps the real handles.
//!
//! Inside the runner, a resource the guest hands out is a wasmtime
//! [`ResourceAny`] kept in a per-instance table under a number that is never
//! reused in the process; the wire carries that number. On the host the
//! number becomes a [`PluginResource`], which knows the plugin instance it
//! came from ([`ResourceOwner`]): dropping it queues a release that travels
//! with the plugin's next call (the guest's destructor runs then, inside that
//! call's deadline), and once the instance ends (a trap, a deadline, a
//! restart, the plugin dropped) every handle from it refuses to be sent, so a
//! stale handle fails with an error instead of reaching another object.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use wasmtime::component::ResourceAny;

use crate::glue::{CallError, RunnerState};

/// Implemented by the marker type of every exported resource (generated).
pub trait ExportedResource: 'static {
    /// The resource's WIT name, for messages.
    const NAME: &'static str;
}

/// A handle to an object a plugin implements, held by the host. Not `Clone`:
/// it stands for the WIT `own` handle; pass `&handle` where the WIT takes a
/// `borrow`, and the handle itself where it takes an `own` (the plugin then
/// has it, and nothing is released when the call succeeds).
pub struct PluginResource<T: ExportedResource> {
    id: u32,
    /// The instance it came from; `None` inside the runner.
    owner: Option<Arc<ResourceOwner>>,
    _resource: std::marker::PhantomData<fn() -> T>,
}

impl<T: ExportedResource> PluginResource<T> {
    /// The runner's number for the object (unique within one runner process).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Whether the plugin instance that made this object is still running:
    /// `false` once it trapped, timed out, restarted or was dropped.
    pub fn is_live(&self) -> bool {
        self.owner.as_ref().is_some_and(|o| o.is_live())
    }

    /// The plugin took this handle (an `own` argument of a call that
    /// succeeded): nothing is left to release.
    #[doc(hidden)]
    pub fn given(mut self) {
        self.owner = None;
    }
}

impl<T: ExportedResource> Drop for PluginResource<T> {
    fn drop(&mut self) {
        if let Some(owner) = self.owner.take() {
            owner.release(self.id);
        }
    }
}

impl<T: ExportedResource> PartialEq for PluginResource<T> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && match (&self.owner, &other.owner) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

impl<T: ExportedResource> std::fmt::Debug for PluginResource<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", T::NAME, self.id)
    }
}

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

    fn release(&self, id: u32) {
        if self.is_live() {
            self.lock().push(id);
            self.any_released.store(true, Ordering::Release);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<u32>> {
        self.released.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct Context {
    owner: Arc<ResourceOwner>,
    /// Why a handle refused to be encoded, for the caller's error.
    refusal: Option<String>,
}

thread_local! {
    /// The instance whose call is being encoded or decoded on this thread.
    static CONTEXT: RefCell<Option<Context>> = const { RefCell::new(None) };
}

/// Makes `owner` the instance handles are checked against and attached to
/// on this thread, until the guard drops (which restores the previous one:
/// an import served during a call may call another plugin).
pub fn enter(owner: &Arc<ResourceOwner>) -> ContextGuard {
    let previous = CONTEXT.with(|c| {
        c.borrow_mut().replace(Context {
            owner: owner.clone(),
            refusal: None,
        })
    });
    ContextGuard { previous }
}

/// Within an [`enter`]ed context: from now on, `owner` is the instance
/// (the runner was restarted and its instance replaced). Costs a pointer
/// comparison when nothing changed.
pub fn follow(owner: &Arc<ResourceOwner>) {
    CONTEXT.with(|c| {
        if let Some(c) = c.borrow_mut().as_mut()
            && !Arc::ptr_eq(&c.owner, owner)
        {
            c.owner = owner.clone();
        }
    });
}

/// Restores the previous context when dropped.
pub struct ContextGuard {
    previous: Option<Context>,
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CONTEXT.with(|c| *c.borrow_mut() = previous);
    }
}

/// Why the last encoding under the current context refused a handle.
pub fn take_refusal() -> Option<String> {
    CONTEXT.with(|c| c.borrow_mut().as_mut().and_then(|c| c.refusal.take()))
}

impl<T: ExportedResource> Serialize for PluginResource<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let refusal = CONTEXT.with(|c| {
            let mut c = c.borrow_mut();
            // Inside the runner there is no context: the number is all there is.
            let current = c.as_mut()?;
            let why = refusal::<T>(self.id, self.owner.as_ref(), &current.owner)?;
            current.refusal = Some(why.clone());
            Some(why)
        });
        match refusal {
            None => self.id.serialize(s),
            Some(why) => Err(serde::ser::Error::custom(why)),
        }
    }
}

/// Why handle `id`, made by `owner`, cannot go into a call to `current`;
/// `None` when it can.
fn refusal<T: ExportedResource>(
    id: u32,
    owner: Option<&Arc<ResourceOwner>>,
    current: &Arc<ResourceOwner>,
) -> Option<String> {
    let name = T::NAME;
    Some(match owner {
        Some(owner) if Arc::ptr_eq(owner, current) => return None,
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

impl<'de, T: ExportedResource> Deserialize<'de> for PluginResource<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = u32::deserialize(d)?;
        let owner = CONTEXT.with(|c| c.borrow().as_ref().map(|c| c.owner.clone()));
        // Inside the runner: an argument must name an object the host holds
        // (not one it handed over inside an earlier call's record), so that
        // a wrong number is a refused argument, not a trap ending the instance.
        if owner.is_none() && !TABLE.with(|t| t.borrow().held.contains_key(&id)) {
            let why = not_held(id, T::NAME);
            // Postcard keeps no message: the runner reads it from here.
            TABLE.with(|t| t.borrow_mut().refused = Some(why.clone()));
            return Err(serde::de::Error::custom(why));
        }
        Ok(Self {
            id,
            owner,
            _resource: std::marker::PhantomData,
        })
    }
}

fn not_held(id: u32, name: &str) -> String {
    format!(
        "`{name}` #{id} is not held by the host: it was dropped or given to the plugin already (an `own` handle inside a record or list passes to the plugin too)"
    )
}

/// The runner's side: the guest's handles the host holds, by number.
struct Table {
    held: HashMap<u32, ResourceAny>,
    /// Released by the host, destroyed at the start of the next call.
    pending: Vec<u32>,
    /// Why the last argument naming an object was refused.
    refused: Option<String>,
    next: u32,
    max: u32,
}

thread_local! {
    /// The runner serves one instance on one thread, so the table lives there.
    static TABLE: RefCell<Table> = RefCell::new(Table {
        held: HashMap::new(),
        pending: Vec::new(),
        refused: None,
        next: 1,
        max: u32::MAX,
    });
}

/// A new instance: the old one's objects died with its store. Numbers go on
/// counting, so a number the host still holds never names a new object.
pub(crate) fn reset(max: u32) {
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        t.held.clear();
        t.pending.clear();
        t.max = max;
    });
}

/// Why decoding the last arguments refused a handle, if it did.
pub(crate) fn take_refusal_in_runner() -> Option<String> {
    TABLE.with(|t| t.borrow_mut().refused.take())
}

/// The host dropped these handles; they are destroyed when the next call starts.
pub(crate) fn queue_release(ids: Vec<u32>) {
    TABLE.with(|t| t.borrow_mut().pending.extend(ids));
}

/// Destroys the objects the host released (running the guest's destructors,
/// under the current call's deadline and fuel). Numbers the table does not
/// hold (already given back to the guest) are ignored.
pub(crate) fn release_pending(store: &mut wasmtime::Store<RunnerState>) -> Result<(), CallError> {
    let pending = TABLE.with(|t| std::mem::take(&mut t.borrow_mut().pending));
    for id in pending {
        let Some(resource) = TABLE.with(|t| t.borrow_mut().held.remove(&id)) else {
            continue;
        };
        resource.resource_drop(&mut *store).map_err(|e| {
            CallError::Wasm(e.context(format!("destroying resource #{id}, which the host dropped")))
        })?;
    }
    Ok(())
}

fn hold(resource: ResourceAny, name: &str) -> wasmtime::Result<u32> {
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        if t.held.len() >= t.max as usize {
            wasmtime::bail!(
                "the host holds {} of the plugin's resources, the most its policy allows; this `{name}` is one too many",
                t.held.len()
            );
        }
        let id = t.next;
        t.next = t
            .next
            .checked_add(1)
            .ok_or_else(|| wasmtime::format_err!("the runner ran out of resource numbers"))?;
        t.held.insert(id, resource);
        Ok(id)
    })
}

/// The object `id` names, taken out of the table for an `own` argument
/// (the guest owns it afterwards) or copied for a `borrow`.
fn lookup(id: u32, own: bool, name: &str) -> wasmtime::Result<ResourceAny> {
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        let found = if own {
            t.held.remove(&id)
        } else {
            t.held.get(&id).copied()
        };
        found.ok_or_else(|| wasmtime::format_err!("{}", not_held(id, name)))
    })
}

mod abi {
    use wasmtime::component::__internal::InterfaceType;
    use wasmtime::component::ResourceAny;

    use super::{ExportedResource, PluginResource};

    fn resource<T: ExportedResource>(
        handle: &PluginResource<T>,
        ty: InterfaceType,
    ) -> wasmtime::Result<ResourceAny> {
        super::lookup(handle.id, matches!(ty, InterfaceType::Own(_)), T::NAME)
    }

    fn held<T: ExportedResource>(resource: ResourceAny) -> wasmtime::Result<PluginResource<T>> {
        if !resource.owned() {
            wasmtime::bail!("a plugin cannot hand the host a borrowed `{}`", T::NAME);
        }
        Ok(PluginResource {
            id: super::hold(resource, T::NAME)?,
            owner: None,
            _resource: std::marker::PhantomData,
        })
    }

    crate::glue::canonical_abi_via!(PluginResource<T: ExportedResource>, ResourceAny, resource, held);
}
