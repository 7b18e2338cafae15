//! Generates Airlock bindings for one WIT world: the Rust types, a typed client
//! with one method per export, one trait per imported interface, the import
//! dispatcher, and the runner-side glue that calls the component through
//! wasmtime's typed API.
//!
//! Both sides of the wire are generated from the same world in the same
//! expansion and share one set of Rust types (serde derives for postcard,
//! wasmtime derives for the canonical ABI), so the bytes one side encodes are
//! exactly what the other decodes. [`Generated::world_hash`] fingerprints the
//! world's signature so that a host and a runner built from different WIT
//! refuse each other at the handshake.
//!
//! # Layout
//!
//! - [`types`]: WIT types to Rust types and type definitions.
//! - [`signature`]: the canonical signature text behind the world hash.
//! - [`functions`]: the client, host traits, dispatcher and runner glue.
//! - [`names`]: Rust names for WIT names, keywords escaped.

mod functions;
mod names;
pub mod signature;
mod types;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use proc_macro2::TokenStream;
use quote::quote;
use wit_parser::{
    InterfaceId, Resolve, Type, TypeDefKind, TypeId, TypeOwner, WorldId, WorldItem, WorldKey,
};

/// The package whose interfaces the runner implements itself (logging,
/// progress, cancellation); they never reach the host application's traits.
pub const FRAMEWORK_PACKAGE: &str = "airlock:plugin";

/// What to generate bindings for.
#[derive(Debug, Clone)]
pub struct Opts {
    /// WIT directories or files, parsed in order; the world is looked up in the last one.
    pub paths: Vec<PathBuf>,
    /// The world's name (`filter`) or full id (`airlock:design/filter`); optional
    /// when the package has exactly one world.
    pub world: Option<String>,
}

/// The output of one generation.
#[derive(Debug)]
pub struct Generated {
    pub tokens: TokenStream,
    /// Every WIT file read, so that the macro can make the build depend on them.
    pub files: Vec<PathBuf>,
    pub world_name: String,
    pub world_hash: [u8; 32],
}

/// A world loaded from WIT: everything parsed, the world selected, and every
/// file read.
pub struct ResolvedWorld {
    pub resolve: Resolve,
    pub world: WorldId,
    pub files: Vec<PathBuf>,
}

/// Parses the WIT at `paths` (directories or files, dependencies first) and
/// selects `world` (`package:name/world`, or just `world`; optional when the
/// last path's package has one world) from the last one.
pub fn load(paths: &[PathBuf], world: Option<&str>) -> Result<ResolvedWorld> {
    let mut resolve = Resolve::default();
    let mut files = Vec::new();
    let mut main = Vec::new();
    if paths.is_empty() {
        bail!("no WIT path given");
    }
    for path in paths {
        let (pkg, sources) = resolve
            .push_path(path)
            .with_context(|| format!("failed to parse WIT at `{}`", path.display()))?;
        main.push(pkg);
        files.extend(sources.paths().map(Path::to_path_buf));
    }
    let world = resolve.select_world(&main[main.len() - 1..], world)?;
    Ok(ResolvedWorld {
        resolve,
        world,
        files,
    })
}

/// Parses the WIT at `opts.paths` and generates bindings for the selected world.
pub fn generate(opts: &Opts) -> Result<Generated> {
    let ResolvedWorld {
        resolve,
        world,
        files,
    } = load(&opts.paths, opts.world.as_deref())?;
    let mut generated = generate_world(&resolve, world)?;
    generated.files = files;
    Ok(generated)
}

