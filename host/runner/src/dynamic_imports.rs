//! The dynamic world's imports: every function a component imports from an
//! interface the runner does not serve is forwarded to the host as WAVE
//! text, answered there (by a mock, say, or refused) and the answer parsed
//! against the function's result type.
//!
//! Resources of those interfaces are host objects the host names by number:
//! a handle is that number in WAVE (`[method]layer.info(1)`), a result of
//! type `own<layer>` is a number the host chose, and a handle the guest drops
//! is reported as a call of `[resource-drop]layer` with its number. Each
//! resource is its own type (`ResourceType::host_dynamic`), so a `layer`
//! number cannot be passed where a `brush` is expected.

use std::borrow::Cow;
use std::sync::Arc;
use wasmtime::component::types::{ComponentFunc, ComponentInstance, ComponentItem};
use wasmtime::component::wasm_wave::value::{Type as WaveType, Value as WaveValue};
use wasmtime::component::wasm_wave::wasm::{WasmTypeKind, WasmValue};
use wasmtime::component::{Component, Linker, ResourceDynamic, ResourceType, Type, Val, wasm_wave};
use wasmtime::{AsContextMut, StoreContextMut};

use crate::glue::RunnerState;

/// The import number a forwarded call travels under: arguments
/// `(import name, [WAVE values])`, answer `Result<Option<WAVE>, message>`.
pub const DYNAMIC_IMPORT: u32 = 0;

/// The same during a replayed call, in the wire's encoding
/// (`crate::wire_val`): arguments `(import name, the arguments as a world's
/// bindings encode them, [the arguments as WAVE, to show])`, answer
/// `Result<the result's encoding, message>`.
pub const DYNAMIC_WIRE_IMPORT: u32 = 1;

/// Forwards every function of `name`, an instance the runner does not
/// serve, to the host; each resource it declares becomes host object type
/// `host_dynamic(n)`, `n` its place in `resources` (see [`foreign_resources`]:
/// a resource another interface `use`s is the same type under both names).
pub(crate) fn forward_instance(
    linker: &mut Linker<RunnerState>,
    name: &str,
    instance: &ComponentInstance,
    resources: &Arc<[ResourceType]>,
) -> wasmtime::Result<()> {
    let engine = linker.engine().clone();
    let mut forwarded = linker.instance(name)?;
    for (resource, export) in instance.exports(&engine) {
        if let ComponentItem::Resource(ty) = export.ty {
            let index = resources.iter().position(|r| *r == ty).unwrap_or(0);
            let drop_name = format!("{name}#[resource-drop]{resource}");
            forwarded.resource(
                resource,
                ResourceType::host_dynamic(index as u32),
                move |mut store, rep| {
                    let held = &mut store.data_mut().limits.dynamic_handles;
                    *held = held.saturating_sub(1);
                    if store.data().host.wire_imports {
                        let wire = crate::wire_val::encode_handle(rep);
                        forward_wire(store, &drop_name, wire, vec![rep.to_string()]).map(|_| ())
                    } else {
                        forward(store, &drop_name, vec![rep.to_string()]).map(|_| ())
                    }
                },
            )?;
        }
    }
    for (function, export) in instance.exports(&engine) {
        if let ComponentItem::ComponentFunc(_) = export.ty {
            let full = format!("{name}#{function}");
            let resource_count = resources.len() as u32;
            forwarded.func_new(function, move |store, ty, params, results| {
                call(store, &full, &ty, params, results, resource_count)
            })?;
        }
    }
    Ok(())
}

/// Forwards a function imported at the top level, outside any interface.
pub(crate) fn forward_function(
    linker: &mut Linker<RunnerState>,
    name: &str,
    resources: &Arc<[ResourceType]>,
) -> wasmtime::Result<()> {
    let full = name.to_string();
    let resource_count = resources.len() as u32;
    linker
        .root()
        .func_new(name, move |store, ty, params, results| {
            call(store, &full, &ty, params, results, resource_count)
        })
}

/// Every distinct resource the instances the runner does not serve declare,
/// in the order met: a resource `use`d by a second interface counts once.
pub(crate) fn foreign_resources(
    component: &Component,
    engine: &wasmtime::Engine,
    served: impl Fn(&str) -> bool,
) -> Arc<[ResourceType]> {
    let mut all: Vec<ResourceType> = Vec::new();
    for (name, import) in component.component_type().imports(engine) {
        if let (false, ComponentItem::ComponentInstance(instance)) = (served(name), import.ty) {
            for (_, export) in instance.exports(engine) {
                if let ComponentItem::Resource(ty) = export.ty
                    && !all.contains(&ty)
                {
                    all.push(ty);
                }
            }
        }
    }
    all.into()
}

