//! Example design application: a layered document edited by sandboxed plugins.
//!
//! The binary (`src/main.rs`) drives a demo; the modules are a library so the
//! integration tests can exercise the document and its transactions directly.

pub mod bounds;
pub mod document;
pub mod export;
pub mod export_check;
pub mod plugins;
pub mod render;
pub mod transaction;