/// Generates bindings for `world` of an already parsed `resolve`.
pub fn generate_world(resolve: &Resolve, world: WorldId) -> Result<Generated> {
    let g = Generator::new(resolve, world)?;
    let tokens = g.emit()?;
    let world_name = g.world_name();
    let world_hash =
        *blake3::hash(signature::world_signature(resolve, world).as_bytes()).as_bytes();
    let hash_tokens = world_hash.iter();
    let name_lit = &world_name;
    let tokens = quote! {
        /// Fully qualified name of the world these bindings were generated from.
        pub const WORLD_NAME: &str = #name_lit;
        /// BLAKE3 hash of the world's canonical signature; checked at every runner handshake.
        pub const WORLD_HASH: [u8; 32] = [#(#hash_tokens),*];
        #tokens
    };
    Ok(Generated {
        tokens,
        files: Vec::new(),
        world_name,
        world_hash,
    })
}

/// The function through which the host hears that the guest dropped its
/// handle to resource `name` (`[resource-drop]name`, its one parameter the
/// handle), made while generating.
fn drop_function(name: &str, resource: TypeId) -> wit_parser::Function {
    wit_parser::Function {
        name: format!("[resource-drop]{name}"),
        kind: wit_parser::FunctionKind::Freestanding,
        params: vec![wit_parser::Param {
            name: "handle".into(),
            ty: Type::Id(resource),
            span: Default::default(),
        }],
        result: None,
        docs: wit_parser::Docs {
            contents: Some(format!(
                "The plugin dropped its handle to this `{name}`, or held it when a call\ntrapped (then this comes before that call's error). Does nothing unless\nimplemented."
            )),
        },
        stability: Default::default(),
        span: Default::default(),
        external_id: None,
    }
}

/// A world's full name, `namespace:package/world@version` (the version when
/// its package has one), as stamps, handshakes and messages spell it.
pub fn world_name(resolve: &Resolve, world: WorldId) -> String {
    let w = &resolve.worlds[world];
    match w.package {
        Some(pkg) => {
            let n = &resolve.packages[pkg].name;
            let mut s = format!("{}:{}/{}", n.namespace, n.name, w.name);
            if let Some(v) = &n.version {
                s.push_str(&format!("@{v}"));
            }
            s
        }
        None => w.name.clone(),
    }
}

/// Whether `f` is a resource's drop function, made by [`drop_function`].
pub(crate) fn is_drop(f: &wit_parser::Function) -> bool {
    f.name.starts_with("[resource-drop]")
}

/// One function of the world as seen over the wire.
pub(crate) struct WireFunction<'a> {
    /// Index in the world's import or export table; the wire carries this, not the name.
    pub index: u32,
    /// `None` for functions directly in the world.
    pub interface: Option<InterfaceId>,
    /// Borrowed from the WIT, or made by [`drop_function`].
    pub func: Cow<'a, wit_parser::Function>,
}

pub(crate) struct Generator<'a> {
    pub resolve: &'a Resolve,
    pub world: WorldId,
    /// Module path of every interface's generated module, relative to the bindings root.
    pub module_paths: HashMap<InterfaceId, Vec<String>>,
    pub imported_interfaces: Vec<InterfaceId>,
    pub exported_interfaces: Vec<InterfaceId>,
    pub imports: Vec<WireFunction<'a>>,
    pub exports: Vec<WireFunction<'a>>,
}

impl<'a> Generator<'a> {
    /// The trait bundling everything the host implements: `<World>Imports`, as
    /// in wasmtime's bindings (a bare `Imports` would clash with a world named
    /// `imports`).
    pub(crate) fn imports_trait(&self) -> proc_macro2::Ident {
        let world = &self.resolve.worlds[self.world].name;
        names::camel(&format!("{world}-imports"))
    }

    fn new(resolve: &'a Resolve, world_id: WorldId) -> Result<Self> {
        let world = &resolve.worlds[world_id];
        let mut g = Generator {
            resolve,
            world: world_id,
            module_paths: HashMap::new(),
            imported_interfaces: Vec::new(),
            exported_interfaces: Vec::new(),
            imports: Vec::new(),
            exports: Vec::new(),
        };
        for (is_export, items) in [(false, &world.imports), (true, &world.exports)] {
            for (key, item) in items {
                match item {
                    WorldItem::Interface { id, .. } => {
                        let mut path = Vec::new();
                        if is_export {
                            path.push("exports".to_string());
                        }
                        path.extend(g.interface_module_path(key, *id));
                        g.module_paths.insert(*id, path);
                        let framework = g.is_framework(*id);
                        let iface = &resolve.interfaces[*id];
                        if is_export {
                            g.exported_interfaces.push(*id);
                        } else {
                            g.imported_interfaces.push(*id);
                        }
                        // An interface both imported and exported is imported only for
                        // its types (a `use` from another import); its functions are the
                        // plugin's to implement, not the host's.
                        let types_only_import = !is_export
                            && world.exports.values().any(
                                |e| matches!(e, WorldItem::Interface { id: e, .. } if e == id),
                            );
                        if framework || types_only_import {
                            continue;
                        }
                        for func in iface.functions.values() {
                            g.push_function(is_export, Some(*id), Cow::Borrowed(func))?;
                        }
                        // A host-implemented resource learns of the guest
                        // dropping a handle through one more function.
                        if !is_export {
                            for (name, &ty) in &iface.types {
                                if matches!(resolve.types[ty].kind, TypeDefKind::Resource) {
                                    let drop = Cow::Owned(drop_function(name, ty));
                                    g.push_function(false, Some(*id), drop)?;
                                }
                            }
                        }
                    }
                    WorldItem::Function(func) => {
                        g.push_function(is_export, None, Cow::Borrowed(func))?
                    }
                    WorldItem::Type { .. } => {}
                }
            }
        }
        g.check_supported()?;
        g.check_rust_names()?;
        Ok(g)
    }

