//! `airlock package`: checks that a component fits a world (as `airlock
//! check` does), then writes it with the world stamp and a manifest, so that
//! a component from any toolchain is admitted as a Rust guest is.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, anyhow};

use crate::component::Decoded;
use crate::{Failure, check, esc, shown};

/// What `airlock package` was asked to do.
pub struct Request<'a> {
    pub component: &'a Path,
    pub wit: &'a [std::path::PathBuf],
    pub world: &'a str,
    pub manifest: Option<&'a Path>,
    pub output: &'a Path,
    pub in_place: bool,
    /// Print nothing when it succeeds.
    pub quiet: bool,
}

pub fn package(request: &Request) -> Result<(), Failure> {
    let path = request.component;
    if !request.in_place && same_file(path, request.output) {
        return Err(Failure::Input(anyhow!(
            "{} is the component itself; write elsewhere, or pass --in-place to replace it",
            shown(request.output)
        )));
    }
    // Only a regular file (or nothing yet) is replaced: the rename would
    // otherwise swap a link, a device or a folder entry for a new file
    // rather than write where it points.
    if let Ok(meta) = std::fs::symlink_metadata(request.output)
        && !meta.file_type().is_file()
    {
        return Err(Failure::Input(anyhow!(
            "{} is not a regular file (a link, a device or a folder); name the file to write",
            shown(request.output)
        )));
    }
    let component = Decoded::read(path)?;
    let world = check::World::load(request.wit, request.world)?;
    let name = world.name();
    // The very comparison `airlock check` makes, explained the same way.
    let mut report = check::check(&component, &world);
    if let Some(problem) = check::stamp_problem(&component, &name) {
        report.problems.insert(0, problem);
    }
    if !report.problems.is_empty() {
        return Err(Failure::No(check::explain(path, &name, &report.problems)));
    }
    let manifest = request.manifest.map(read_manifest).transpose()?;
    let packaged = airlock::package::package(&component.bytes, &name, manifest.as_deref())
        .with_context(|| match request.manifest {
            Some(m) => format!("cannot package {} with {}", shown(path), shown(m)),
            None => format!("cannot package {}", shown(path)),
        })?;
    write_atomically(request.output, &packaged)
        .with_context(|| format!("cannot write {}", shown(request.output)))?;
    let carried = airlock::Manifest::embedded(&packaged, &request.output.display().to_string())
        .map_err(|e| Failure::Input(e.into()))?;
    if request.quiet {
        return Ok(());
    }
    println!(
        "packaged {} for world {name} into {} ({} bytes)",
        shown(path),
        shown(request.output),
        packaged.len()
    );
    match carried {
        Some(m) => println!(
            "  manifest {} {}: {} capability request(s)",
            esc(&m.name),
            esc(&m.version),
            m.capabilities.len()
        ),
        None => println!("  no manifest: hosts grant it nothing beyond its world"),
    }
    Ok(())
}

/// The manifest file's text, size-checked before it is read.
fn read_manifest(path: &Path) -> Result<String, Failure> {
    let bytes = airlock::read_bounded(path, airlock::MAX_MANIFEST_LEN)
        .with_context(|| format!("cannot read the manifest {}", shown(path)))?;
    String::from_utf8(bytes)
        .map_err(|_| Failure::Input(anyhow!("the manifest {} is not UTF-8 text", shown(path))))
}

/// Whether `output` names the file `component` is (through any link).
fn same_file(component: &Path, output: &Path) -> bool {
    crate::platform::same_file(component, output)
}

/// Writes `bytes` to a new file beside `path` and renames it over `path`:
/// readers see the old file or the whole new one, never a part; on failure
/// the temporary file is removed and `path` is untouched.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| anyhow!("the output path names no file"))?;
    let temp = dir.join(format!(
        ".{}.airlock-package-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    // Removed on failure only once this process created it: a file already
    // at that name is someone else's.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .with_context(|| format!("cannot create {}", shown(&temp)))?;
    let written = (|| {
        file.write_all(bytes).context("cannot write the package")?;
        // A file replaced in place keeps its permissions.
        if let Ok(existing) = std::fs::metadata(path) {
            file.set_permissions(existing.permissions())
                .context("cannot keep the output's permissions")?;
        }
        file.sync_all().context("cannot flush the package")?;
        std::fs::rename(&temp, path).context("cannot move the package into place")?;
        // The rename itself survives a crash only once the folder is synced.
        if let Ok(folder) = std::fs::File::open(dir) {
            let _ = folder.sync_all();
        }
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}
