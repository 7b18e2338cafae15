//! The resource tables of one runner instance: the guest's objects the host
//! holds by number, and the host's objects the guest holds handles to.
//!
//! Owned by the instance ([`crate::instance`]) and made current with
//! [`crate::scope::with_scope`] while the instance runs guest code or
//! decodes a call's arguments; the ABI conversions of
//! [`PluginResource`](crate::plugin_resource::PluginResource) and
//! [`Handle`](crate::handles::Handle) find it there.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use wasmtime::component::ResourceAny;

use crate::scope::{ResourceOrigin, ResourceScope};

/// The guest's objects the host holds, by number.
#[derive(Debug)]
pub(crate) struct ExportedObjects {
    pub(crate) held: HashMap<u32, ResourceAny>,
    /// Released by the host, destroyed at the start of the next call.
    pub(crate) pending: Vec<u32>,
    /// Why the last argument naming an object was refused.
    refused: Option<String>,
    next: u32,
    max: u32,
}

/// The own handles to host objects the guest holds, by drop import and
/// host number, and the policy's bound on how many.
#[derive(Debug)]
pub(crate) struct HeldHandles {
    pub(crate) handles: HashMap<(u32, u32), u32>,
    pub(crate) live: u32,
    max: u32,
}

/// Both tables of one instance.
#[derive(Debug)]
pub(crate) struct InstanceResources {
    pub(crate) exported: RefCell<ExportedObjects>,
    pub(crate) held: RefCell<HeldHandles>,
}

impl InstanceResources {
    pub(crate) fn new(max: u32) -> Self {
        Self {
            exported: RefCell::new(ExportedObjects {
                held: HashMap::new(),
                pending: Vec::new(),
                refused: None,
                next: 1,
                max,
            }),
            held: RefCell::new(HeldHandles {
                handles: HashMap::new(),
                live: 0,
                max,
            }),
        }
    }

    /// A new instance: the old one's objects and handles died with its
    /// store. Numbers go on counting, so a number the host still holds
    /// never names a new object.
    pub(crate) fn reset(&self) {
        let mut exported = self.exported.borrow_mut();
        exported.held.clear();
        exported.pending.clear();
        exported.refused = None;
        let mut held = self.held.borrow_mut();
        held.live = 0;
        held.handles.clear();
    }

    /// The host dropped these handles; they are destroyed when the next call starts.
    pub(crate) fn queue_release(&self, ids: Vec<u32>) {
        self.exported.borrow_mut().pending.extend(ids);
    }

    /// Keeps a guest object the host is given, under a fresh number.
    pub(crate) fn hold(&self, resource: ResourceAny, name: &str) -> wasmtime::Result<u32> {
        let mut t = self.exported.borrow_mut();
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
    }

    /// The object `id` names, taken out of the table for an `own` argument
    /// (the guest owns it afterwards) or copied for a `borrow`.
    pub(crate) fn lookup(&self, id: u32, own: bool, name: &str) -> wasmtime::Result<ResourceAny> {
        let mut t = self.exported.borrow_mut();
        let found = if own {
            t.held.remove(&id)
        } else {
            t.held.get(&id).copied()
        };
        found.ok_or_else(|| wasmtime::format_err!("{}", not_held(id, name)))
    }

    /// One own handle more in the guest; refused over the policy's bound.
    pub(crate) fn handle_given(&self, drop: u32, rep: u32) -> wasmtime::Result<()> {
        let mut h = self.held.borrow_mut();
        // Recorded even when refused: the refusal traps the call, and the
        // host hears of this handle's drop with the others the instance held.
        *h.handles.entry((drop, rep)).or_default() += 1;
        if h.live >= h.max {
            wasmtime::bail!(
                "the plugin holds {} resource handles, the most its policy allows; drop some first",
                h.live
            );
        }
        h.live += 1;
        Ok(())
    }

    /// One own handle fewer: the guest dropped it (`drop` is the resource's
    /// drop import) or gave it back to the host.
    pub(crate) fn handle_dropped(&self, drop: u32, rep: u32) {
        let mut h = self.held.borrow_mut();
        h.live = h.live.saturating_sub(1);
        if let std::collections::hash_map::Entry::Occupied(mut e) = h.handles.entry((drop, rep)) {
            *e.get_mut() -= 1;
            if *e.get() == 0 {
                e.remove();
            }
        }
    }

    /// The own handles the guest still held when its instance ended, one
    /// entry per handle, as `(drop import, host number)`.
    pub(crate) fn take_orphans(&self) -> Vec<(u32, u32)> {
        let mut h = self.held.borrow_mut();
        h.live = 0;
        h.handles
            .drain()
            .flat_map(|(key, count)| std::iter::repeat_n(key, count as usize))
            .collect()
    }
}

/// Runs `f` on the current instance's tables; an error outside any instance.
pub(crate) fn with_current<R>(
    f: impl FnOnce(&InstanceResources) -> wasmtime::Result<R>,
) -> wasmtime::Result<R> {
    crate::scope::current_as::<InstanceResources, _>(|tables| match tables {
        Some(tables) => f(tables),
        None => Err(wasmtime::format_err!(
            "a resource handle crossed into the guest while no plugin instance was running"
        )),
    })
}

fn not_held(id: u32, name: &str) -> String {
    format!(
        "`{name}` #{id} is not held by the host: it was dropped or given to the plugin already (an `own` handle inside a record or list passes to the plugin too)"
    )
}

impl ResourceScope for InstanceResources {
    /// Inside the runner the number is all there is: a handle going back to
    /// the host was made by this instance's table.
    fn encode_handle(
        &self,
        _id: u32,
        _name: &'static str,
        _origin: Option<&Arc<dyn ResourceOrigin>>,
    ) -> Result<(), String> {
        Ok(())
    }

    /// An argument must name an object the host holds (not one it handed
    /// over inside an earlier call's record), so that a wrong number is a
    /// refused argument, not a trap ending the instance.
    fn decode_handle(
        &self,
        id: u32,
        name: &'static str,
    ) -> Result<Option<Arc<dyn ResourceOrigin>>, String> {
        let mut t = self.exported.borrow_mut();
        if t.held.contains_key(&id) {
            return Ok(None);
        }
        let why = not_held(id, name);
        t.refused = Some(why.clone());
        Err(why)
    }

    fn take_refusal(&self) -> Option<String> {
        self.exported.borrow_mut().refused.take()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