    /// Refuses two functions that would get one Rust name in the same trait
    /// or client (`[constructor]brush` and a function `brush-new`, say),
    /// which would otherwise surface as a compile error in generated code.
    fn check_rust_names(&self) -> Result<()> {
        for (list, side) in [(&self.imports, "imports"), (&self.exports, "exports")] {
            let mut seen: HashMap<(Option<InterfaceId>, String), &str> = HashMap::new();
            for f in list {
                let rust = names::function(&f.func.name).to_string();
                if let Some(other) = seen.insert((f.interface, rust.clone()), &f.func.name) {
                    let place = match f.interface {
                        Some(id) => format!(
                            "interface `{}`",
                            self.resolve.interfaces[id]
                                .name
                                .as_deref()
                                .unwrap_or("<anonymous>")
                        ),
                        None => format!("the world's {side}"),
                    };
                    bail!(
                        "`{other}` and `{}` in {place} of world `{}` would both be the Rust method `{rust}`; rename one of them in the WIT",
                        f.func.name,
                        self.world_name()
                    );
                }
            }
        }
        Ok(())
    }

    fn push_function(
        &mut self,
        is_export: bool,
        interface: Option<InterfaceId>,
        func: Cow<'a, wit_parser::Function>,
    ) -> Result<()> {
        use wit_parser::FunctionKind as K;
        match func.kind {
            K::Freestanding => {}
            // A resource's constructor, methods and statics are functions
            // like any other: imports for resources the host implements,
            // exports for those the plugin implements.
            K::Method(_) | K::Static(_) | K::Constructor(_) => {}
            K::AsyncFreestanding | K::AsyncMethod(_) | K::AsyncStatic(_) => bail!(
                "function `{}` of world `{}` is async, which Airlock bindings do not support yet",
                func.name,
                self.world_name()
            ),
        }
        let list = if is_export {
            &mut self.exports
        } else {
            &mut self.imports
        };
        let index = u32::try_from(list.len()).context("too many functions")?;
        list.push(WireFunction {
            index,
            interface,
            func,
        });
        Ok(())
    }

    fn interface_module_path(&self, key: &WorldKey, id: InterfaceId) -> Vec<String> {
        let iface = &self.resolve.interfaces[id];
        match (key, iface.package) {
            (WorldKey::Interface(_), Some(pkg)) => {
                // `package/interface`, without the namespace: a module named
                // after the namespace would shadow a crate of the same name at
                // the macro's call site (`airlock:…` next to `airlock::bindgen!`).
                // Two packages of one name in different namespaces keep it.
                let name = &self.resolve.packages[pkg].name;
                let clash =
                    self.resolve.packages.iter().any(|(_, p)| {
                        p.name.name == name.name && p.name.namespace != name.namespace
                    });
                let package = if clash {
                    format!(
                        "{}_{}",
                        names::module(&name.namespace),
                        names::module(&name.name)
                    )
                } else {
                    names::module(&name.name)
                };
                vec![
                    package,
                    names::module(iface.name.as_deref().unwrap_or("interface")),
                ]
            }
            (WorldKey::Name(name), _) => vec![names::module(name)],
            (WorldKey::Interface(_), None) => {
                vec![names::module(iface.name.as_deref().unwrap_or("interface"))]
            }
        }
    }

    pub fn is_framework(&self, id: InterfaceId) -> bool {
        self.resolve.interfaces[id]
            .package
            .map(|p| {
                let n = &self.resolve.packages[p].name;
                format!("{}:{}", n.namespace, n.name) == FRAMEWORK_PACKAGE
            })
            .unwrap_or(false)
    }

    pub fn world_name(&self) -> String {
        world_name(self.resolve, self.world)
    }

