//! [`PluginResource`]: the host's handle to an object a plugin exports (a
//! WIT `resource` in an exported interface), the same type on both sides.
//!
//! On the wire it is the runner's number for the object. Which numbers may
//! be encoded, and what a decoded one is tied to, is the current instance's
//! business ([`crate::scope`]): the host checks a handle against the
//! instance a call goes to, the runner against the objects its instance
//! holds for the host. Dropping a handle on the host tells its origin, which
//! releases the object with the plugin's next call.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::scope::{self, ResourceOrigin};

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
    origin: Option<Arc<dyn ResourceOrigin>>,
    _resource: std::marker::PhantomData<fn() -> T>,
}

impl<T: ExportedResource> PluginResource<T> {
    /// A handle numbered `id`, tied to `origin`.
    pub(crate) fn new(id: u32, origin: Option<Arc<dyn ResourceOrigin>>) -> Self {
        Self {
            id,
            origin,
            _resource: std::marker::PhantomData,
        }
    }

    /// The runner's number for the object (unique within one runner process).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Whether the plugin instance that made this object is still running:
    /// `false` once it trapped, timed out, restarted or was dropped.
    pub fn is_live(&self) -> bool {
        self.origin.as_ref().is_some_and(|o| o.is_live())
    }

    /// The plugin took this handle (an `own` argument of a call that
    /// succeeded): nothing is left to release.
    #[doc(hidden)]
    pub fn given(mut self) {
        self.origin = None;
    }
}

impl<T: ExportedResource> Drop for PluginResource<T> {
    fn drop(&mut self) {
        if let Some(origin) = self.origin.take() {
            origin.release(self.id);
        }
    }
}

impl<T: ExportedResource> PartialEq for PluginResource<T> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && match (&self.origin, &other.origin) {
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

/// Why a handle cannot be encoded or decoded where no instance is current.
fn no_scope(id: u32, name: &str) -> String {
    format!(
        "`{name}` #{id} was encoded or decoded outside a call to a plugin; a handle only travels within a call to the instance that made it"
    )
}

impl<T: ExportedResource> Serialize for PluginResource<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let checked = scope::current(|scope| match scope {
            Some(scope) => scope.encode_handle(self.id, T::NAME, self.origin.as_ref()),
            None => Err(no_scope(self.id, T::NAME)),
        });
        match checked {
            Ok(()) => self.id.serialize(s),
            Err(why) => Err(serde::ser::Error::custom(why)),
        }
    }
}

impl<'de, T: ExportedResource> Deserialize<'de> for PluginResource<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = u32::deserialize(d)?;
        let origin = scope::current(|scope| match scope {
            Some(scope) => scope.decode_handle(id, T::NAME),
            None => Err(no_scope(id, T::NAME)),
        });
        match origin {
            Ok(origin) => Ok(Self::new(id, origin)),
            Err(why) => Err(serde::de::Error::custom(why)),
        }
    }
}
