//! Example design application: a layered document edited by sandboxed plugins.
//!
//! The binary (`src/main.rs`) drives a demo; the modules are a library so the
//! integration tests can exercise the document and its transactions directly.
//!
//! # Layout
//!
//! - [`document`]: the layered document and its selection.
//! - [`plugins`]: typed bindings for the design worlds at every served version.
//! - [`transaction`]: the `document` imports over a transaction.
//! - [`bounds`]: how much one plugin call may add to the document.
//! - [`export`]: saving through an exporter into a granted folder.
//! - [`export_check`]: checking the file an exporter says it wrote.
//! - [`render`]: the document as a PNG.
//! - [`recordings`]: failed calls written to a folder for `airlock replay`.

pub mod bounds;
pub mod document;
pub mod export;
pub mod export_check;
pub mod plugins;
pub mod recordings;
pub mod render;
pub mod transaction;