/// One forwarded call: the arguments as WAVE, the host's answer parsed back.
fn call(
    mut store: StoreContextMut<'_, RunnerState>,
    name: &str,
    ty: &ComponentFunc,
    params: &[Val],
    results: &mut [Val],
    resource_count: u32,
) -> wasmtime::Result<()> {
    if store.data().host.wire_imports {
        return call_wire(store, name, ty, params, results, resource_count);
    }
    let args = params
        .iter()
        .map(|v| to_wave(v, &mut store))
        .collect::<wasmtime::Result<Vec<_>>>()?;
    let answer = forward(store.as_context_mut(), name, args)?;
    let result_types: Vec<Type> = ty.results().collect();
    match (answer, result_types.as_slice(), results) {
        (None, [], []) => Ok(()),
        (Some(unit), [], []) if unit.trim() == "()" => Ok(()),
        (Some(text), [ty], [slot]) => {
            *slot = from_wave(&text, ty, resource_count, &mut store)
                .map_err(|e| wasmtime::format_err!("the host's answer to `{name}`: {e}"))?;
            hold_handles(&mut store, slot)
        }
        (None, [ty], _) => wasmtime::bail!(
            "the host answered `{name}` with no value; it returns {}",
            wasm_wave::wasm::DisplayType(ty)
        ),
        (Some(text), [], _) => wasmtime::bail!(
            "the host answered `{name}` with `{}`; it returns nothing",
            shortened(&text)
        ),
        _ => wasmtime::bail!("`{name}` has several results, which the dynamic world does not take"),
    }
}

/// Counts the handles an answer gave the plugin against the policy's bound
/// (released by the resource's drop).
fn hold_handles(
    store: &mut StoreContextMut<'_, RunnerState>,
    answer: &Val,
) -> wasmtime::Result<()> {
    let limits = &mut store.data_mut().limits;
    limits.dynamic_handles = limits.dynamic_handles.saturating_add(handles_in(answer));
    if limits.dynamic_handles > limits.max_handles {
        wasmtime::bail!(
            "the plugin would hold {} handles from the host's answers, more than the policy's {}",
            limits.dynamic_handles,
            limits.max_handles
        );
    }
    Ok(())
}

/// One forwarded call of a replay: the arguments in the wire's encoding (and
/// as WAVE, to show), the answer decoded by the result's type.
fn call_wire(
    mut store: StoreContextMut<'_, RunnerState>,
    name: &str,
    ty: &ComponentFunc,
    params: &[Val],
    results: &mut [Val],
    resource_count: u32,
) -> wasmtime::Result<()> {
    let (wire, shown) = to_wire(params, ty.params().map(|(_, t)| t), &mut store)?;
    let answer = forward_wire(store.as_context_mut(), name, wire, shown)?;
    let result_types: Vec<Type> = ty.results().collect();
    let answered = from_wire(&answer, &result_types, resource_count, &mut store)
        .map_err(|e| wasmtime::format_err!("the recorded answer to `{name}`: {e}"))?;
    for (slot, val) in results.iter_mut().zip(answered) {
        *slot = val;
        hold_handles(&mut store, slot)?;
    }
    Ok(())
}

/// Sends `name(wire)` to the host in the wire's encoding; the answer's bytes.
fn forward_wire(
    mut store: StoreContextMut<'_, RunnerState>,
    name: &str,
    wire: Vec<u8>,
    shown: Vec<String>,
) -> wasmtime::Result<Vec<u8>> {
    let host = &mut store.data_mut().host;
    let answer: Result<Vec<u8>, String> =
        crate::connection::call_import_on(host, DYNAMIC_WIRE_IMPORT, &(name, wire, shown))?;
    answer.map_err(|why| wasmtime::format_err!("import `{name}` failed: {}", shortened(&why)))
}

