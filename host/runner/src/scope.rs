//! The one "current instance" pointer: which plugin instance the handles in
//! a value being encoded or decoded belong to.
//!
//! A [`PluginResource`](crate::plugin_resource::PluginResource) is a number
//! on the wire, and what that number may mean depends on the instance: on the
//! host, the plugin instance a call goes to (a handle from another one is
//! refused, a decoded one is tied to it); in the runner, the instance whose
//! table holds the objects. Serde gives a value no context, so
//! [`with_scope`] points a thread-local at that instance's state for the
//! duration of a closure. The state itself is owned elsewhere (the host's
//! call, the runner's instance); the pointer only borrows it, and is
//! restored when the closure returns or unwinds.

use std::any::Any;
use std::cell::Cell;
use std::ptr::NonNull;
use std::sync::Arc;

/// Where a handle came from: the instance that made its object, told when
/// the handle is dropped.
pub trait ResourceOrigin: Any + Send + Sync + std::fmt::Debug {
    /// The handle numbered `id` was dropped without being given back.
    fn release(&self, id: u32);
    /// Whether the instance that made the object still runs.
    fn is_live(&self) -> bool;
    fn as_any(&self) -> &dyn Any;
}

/// An instance as the context of encoding and decoding handles.
pub trait ResourceScope {
    /// Handle `id` of resource `name`, made by `origin` (`None`: decoded
    /// where no instance ties handles), is being encoded into a call:
    /// `Err` says why it may not be.
    fn encode_handle(
        &self,
        id: u32,
        name: &'static str,
        origin: Option<&Arc<dyn ResourceOrigin>>,
    ) -> Result<(), String>;
    /// Handle number `id` of resource `name` is being decoded: the origin to
    /// tie it to, or why the number is refused.
    fn decode_handle(
        &self,
        id: u32,
        name: &'static str,
    ) -> Result<Option<Arc<dyn ResourceOrigin>>, String>;
    /// Why the last encoding or decoding refused a handle (postcard keeps no
    /// message of its own), taken once.
    fn take_refusal(&self) -> Option<String>;
    fn as_any(&self) -> &dyn Any;
}

thread_local! {
    /// The scope of the innermost [`with_scope`] on this thread, if any.
    static CURRENT: Cell<Option<NonNull<dyn ResourceScope>>> = const { Cell::new(None) };
}

/// Runs `f` with `scope` as the current instance on this thread, then
/// restores the previous one (an import served during a call may call
/// another plugin, which nests a scope).
pub fn with_scope<R>(scope: &dyn ResourceScope, f: impl FnOnce() -> R) -> R {
    // SAFETY: only the lifetime is erased. The pointer is read only by
    // `current`, and only while it is the current scope: `Restore` takes it
    // out again before this function returns or unwinds, so it never
    // outlives the borrow of `scope`.
    let erased: &'static dyn ResourceScope =
        unsafe { std::mem::transmute::<&dyn ResourceScope, &'static dyn ResourceScope>(scope) };
    let previous = CURRENT.with(|c| c.replace(Some(NonNull::from(erased))));
    let _restore = Restore(previous);
    f()
}

/// Puts the previous scope back when dropped, unwinding included.
struct Restore(Option<NonNull<dyn ResourceScope>>);

impl Drop for Restore {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}

/// Calls `f` with the current scope (`None` outside any [`with_scope`]).
pub fn current<R>(f: impl FnOnce(Option<&dyn ResourceScope>) -> R) -> R {
    let pointer = CURRENT.with(Cell::get);
    // SAFETY: a pointer in CURRENT was set by a `with_scope` still running
    // on this thread (see there), so the scope it borrows is alive; it is
    // only ever read through a shared reference.
    f(pointer.map(|p| unsafe { p.as_ref() }))
}

/// The current scope as a `T`, if it is one.
pub fn current_as<T: 'static, R>(f: impl FnOnce(Option<&T>) -> R) -> R {
    current(|scope| f(scope.and_then(|s| s.as_any().downcast_ref::<T>())))
}

/// Why the last encoding or decoding in the current scope refused a handle.
pub fn take_refusal() -> Option<String> {
    current(|scope| scope.and_then(|s| s.take_refusal()))
}
