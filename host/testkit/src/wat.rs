//! Components written in the WebAssembly text format, for attacks a Rust
//! guest cannot express. Assembled from text at run time (never committed as
//! binaries); every one fits the test world `airlock:test/bare`.

/// A core start function that traps: instantiation itself fails.
pub const TRAP_AT_START: &str = r#"
(component
  (core module $m
    (func $boom unreachable)
    (start $boom)
    (func (export "run") (result i64) i64.const 0))
  (core instance $i (instantiate $m))
  (func (export "run") (result u64) (canon lift (core func $i "run"))))
"#;

/// Grows a table by 65 536 elements at a time until `table.grow` fails, then
/// traps; `run` would return the elements it got if growth never failed.
pub const TABLE_BOMB: &str = r#"
(component
  (core module $m
    (table $t 0 funcref)
    (func (export "run") (result i64)
      (local $total i64)
      (loop $again
        (if (i32.eq (table.grow $t (ref.null func) (i32.const 65536)) (i32.const -1))
          (then unreachable))
        (local.set $total (i64.add (local.get $total) (i64.const 65536)))
        (br_if $again (i64.lt_u (local.get $total) (i64.const 0x100000000))))
      (local.get $total)))
  (core instance $i (instantiate $m))
  (func (export "run") (result u64) (canon lift (core func $i "run"))))
"#;

/// A core start function that loops forever: instantiation must stop at
/// the call deadline (or when the call's fuel runs out).
pub const SPIN_AT_START: &str = r#"
(component
  (core module $m
    (func $spin (loop $again (br $again)))
    (start $spin)
    (func (export "run") (result i64) i64.const 0))
  (core instance $i (instantiate $m))
  (func (export "run") (result u64) (canon lift (core func $i "run"))))
"#;

/// A compile bomb: a component whose core module holds `functions` small
/// functions, each a chain of arithmetic the compiler must keep apart.
/// Compiling it needs memory (and time) in proportion to `functions` —
/// about 10 KiB each — while instantiating it needs none. `run` returns 7.
pub fn compile_bomb(functions: usize) -> String {
    let mut text = String::with_capacity(functions * 120 + 400);
    text.push_str("(component\n  (core module $m\n");
    for i in 0..functions {
        text.push_str(&format!(
            "    (func (param i64) (result i64) local.get 0 i64.const {i} i64.mul i64.const 3 i64.xor local.get 0 i64.add)\n"
        ));
    }
    text.push_str(
        r#"    (func (export "run") (result i64) i64.const 7))
  (core instance $i (instantiate $m))
  (func (export "run") (result u64) (canon lift (core func $i "run"))))
"#,
    );
    text
}

/// A component with a `len`-byte data segment of the letter `a` (`len` a
/// multiple of 4096), large enough that its compiled form is mostly data.
/// `run` returns the sum of the first eight bytes of every 4 KiB page of
/// the segment, as read from linear memory ([`big_data_sum`]); every
/// instance's second call traps, so that the runner builds a fresh instance
/// (and maps its memory image again) before the next one.
pub fn big_data(len: usize) -> String {
    assert!(len.is_multiple_of(4096) && len > 0);
    let pages = len.div_ceil(65536) + 1;
    let mut text = String::with_capacity(len + 1000);
    text.push_str(&format!(
        "(component\n  (core module $m\n    (memory {pages})\n    (global $calls (mut i32) (i32.const 0))\n    (data (i32.const 0) \""
    ));
    text.extend(std::iter::repeat_n('a', len));
    text.push_str(&format!(
        r#"")
    (func (export "run") (result i64)
      (local $sum i64) (local $at i32)
      (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
      (if (i32.eq (global.get $calls) (i32.const 2)) (then unreachable))
      (loop $next
        (local.set $sum (i64.add (local.get $sum) (i64.load (local.get $at))))
        (local.set $at (i32.add (local.get $at) (i32.const 4096)))
        (br_if $next (i32.lt_u (local.get $at) (i32.const {len}))))
      (local.get $sum)))
  (core instance $i (instantiate $m))
  (func (export "run") (result u64) (canon lift (core func $i "run"))))
"#
    ));
    text
}

/// What [`big_data`]'s `run` returns when its segment holds `byte` throughout.
pub fn big_data_sum(len: usize, byte: u8) -> u64 {
    let word = u64::from_le_bytes([byte; 8]);
    (0..len / 4096).fold(0u64, |sum, _| sum.wrapping_add(word))
}

/// The component's binary form.
pub fn assemble(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("the battery's WAT components are valid")
}
