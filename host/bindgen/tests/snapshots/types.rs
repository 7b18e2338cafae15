/// Fully qualified name of the world these bindings were generated from.
pub const WORLD_NAME: &str = "fixture:types/types@1.2.3";
/// BLAKE3 hash of the world's canonical signature; checked at every runner handshake.
pub const WORLD_HASH: [u8; 32] = [
    225u8, 12u8, 127u8, 74u8, 219u8, 229u8, 103u8, 196u8, 167u8, 74u8, 57u8, 226u8, 9u8,
    146u8, 161u8, 11u8, 116u8, 36u8, 244u8, 181u8, 14u8, 13u8, 224u8, 180u8, 126u8, 42u8,
    251u8, 31u8, 161u8, 204u8, 156u8, 121u8,
];
#[allow(clippy::all, dead_code, unused_imports, non_camel_case_types)]
pub mod exports {
    #[allow(clippy::all, dead_code, unused_imports, non_camel_case_types)]
    pub mod types {
        #[allow(clippy::all, dead_code, unused_imports, non_camel_case_types)]
        pub mod shapes {
            #[allow(unused_imports)]
            use ::airlock::__private::wasmtime;
            #[derive(
                Debug,
                Clone,
                PartialEq,
                ::airlock::__private::serde::Serialize,
                ::airlock::__private::serde::Deserialize,
                ::airlock::__private::wasmtime::component::ComponentType,
                ::airlock::__private::wasmtime::component::Lift,
                ::airlock::__private::wasmtime::component::Lower
            )]
            #[serde(crate = "::airlock::__private::serde")]
            #[component(wasmtime_crate = ::airlock::__private::wasmtime)]
            #[component(record)]
            pub struct Point {
                #[component(name = "x")]
                pub x: f32,
                #[component(name = "y")]
                pub y: f32,
            }
            #[derive(
                Debug,
                Clone,
                PartialEq,
                ::airlock::__private::serde::Serialize,
                ::airlock::__private::serde::Deserialize,
                ::airlock::__private::wasmtime::component::ComponentType,
                ::airlock::__private::wasmtime::component::Lift,
                ::airlock::__private::wasmtime::component::Lower
            )]
            #[serde(crate = "::airlock::__private::serde")]
            #[component(wasmtime_crate = ::airlock::__private::wasmtime)]
            #[component(variant)]
            pub enum Shape {
                #[component(name = "empty")]
                Empty,
                #[component(name = "dot")]
                Dot(super::super::super::exports::types::shapes::Point),
                #[component(name = "poly")]
                Poly(
                    ::std::vec::Vec<super::super::super::exports::types::shapes::Point>,
                ),
                #[component(name = "named")]
                Named((::std::string::String, ::std::option::Option<u8>)),
            }
            #[derive(
                Debug,
                Clone,
                Copy,
                PartialEq,
                Eq,
                Hash,
                ::airlock::__private::serde::Serialize,
                ::airlock::__private::serde::Deserialize,
                ::airlock::__private::wasmtime::component::ComponentType,
                ::airlock::__private::wasmtime::component::Lift,
                ::airlock::__private::wasmtime::component::Lower
            )]
            #[serde(crate = "::airlock::__private::serde")]
            #[component(wasmtime_crate = ::airlock::__private::wasmtime)]
            #[component(enum)]
            #[repr(u8)]
            pub enum Kind {
                #[component(name = "small")]
                Small,
                #[component(name = "large")]
                Large,
            }
            wasmtime::component::flags! {
                Style { #[component(name = "bold")] const BOLD; #[component(name =
                "italic")] const ITALIC; }
            }
            impl ::airlock::__private::serde::Serialize for Style {
                fn serialize<S: ::airlock::__private::serde::Serializer>(
                    &self,
                    s: S,
                ) -> ::std::result::Result<S::Ok, S::Error> {
                    ::airlock::__private::serde::Serialize::serialize(
                        &self.as_array(),
                        s,
                    )
                }
            }
            impl<'de> ::airlock::__private::serde::Deserialize<'de> for Style {
                fn deserialize<D: ::airlock::__private::serde::Deserializer<'de>>(
                    d: D,
                ) -> ::std::result::Result<Self, D::Error> {
                    let bits = <[u32; 1usize] as ::airlock::__private::serde::Deserialize>::deserialize(
                        d,
                    )?;
                    let mut value = Self::empty();
                    if bits[0usize] & 1u32 != 0 {
                        value |= Self::BOLD;
                    }
                    if bits[0usize] & 2u32 != 0 {
                        value |= Self::ITALIC;
                    }
                    Ok(value)
                }
            }
            pub type Points = ::std::vec::Vec<
                super::super::super::exports::types::shapes::Point,
            >;
            pub type Blob = ::std::vec::Vec<u8>;
            /// Typed calls into this exported interface of the plugin.
            pub struct Client<'p> {
                plugin: &'p mut ::airlock::Plugin,
            }
            impl<'p> Client<'p> {
                #[doc(hidden)]
                pub fn __new(plugin: &'p mut ::airlock::Plugin) -> Self {
                    Self { plugin }
                }
                pub fn area<'a>(
                    &mut self,
                    s: &'a super::super::super::exports::types::shapes::Shape,
                ) -> ::airlock::Result<
                    ::std::result::Result<f64, ::std::string::String>,
                > {
                    let args = super::super::super::__airlock_fns::E0ArgsRef {
                        s,
                        __marker: ::std::marker::PhantomData,
                    };
                    self.plugin
                        .call::<
                            _,
                            super::super::super::__airlock_fns::E0Ret,
                        >(0u32, "area", &args, &mut ::airlock::__private::NoImports)
                        .map(|ret| ret.0)
                }
                pub fn pack<'a>(
                    &mut self,
                    data: &'a [u8],
                    extra: &'a ::std::option::Option<::std::vec::Vec<u8>>,
                ) -> ::airlock::Result<
                    super::super::super::exports::types::shapes::Blob,
                > {
                    let args = super::super::super::__airlock_fns::E1ArgsRef {
                        data,
                        extra,
                        __marker: ::std::marker::PhantomData,
                    };
                    self.plugin
                        .call::<
                            _,
                            super::super::super::__airlock_fns::E1Ret,
                        >(1u32, "pack", &args, &mut ::airlock::__private::NoImports)
                        .map(|ret| ret.0)
                }
                pub fn classify<'a>(
                    &mut self,
                    k: super::super::super::exports::types::shapes::Kind,
                    s: super::super::super::exports::types::shapes::Style,
                ) -> ::airlock::Result<
                    (
                        super::super::super::exports::types::shapes::Kind,
                        super::super::super::exports::types::shapes::Style,
                    ),
                > {
                    let args = super::super::super::__airlock_fns::E2ArgsRef {
                        k,
                        s,
                        __marker: ::std::marker::PhantomData,
                    };
                    self.plugin
                        .call::<
                            _,
                            super::super::super::__airlock_fns::E2Ret,
                        >(2u32, "classify", &args, &mut ::airlock::__private::NoImports)
                        .map(|ret| ret.0)
                }
            }
        }
    }
}
/// The world's exports in wire order (`interface#function` for interface exports).
pub const EXPORTS: &[&str] = &[
    "fixture:types/shapes@1.2.3#area",
    "fixture:types/shapes@1.2.3#pack",
    "fixture:types/shapes@1.2.3#classify",
];
/// The world's imports the host implements, in wire order.
pub const IMPORTS: &[&str] = &[];
#[doc(hidden)]
#[allow(clippy::all, dead_code, non_camel_case_types)]
pub mod __airlock_fns {
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0ArgsRef<'a> {
        pub s: &'a super::exports::types::shapes::Shape,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0Args {
        pub s: super::exports::types::shapes::Shape,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0RetRef<'a>(pub &'a ::std::result::Result<f64, ::std::string::String>);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0Ret(pub ::std::result::Result<f64, ::std::string::String>);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E1ArgsRef<'a> {
        #[serde(with = "::airlock::__private::serde_bytes")]
        pub data: &'a [u8],
        #[serde(with = "::airlock::__private::serde_bytes")]
        pub extra: &'a ::std::option::Option<::std::vec::Vec<u8>>,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E1Args {
        #[serde(with = "::airlock::__private::serde_bytes")]
        pub data: super::exports::types::shapes::Blob,
        #[serde(with = "::airlock::__private::serde_bytes")]
        pub extra: ::std::option::Option<::std::vec::Vec<u8>>,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E1RetRef<'a>(
        #[serde(with = "::airlock::__private::serde_bytes")]
        pub &'a super::exports::types::shapes::Blob,
    );
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E1Ret(
        #[serde(with = "::airlock::__private::serde_bytes")]
        pub super::exports::types::shapes::Blob,
    );
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E2ArgsRef<'a> {
        pub k: super::exports::types::shapes::Kind,
        pub s: super::exports::types::shapes::Style,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E2Args {
        pub k: super::exports::types::shapes::Kind,
        pub s: super::exports::types::shapes::Style,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E2RetRef<'a>(
        pub &'a (
            super::exports::types::shapes::Kind,
            super::exports::types::shapes::Style,
        ),
    );
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E2Ret(
        pub (super::exports::types::shapes::Kind, super::exports::types::shapes::Style),
    );
}
/// A running instance of a plugin for world `fixture:types/types@1.2.3`, in its own runner process.
pub struct Types {
    plugin: ::airlock::Plugin,
}
impl Types {
    /// The world this client speaks.
    pub const WORLD: ::airlock::WorldRef = ::airlock::WorldRef {
        name: WORLD_NAME,
        hash: WORLD_HASH,
    };
    /// Starts a runner for the plugin described by `config` and loads it.
    pub fn start(
        launcher: &::airlock::Launcher,
        config: ::airlock::PluginConfig,
    ) -> ::airlock::Result<Self> {
        Ok(Self {
            plugin: ::airlock::Plugin::start(launcher, config, Self::WORLD)?,
        })
    }
    /// Wraps a plugin already started for this world, such as one
    /// taken from a [`::airlock::WarmPool`].
    pub fn from_plugin(plugin: ::airlock::Plugin) -> ::airlock::Result<Self> {
        if plugin.world().hash != WORLD_HASH {
            return Err(::airlock::Error::WorldMismatch {
                plugin: plugin.name().to_string(),
                world: WORLD_NAME.into(),
                detail: ::std::format!(
                    "it was started for world `{}`", plugin.world().name
                )
                    .into(),
            });
        }
        Ok(Self { plugin })
    }
    /// The untyped plugin handle: name, cancellation, progress, lifecycle.
    pub fn plugin(&self) -> &::airlock::Plugin {
        &self.plugin
    }
    pub fn plugin_mut(&mut self) -> &mut ::airlock::Plugin {
        &mut self.plugin
    }
    /// Calls into the exported interface `shapes`.
    pub fn shapes(&mut self) -> exports::types::shapes::Client<'_> {
        exports::types::shapes::Client::__new(&mut self.plugin)
    }
}
impl ::airlock::Client for Types {
    fn start(
        launcher: &::airlock::Launcher,
        config: ::airlock::PluginConfig,
    ) -> ::airlock::Result<Self> {
        Self::start(launcher, config)
    }
    fn plugin(&self) -> &::airlock::Plugin {
        &self.plugin
    }
    fn plugin_mut(&mut self) -> &mut ::airlock::Plugin {
        &mut self.plugin
    }
}
impl ::std::fmt::Debug for Types {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.debug_struct(stringify!(Types)).field("plugin", &self.plugin).finish()
    }
}
/// The runner-side half of these bindings: pass it to
/// `airlock::serve_runner_if_requested` in the binary that hosts runners.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunnerGlue;
impl ::airlock::__private::runner::WorldGlue for RunnerGlue {
    fn world_name(&self) -> &'static str {
        WORLD_NAME
    }
    fn world_hash(&self) -> [u8; 32] {
        WORLD_HASH
    }
    fn link(
        &self,
        linker: &mut ::airlock::__private::wasmtime::component::Linker<
            ::airlock::__private::runner::RunnerState,
        >,
    ) -> ::airlock::__private::wasmtime::Result<()> {
        Ok(())
    }
    fn resolve_exports(
        &self,
        component: &::airlock::__private::wasmtime::component::Component,
    ) -> ::std::result::Result<
        ::std::boxed::Box<dyn ::airlock::__private::runner::ExportTable>,
        ::std::string::String,
    > {
        let i0 = ::airlock::__private::runner::export_index(
            component,
            None,
            "fixture:types/shapes@1.2.3",
        )?;
        let e0 = ::airlock::__private::runner::export_index(
            component,
            Some(&i0),
            "area",
        )?;
        let e1 = ::airlock::__private::runner::export_index(
            component,
            Some(&i0),
            "pack",
        )?;
        let e2 = ::airlock::__private::runner::export_index(
            component,
            Some(&i0),
            "classify",
        )?;
        Ok(::std::boxed::Box::new(__ExportIndices { e0, e1, e2 }))
    }
}
#[doc(hidden)]
pub struct __ExportIndices {
    e0: ::airlock::__private::wasmtime::component::ComponentExportIndex,
    e1: ::airlock::__private::wasmtime::component::ComponentExportIndex,
    e2: ::airlock::__private::wasmtime::component::ComponentExportIndex,
}
impl ::airlock::__private::runner::ExportTable for __ExportIndices {
    fn bind(
        &self,
        store: &mut ::airlock::__private::wasmtime::Store<
            ::airlock::__private::runner::RunnerState,
        >,
        instance: &::airlock::__private::wasmtime::component::Instance,
    ) -> ::std::result::Result<
        ::std::boxed::Box<dyn ::airlock::__private::runner::BoundExports>,
        ::std::string::String,
    > {
        Ok(
            ::std::boxed::Box::new(__BoundExports {
                e0: ::airlock::__private::runner::typed_func(
                    &mut *store,
                    instance,
                    &self.e0,
                    "area",
                )?,
                e1: ::airlock::__private::runner::typed_func(
                    &mut *store,
                    instance,
                    &self.e1,
                    "pack",
                )?,
                e2: ::airlock::__private::runner::typed_func(
                    &mut *store,
                    instance,
                    &self.e2,
                    "classify",
                )?,
            }),
        )
    }
}
#[doc(hidden)]
pub struct __BoundExports {
    e0: ::airlock::__private::wasmtime::component::TypedFunc<
        (exports::types::shapes::Shape,),
        (::std::result::Result<f64, ::std::string::String>,),
    >,
    e1: ::airlock::__private::wasmtime::component::TypedFunc<
        (exports::types::shapes::Blob, ::std::option::Option<::std::vec::Vec<u8>>),
        (exports::types::shapes::Blob,),
    >,
    e2: ::airlock::__private::wasmtime::component::TypedFunc<
        (exports::types::shapes::Kind, exports::types::shapes::Style),
        ((exports::types::shapes::Kind, exports::types::shapes::Style),),
    >,
}
impl ::airlock::__private::runner::BoundExports for __BoundExports {
    fn call(
        &self,
        store: &mut ::airlock::__private::wasmtime::Store<
            ::airlock::__private::runner::RunnerState,
        >,
        func: u32,
        args: &[u8],
        out: &mut ::std::vec::Vec<u8>,
    ) -> ::std::result::Result<(), ::airlock::__private::runner::CallError> {
        match func {
            0u32 => {
                let a: __airlock_fns::E0Args = ::airlock::__private::runner::decode_args(
                    args,
                )?;
                let (r,) = self
                    .e0
                    .call(&mut *store, (a.s,))
                    .map_err(::airlock::__private::runner::CallError::Wasm)?;
                ::airlock::__private::runner::encode_result(
                    &__airlock_fns::E0RetRef(&r),
                    out,
                )
            }
            1u32 => {
                let a: __airlock_fns::E1Args = ::airlock::__private::runner::decode_args(
                    args,
                )?;
                let (r,) = self
                    .e1
                    .call(&mut *store, (a.data, a.extra))
                    .map_err(::airlock::__private::runner::CallError::Wasm)?;
                ::airlock::__private::runner::encode_result(
                    &__airlock_fns::E1RetRef(&r),
                    out,
                )
            }
            2u32 => {
                let a: __airlock_fns::E2Args = ::airlock::__private::runner::decode_args(
                    args,
                )?;
                let (r,) = self
                    .e2
                    .call(&mut *store, (a.k, a.s))
                    .map_err(::airlock::__private::runner::CallError::Wasm)?;
                ::airlock::__private::runner::encode_result(
                    &__airlock_fns::E2RetRef(&r),
                    out,
                )
            }
            _ => Err(::airlock::__private::runner::CallError::UnknownFunction(func)),
        }
    }
}
