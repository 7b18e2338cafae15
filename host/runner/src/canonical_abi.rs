//! The canonical-ABI impls both handle types share: a handle is lowered
//! and lifted as the wasmtime resource type it stands for.

/// Implements wasmtime's `ComponentType`, `Lower` and `Lift` for a handle
/// type by delegating to the wasmtime type with the same canonical ABI (a
/// resource handle is its `u32` index either way): `$to` turns the handle
/// into that type for lowering, `$from` the lifted value into the handle.
macro_rules! canonical_abi_via {
    ($handle:ident<T: $bound:path>, $delegate:ty, $to:path, $from:path) => {
        // SAFETY: every item delegates to `$delegate`, whose canonical ABI
        // the handle shares exactly.
        unsafe impl<T: $bound> wasmtime::component::ComponentType for $handle<T> {
            type Lower = <$delegate as wasmtime::component::ComponentType>::Lower;
            const ABI: wasmtime::component::__internal::CanonicalAbiInfo =
                <$delegate as wasmtime::component::ComponentType>::ABI;
            const MAY_REQUIRE_REALLOC: bool = false;

            fn typecheck(
                ty: &wasmtime::component::__internal::InterfaceType,
                types: &wasmtime::component::__internal::InstanceType<'_>,
            ) -> wasmtime::Result<()> {
                <$delegate as wasmtime::component::ComponentType>::typecheck(ty, types)
            }
        }

        // SAFETY: as above.
        unsafe impl<T: $bound> wasmtime::component::Lower for $handle<T> {
            fn linear_lower_to_flat<U>(
                &self,
                cx: &mut wasmtime::component::__internal::LowerContext<'_, U>,
                ty: wasmtime::component::__internal::InterfaceType,
                dst: &mut std::mem::MaybeUninit<Self::Lower>,
            ) -> wasmtime::Result<()> {
                wasmtime::component::Lower::linear_lower_to_flat(&$to(self, ty)?, cx, ty, dst)
            }

            fn linear_lower_to_memory<U>(
                &self,
                cx: &mut wasmtime::component::__internal::LowerContext<'_, U>,
                ty: wasmtime::component::__internal::InterfaceType,
                offset: usize,
            ) -> wasmtime::Result<()> {
                wasmtime::component::Lower::linear_lower_to_memory(&$to(self, ty)?, cx, ty, offset)
            }
        }

        // SAFETY: as above.
        unsafe impl<T: $bound> wasmtime::component::Lift for $handle<T> {
            fn linear_lift_from_flat(
                cx: &mut wasmtime::component::__internal::LiftContext<'_>,
                ty: wasmtime::component::__internal::InterfaceType,
                src: &Self::Lower,
            ) -> wasmtime::Result<Self> {
                $from(<$delegate as wasmtime::component::Lift>::linear_lift_from_flat(cx, ty, src)?)
            }

            fn linear_lift_from_memory(
                cx: &mut wasmtime::component::__internal::LiftContext<'_>,
                ty: wasmtime::component::__internal::InterfaceType,
                bytes: &[u8],
            ) -> wasmtime::Result<Self> {
                $from(
                    <$delegate as wasmtime::component::Lift>::linear_lift_from_memory(
                        cx, ty, bytes,
                    )?,
                )
            }
        }
    };
}
pub(crate) use canonical_abi_via;
