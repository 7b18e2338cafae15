//! Tidy: ordinary tests that read the repository and fail on drift, each
//! failure naming the file and what to do about it.
//!
//! Run with the rest: `cargo nextest run --release --workspace -E 'binary(tidy)'`.
//!
//! The rules, and what counts as what:
//!
//! - **Rust files** are every `.rs` file of the repository (the host
//!   workspace, the guest workspace in `examples/plugins`, `guest-sdk`, and
//!   the projects kept out of both, such as `host/fuzz/libfuzzer`), skipping
//!   `target/`, `node_modules/`, hidden folders and generated snapshots
//!   (`tests/snapshots/`, which hold the generator's output verbatim).
//! - **Headers** ([`headers`]): every Rust file opens with a `//!` line.
//! - **Size** ([`headers`]): no source file is over 600 lines. Test code is
//!   exempt: files under a `tests/` folder (which includes snapshots),
//!   `tests.rs` and `*_tests.rs` (unit tests moved beside their module).
//!   Everything else is source, including guest test plugins, benches and
//!   the fuzz seed generator (fuzz seeds themselves are data, not `.rs`).
//! - **Layout** ([`layout`]): each `src/lib.rs`, and each `src/main.rs` that
//!   declares modules, has a `# Layout` section in its `//!` docs naming
//!   every `mod x;` it declares (outside `#[cfg(test)]`) in backticks, as
//!   `` `x` `` or ``[`x`]``; a snake_case name that opens a list item (before
//!   its first `:`) must be one of the crate's modules, inline ones included.
//! - **Doc paths** ([`docs`]): every inline code span in `README.md` and
//!   `docs/**/*.md` that is a repository path (`host/…`, `docs/…`,
//!   `examples/…`, `xtask/…`, `wit/…`, `guest-sdk/…`) exists; a trailing
//!   `:line` or `::item` is ignored, and spans with placeholders (`<`, `*`,
//!   `…`, `{`, `$`) are not paths. Fenced code blocks are not read.
//! - **Doc links** ([`docs`]): every relative link (inline or reference
//!   style) in those files points at an existing file, and with `#anchor`
//!   at a heading of the target (GitHub's slugs: lowercase, spaces to `-`,
//!   punctuation but `-` and `_` dropped, `-1`, `-2`… for repeats).
//! - **Fixtures** ([`fixtures`]): every `host/bindgen/tests/fixtures/*.wit`
//!   is either compiled by testkit (a `bindgen!` under `host/testkit/src/`
//!   names it) and has a snapshot (`NAME.rs`, or a `.snap` whose name holds
//!   the name, `-` or `_`), or is declared in [`fixtures::ERROR_FIXTURES`]
//!   with what the generator must refuse, and used by a bindgen test.
//! - **Cycles** ([`cycles`]): no module of a crate imports (`crate::x`) a
//!   module that imports it back, directly or round a loop.
//! - **Systems** ([`systems`]): no host source outside a `platform/`,
//!   `lockdown/` or `backend/` folder or the `airlock-platform` crate names an operating
//!   system in a `cfg`, but a `lib.rs` gating a `mod` line; test code is
//!   exempt.
//!
//! The `unsafe` rule (a `// SAFETY:` comment on every block) is clippy's
//! `undocumented_unsafe_blocks`, denied in both workspaces' lints and run by
//! `cargo xtask lint`.
//!
//! Every check has a test that plants one violation in a scratch tree and
//! sees it reported.

mod cycles;
mod docs;
mod fixtures;
mod headers;
mod layout;
mod systems;
mod tree;
