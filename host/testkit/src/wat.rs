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

/// The component's binary form.
pub fn assemble(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("the battery's WAT components are valid")
}
