//! Airlock's integration tests, in one binary: real test guests compiled from
//! source, real runner processes, real sockets.

mod backend;
mod cache;
mod concurrency;
mod exported_resources;
mod failures;
mod files;
mod grants;
mod guest_suite;
mod hostile_guest;
mod hostile_runner;
mod imports;
mod in_memory;
mod js_guest;
mod mapped;
mod metrics;
mod output;
mod pool;
mod py_guest;
mod quick_start;
mod resources;
mod ring_wake;
mod sandbox;
mod spare;
mod startup;
mod support;
mod values;
mod versions;
mod wire;
mod zygote;
