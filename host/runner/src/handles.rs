//! [`Handle`]: a handle to an object the host implements (a WIT `resource`
//! in an imported interface), and the count of the own handles the guest
//! holds, kept in the current instance's tables.

use serde::Serialize;

/// A handle to a resource the host implements (a WIT `resource` in an
/// imported interface), as both sides see it: the host's own number for the
/// object (`rep`). On the wire it is that `u32`; inside the runner it is
/// lowered into the guest as a wasmtime host resource, so the guest holds a
/// real, unforgeable component-model handle. The same type stands for
/// `own<T>` and `borrow<T>`; which one a function takes is the WIT's.
pub struct Handle<T: 'static> {
    rep: u32,
    _resource: std::marker::PhantomData<fn() -> T>,
}

impl<T: 'static> Handle<T> {
    /// A handle for the host's object number `rep`.
    pub const fn new(rep: u32) -> Self {
        Self {
            rep,
            _resource: std::marker::PhantomData,
        }
    }

    /// The host's object number.
    pub const fn rep(&self) -> u32 {
        self.rep
    }
}

impl<T: 'static> Clone for Handle<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: 'static> Copy for Handle<T> {}
impl<T: 'static> PartialEq for Handle<T> {
    fn eq(&self, other: &Self) -> bool {
        self.rep == other.rep
    }
}
impl<T: 'static> Eq for Handle<T> {}
impl<T: 'static> std::hash::Hash for Handle<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.rep.hash(state);
    }
}
impl<T: 'static> std::fmt::Debug for Handle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Handle({})", self.rep)
    }
}

impl<T: 'static> Serialize for Handle<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.rep.serialize(s)
    }
}

impl<'de, T: 'static> serde::Deserialize<'de> for Handle<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        u32::deserialize(d).map(Handle::new)
    }
}

/// Implemented by the marker type of every host-implemented resource
/// (generated): the wire index of the import that tells the host the guest
/// dropped a handle (`[resource-drop]…`).
pub trait HostResource: 'static {
    const DROP: u32;
}

/// One own handle fewer: the guest dropped it (`drop` is the resource's
/// drop import) or gave it back to the host.
pub fn handle_dropped(drop: u32, rep: u32) {
    // Outside an instance there is nothing to count.
    let _ = crate::instance_resources::with_current(|t| {
        t.handle_dropped(drop, rep);
        Ok(())
    });
}

mod handle_abi {
    use wasmtime::component::__internal::InterfaceType;
    use wasmtime::component::Resource;

    use super::{Handle, HostResource};

    fn resource<T: HostResource>(
        handle: &Handle<T>,
        ty: InterfaceType,
    ) -> wasmtime::Result<Resource<T>> {
        match ty {
            InterfaceType::Own(_) => {
                crate::instance_resources::with_current(|t| t.handle_given(T::DROP, handle.rep))?;
                Ok(Resource::new_own(handle.rep))
            }
            InterfaceType::Borrow(_) => Ok(Resource::new_borrow(handle.rep)),
            _ => wasmtime::bail!("a resource handle where the component expects another type"),
        }
    }

    fn handle<T: HostResource>(resource: Resource<T>) -> wasmtime::Result<Handle<T>> {
        if resource.owned() {
            // The guest gave its handle back to the host.
            super::handle_dropped(T::DROP, resource.rep());
        }
        Ok(Handle::new(resource.rep()))
    }

    crate::canonical_abi::canonical_abi_via!(Handle<T: HostResource>, Resource<T>, resource, handle);
}
