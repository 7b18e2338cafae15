//! The canonical signature of a world: every imported and exported function
//! with its types spelled out structurally, in a stable order. Its hash is the
//! world fingerprint both sides compare at the handshake: any change that
//! would alter the postcard encoding of a call changes the text.

use std::fmt::Write;

use wit_parser::{Function, Resolve, Type, TypeDefKind, WorldId, WorldItem};

pub fn world_signature(resolve: &Resolve, world: WorldId) -> String {
    let w = &resolve.worlds[world];
    let mut out = String::new();
    for (dir, items) in [("import", &w.imports), ("export", &w.exports)] {
        for (key, item) in items {
            let name = resolve.name_world_key(key);
            match item {
                WorldItem::Interface { id, .. } => {
                    let _ = writeln!(out, "{dir} {name} {{");
                    for func in resolve.interfaces[*id].functions.values() {
                        let _ = writeln!(out, "  {}", function(resolve, func));
                    }
                    let _ = writeln!(out, "}}");
                }
                WorldItem::Function(func) => {
                    let _ = writeln!(out, "{dir} {}", function(resolve, func));
                }
                WorldItem::Type { .. } => {}
            }
        }
    }
    out
}

/// `name: func(param: type, …) -> result`, every type spelled out structurally.
pub fn function(resolve: &Resolve, func: &Function) -> String {
    let params: Vec<String> = func
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, ty(resolve, &p.ty)))
        .collect();
    let result = func
        .result
        .as_ref()
        .map(|t| ty(resolve, t))
        .unwrap_or_else(|| "()".into());
    format!("{}: func({}) -> {}", func.name, params.join(", "), result)
}

/// A type spelled out structurally (type names do not matter on the wire).
pub fn ty(resolve: &Resolve, t: &Type) -> String {
    match t {
        Type::Bool => "bool".into(),
        Type::U8 => "u8".into(),
        Type::U16 => "u16".into(),
        Type::U32 => "u32".into(),
        Type::U64 => "u64".into(),
        Type::S8 => "s8".into(),
        Type::S16 => "s16".into(),
        Type::S32 => "s32".into(),
        Type::S64 => "s64".into(),
        Type::F32 => "f32".into(),
        Type::F64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::ErrorContext => "error-context".into(),
        Type::Id(id) => {
            let def = &resolve.types[*id];
            let opt = |t: &Option<Type>| {
                t.as_ref()
                    .map(|t| ty(resolve, t))
                    .unwrap_or_else(|| "_".into())
            };
            match &def.kind {
                TypeDefKind::Record(r) => {
                    let f: Vec<_> = r
                        .fields
                        .iter()
                        .map(|f| format!("{}: {}", f.name, ty(resolve, &f.ty)))
                        .collect();
                    format!("record {{ {} }}", f.join(", "))
                }
                TypeDefKind::Variant(v) => {
                    let c: Vec<_> = v
                        .cases
                        .iter()
                        .map(|c| format!("{}({})", c.name, opt(&c.ty)))
                        .collect();
                    format!("variant {{ {} }}", c.join(", "))
                }
                TypeDefKind::Enum(e) => {
                    let c: Vec<_> = e.cases.iter().map(|c| c.name.as_str()).collect();
                    format!("enum {{ {} }}", c.join(", "))
                }
                TypeDefKind::Flags(f) => {
                    let c: Vec<_> = f.flags.iter().map(|c| c.name.as_str()).collect();
                    format!("flags {{ {} }}", c.join(", "))
                }
                TypeDefKind::Tuple(t) => {
                    let c: Vec<_> = t.types.iter().map(|t| ty(resolve, t)).collect();
                    format!("tuple<{}>", c.join(", "))
                }
                TypeDefKind::Option(t) => format!("option<{}>", ty(resolve, t)),
                TypeDefKind::Result(r) => format!("result<{}, {}>", opt(&r.ok), opt(&r.err)),
                TypeDefKind::List(t) => format!("list<{}>", ty(resolve, t)),
                TypeDefKind::Type(t) => ty(resolve, t),
                TypeDefKind::Resource => {
                    format!("resource {}", def.name.as_deref().unwrap_or(""))
                }
                TypeDefKind::Handle(wit_parser::Handle::Own(r)) => {
                    format!("own<{}>", resolve.types[*r].name.as_deref().unwrap_or(""))
                }
                TypeDefKind::Handle(wit_parser::Handle::Borrow(r)) => {
                    format!(
                        "borrow<{}>",
                        resolve.types[*r].name.as_deref().unwrap_or("")
                    )
                }
                other => format!("{}#{}", other.as_str(), def.name.as_deref().unwrap_or("")),
            }
        }
    }
}
