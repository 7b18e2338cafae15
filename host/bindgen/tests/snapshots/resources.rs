/// Fully qualified name of the world these bindings were generated from.
pub const WORLD_NAME: &str = "fixture:painter/painter";
/// BLAKE3 hash of the world's canonical signature; checked at every runner handshake.
pub const WORLD_HASH: [u8; 32] = [
    128u8, 190u8, 167u8, 159u8, 117u8, 253u8, 82u8, 12u8, 218u8, 152u8, 195u8, 196u8,
    254u8, 215u8, 107u8, 35u8, 212u8, 52u8, 148u8, 80u8, 60u8, 22u8, 42u8, 164u8, 23u8,
    58u8, 214u8, 138u8, 156u8, 108u8, 149u8, 100u8,
];
#[allow(clippy::all, dead_code, unused_imports, non_camel_case_types)]
pub mod painter {
    #[allow(clippy::all, dead_code, unused_imports, non_camel_case_types)]
    pub mod handles {
        /// A drawing surface the host owns.
        ///
        /// A handle to an object the host implements: the host picks its
        /// number (`Handle::new`), the guest holds it as a resource.
        pub type Canvas = ::airlock::Handle<CanvasResource>;
        #[doc(hidden)]
        pub enum CanvasResource {}
        impl ::airlock::__private::runner::HostResource for CanvasResource {
            const DROP: u32 = 8u32;
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
        #[component(record)]
        pub struct Stroke {
            #[component(name = "canvas")]
            pub canvas: super::super::painter::handles::Canvas,
            #[component(name = "width")]
            pub width: f32,
        }
        /// What the host application implements for the imported interface `handles`.
        pub trait Host {
            fn canvas_new(
                &mut self,
                width: u32,
                height: u32,
            ) -> super::super::painter::handles::Canvas;
            fn canvas_width(
                &mut self,
                self_: super::super::painter::handles::Canvas,
            ) -> u32;
            fn canvas_draw(
                &mut self,
                self_: super::super::painter::handles::Canvas,
                points: ::std::vec::Vec<(f32, f32)>,
            ) -> bool;
            fn canvas_open(
                &mut self,
                name: ::std::string::String,
            ) -> ::std::option::Option<super::super::painter::handles::Canvas>;
            fn make(&mut self) -> super::super::painter::handles::Canvas;
            fn all(&mut self) -> ::std::vec::Vec<super::super::painter::handles::Canvas>;
            fn remember(&mut self, s: super::super::painter::handles::Stroke);
            fn give_back(&mut self, c: super::super::painter::handles::Canvas);
            /// The plugin dropped its handle to this `canvas`, or held it when a call
            /// trapped (then this comes before that call's error). Does nothing unless
            /// implemented.
            fn drop_canvas(&mut self, handle: super::super::painter::handles::Canvas) {
                let _ = handle;
            }
        }
    }
}
/// The world's exports in wire order (`interface#function` for interface exports).
pub const EXPORTS: &[&str] = &["run"];
/// The world's imports the host implements, in wire order.
pub const IMPORTS: &[&str] = &[
    "fixture:painter/handles#[constructor]canvas",
    "fixture:painter/handles#[method]canvas.width",
    "fixture:painter/handles#[method]canvas.draw",
    "fixture:painter/handles#[static]canvas.open",
    "fixture:painter/handles#make",
    "fixture:painter/handles#all",
    "fixture:painter/handles#remember",
    "fixture:painter/handles#give-back",
    "fixture:painter/handles#[resource-drop]canvas",
];
#[doc(hidden)]
#[allow(clippy::all, dead_code, non_camel_case_types)]
pub mod __airlock_fns {
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I0ArgsRef<'a> {
        pub width: u32,
        pub height: u32,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I0Args {
        pub width: u32,
        pub height: u32,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I0RetRef<'a>(pub &'a super::painter::handles::Canvas);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I0Ret(pub super::painter::handles::Canvas);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I1ArgsRef<'a> {
        pub self_: super::painter::handles::Canvas,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I1Args {
        pub self_: super::painter::handles::Canvas,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I1RetRef<'a>(pub &'a u32);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I1Ret(pub u32);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I2ArgsRef<'a> {
        pub self_: super::painter::handles::Canvas,
        pub points: &'a [(f32, f32)],
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I2Args {
        pub self_: super::painter::handles::Canvas,
        pub points: ::std::vec::Vec<(f32, f32)>,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I2RetRef<'a>(pub &'a bool);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I2Ret(pub bool);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I3ArgsRef<'a> {
        pub name: &'a str,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I3Args {
        pub name: ::std::string::String,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I3RetRef<'a>(
        pub &'a ::std::option::Option<super::painter::handles::Canvas>,
    );
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I3Ret(pub ::std::option::Option<super::painter::handles::Canvas>);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I4ArgsRef<'a> {
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I4Args {}
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I4RetRef<'a>(pub &'a super::painter::handles::Canvas);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I4Ret(pub super::painter::handles::Canvas);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I5ArgsRef<'a> {
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I5Args {}
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I5RetRef<'a>(pub &'a ::std::vec::Vec<super::painter::handles::Canvas>);
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I5Ret(pub ::std::vec::Vec<super::painter::handles::Canvas>);
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I6ArgsRef<'a> {
        pub s: &'a super::painter::handles::Stroke,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I6Args {
        pub s: super::painter::handles::Stroke,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I7ArgsRef<'a> {
        pub c: super::painter::handles::Canvas,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I7Args {
        pub c: super::painter::handles::Canvas,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I8ArgsRef<'a> {
        pub handle: super::painter::handles::Canvas,
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct I8Args {
        pub handle: super::painter::handles::Canvas,
    }
    #[derive(::airlock::__private::serde::Serialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0ArgsRef<'a> {
        #[serde(skip)]
        pub __marker: ::std::marker::PhantomData<&'a ()>,
    }
    #[derive(::airlock::__private::serde::Deserialize)]
    #[serde(crate = "::airlock::__private::serde")]
    pub struct E0Args {}
}
/// Everything the host application implements for this world's imports.
pub trait PainterImports: painter::handles::Host {}
impl<T: ?Sized + painter::handles::Host> PainterImports for T {}
#[doc(hidden)]
pub struct __Dispatch<'h, H: ?Sized>(pub &'h mut H);
impl<H: PainterImports + ?Sized> ::airlock::__private::ImportDispatch
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
                let r = <H as painter::handles::Host>::canvas_new(
                    self.0,
                    a.width,
                    a.height,
                );
                ::airlock::__private::encode_into(&__airlock_fns::I0RetRef(&r), out)?;
                Ok(())
            }
            1u32 => {
                let a: __airlock_fns::I1Args = ::airlock::__private::decode(args)?;
                let r = <H as painter::handles::Host>::canvas_width(self.0, a.self_);
                ::airlock::__private::encode_into(&__airlock_fns::I1RetRef(&r), out)?;
                Ok(())
            }
            2u32 => {
                let a: __airlock_fns::I2Args = ::airlock::__private::decode(args)?;
                let r = <H as painter::handles::Host>::canvas_draw(
                    self.0,
                    a.self_,
                    a.points,
                );
                ::airlock::__private::encode_into(&__airlock_fns::I2RetRef(&r), out)?;
                Ok(())
            }
            3u32 => {
                let a: __airlock_fns::I3Args = ::airlock::__private::decode(args)?;
                let r = <H as painter::handles::Host>::canvas_open(self.0, a.name);
                ::airlock::__private::encode_into(&__airlock_fns::I3RetRef(&r), out)?;
                Ok(())
            }
            4u32 => {
                let a: __airlock_fns::I4Args = ::airlock::__private::decode(args)?;
                let r = <H as painter::handles::Host>::make(self.0);
                ::airlock::__private::encode_into(&__airlock_fns::I4RetRef(&r), out)?;
                Ok(())
            }
            5u32 => {
                let a: __airlock_fns::I5Args = ::airlock::__private::decode(args)?;
                let r = <H as painter::handles::Host>::all(self.0);
                ::airlock::__private::encode_into(&__airlock_fns::I5RetRef(&r), out)?;
                Ok(())
            }
            6u32 => {
                let a: __airlock_fns::I6Args = ::airlock::__private::decode(args)?;
                let r = <H as painter::handles::Host>::remember(self.0, a.s);
                let () = r;
                out.clear();
                Ok(())
            }
            7u32 => {
                let a: __airlock_fns::I7Args = ::airlock::__private::decode(args)?;
                let r = <H as painter::handles::Host>::give_back(self.0, a.c);
                let () = r;
                out.clear();
                Ok(())
            }
            8u32 => {
                let a: __airlock_fns::I8Args = ::airlock::__private::decode(args)?;
                let r = <H as painter::handles::Host>::drop_canvas(self.0, a.handle);
                let () = r;
                out.clear();
                Ok(())
            }
            _ => Err(::airlock::__private::DispatchError::UnknownImport(func)),
        }
    }
}
/// A running instance of a plugin for world `fixture:painter/painter`, in its own runner process.
pub struct Painter {
    plugin: ::airlock::Plugin,
}
impl Painter {
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
    pub fn run<'a, H: PainterImports + ?Sized>(
        &mut self,
        host: &mut H,
    ) -> ::airlock::Result<()> {
        let args = __airlock_fns::E0ArgsRef {
            __marker: ::std::marker::PhantomData,
        };
        self.plugin.call::<_, ()>(0u32, "run", &args, &mut __Dispatch(host))
    }
}
impl ::airlock::Client for Painter {
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
impl ::std::fmt::Debug for Painter {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.debug_struct(stringify!(Painter)).field("plugin", &self.plugin).finish()
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
            let mut instance = linker.instance("fixture:painter/handles")?;
            instance
                .resource(
                    "canvas",
                    ::airlock::__private::wasmtime::component::ResourceType::host::<
                        painter::handles::CanvasResource,
                    >(),
                    |
                        mut cx: ::airlock::__private::wasmtime::StoreContextMut<
                            '_,
                            ::airlock::__private::runner::RunnerState,
                        >,
                        rep: u32,
                    | -> ::airlock::__private::wasmtime::Result<()> {
                        ::airlock::__private::runner::handle_dropped(8u32, rep);
                        let args = __airlock_fns::I8ArgsRef {
                            handle: ::airlock::Handle::new(rep),
                            __marker: ::std::marker::PhantomData,
                        };
                        ::airlock::__private::runner::call_import::<
                            _,
                            (),
                        >(&mut cx, 8u32, &args)
                    },
                )?;
            instance
                .func_wrap(
                    "[constructor]canvas",
                    |
                        mut cx: ::airlock::__private::wasmtime::StoreContextMut<
                            '_,
                            ::airlock::__private::runner::RunnerState,
                        >,
                        (width, height): (u32, u32),
                    | -> ::airlock::__private::wasmtime::Result<
                        (painter::handles::Canvas,),
                    > {
                        let args = __airlock_fns::I0ArgsRef {
                            width,
                            height,
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
                    "[method]canvas.width",
                    |
                        mut cx: ::airlock::__private::wasmtime::StoreContextMut<
                            '_,
                            ::airlock::__private::runner::RunnerState,
                        >,
                        (self_,): (painter::handles::Canvas,),
                    | -> ::airlock::__private::wasmtime::Result<(u32,)> {
                        let args = __airlock_fns::I1ArgsRef {
                            self_,
                            __marker: ::std::marker::PhantomData,
                        };
                        let ret: __airlock_fns::I1Ret = ::airlock::__private::runner::call_import(
                            &mut cx,
                            1u32,
                            &args,
                        )?;
                        Ok((ret.0,))
                    },
                )?;
            instance
                .func_wrap(
                    "[method]canvas.draw",
                    |
                        mut cx: ::airlock::__private::wasmtime::StoreContextMut<
                            '_,
                            ::airlock::__private::runner::RunnerState,
                        >,
                        (
                            self_,
                            points,
                        ): (painter::handles::Canvas, ::std::vec::Vec<(f32, f32)>),
                    | -> ::airlock::__private::wasmtime::Result<(bool,)> {
                        let args = __airlock_fns::I2ArgsRef {
                            self_,
                            points: &points[..],
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
            instance
                .func_wrap(
                    "[static]canvas.open",
                    |
                        mut cx: ::airlock::__private::wasmtime::StoreContextMut<
                            '_,
                            ::airlock::__private::runner::RunnerState,
                        >,
                        (name,): (::std::string::String,),
                    | -> ::airlock::__private::wasmtime::Result<
                        (::std::option::Option<painter::handles::Canvas>,),
                    > {
                        let args = __airlock_fns::I3ArgsRef {
                            name: &name[..],
                            __marker: ::std::marker::PhantomData,
                        };
                        let ret: __airlock_fns::I3Ret = ::airlock::__private::runner::call_import(
                            &mut cx,
                            3u32,
                            &args,
                        )?;
                        Ok((ret.0,))
                    },
                )?;
            instance
                .func_wrap(
                    "make",
                    |
                        mut cx: ::airlock::__private::wasmtime::StoreContextMut<
                            '_,
                            ::airlock::__private::runner::RunnerState,
                        >,
                        (): (),
                    | -> ::airlock::__private::wasmtime::Result<
                        (painter::handles::Canvas,),
                    > {
                        let args = __airlock_fns::I4ArgsRef {
                            __marker: ::std::marker::PhantomData,
                        };
                        let ret: __airlock_fns::I4Ret = ::airlock::__private::runner::call_import(
                            &mut cx,
                            4u32,
                            &args,
                        )?;
                        Ok((ret.0,))
                    },
                )?;
            instance
                .func_wrap(
                    "all",
                    |
                        mut cx: ::airlock::__private::wasmtime::StoreContextMut<
                            '_,
                            ::airlock::__private::runner::RunnerState,
                        >,
                        (): (),
                    | -> ::airlock::__private::wasmtime::Result<
                        (::std::vec::Vec<painter::handles::Canvas>,),
                    > {
                        let args = __airlock_fns::I5ArgsRef {
                            __marker: ::std::marker::PhantomData,
                        };
                        let ret: __airlock_fns::I5Ret = ::airlock::__private::runner::call_import(
                            &mut cx,
                            5u32,
                            &args,
                        )?;
                        Ok((ret.0,))
                    },
                )?;
            instance
                .func_wrap(
                    "remember",
                    |
                        mut cx: ::airlock::__private::wasmtime::StoreContextMut<
                            '_,
                            ::airlock::__private::runner::RunnerState,
                        >,
                        (s,): (painter::handles::Stroke,),
                    | -> ::airlock::__private::wasmtime::Result<()> {
                        let args = __airlock_fns::I6ArgsRef {
                            s: &s,
                            __marker: ::std::marker::PhantomData,
                        };
                        ::airlock::__private::runner::call_import::<
                            _,
                            (),
                        >(&mut cx, 6u32, &args)?;
                        Ok(())
                    },
                )?;
            instance
                .func_wrap(
                    "give-back",
                    |
                        mut cx: ::airlock::__private::wasmtime::StoreContextMut<
                            '_,
                            ::airlock::__private::runner::RunnerState,
                        >,
                        (c,): (painter::handles::Canvas,),
                    | -> ::airlock::__private::wasmtime::Result<()> {
                        let args = __airlock_fns::I7ArgsRef {
                            c,
                            __marker: ::std::marker::PhantomData,
                        };
                        ::airlock::__private::runner::call_import::<
                            _,
                            (),
                        >(&mut cx, 7u32, &args)?;
                        Ok(())
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
    e0: ::airlock::__private::wasmtime::component::TypedFunc<(), ()>,
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
                self.e0
                    .call(&mut *store, ())
                    .map_err(::airlock::__private::runner::CallError::Wasm)?;
                out.clear();
                Ok(())
            }
            _ => Err(::airlock::__private::runner::CallError::UnknownFunction(func)),
        }
    }
}
