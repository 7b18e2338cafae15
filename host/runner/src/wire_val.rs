//! Component values in the wire's encoding, driven by the component's own
//! types: what lets a world-agnostic runner read and write the postcard
//! bytes generated bindings exchange (the ground for replaying a recorded
//! call with no host). The layout is serde's derive over the generated
//! types, through postcard: records field by field, variants and enums a
//! varint case index then the payload, `option` and `result` as serde's,
//! flags as `[u32; words]`, `char` as a UTF-8 string, handles as their
//! number (a `u32`).
//!
//! Handles are written here as `Val::U32` of their number; whoever owns the
//! resources turns them into handles (as `dynamic_imports` does).

use wasmtime::component::{Type, Val};

/// Why bytes did not decode as a value of a type.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("the bytes end inside a value")]
    Truncated,
    #[error("{0}")]
    Invalid(String),
}

/// Appends the encoding of `val`, a value of `ty`, to `out`.
pub fn encode(val: &Val, ty: &Type, out: &mut Vec<u8>) -> Result<(), WireError> {
    let mismatch = || WireError::Invalid(format!("{val:?} is not a value of its type"));
    match (val, ty) {
        (Val::Bool(b), Type::Bool) => out.push(u8::from(*b)),
        (Val::U8(v), Type::U8) => out.push(*v),
        (Val::S8(v), Type::S8) => out.push(*v as u8),
        (Val::U16(v), Type::U16) => varint(u64::from(*v), out),
        (Val::U32(v), Type::U32 | Type::Own(_) | Type::Borrow(_)) => varint(u64::from(*v), out),
        (Val::U64(v), Type::U64) => varint(*v, out),
        (Val::S16(v), Type::S16) => varint(zigzag(i64::from(*v)), out),
        (Val::S32(v), Type::S32) => varint(zigzag(i64::from(*v)), out),
        (Val::S64(v), Type::S64) => varint(zigzag(*v), out),
        (Val::Float32(v), Type::Float32) => out.extend_from_slice(&v.to_bits().to_le_bytes()),
        (Val::Float64(v), Type::Float64) => out.extend_from_slice(&v.to_bits().to_le_bytes()),
        (Val::Char(c), Type::Char) => string(c.encode_utf8(&mut [0; 4]), out),
        (Val::String(s), Type::String) => string(s, out),
        (Val::List(items), Type::List(l)) => {
            varint(items.len() as u64, out);
            let t = l.ty();
            for item in items {
                encode(item, &t, out)?;
            }
        }
        (Val::Record(fields), Type::Record(r)) => {
            for ((_, v), f) in fields.iter().zip(r.fields()) {
                encode(v, &f.ty, out)?;
            }
        }
        (Val::Tuple(items), Type::Tuple(t)) => {
            for (v, t) in items.iter().zip(t.types()) {
                encode(v, &t, out)?;
            }
        }
        (Val::Variant(case, payload), Type::Variant(v)) => {
            let (index, c) = v
                .cases()
                .enumerate()
                .find(|(_, c)| c.name == case)
                .ok_or_else(mismatch)?;
            varint(index as u64, out);
            if let (Some(p), Some(t)) = (payload, c.ty) {
                encode(p, &t, out)?;
            }
        }
        (Val::Enum(case), Type::Enum(e)) => {
            let index = e.names().position(|n| n == case).ok_or_else(mismatch)?;
            varint(index as u64, out);
        }
        (Val::Option(v), Type::Option(o)) => match v {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                encode(v, &o.ty(), out)?;
            }
        },
        (Val::Result(r), Type::Result(t)) => {
            let (index, payload, side) = match r {
                Ok(v) => (0, v, t.ok()),
                Err(v) => (1, v, t.err()),
            };
            varint(index, out);
            if let (Some(p), Some(t)) = (payload, side) {
                encode(p, &t, out)?;
            }
        }
        (Val::Flags(set), Type::Flags(f)) => {
            let names: Vec<&str> = f.names().collect();
            let mut words = vec![0u32; names.len().div_ceil(32).max(1)];
            for flag in set {
                let bit = names.iter().position(|n| n == flag).ok_or_else(mismatch)?;
                words[bit / 32] |= 1 << (bit % 32);
            }
            for word in words {
                varint(u64::from(word), out);
            }
        }
        _ => return Err(mismatch()),
    }
    Ok(())
}