/// `val`, decoded by [`crate::wire_val`] against `ty`, with each number at
/// a handle's place made the host object it names.
fn with_handles(
    val: Val,
    ty: &Type,
    resource_count: u32,
    store: &mut StoreContextMut<'_, RunnerState>,
) -> Result<Val, String> {
    let rc = resource_count;
    Ok(match (val, ty) {
        (Val::U32(n), Type::Own(_) | Type::Borrow(_)) => host_object(n, ty, rc, store)?,
        (Val::List(items), Type::List(l)) => {
            let t = l.ty();
            let mut out = Vec::with_capacity(items.len());
            for v in items {
                out.push(with_handles(v, &t, rc, store)?);
            }
            Val::List(out)
        }
        (Val::Record(fields), Type::Record(r)) => {
            let mut out = Vec::with_capacity(fields.len());
            for ((name, v), f) in fields.into_iter().zip(r.fields()) {
                out.push((name, with_handles(v, &f.ty, rc, store)?));
            }
            Val::Record(out)
        }
        (Val::Tuple(items), Type::Tuple(t)) => {
            let mut out = Vec::with_capacity(items.len());
            for (v, t) in items.into_iter().zip(t.types()) {
                out.push(with_handles(v, &t, rc, store)?);
            }
            Val::Tuple(out)
        }
        (Val::Variant(case, payload), Type::Variant(v)) => {
            let t = v.cases().find(|c| c.name == case).and_then(|c| c.ty);
            Val::Variant(case, payload_with_handles(payload, t, rc, store)?)
        }
        (Val::Option(v), Type::Option(o)) => {
            Val::Option(payload_with_handles(v, Some(o.ty()), rc, store)?)
        }
        (Val::Result(Ok(v)), Type::Result(r)) => {
            Val::Result(Ok(payload_with_handles(v, r.ok(), rc, store)?))
        }
        (Val::Result(Err(v)), Type::Result(r)) => {
            Val::Result(Err(payload_with_handles(v, r.err(), rc, store)?))
        }
        (plain, _) => plain,
    })
}

fn payload_with_handles(
    v: Option<Box<Val>>,
    ty: Option<Type>,
    resource_count: u32,
    store: &mut StoreContextMut<'_, RunnerState>,
) -> Result<Option<Box<Val>>, String> {
    match (v, ty) {
        (Some(v), Some(t)) => Ok(Some(Box::new(with_handles(*v, &t, resource_count, store)?))),
        (v, _) => Ok(v),
    }
}

/// The host object numbered `n`, as a handle of `ty` (`own` or `borrow`).
fn host_object(
    n: u32,
    ty: &Type,
    resource_count: u32,
    store: &mut StoreContextMut<'_, RunnerState>,
) -> Result<Val, String> {
    let (Type::Own(rt) | Type::Borrow(rt)) = ty else {
        return Err("not a handle".into());
    };
    let index = (0..resource_count)
        .find(|i| ResourceType::host_dynamic(*i) == *rt)
        .ok_or("the plugin takes a resource the dynamic world cannot make")?;
    let handle = match ty {
        Type::Own(_) => ResourceDynamic::new_own(n, index),
        _ => ResourceDynamic::new_borrow(n, index),
    };
    let handle = handle.try_into_resource_any(store.as_context_mut());
    Ok(Val::Resource(handle.map_err(|e| e.to_string())?))
}

/// `vals`, values of `types`, in the wire's encoding one after the other
/// (as a function's parameters or results travel), and each as WAVE to show.
pub(crate) fn to_wire(
    vals: &[Val],
    types: impl IntoIterator<Item = Type>,
    store: &mut StoreContextMut<'_, RunnerState>,
) -> wasmtime::Result<(Vec<u8>, Vec<String>)> {
    let (mut wire, mut shown) = (Vec::new(), Vec::new());
    for (val, ty) in vals.iter().zip(types) {
        let plain = without_handles(val, store)?;
        crate::wire_val::encode(&plain, &ty, &mut wire)?;
        shown.push(wasm_wave::to_string(&plain).unwrap_or_else(|_| "…".into()));
    }
    Ok((wire, shown))
}

/// The values of `types` that `bytes` encode one after the other, numbers at
/// handles' places made the host objects they name; every byte used.
pub(crate) fn from_wire(
    mut bytes: &[u8],
    types: &[Type],
    resource_count: u32,
    store: &mut StoreContextMut<'_, RunnerState>,
) -> Result<Vec<Val>, String> {
    let mut vals = Vec::with_capacity(types.len());
    for (i, ty) in types.iter().enumerate() {
        let plain =
            crate::wire_val::decode(&mut bytes, ty).map_err(|e| format!("value {}: {e}", i + 1))?;
        vals.push(with_handles(plain, ty, resource_count, store)?);
    }
    match bytes.len() {
        0 => Ok(vals),
        extra => Err(format!("{extra} bytes follow its {} values", types.len())),
    }
}

/// Sends `name(args)` to the host and waits for its answer.
fn forward(
    mut store: StoreContextMut<'_, RunnerState>,
    name: &str,
    args: Vec<String>,
) -> wasmtime::Result<Option<String>> {
    let host = &mut store.data_mut().host;
    let answer: Result<Option<String>, String> =
        crate::connection::call_import_on(host, DYNAMIC_IMPORT, &(name, args))?;
    answer.map_err(|why| wasmtime::format_err!("import `{name}` failed: {}", shortened(&why)))
}

