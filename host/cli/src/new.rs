//! `airlock new`: a plugin project for a world, in Rust, JavaScript or
//! Python, that builds at once and passes its own test.
//!
//! The project holds a copy of the world's WIT (`wit/`, dependencies under
//! `wit/deps/`), the source with every export stubbed to return a default
//! value, a manifest (`airlock.toml`), a mock host answering every import
//! (`mock.toml`), one test case per export (`tests/*.toml`, run by `airlock
//! test`) and a README saying what to run next.

mod sources;
pub mod values;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use wit_parser::{Function, Resolve, WorldItem, WorldKey};

use crate::check::World;
use values::{Lang, default};

/// What `airlock new` was asked for.
pub struct Request<'a> {
    pub name: &'a str,
    pub wit: &'a [PathBuf],
    pub world: &'a str,
    pub lang: Lang,
    /// Where the project goes; `./NAME` by default.
    pub dir: Option<&'a Path>,
    /// The guest SDK a Rust project depends on.
    pub guest_sdk: Option<&'a Path>,
}

/// One export of the world: its name on the wire (`name`, or
/// `interface#name`), the interface it belongs to, and the function.
pub struct Export<'r> {
    pub wire: String,
    pub interface: Option<&'r str>,
    pub func: &'r Function,
}

pub fn new(req: &Request<'_>) -> Result<PathBuf> {
    check_name(req.name)?;
    let dir = req
        .dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(req.name));
    if dir.exists() && !dir.is_dir() {
        bail!("{} is not a folder; choose another --dir", dir.display());
    }
    if dir.exists()
        && fs::read_dir(&dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} exists and is not empty; choose another name or --dir",
            dir.display()
        );
    }
    check_wit_dirs(req.wit, &dir)?;
    let world = World::load(req.wit, req.world)?;
    let exports = exports(&world)?;
    let files = sources::files(req, &world, &exports)?;
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    copy_wit(req.wit, &dir.join("wit"))?;
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(dir)
}

/// A project name is a package name in every language: lowercase letters,
/// digits and `-`, starting with a letter.
fn check_name(name: &str) -> Result<()> {
    if name.starts_with("airlock-guest") || name == "wit-bindgen" {
        bail!("`{name}` is the name of a crate the plugin depends on; choose another");
    }
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        bail!(
            "`{name}` is not a project name: use lowercase letters, digits and `-`, starting with a letter (at most 64)"
        );
    }
    Ok(())
}

/// Every function the world exports, world-level ones first. Exported
/// resources are refused: their stubs are classes, which this does not write.
fn exports(world: &World) -> Result<Vec<Export<'_>>> {
    let r = &world.resolve;
    let mut out = Vec::new();
    for (key, item) in &r.worlds[world.id].exports {
        match item {
            WorldItem::Function(f) => out.push(Export {
                wire: f.name.clone(),
                interface: None,
                func: f,
            }),
            WorldItem::Interface { id, .. } => {
                let iface = &r.interfaces[*id];
                if iface
                    .types
                    .values()
                    .any(|t| matches!(r.types[*t].kind, wit_parser::TypeDefKind::Resource))
                {
                    bail!(
                        "the world exports resources (in `{}`), which `airlock new` does not stub yet; write that interface by hand",
                        r.name_world_key(key)
                    );
                }
                let name = match key {
                    WorldKey::Name(n) => n.as_str(),
                    WorldKey::Interface(_) => iface.name.as_deref().unwrap_or("interface"),
                };
                let wire = r.name_world_key(key);
                for f in iface.functions.values() {
                    out.push(Export {
                        wire: format!("{wire}#{}", f.name),
                        interface: Some(name),
                        func: f,
                    });
                }
            }
            WorldItem::Type { .. } => {}
        }
    }
    if out.is_empty() {
        bail!(
            "world `{}` exports nothing for a plugin to implement",
            world.name()
        );
    }
    Ok(out)
}

