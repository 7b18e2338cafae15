/// Fully qualified name of the world these bindings were generated from.
pub const WORLD_NAME: &str = "fixture:brushes/painter-plugin";
/// BLAKE3 hash of the world's canonical signature; checked at every runner handshake.
pub const WORLD_HASH: [u8; 32] = [
    72u8, 30u8, 211u8, 147u8, 86u8, 252u8, 210u8, 150u8, 119u8, 97u8, 14u8, 206u8, 169u8,
    134u8, 9u8, 243u8, 226u8, 180u8, 35u8, 113u8, 47u8, 163u8, 125u8, 0u8, 150u8, 122u8,
    70u8, 7u8, 237u8, 230u8, 55u8, 239u8,
];
#[allow(clippy::all, dead_code, unused_imports, non_camel_case_types)]
pub mod exports {
    #[allow(clippy::all, dead_code, unused_imports, non_camel_case_types)]
    pub mod brushes {
        #[allow(clippy::all, dead_code, unused_imports, non_camel_case_types)]
        pub mod brushes {
            /// A brush of the plugin's.
            ///
            /// A handle to an object the plugin implements, held by the host;
            /// dropping it releases the object (with the plugin's next call).
            pub type Brush = ::airlock::PluginResource<BrushResource>;
            #[doc(hidden)]
            pub enum BrushResource {}
            impl ::airlock::ExportedResource for BrushResource {
                const NAME: &'static str = "brush";
            }
            #[derive(
                Debug,
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
            pub struct Stroke {
                #[component(name = "brush")]
                pub brush: super::super::super::exports::brushes::brushes::Brush,
                #[component(name = "points")]
                pub points: ::std::vec::Vec<(f32, f32)>,
            }
            /// Typed calls into this exported interface of the plugin.
            pub struct Client<'p> {
                plugin: &'p mut ::airlock::Plugin,
            }
            impl<'p> Client<'p> {
                #[doc(hidden)]
                pub fn __new(plugin: &'p mut ::airlock::Plugin) -> Self {
                    Self { plugin }
                }
                pub fn brush_new<'a>(
                    &mut self,
                    size: f32,
                ) -> ::airlock::Result<
                    super::super::super::exports::brushes::brushes::Brush,
                > {
                    let args = super::super::super::__airlock_fns::E0ArgsRef {
                        size,
                        __marker: ::std::marker::PhantomData,
                    };
                    self.plugin
                        .call::<
                            _,
                            super::super::super::__airlock_fns::E0Ret,
                        >(
                            0u32,
                            "[constructor]brush",
                            &args,
                            &mut ::airlock::__private::NoImports,
                        )
                        .map(|ret| ret.0)
                }
                pub fn brush_size<'a>(
                    &mut self,
                    self_: &'a super::super::super::exports::brushes::brushes::Brush,
                ) -> ::airlock::Result<f32> {
                    let args = super::super::super::__airlock_fns::E1ArgsRef {
                        self_,
                        __marker: ::std::marker::PhantomData,
                    };
                    self.plugin
                        .call::<
                            _,
                            super::super::super::__airlock_fns::E1Ret,
                        >(
                            1u32,
                            "[method]brush.size",
                            &args,
                            &mut ::airlock::__private::NoImports,
                        )
                        .map(|ret| ret.0)
                }
                /// A brush like this one, `factor` times the size.
                pub fn brush_scaled<'a>(
                    &mut self,
                    self_: &'a super::super::super::exports::brushes::brushes::Brush,
                    factor: f32,
                ) -> ::airlock::Result<
                    super::super::super::exports::brushes::brushes::Brush,
                > {
                    let args = super::super::super::__airlock_fns::E2ArgsRef {
                        self_,
                        factor,
                        __marker: ::std::marker::PhantomData,
                    };
                    self.plugin
                        .call::<
                            _,
                            super::super::super::__airlock_fns::E2Ret,
                        >(
                            2u32,
                            "[method]brush.scaled",
                            &args,
                            &mut ::airlock::__private::NoImports,
                        )
                        .map(|ret| ret.0)
                }
                pub fn brush_named<'a>(
                    &mut self,
                    name: &'a str,
                ) -> ::airlock::Result<
                    ::std::option::Option<
                        super::super::super::exports::brushes::brushes::Brush,
                    >,
                > {
                    let args = super::super::super::__airlock_fns::E3ArgsRef {
                        name,
                        __marker: ::std::marker::PhantomData,
                    };
                    self.plugin
                        .call::<
                            _,
                            super::super::super::__airlock_fns::E3Ret,
                        >(
                            3u32,
                            "[static]brush.named",
                            &args,
                            &mut ::airlock::__private::NoImports,
                        )
                        .map(|ret| ret.0)
                }
                /// Every brush the plugin knows.
                pub fn all<'a>(
                    &mut self,
                ) -> ::airlock::Result<
                    ::std::vec::Vec<
                        super::super::super::exports::brushes::brushes::Brush,
                    >,
                > {
                    let args = super::super::super::__airlock_fns::E4ArgsRef {
                        __marker: ::std::marker::PhantomData,
                    };
                    self.plugin
                        .call::<
                            _,
                            super::super::super::__airlock_fns::E4Ret,
                        >(4u32, "all", &args, &mut ::airlock::__private::NoImports)
                        .map(|ret| ret.0)
                }
                /// Takes the brush (an `own`): the plugin drops it when done.
                pub fn retire<'a>(
                    &mut self,
                    b: super::super::super::exports::brushes::brushes::Brush,
                ) -> ::airlock::Result<u32> {
                    let args = super::super::super::__airlock_fns::E5ArgsRef {
                        b: &b,
                        __marker: ::std::marker::PhantomData,
                    };
                    let result = self
                        .plugin
                        .call::<
                            _,
                            super::super::super::__airlock_fns::E5Ret,
                        >(5u32, "retire", &args, &mut ::airlock::__private::NoImports);
                    if result.is_ok() {
                        ::airlock::PluginResource::given(b);
                    }
                    result.map(|ret| ret.0)
                }
                /// Lends the brush (a `borrow`).
                pub fn measure<'a>(
                    &mut self,
                    b: &'a super::super::super::exports::brushes::brushes::Brush,
                ) -> ::airlock::Result<f32> {
                    let args = super::super::super::__airlock_fns::E6ArgsRef {
                        b,
                        __marker: ::std::marker::PhantomData,
                    };
                    self.plugin
                        .call::<
                            _,
                            super::super::super::__airlock_fns::E6Ret,
                        >(6u32, "measure", &args, &mut ::airlock::__private::NoImports)
                        .map(|ret| ret.0)
                }
                pub fn paint<'a>(
                    &mut self,
                    s: &'a super::super::super::exports::brushes::brushes::Stroke,
                ) -> ::airlock::Result<
                    ::std::result::Result<u32, ::std::string::String>,
                > {
                    let args = super::super::super::__airlock_fns::E7ArgsRef {
                        s,
                        __marker: ::std::marker::PhantomData,
                    };
                    self.plugin
                        .call::<
                            _,
                            super::super::super::__airlock_fns::E7Ret,
                        >(7u32, "paint", &args, &mut ::airlock::__private::NoImports)
                        .map(|ret| ret.0)
                }
            }
        }
    }
}
/// The world's exports in wire order (`interface#function` for interface exports).
pub const EXPORTS: &[&str] = &[
    "fixture:brushes/brushes#[constructor]brush",
    "fixture:brushes/brushes#[method]brush.size",
    "fixture:brushes/brushes#[method]brush.scaled",
    "fixture:brushes/brushes#[static]brush.named",
    "fixture:brushes/brushes#all",
    "fixture:brushes/brushes#retire",
    "fixture:brushes/brushes#measure",
    "fixture:brushes/brushes#paint",
];
/// The world's imports the host implements, in wire order.
pub const IMPORTS: &[&str] = &[];
#[doc(hidden)]
#[allow(clippy::all, dead_code, non_camel_case_types)]
pub mod __airlock_fns {
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0ArgsRef<'a> {
        pub size: f32,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0Args {
        pub size: f32,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0RetRef<'a>(pub &'a super::exports::brushes::brushes::Brush);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0Ret(pub super::exports::brushes::brushes::Brush);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E1ArgsRef<'a> {
        pub self_: &'a super::exports::brushes::brushes::Brush,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E1Args {
        pub self_: super::exports::brushes::brushes::Brush,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E1RetRef<'a>(pub &'a f32);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E1Ret(pub f32);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E2ArgsRef<'a> {
        pub self_: &'a super::exports::brushes::brushes::Brush,
        pub factor: f32,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E2Args {
        pub self_: super::exports::brushes::brushes::Brush,
        pub factor: f32,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E2RetRef<'a>(pub &'a super::exports::brushes::brushes::Brush);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E2Ret(pub super::exports::brushes::brushes::Brush);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E3ArgsRef<'a> {
        pub name: &'a str,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E3Args {
        pub name: ::std::string::String,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E3RetRef<'a>(
        pub &'a ::std::option::Option<super::exports::brushes::brushes::Brush>,
    );
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E3Ret(pub ::std::option::Option<super::exports::brushes::brushes::Brush>);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E4ArgsRef<'a> {
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E4Args {}
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E4RetRef<'a>(
        pub &'a ::std::vec::Vec<super::exports::brushes::brushes::Brush>,
    );
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E4Ret(pub ::std::vec::Vec<super::exports::brushes::brushes::Brush>);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E5ArgsRef<'a> {
        pub b: &'a super::exports::brushes::brushes::Brush,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E5Args {
        pub b: super::exports::brushes::brushes::Brush,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E5RetRef<'a>(pub &'a u32);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E5Ret(pub u32);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E6ArgsRef<'a> {
        pub b: &'a super::exports::brushes::brushes::Brush,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E6Args {
        pub b: super::exports::brushes::brushes::Brush,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E6RetRef<'a>(pub &'a f32);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E6Ret(pub f32);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E7ArgsRef<'a> {
        pub s: &'a super::exports::brushes::brushes::Stroke,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E7Args {
        pub s: super::exports::brushes::brushes::Stroke,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E7RetRef<'a>(pub &'a ::std::result::Result<u32, ::std::string::String>);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E7Ret(pub ::std::result::Result<u32, ::std::string::String>);
}
/// A running instance of a plugin for world `fixture:brushes/painter-plugin`, in its own runner process.
pub struct PainterPlugin {
    plugin: ::airlock::Plugin,
}
impl PainterPlugin {
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
    /// Calls into the exported interface `brushes`.
    pub fn brushes(&mut self) -> exports::brushes::brushes::Client<'_> {
        exports::brushes::brushes::Client::__new(&mut self.plugin)
    }
}
impl ::airlock::Client for PainterPlugin {
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
impl ::std::fmt::Debug for PainterPlugin {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.debug_struct(stringify!(PainterPlugin)).field("plugin", &self.plugin).finish()
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
            "fixture:brushes/brushes",
        )?;
        let e0 = ::airlock::__private::runner::export_index(
            component,
            Some(&i0),
            "[constructor]brush",
        )?;
        let e1 = ::airlock::__private::runner::export_index(
            component,
            Some(&i0),
            "[method]brush.size",
        )?;
        let e2 = ::airlock::__private::runner::export_index(
            component,
            Some(&i0),
            "[method]brush.scaled",
        )?;
        let e3 = ::airlock::__private::runner::export_index(
            component,
            Some(&i0),
            "[static]brush.named",
        )?;
        let e4 = ::airlock::__private::runner::export_index(
            component,
            Some(&i0),
            "all",
        )?;
        let e5 = ::airlock::__private::runner::export_index(
            component,
            Some(&i0),
            "retire",
        )?;
        let e6 = ::airlock::__private::runner::export_index(
            component,
            Some(&i0),
            "measure",
        )?;
        let e7 = ::airlock::__private::runner::export_index(
            component,
            Some(&i0),
            "paint",
        )?;
        Ok(
            ::std::boxed::Box::new(__ExportIndices {
                e0,
                e1,
                e2,
                e3,
                e4,
                e5,
                e6,
                e7,
            }),
        )
    }
}
#[doc(hidden)]
pub struct __ExportIndices {
    e0: ::airlock::__private::wasmtime::component::ComponentExportIndex,
    e1: ::airlock::__private::wasmtime::component::ComponentExportIndex,
    e2: ::airlock::__private::wasmtime::component::ComponentExportIndex,
    e3: ::airlock::__private::wasmtime::component::ComponentExportIndex,
    e4: ::airlock::__private::wasmtime::component::ComponentExportIndex,
    e5: ::airlock::__private::wasmtime::component::ComponentExportIndex,
    e6: ::airlock::__private::wasmtime::component::ComponentExportIndex,
    e7: ::airlock::__private::wasmtime::component::ComponentExportIndex,
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
                    "[constructor]brush",
                )?,
                e1: ::airlock::__private::runner::typed_func(
                    &mut *store,
                    instance,
                    &self.e1,
                    "[method]brush.size",
                )?,
                e2: ::airlock::__private::runner::typed_func(
                    &mut *store,
                    instance,
                    &self.e2,
                    "[method]brush.scaled",
                )?,
                e3: ::airlock::__private::runner::typed_func(
                    &mut *store,
                    instance,
                    &self.e3,
                    "[static]brush.named",
                )?,
                e4: ::airlock::__private::runner::typed_func(
                    &mut *store,
                    instance,
                    &self.e4,
                    "all",
                )?,
                e5: ::airlock::__private::runner::typed_func(
                    &mut *store,
                    instance,
                    &self.e5,
                    "retire",
                )?,
                e6: ::airlock::__private::runner::typed_func(
                    &mut *store,
                    instance,
                    &self.e6,
                    "measure",
                )?,
                e7: ::airlock::__private::runner::typed_func(
                    &mut *store,
                    instance,
                    &self.e7,
                    "paint",
                )?,
            }),
        )
    }
}
#[doc(hidden)]
pub struct __BoundExports {
    e0: ::airlock::__private::wasmtime::component::TypedFunc<
        (f32,),
        (exports::brushes::brushes::Brush,),
    >,
    e1: ::airlock::__private::wasmtime::component::TypedFunc<
        (exports::brushes::brushes::Brush,),
        (f32,),
    >,
    e2: ::airlock::__private::wasmtime::component::TypedFunc<
        (exports::brushes::brushes::Brush, f32),
        (exports::brushes::brushes::Brush,),
    >,
    e3: ::airlock::__private::wasmtime::component::TypedFunc<
        (::std::string::String,),
        (::std::option::Option<exports::brushes::brushes::Brush>,),
    >,
    e4: ::airlock::__private::wasmtime::component::TypedFunc<
        (),
        (::std::vec::Vec<exports::brushes::brushes::Brush>,),
    >,
    e5: ::airlock::__private::wasmtime::component::TypedFunc<
        (exports::brushes::brushes::Brush,),
        (u32,),
    >,
    e6: ::airlock::__private::wasmtime::component::TypedFunc<
        (exports::brushes::brushes::Brush,),
        (f32,),
    >,
    e7: ::airlock::__private::wasmtime::component::TypedFunc<
        (exports::brushes::brushes::Stroke,),
        (::std::result::Result<u32, ::std::string::String>,),
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
                    .call(&mut *store, (a.size,))
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
                    .call(&mut *store, (a.self_,))
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
                    .call(&mut *store, (a.self_, a.factor))
                    .map_err(::airlock::__private::runner::CallError::Wasm)?;
                ::airlock::__private::runner::encode_result(
                    &__airlock_fns::E2RetRef(&r),
                    out,
                )
            }
            3u32 => {
                let a: __airlock_fns::E3Args = ::airlock::__private::runner::decode_args(
                    args,
                )?;
                let (r,) = self
                    .e3
                    .call(&mut *store, (a.name,))
                    .map_err(::airlock::__private::runner::CallError::Wasm)?;
                ::airlock::__private::runner::encode_result(
                    &__airlock_fns::E3RetRef(&r),
                    out,
                )
            }
            4u32 => {
                let a: __airlock_fns::E4Args = ::airlock::__private::runner::decode_args(
                    args,
                )?;
                let (r,) = self
                    .e4
                    .call(&mut *store, ())
                    .map_err(::airlock::__private::runner::CallError::Wasm)?;
                ::airlock::__private::runner::encode_result(
                    &__airlock_fns::E4RetRef(&r),
                    out,
                )
            }
            5u32 => {
                let a: __airlock_fns::E5Args = ::airlock::__private::runner::decode_args(
                    args,
                )?;
                let (r,) = self
                    .e5
                    .call(&mut *store, (a.b,))
                    .map_err(::airlock::__private::runner::CallError::Wasm)?;
                ::airlock::__private::runner::encode_result(
                    &__airlock_fns::E5RetRef(&r),
                    out,
                )
            }
            6u32 => {
                let a: __airlock_fns::E6Args = ::airlock::__private::runner::decode_args(
                    args,
                )?;
                let (r,) = self
                    .e6
                    .call(&mut *store, (a.b,))
                    .map_err(::airlock::__private::runner::CallError::Wasm)?;
                ::airlock::__private::runner::encode_result(
                    &__airlock_fns::E6RetRef(&r),
                    out,
                )
            }
            7u32 => {
                let a: __airlock_fns::E7Args = ::airlock::__private::runner::decode_args(
                    args,
                )?;
                let (r,) = self
                    .e7
                    .call(&mut *store, (a.s,))
                    .map_err(::airlock::__private::runner::CallError::Wasm)?;
                ::airlock::__private::runner::encode_result(
                    &__airlock_fns::E7RetRef(&r),
                    out,
                )
            }
            _ => Err(::airlock::__private::runner::CallError::UnknownFunction(func)),
        }
    }
}