    /// Rejects what the wire cannot carry yet, naming the offending type.
    fn check_supported(&self) -> Result<()> {
        for (id, ty) in self.resolve.types.iter() {
            let relevant = match ty.owner {
                TypeOwner::World(w) => w == self.world,
                TypeOwner::Interface(i) => self.module_paths.contains_key(&i),
                TypeOwner::None => false,
            };
            if !relevant {
                continue;
            }
            let world_resource =
                |r: TypeId| matches!(self.resolve.types[r].owner, TypeOwner::World(_));
            let what = match &ty.kind {
                TypeDefKind::Resource if !world_resource(id) => continue,
                TypeDefKind::Handle(wit_parser::Handle::Own(r) | wit_parser::Handle::Borrow(r))
                    if !world_resource(*r) =>
                {
                    continue;
                }
                TypeDefKind::Resource | TypeDefKind::Handle(_) => "world-level resource",
                TypeDefKind::Future(_) => "future",
                TypeDefKind::Stream(_) => "stream",
                TypeDefKind::Map(..) => "map",
                TypeDefKind::FixedLengthList(..) => "fixed-length list",
                _ => continue,
            };
            bail!(
                "world `{}` uses {what} type `{}`, which Airlock bindings do not support yet (resources in imported or exported interfaces are supported; use them, or records, variants and lists)",
                self.world_name(),
                ty.name.as_deref().unwrap_or("<anonymous>")
            );
        }
        // `use` of an exported interface's resource from an import imports
        // that interface too: the world then has two `brush` types (the
        // host's and the plugin's), which these bindings cannot keep apart.
        for id in &self.exported_interfaces {
            let iface = &self.resolve.interfaces[*id];
            let resource = iface
                .types
                .iter()
                .find(|(_, t)| matches!(self.resolve.types[**t].kind, TypeDefKind::Resource));
            if let (true, Some((name, _))) = (self.imported_interfaces.contains(id), resource) {
                bail!(
                    "world `{}` both imports and exports interface `{}` (an import uses its types), which defines resource `{name}`; Airlock bindings pass a plugin's resources only through its exports: move the types the imports need into an interface of their own",
                    self.world_name(),
                    iface.name.as_deref().unwrap_or("<anonymous>")
                );
            }
        }
        Ok(())
    }

    /// True for a resource defined in an interface the world exports: the
    /// plugin implements it and the host holds handles.
    pub(crate) fn is_exported_resource(&self, id: TypeId) -> bool {
        match self.resolve.types[id].owner {
            TypeOwner::Interface(i) => {
                matches!(self.resolve.types[id].kind, TypeDefKind::Resource)
                    && self.exported_interfaces.contains(&i)
            }
            _ => false,
        }
    }

    fn emit(&self) -> Result<TokenStream> {
        let mut tree = ModuleTree::default();
        for (&id, path) in &self.module_paths {
            let depth = path.len();
            let types = self.interface_types(id, depth)?;
            let funcs = functions::interface_items(self, id, depth)?;
            tree.insert(path, quote! { #types #funcs });
        }
        let world_types = self.world_types()?;
        let root = functions::root_items(self)?;
        let modules = tree.emit();
        Ok(quote! {
            #world_types
            #modules
            #root
        })
    }

    fn interface_types(&self, id: InterfaceId, depth: usize) -> Result<TokenStream> {
        let iface = &self.resolve.interfaces[id];
        let mut out = TokenStream::new();
        let mut has_flags = false;
        for (name, &ty) in &iface.types {
            has_flags |= matches!(self.resolve.types[ty].kind, TypeDefKind::Flags(_));
            out.extend(types::type_definition(self, name, ty, depth)?);
        }
        if has_flags {
            out = quote! {
                #[allow(unused_imports)]
                use ::airlock::__private::wasmtime;
                #out
            };
        }
        Ok(out)
    }

    fn world_types(&self) -> Result<TokenStream> {
        let world = &self.resolve.worlds[self.world];
        let mut out = TokenStream::new();
        let mut has_flags = false;
        for (key, item) in world.imports.iter().chain(world.exports.iter()) {
            if let WorldItem::Type { id, .. } = item {
                let name = self.resolve.name_world_key(key);
                has_flags |= matches!(self.resolve.types[*id].kind, TypeDefKind::Flags(_));
                out.extend(types::type_definition(self, &name, *id, 0)?);
            }
        }
        if has_flags {
            out = quote! {
                #[allow(unused_imports)]
                use ::airlock::__private::wasmtime;
                #out
            };
        }
        Ok(out)
    }
}

/// Nested `pub mod` blocks built from module paths.
#[derive(Default)]
struct ModuleTree {
    items: TokenStream,
    children: std::collections::BTreeMap<String, ModuleTree>,
}

impl ModuleTree {
    fn insert(&mut self, path: &[String], items: TokenStream) {
        match path.split_first() {
            None => self.items.extend(items),
            Some((first, rest)) => self
                .children
                .entry(first.clone())
                .or_default()
                .insert(rest, items),
        }
    }

    fn emit(&self) -> TokenStream {
        let mut out = self.items.clone();
        for (name, child) in &self.children {
            let ident = names::raw_ident(name);
            let body = child.emit();
            out.extend(quote! {
                #[allow(clippy::all, dead_code, unused_imports, non_camel_case_types)]
                pub mod #ident {
                    #body
                }
            });
        }
        out
    }
}
