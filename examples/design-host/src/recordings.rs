//! Recordings of failed plugin calls: every plugin records its calls
//! (`PluginConfig::record_calls`), and when a step fails the recording of the
//! plugin's last call is written into the recordings folder, for
//! `airlock replay FILE --component PLUGIN.wasm` on the author's machine.
//!
//! A recording holds what the plugin saw of the document (its import
//! answers): the demo's sample here, a user's work in a real application.

use std::path::{Path, PathBuf};

use airlock::PluginText;
use anyhow::{Context, Result};

/// The file a recording of `plugin`'s failed call goes to: `NAME.N.airlock-rec`,
/// the first `N` not taken.
fn file_for(dir: &Path, plugin: &str) -> PathBuf {
    // A plugin's name comes from its file name: only plain characters here.
    let name: String = plugin
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    (1..)
        .map(|n| dir.join(format!("{name}.{n}.airlock-rec")))
        .find(|p| !p.exists())
        .expect("some number is free")
}

/// Writes the recording of `plugin`'s last call, if it has one, into `dir`;
/// where it went.
pub fn save_failed(plugin: &mut airlock::Plugin, dir: &Path) -> Result<Option<PathBuf>> {
    let Some(recording) = plugin.take_recording() else {
        return Ok(None);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = file_for(dir, plugin.name());
    recording.save(&path)?;
    tracing::info!(
        plugin = %PluginText::escape(plugin.name()),
        "recorded the failed call into {}",
        PluginText::escape(&path.display().to_string())
    );
    Ok(Some(path))
}

/// `NAME=VALUE` as a tool parameter: an integer, a number, `true`/`false`,
/// or else text.
pub fn parse_param(text: &str) -> Result<crate::plugins::tool::design::types::Param> {
    use crate::plugins::tool::design::types::{Param, ParamValue};
    let (name, value) = text
        .split_once('=')
        .with_context(|| format!("--tool-param {text:?}: expected NAME=VALUE"))?;
    let value = if let Ok(i) = value.parse::<i64>() {
        ParamValue::Integer(i)
    } else if let Ok(n) = value.parse::<f64>() {
        ParamValue::Number(n)
    } else if let Ok(b) = value.parse::<bool>() {
        ParamValue::Boolean(b)
    } else {
        ParamValue::Text(value.to_string())
    };
    Ok(Param {
        name: name.to_string(),
        value,
    })
}
