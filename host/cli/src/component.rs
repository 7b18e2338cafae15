//! Reading a component's shape without running it: its world (decoded by
//! wit-component), its version stamp, its functions.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use wit_component::DecodedWasm;
use wit_parser::{Function, Resolve, Type, TypeDefKind, WorldId, WorldItem, WorldKey};

/// A component read from disk.
pub struct Decoded {
    pub bytes: Vec<u8>,
    pub resolve: Resolve,
    pub world: WorldId,
}

impl Decoded {
    pub fn read(path: &Path) -> Result<Self> {
        // Sized before it is read: a huge (even sparse) file is refused at once.
        let bytes = airlock::read_bounded(path, airlock::MAX_COMPONENT_FILE_LEN)
            .with_context(|| format!("cannot read {}", crate::shown(path)))?;
        Self::from_bytes(path, bytes)
    }

    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self> {
        if !bytes.starts_with(b"\0asm") {
            bail!(
                "{} is not WebAssembly (it does not start with `\\0asm`)",
                crate::shown(path)
            );
        }
        if wasmparser::Parser::is_core_wasm(&bytes) {
            bail!(
                "{} is a core WebAssembly module, not a component; build the plugin with \
                 `cargo build --target wasm32-wasip2` or `cargo component build`",
                crate::shown(path)
            );
        }
        // Every section's declared size is checked against the bytes there
        // first: the decoder would allocate what a 14-byte file declares.
        if let Some(Err(e)) = wasmparser::Parser::new(0)
            .parse_all(&bytes)
            .find(|payload| payload.is_err())
        {
            bail!("{} is not a valid component: {e}", crate::shown(path));
        }
        let decoded = wit_component::decode(&bytes)
            .with_context(|| format!("{} is not a valid component", crate::shown(path)))?;
        match decoded {
            DecodedWasm::Component(resolve, world) => Ok(Self {
                bytes,
                resolve,
                world,
            }),
            DecodedWasm::WitPackage(..) => bail!(
                "{} holds a WIT package, not a plugin component",
                crate::shown(path)
            ),
        }
    }

    /// The world stamped by the guest SDK, if any.
    pub fn stamp(&self) -> Option<String> {
        airlock::world_stamp(&self.bytes)
    }

    pub fn imports(&self) -> BTreeMap<String, Item> {
        items(&self.resolve, &self.resolve.worlds[self.world].imports)
    }

    pub fn exports(&self) -> BTreeMap<String, Item> {
        items(&self.resolve, &self.resolve.worlds[self.world].exports)
    }
}

/// An imported or exported item: an interface of functions, or one function.
#[derive(Debug, Clone)]
pub enum Item {
    Interface(BTreeMap<String, Signature>),
    Function(Signature),
}

/// A function as people read it (type names) and as the wire sees it
/// (types spelled out; equal strings mean the same encoding).
#[derive(Debug, Clone)]
pub struct Signature {
    pub readable: String,
    pub structural: String,
}

impl Signature {
    pub fn of(resolve: &Resolve, func: &Function) -> Self {
        Self {
            readable: readable_function(resolve, func),
            structural: airlock_bindgen::signature::function(resolve, func),
        }
    }
}

pub fn items(
    resolve: &Resolve,
    items: &wit_parser::IndexMap<WorldKey, WorldItem>,
) -> BTreeMap<String, Item> {
    let mut out = BTreeMap::new();
    for (key, item) in items {
        let name = resolve.name_world_key(key);
        match item {
            WorldItem::Interface { id, .. } => {
                let functions = resolve.interfaces[*id]
                    .functions
                    .values()
                    .map(|f| (f.name.clone(), Signature::of(resolve, f)))
                    .collect();
                out.insert(name, Item::Interface(functions));
            }
            WorldItem::Function(f) => {
                out.insert(name, Item::Function(Signature::of(resolve, f)));
            }
            WorldItem::Type { .. } => {}
        }
    }
    out
}

fn readable_function(resolve: &Resolve, func: &Function) -> String {
    let params: Vec<String> = func
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, readable_type(resolve, &p.ty)))
        .collect();
    let mut out = format!("{}: func({})", func.name, params.join(", "));
    if let Some(result) = &func.result {
        out.push_str(" -> ");
        out.push_str(&readable_type(resolve, result));
    }
    out
}

/// A type by its WIT name where it has one, else spelled out.
pub fn readable_type(resolve: &Resolve, ty: &Type) -> String {
    let Type::Id(id) = ty else {
        return airlock_bindgen::signature::ty(resolve, ty);
    };
    let def = &resolve.types[*id];
    if let Some(name) = &def.name {
        return name.clone();
    }
    let opt = |t: &Option<Type>| {
        t.as_ref()
            .map(|t| readable_type(resolve, t))
            .unwrap_or_else(|| "_".into())
    };
    match &def.kind {
        TypeDefKind::List(t) => format!("list<{}>", readable_type(resolve, t)),
        TypeDefKind::Option(t) => format!("option<{}>", readable_type(resolve, t)),
        TypeDefKind::Result(r) => match (&r.ok, &r.err) {
            (None, None) => "result".into(),
            _ => format!("result<{}, {}>", opt(&r.ok), opt(&r.err)),
        },
        TypeDefKind::Tuple(t) => {
            let parts: Vec<String> = t.types.iter().map(|t| readable_type(resolve, t)).collect();
            format!("tuple<{}>", parts.join(", "))
        }
        TypeDefKind::Type(t) => readable_type(resolve, t),
        TypeDefKind::Handle(wit_parser::Handle::Own(r)) => {
            format!("own<{}>", readable_type(resolve, &Type::Id(*r)))
        }
        TypeDefKind::Handle(wit_parser::Handle::Borrow(r)) => {
            format!("borrow<{}>", readable_type(resolve, &Type::Id(*r)))
        }
        _ => airlock_bindgen::signature::ty(resolve, ty),
    }
}

pub use airlock::provided_by_runner;
