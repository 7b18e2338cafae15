//! Saving through an exporter: the plugin writes the file itself into its
//! granted folder, and a save that did not succeed leaves nothing there.

use std::path::Path;

use crate::plugins::{ExporterPlugin, exporter};

/// Asks `x` to write the document as `file_name` into `dir` (the folder it
/// was granted at `/out`). Unless it answers with success, the file it may
/// have begun is removed: a runner killed halfway, a deadline or the
/// plugin's own error leave no partial file behind. (Removing does not
/// follow a link the plugin may have left under that name.)
pub fn save(
    x: &mut ExporterPlugin,
    host: &mut dyn exporter::ExporterImports,
    dir: &Path,
    file_name: &str,
) -> airlock::Result<Result<u64, String>> {
    let result = x.exports.save(host, file_name);
    // Only a plain name in `dir` is ever removed.
    let plain = Path::new(file_name).file_name() == Some(std::ffi::OsStr::new(file_name));
    if plain && !matches!(result, Ok(Ok(_))) {
        match std::fs::remove_file(dir.join(file_name)) {
            Ok(()) => tracing::debug!("removed the partial export {file_name}"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("cannot remove the partial export {file_name}: {e}"),
        }
    }
    result
}