/// At most 256 characters of `text` for a message.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(256) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// How many handles `val` holds.
fn handles_in(val: &Val) -> u32 {
    let sum = |items: &mut dyn Iterator<Item = &Val>| {
        items.map(handles_in).fold(0u32, u32::saturating_add)
    };
    match val {
        Val::Resource(_) => 1,
        Val::List(items) | Val::Tuple(items) => sum(&mut items.iter()),
        Val::Record(fields) => sum(&mut fields.iter().map(|(_, v)| v)),
        Val::Variant(_, Some(v))
        | Val::Option(Some(v))
        | Val::Result(Ok(Some(v)) | Err(Some(v))) => handles_in(v),
        _ => 0,
    }
}

/// `val` as WAVE text, a handle as its number.
fn to_wave(val: &Val, store: &mut StoreContextMut<'_, RunnerState>) -> wasmtime::Result<String> {
    let plain = without_handles(val, store)?;
    wasm_wave::to_string(&plain).map_err(|e| wasmtime::format_err!("no WAVE form: {e}"))
}

/// `val` with every handle replaced by its number.
fn without_handles(
    val: &Val,
    store: &mut StoreContextMut<'_, RunnerState>,
) -> wasmtime::Result<Val> {
    let mut each = |v: &Val| without_handles(v, store);
    Ok(match val {
        Val::Resource(any) => {
            Val::U32(ResourceDynamic::try_from_resource_any(*any, store.as_context_mut())?.rep())
        }
        Val::List(items) => Val::List(items.iter().map(&mut each).collect::<Result<_, _>>()?),
        Val::Tuple(items) => Val::Tuple(items.iter().map(&mut each).collect::<Result<_, _>>()?),
        Val::Record(fields) => Val::Record(
            fields
                .iter()
                .map(|(n, v)| Ok((n.clone(), each(v)?)))
                .collect::<wasmtime::Result<_>>()?,
        ),
        Val::Variant(case, v) => Val::Variant(case.clone(), boxed(v.as_deref(), &mut each)?),
        Val::Option(v) => Val::Option(boxed(v.as_deref(), &mut each)?),
        Val::Result(Ok(v)) => Val::Result(Ok(boxed(v.as_deref(), &mut each)?)),
        Val::Result(Err(v)) => Val::Result(Err(boxed(v.as_deref(), &mut each)?)),
        other => other.clone(),
    })
}

fn boxed(
    v: Option<&Val>,
    each: &mut impl FnMut(&Val) -> wasmtime::Result<Val>,
) -> wasmtime::Result<Option<Box<Val>>> {
    v.map(|v| each(v).map(Box::new)).transpose()
}

/// Parses `text` as a value of `ty`, numbers standing for handles.
fn from_wave(
    text: &str,
    ty: &Type,
    resource_count: u32,
    store: &mut StoreContextMut<'_, RunnerState>,
) -> Result<Val, String> {
    let shadow = shadow(ty)?;
    let value: WaveValue = wasm_wave::from_str(&shadow, text).map_err(|e| {
        format!(
            "`{}` is not a WAVE value of type {} (a handle is its number): {e}",
            shortened(text),
            wasm_wave::wasm::DisplayType(&shadow)
        )
    })?;
    to_val(&value, ty, resource_count, store)
}

/// `ty` with every handle a `u32`, as WAVE can spell it.
fn shadow(ty: &Type) -> Result<WaveType, String> {
    let list = |types: &mut dyn Iterator<Item = Type>| {
        types.map(|t| shadow(&t)).collect::<Result<Vec<_>, _>>()
    };
    let invalid = || format!("type {} has no WAVE form", wasm_wave::wasm::DisplayType(ty));
    Ok(match ty {
        Type::Own(_) | Type::Borrow(_) => WaveType::U32,
        Type::List(l) => WaveType::list(shadow(&l.ty())?),
        Type::Record(r) => {
            let fields = r
                .fields()
                .map(|f| Ok((f.name.to_string(), shadow(&f.ty)?)))
                .collect::<Result<Vec<_>, String>>()?;
            WaveType::record(fields).ok_or_else(invalid)?
        }
        Type::Tuple(t) => WaveType::tuple(list(&mut t.types())?).ok_or_else(invalid)?,
        Type::Variant(v) => {
            let cases = v
                .cases()
                .map(|c| Ok((c.name.to_string(), c.ty.as_ref().map(shadow).transpose()?)))
                .collect::<Result<Vec<_>, String>>()?;
            WaveType::variant(cases).ok_or_else(invalid)?
        }
        Type::Enum(e) => WaveType::enum_ty(e.names()).ok_or_else(invalid)?,
        Type::Option(o) => WaveType::option(shadow(&o.ty())?),
        Type::Result(r) => WaveType::result(
            r.ok().as_ref().map(shadow).transpose()?,
            r.err().as_ref().map(shadow).transpose()?,
        ),
        Type::Flags(f) => WaveType::flags(f.names()).ok_or_else(invalid)?,
        simple => WaveType::simple(wasm_wave::wasm::WasmType::kind(simple)).ok_or_else(invalid)?,
    })
}