/// The mock host's script: an answer for every import of the world that
/// the runner does not serve itself, each the default of its result type.
pub fn mock_script(world: &World) -> String {
    let r = &world.resolve;
    let mut out = String::from(
        "# The answers of a pretend host to this plugin's imports, for `airlock test`\n\
         # and `airlock call … --mock mock.toml`. Values are WAVE; a handle is a number\n\
         # you choose. See the CLI's mock host in Airlock's docs/cli.md.\n\n[imports]\n",
    );
    let mut unanswered = Vec::new();
    for (key, item) in &r.worlds[world.id].imports {
        let (prefix, functions): (String, Vec<&Function>) = match item {
            WorldItem::Function(f) => (String::new(), vec![f]),
            WorldItem::Interface { id, .. } => {
                let name = r.name_world_key(key);
                if airlock::provided_by_runner(&name).is_some() {
                    continue;
                }
                (
                    format!("{name}#"),
                    r.interfaces[*id].functions.values().collect(),
                )
            }
            WorldItem::Type { .. } => continue,
        };
        for f in functions {
            let name = format!("{prefix}{}", f.name);
            match answer(r, f) {
                Some(v) => out.push_str(&format!("{:?} = {}\n", name, toml_string(&v))),
                None => unanswered.push(name),
            }
        }
    }
    for name in unanswered {
        out.push_str(&format!(
            "# {name:?} = … (returns a handle: choose a number)\n"
        ));
    }
    out
}

/// The default answer of import `f`: `()` when it returns nothing, a
/// handle as 1 wherever it is.
fn answer(r: &Resolve, f: &Function) -> Option<String> {
    let Some(ty) = &f.result else {
        return Some("()".into());
    };
    default(r, ty, Lang::Mock)
}

/// `text` as a TOML string: literal when it can be, else basic.
pub fn toml_string(text: &str) -> String {
    if !text.contains('\'') && !text.contains('\n') {
        format!("'{text}'")
    } else {
        format!("{text:?}")
    }
}

/// Every `--wit` is a folder, and none holds the project's folder (the copy
/// would go on copying itself): checked before anything is written.
fn check_wit_dirs(dirs: &[PathBuf], project: &Path) -> Result<()> {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let project = absolute(project);
    for dir in dirs {
        if !dir.is_dir() {
            bail!(
                "--wit {} is not a folder; give the folder that holds the .wit files",
                dir.display()
            );
        }
        let dir = dir.canonicalize().unwrap_or_else(|_| absolute(dir));
        let parent = project
            .parent()
            .map(|p| p.canonicalize().unwrap_or_else(|_| p.to_path_buf()));
        if parent.is_some_and(|p| p.starts_with(&dir)) {
            bail!(
                "the project would be written inside --wit {}; choose a --dir outside it",
                dir.display()
            );
        }
    }
    Ok(())
}

/// Copies the WIT directories: the world's own package (the last) to `to`,
/// the others under `to/deps/` (numbered when two share a name).
fn copy_wit(dirs: &[PathBuf], to: &Path) -> Result<()> {
    let (main, deps) = dirs.split_last().expect("--wit is required");
    copy_dir(main, to)?;
    let mut taken = std::collections::BTreeSet::new();
    for (i, dep) in deps.iter().enumerate() {
        let name = dep
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "dep".into());
        let name = if taken.insert(name.clone()) {
            name
        } else {
            format!("{i}-{name}")
        };
        copy_dir(dep, &to.join("deps").join(name))?;
    }
    Ok(())
}

/// Copies the `.wit` files of `from` (and its `deps/`) to `to`.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let entry = entry?;
        let path = entry.path();
        // Links are followed: a linked .wit file or deps folder is copied.
        let kind =
            fs::metadata(&path).with_context(|| format!("cannot read {}", path.display()))?;
        if kind.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()))?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "wit") {
            fs::copy(&path, to.join(entry.file_name()))?;
        }
    }
    Ok(())
}
