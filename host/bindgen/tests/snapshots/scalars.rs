/// Fully qualified name of the world these bindings were generated from.
pub const WORLD_NAME: &str = "fixture:scalars/scalars";
/// BLAKE3 hash of the world's canonical signature; checked at every runner handshake.
pub const WORLD_HASH: [u8; 32] = [
    70u8, 164u8, 108u8, 226u8, 19u8, 167u8, 228u8, 242u8, 211u8, 74u8, 166u8, 237u8,
    178u8, 249u8, 224u8, 239u8, 159u8, 66u8, 77u8, 20u8, 209u8, 186u8, 175u8, 2u8, 177u8,
    202u8, 246u8, 7u8, 197u8, 141u8, 80u8, 68u8,
];
/// The world's exports in wire order (`interface#function` for interface exports).
pub const EXPORTS: &[&str] = &["add", "mix", "nothing"];
/// The world's imports the host implements, in wire order.
pub const IMPORTS: &[&str] = &[];
#[doc(hidden)]
#[allow(clippy::all, dead_code, non_camel_case_types)]
pub mod __airlock_fns {
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0ArgsRef<'a> {
        pub a: u32,
        pub b: u32,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0Args {
        pub a: u32,
        pub b: u32,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0RetRef<'a>(pub &'a u32);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0Ret(pub u32);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E1ArgsRef<'a> {
        pub a: bool,
        pub b: i8,
        pub c: u64,
        pub d: f32,
        pub e: f64,
        pub f: char,
        pub r#g: &'a str,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E1Args {
        pub a: bool,
        pub b: i8,
        pub c: u64,
        pub d: f32,
        pub e: f64,
        pub f: char,
        pub r#g: ::std::string::String,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E1RetRef<'a>(pub &'a ::std::string::String);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E1Ret(pub ::std::string::String);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E2ArgsRef<'a> {
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E2Args {}
}
/// A running instance of a plugin for world `fixture:scalars/scalars`, in its own runner process.
pub struct Scalars {
    plugin: ::airlock::Plugin,
}
impl Scalars {
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
    pub fn add<'a>(&mut self, a: u32, b: u32) -> ::airlock::Result<u32> {
        let args = __airlock_fns::E0ArgsRef {
            a,
            b,
            __marker: ::std::marker::PhantomData,
        };
        self.plugin
            .call::<
                _,
                __airlock_fns::E0Ret,
            >(0u32, "add", &args, &mut ::airlock::__private::NoImports)
            .map(|ret| ret.0)
    }
    #[allow(clippy::too_many_arguments)]
    pub fn mix<'a>(
        &mut self,
        a: bool,
        b: i8,
        c: u64,
        d: f32,
        e: f64,
        f: char,
        r#g: &'a str,
    ) -> ::airlock::Result<::std::string::String> {
        let args = __airlock_fns::E1ArgsRef {
            a,
            b,
            c,
            d,
            e,
            f,
            r#g,
            __marker: ::std::marker::PhantomData,
        };
        self.plugin
            .call::<
                _,
                __airlock_fns::E1Ret,
            >(1u32, "mix", &args, &mut ::airlock::__private::NoImports)
            .map(|ret| ret.0)
    }
    pub fn nothing<'a>(&mut self) -> ::airlock::Result<()> {
        let args = __airlock_fns::E2ArgsRef {
            __marker: ::std::marker::PhantomData,
        };
        self.plugin
            .call::<_, ()>(2u32, "nothing", &args, &mut ::airlock::__private::NoImports)
    }
}
impl ::airlock::Client for Scalars {
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
impl ::std::fmt::Debug for Scalars {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.debug_struct(stringify!(Scalars)).field("plugin", &self.plugin).finish()
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
        let e0 = ::airlock::__private::runner::export_index(component, None, "add")?;
        let e1 = ::airlock::__private::runner::export_index(component, None, "mix")?;
        let e2 = ::airlock::__private::runner::export_index(component, None, "nothing")?;
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
                    "add",
                )?,
                e1: ::airlock::__private::runner::typed_func(
                    &mut *store,
                    instance,
                    &self.e1,
                    "mix",
                )?,
                e2: ::airlock::__private::runner::typed_func(
                    &mut *store,
                    instance,
                    &self.e2,
                    "nothing",
                )?,
            }),
        )
    }
}
#[doc(hidden)]
pub struct __BoundExports {
    e0: ::airlock::__private::wasmtime::component::TypedFunc<(u32, u32), (u32,)>,
    e1: ::airlock::__private::wasmtime::component::TypedFunc<
        (bool, i8, u64, f32, f64, char, ::std::string::String),
        (::std::string::String,),
    >,
    e2: ::airlock::__private::wasmtime::component::TypedFunc<(), ()>,
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
                    .call(&mut *store, (a.a, a.b))
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
                    .call(&mut *store, (a.a, a.b, a.c, a.d, a.e, a.f, a.r#g))
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
                self.e2
                    .call(&mut *store, ())
                    .map_err(::airlock::__private::runner::CallError::Wasm)?;
                out.clear();
                Ok(())
            }
            _ => Err(::airlock::__private::runner::CallError::UnknownFunction(func)),
        }
    }
}