/// The component value of `value`, parsed against `shadow(ty)`: numbers at
/// handle positions become the host objects they name.
fn to_val(
    value: &WaveValue,
    ty: &Type,
    resource_count: u32,
    store: &mut StoreContextMut<'_, RunnerState>,
) -> Result<Val, String> {
    let mut inner = |v: Cow<'_, WaveValue>, t: &Type| to_val(&v, t, resource_count, store);
    Ok(match ty {
        Type::Own(_) => host_object(value.unwrap_u32(), ty, resource_count, store)?,
        Type::Borrow(_) => return Err("the host cannot return a borrowed handle".into()),
        Type::List(l) => {
            let t = l.ty();
            Val::List(
                value
                    .unwrap_list()
                    .map(|v| inner(v, &t))
                    .collect::<Result<_, _>>()?,
            )
        }
        Type::Record(r) => Val::Record(
            value
                .unwrap_record()
                .zip(r.fields())
                .map(|((name, v), f)| Ok((name.into_owned(), inner(v, &f.ty)?)))
                .collect::<Result<_, String>>()?,
        ),
        Type::Tuple(t) => Val::Tuple(
            value
                .unwrap_tuple()
                .zip(t.types())
                .map(|(v, t)| inner(v, &t))
                .collect::<Result<_, _>>()?,
        ),
        Type::Variant(variant) => {
            let (case, payload) = value.unwrap_variant();
            let case_ty = variant.cases().find(|c| c.name == case).and_then(|c| c.ty);
            let payload = match (payload, case_ty) {
                (Some(v), Some(t)) => Some(Box::new(inner(v, &t)?)),
                _ => None,
            };
            Val::Variant(case.into_owned(), payload)
        }
        Type::Option(o) => {
            let t = o.ty();
            Val::Option(
                value
                    .unwrap_option()
                    .map(|v| inner(v, &t))
                    .transpose()?
                    .map(Box::new),
            )
        }
        Type::Result(r) => {
            let (v, t, ok) = match value.unwrap_result() {
                Ok(v) => (v, r.ok(), true),
                Err(v) => (v, r.err(), false),
            };
            let payload = match (v, t) {
                (Some(v), Some(t)) => Some(Box::new(inner(v, &t)?)),
                _ => None,
            };
            Val::Result(if ok { Ok(payload) } else { Err(payload) })
        }
        Type::Enum(_) => Val::Enum(value.unwrap_enum().into_owned()),
        Type::Flags(_) => Val::Flags(value.unwrap_flags().map(Cow::into_owned).collect()),
        _ => simple(value)?,
    })
}

/// A scalar or string.
fn simple(value: &WaveValue) -> Result<Val, String> {
    Ok(match value.kind() {
        WasmTypeKind::Bool => Val::Bool(value.unwrap_bool()),
        WasmTypeKind::S8 => Val::S8(value.unwrap_s8()),
        WasmTypeKind::S16 => Val::S16(value.unwrap_s16()),
        WasmTypeKind::S32 => Val::S32(value.unwrap_s32()),
        WasmTypeKind::S64 => Val::S64(value.unwrap_s64()),
        WasmTypeKind::U8 => Val::U8(value.unwrap_u8()),
        WasmTypeKind::U16 => Val::U16(value.unwrap_u16()),
        WasmTypeKind::U32 => Val::U32(value.unwrap_u32()),
        WasmTypeKind::U64 => Val::U64(value.unwrap_u64()),
        WasmTypeKind::F32 => Val::Float32(value.unwrap_f32()),
        WasmTypeKind::F64 => Val::Float64(value.unwrap_f64()),
        WasmTypeKind::Char => Val::Char(value.unwrap_char()),
        WasmTypeKind::String => Val::String(value.unwrap_string().into_owned()),
        other => return Err(format!("a {other:?} has no WAVE form here")),
    })
}