/// Decodes one value of `ty` from the front of `bytes`, advancing it.
pub fn decode(bytes: &mut &[u8], ty: &Type) -> Result<Val, WireError> {
    Ok(match ty {
        Type::Bool => match byte(bytes)? {
            0 => Val::Bool(false),
            1 => Val::Bool(true),
            b => return Err(WireError::Invalid(format!("{b} is not a bool"))),
        },
        Type::U8 => Val::U8(byte(bytes)?),
        Type::S8 => Val::S8(byte(bytes)? as i8),
        Type::U16 => Val::U16(narrow(read_varint(bytes)?)?),
        Type::U32 => Val::U32(narrow(read_varint(bytes)?)?),
        Type::Own(_) | Type::Borrow(_) => Val::U32(narrow(read_varint(bytes)?)?),
        Type::U64 => Val::U64(read_varint(bytes)?),
        Type::S16 => Val::S16(narrow(unzigzag(read_varint(bytes)?))?),
        Type::S32 => Val::S32(narrow(unzigzag(read_varint(bytes)?))?),
        Type::S64 => Val::S64(unzigzag(read_varint(bytes)?)),
        Type::Float32 => Val::Float32(f32::from_bits(u32::from_le_bytes(take(bytes)?))),
        Type::Float64 => Val::Float64(f64::from_bits(u64::from_le_bytes(take(bytes)?))),
        Type::Char => {
            let s = read_string(bytes)?;
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Val::Char(c),
                _ => return Err(WireError::Invalid(format!("{s:?} is not one char"))),
            }
        }
        Type::String => Val::String(read_string(bytes)?),
        Type::List(l) => {
            let len = read_varint(bytes)?;
            // Every element takes at least one byte: a length past the rest
            // of the bytes is refused before anything is allocated.
            if len > bytes.len() as u64 {
                return Err(WireError::Truncated);
            }
            let t = l.ty();
            Val::List(
                (0..len)
                    .map(|_| decode(bytes, &t))
                    .collect::<Result<_, _>>()?,
            )
        }
        Type::Record(r) => Val::Record(
            r.fields()
                .map(|f| Ok((f.name.to_string(), decode(bytes, &f.ty)?)))
                .collect::<Result<_, WireError>>()?,
        ),
        Type::Tuple(t) => Val::Tuple(
            t.types()
                .map(|t| decode(bytes, &t))
                .collect::<Result<_, _>>()?,
        ),
        Type::Variant(v) => {
            let index = read_varint(bytes)?;
            let case = v
                .cases()
                .nth(index as usize)
                .ok_or_else(|| WireError::Invalid(format!("no case {index}")))?;
            let payload = case
                .ty
                .map(|t| decode(bytes, &t))
                .transpose()?
                .map(Box::new);
            Val::Variant(case.name.to_string(), payload)
        }
        Type::Enum(e) => {
            let index = read_varint(bytes)?;
            let name = e
                .names()
                .nth(index as usize)
                .ok_or_else(|| WireError::Invalid(format!("no case {index}")))?;
            Val::Enum(name.to_string())
        }
        Type::Option(o) => match byte(bytes)? {
            0 => Val::Option(None),
            1 => Val::Option(Some(Box::new(decode(bytes, &o.ty())?))),
            b => return Err(WireError::Invalid(format!("{b} is not an option's tag"))),
        },
        Type::Result(r) => {
            let (ok, side) = match read_varint(bytes)? {
                0 => (true, r.ok()),
                1 => (false, r.err()),
                t => return Err(WireError::Invalid(format!("{t} is not a result's tag"))),
            };
            let payload = side.map(|t| decode(bytes, &t)).transpose()?.map(Box::new);
            Val::Result(if ok { Ok(payload) } else { Err(payload) })
        }
        Type::Flags(f) => {
            let names: Vec<&str> = f.names().collect();
            let mut set = Vec::new();
            for word in 0..names.len().div_ceil(32).max(1) {
                let bits: u32 = narrow(read_varint(bytes)?)?;
                for bit in 0..32 {
                    if bits & (1 << bit) != 0 {
                        let name = names.get(word * 32 + bit).ok_or_else(|| {
                            WireError::Invalid(format!("no flag {}", word * 32 + bit))
                        })?;
                        set.push(name.to_string());
                    }
                }
            }
            Val::Flags(set)
        }
        other => {
            return Err(WireError::Invalid(format!(
                "{} has no wire encoding",
                wasmtime::component::wasm_wave::wasm::DisplayType(other)
            )));
        }
    })
}

/// The encoding of a handle numbered `rep`, alone.
pub fn encode_handle(rep: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(5);
    varint(u64::from(rep), &mut out);
    out
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn read_varint(bytes: &mut &[u8]) -> Result<u64, WireError> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = byte(bytes)?;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(WireError::Invalid("a varint longer than ten bytes".into()))
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn narrow<T: TryFrom<V>, V: Copy + std::fmt::Display>(v: V) -> Result<T, WireError> {
    T::try_from(v).map_err(|_| WireError::Invalid(format!("{v} is out of range")))
}

fn string(s: &str, out: &mut Vec<u8>) {
    varint(s.len() as u64, out);
    out.extend_from_slice(s.as_bytes());
}

fn read_string(bytes: &mut &[u8]) -> Result<String, WireError> {
    let len = read_varint(bytes)?;
    if len > bytes.len() as u64 {
        return Err(WireError::Truncated);
    }
    let (s, rest) = bytes.split_at(len as usize);
    *bytes = rest;
    String::from_utf8(s.to_vec())
        .map_err(|_| WireError::Invalid("a string that is not UTF-8".into()))
}

fn byte(bytes: &mut &[u8]) -> Result<u8, WireError> {
    let (&b, rest) = bytes.split_first().ok_or(WireError::Truncated)?;
    *bytes = rest;
    Ok(b)
}

fn take<const N: usize>(bytes: &mut &[u8]) -> Result<[u8; N], WireError> {
    if bytes.len() < N {
        return Err(WireError::Truncated);
    }
    let (head, rest) = bytes.split_at(N);
    *bytes = rest;
    Ok(head.try_into().expect("N bytes"))
}
