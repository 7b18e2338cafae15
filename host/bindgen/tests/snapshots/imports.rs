/// Fully qualified name of the world these bindings were generated from.
pub const WORLD_NAME: &str = "fixture:imports/imports";
/// BLAKE3 hash of the world's canonical signature; checked at every runner handshake.
pub const WORLD_HASH: [u8; 32] = [
    46u8, 184u8, 182u8, 247u8, 54u8, 121u8, 216u8, 178u8, 188u8, 155u8, 106u8, 182u8,
    161u8, 35u8, 174u8, 243u8, 240u8, 55u8, 114u8, 22u8, 239u8, 248u8, 223u8, 121u8,
    79u8, 66u8, 146u8, 36u8, 106u8, 145u8, 41u8, 96u8,
];
#[allow(clippy::all, dead_code, unused_imports, non_camel_case_types)]
pub mod imports {
    #[allow(clippy::all, dead_code, unused_imports, non_camel_case_types)]
    pub mod store {
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
        pub struct Entry {
            #[component(name = "key")]
            pub key: ::std::string::String,
            #[component(name = "value")]
            #[serde(with = "::airlock::__private::serde_bytes")]
            pub value: ::std::vec::Vec<u8>,
        }
        /// What the host application implements for the imported interface `store`.
        pub trait Host {
            fn get(
                &mut self,
                key: ::std::string::String,
            ) -> ::std::option::Option<super::super::imports::store::Entry>;
            fn put(&mut self, e: super::super::imports::store::Entry);
        }
    }
}
/// The world's exports in wire order (`interface#function` for interface exports).
pub const EXPORTS: &[&str] = &["run"];
/// The world's imports the host implements, in wire order.
pub const IMPORTS: &[&str] = &[
    "fixture:imports/store#get",
    "fixture:imports/store#put",
    "clock",
];
#[doc(hidden)]
#[allow(clippy::all, dead_code, non_camel_case_types)]
pub mod __airlock_fns {
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I0ArgsRef<'a> {
        pub key: &'a str,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I0Args {
        pub key: ::std::string::String,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I0RetRef<'a>(pub &'a ::std::option::Option<super::imports::store::Entry>);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I0Ret(pub ::std::option::Option<super::imports::store::Entry>);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I1ArgsRef<'a> {
        pub e: &'a super::imports::store::Entry,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I1Args {
        pub e: super::imports::store::Entry,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I2ArgsRef<'a> {
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I2Args {}
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I2RetRef<'a>(pub &'a u64);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I2Ret(pub u64);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0ArgsRef<'a> {
        pub keys: &'a [::std::string::String],
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0Args {
        pub keys: ::std::vec::Vec<::std::string::String>,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0RetRef<'a>(pub &'a u32);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0Ret(pub u32);
}
/// Everything the host application implements for this world's imports.
pub trait ImportsImports: imports::store::Host {
    fn clock(&mut self) -> u64;
}
#[doc(hidden)]
pub struct __Dispatch<'h, H: ?Sized>(pub &'h mut H);
impl<H: ImportsImports + ?Sized> ::airlock::__private::ImportDispatch
for __Dispatch<'_, H> {
    fn import_name(&self, func: u32) -> ::std::option::Option<&'static str> {
        IMPORTS.get(func as usize).copied()
    }
    fn dispatch(
        &mut self,
        func: u32,
        args: &[u8],
        out: &mut ::std::vec::Vec<u8>,
    ) -> ::std::result::Result<(), ::airlock::__private::DispatchError> {
        match func {
            0u32 => {
                let a: __airlock_fns::I0Args = ::airlock::__private::decode(args)?;
                let r = <H as imports::store::Host>::get(self.0, a.key);
                ::airlock::__private::encode_into(&__airlock_fns::I0RetRef(&r), out)?;
                Ok(())
            }
            1u32 => {
                let a: __airlock_fns::I1Args = ::airlock::__private::decode(args)?;
                let r = <H as imports::store::Host>::put(self.0, a.e);
                let () = r;
                out.clear();
                Ok(())
            }
            2u32 => {
                let a: __airlock_fns::I2Args = ::airlock::__private::decode(args)?;
                let r = <H as ImportsImports>::clock(self.0);
                ::airlock::__private::encode_into(&__airlock_fns::I2RetRef(&r), out)?;
                Ok(())
            }
            _ => Err(::airlock::__private::DispatchError::UnknownImport(func)),
        }
    }
}
/// A running instance of a plugin for world `fixture:imports/imports`, in its own runner process.
pub struct Imports {
    plugin: ::airlock::Plugin,
}
impl Imports {
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
    pub fn run<'a, H: ImportsImports + ?Sized>(
        &mut self,
        host: &mut H,
        keys: &'a [::std::string::String],
    ) -> ::airlock::Result<u32> {
        let args = __airlock_fns::E0ArgsRef {
            keys,
            __marker: ::std::marker::PhantomData,
        };
        self.plugin
            .call::<_, __airlock_fns::E0Ret>(0u32, "run", &args, &mut __Dispatch(host))
            .map(|ret| ret.0)
    }
}
impl ::airlock::Client for Imports {
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
impl ::std::fmt::Debug for Imports {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.debug_struct(stringify!(Imports)).field("plugin", &self.plugin).finish()
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
        {
            #[allow(unused_mut, unused_variables)]
            let mut instance = linker.instance("fixture:imports/store")?;
            instance
                .func_wrap(
                    "get",
                    |
                        mut cx: ::airlock::__private::wasmtime::StoreContextMut<
                            '_,
                            ::airlock::__private::runner::RunnerState,
                        >,
                        (key,): (::std::string::String,),
                    | -> ::airlock::__private::wasmtime::Result<
                        (::std::option::Option<imports::store::Entry>,),
                    > {
                        let args = __airlock_fns::I0ArgsRef {
                            key: &key[..],
                            __marker: ::std::marker::PhantomData,
                        };
                        let ret: __airlock_fns::I0Ret = ::airlock::__private::runner::call_import(
                            &mut cx,
                            0u32,
                            &args,
                        )?;
                        Ok((ret.0,))
                    },
                )?;
            instance
                .func_wrap(
                    "put",
                    |
                        mut cx: ::airlock::__private::wasmtime::StoreContextMut<
                            '_,
                            ::airlock::__private::runner::RunnerState,
                        >,
                        (e,): (imports::store::Entry,),
                    | -> ::airlock::__private::wasmtime::Result<()> {
                        let args = __airlock_fns::I1ArgsRef {
                            e: &e,
                            __marker: ::std::marker::PhantomData,
                        };
                        ::airlock::__private::runner::call_import::<
                            _,
                            (),
                        >(&mut cx, 1u32, &args)?;
                        Ok(())
                    },
                )?;
        }
        {
            let mut instance = linker.root();
            instance
                .func_wrap(
                    "clock",
                    |
                        mut cx: ::airlock::__private::wasmtime::StoreContextMut<
                            '_,
                            ::airlock::__private::runner::RunnerState,
                        >,
                        (): (),
                    | -> ::airlock::__private::wasmtime::Result<(u64,)> {
                        let args = __airlock_fns::I2ArgsRef {
                            __marker: ::std::marker::PhantomData,
                        };
                        let ret: __airlock_fns::I2Ret = ::airlock::__private::runner::call_import(
                            &mut cx,
                            2u32,
                            &args,
                        )?;
                        Ok((ret.0,))
                    },
                )?;
        }
        Ok(())
    }
    fn resolve_exports(
        &self,
        component: &::airlock::__private::wasmtime::component::Component,
    ) -> ::std::result::Result<
        ::std::boxed::Box<dyn ::airlock::__private::runner::ExportTable>,
        ::std::string::String,
    > {
        let e0 = ::airlock::__private::runner::export_index(component, None, "run")?;
        Ok(::std::boxed::Box::new(__ExportIndices { e0 }))
    }
}
#[doc(hidden)]
pub struct __ExportIndices {
    e0: ::airlock::__private::wasmtime::component::ComponentExportIndex,
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
                    "run",
                )?,
            }),
        )
    }
}
#[doc(hidden)]
pub struct __BoundExports {
    e0: ::airlock::__private::wasmtime::component::TypedFunc<
        (::std::vec::Vec<::std::string::String>,),
        (u32,),
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
                    .call(&mut *store, (a.keys,))
                    .map_err(::airlock::__private::runner::CallError::Wasm)?;
                ::airlock::__private::runner::encode_result(
                    &__airlock_fns::E0RetRef(&r),
                    out,
                )
            }
            _ => Err(::airlock::__private::runner::CallError::UnknownFunction(func)),
        }
    }
}
