//! Whether a component fits a world: every export the world requires, with
//! the same types; every import it needs, provided by the world or the runner.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use wit_parser::{Resolve, WorldId};

use crate::component::{Decoded, Item, Signature, items, provided_by_runner};

/// A world read from WIT directories.
pub struct World {
    pub resolve: Resolve,
    pub id: WorldId,
}

impl World {
    /// Parses every directory (dependencies first, as `bindgen!` takes them)
    /// and selects `name` (`package:name/world`, or just `world` when the last
    /// directory's package has it).
    pub fn load(dirs: &[PathBuf], name: &str) -> Result<Self> {
        let loaded = airlock_bindgen::load(dirs, Some(name)).with_context(|| {
            format!(
                "cannot load world `{name}` from {}",
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        Ok(Self {
            resolve: loaded.resolve,
            id: loaded.world,
        })
    }

    /// `package:name/world@version`.
    pub fn name(&self) -> String {
        airlock_bindgen::world_name(&self.resolve, self.id)
    }
}

/// What `check` found.
pub struct Report {
    /// Why the component does not fit; empty when it does.
    pub problems: Vec<String>,
    /// What fits, for the verbose listing.
    pub exports_matched: Vec<String>,
    pub imports_from_world: Vec<String>,
    pub imports_from_runner: Vec<String>,
    /// Exports the world does not ask for (harmless).
    pub extra_exports: Vec<String>,
}

pub fn check(component: &Decoded, world: &World) -> Report {
    let wanted_exports = items(&world.resolve, &world.resolve.worlds[world.id].exports);
    let offered_imports = items(&world.resolve, &world.resolve.worlds[world.id].imports);
    let exports = component.exports();
    let imports = component.imports();
    let mut report = Report {
        problems: Vec::new(),
        exports_matched: Vec::new(),
        imports_from_world: Vec::new(),
        imports_from_runner: Vec::new(),
        extra_exports: exports
            .keys()
            .filter(|k| !wanted_exports.contains_key(*k))
            .cloned()
            .collect(),
    };

    // Every export the world requires, with the world's types.
    for (name, wanted) in &wanted_exports {
        let Some(have) = exports.get(name) else {
            report.problems.push(format!(
                "the world requires export `{name}`; the component does not export it{}",
                other_version(name, &exports)
            ));
            continue;
        };
        if compare(&mut report.problems, "export", name, wanted, have, &EXPORT) {
            report.exports_matched.push(name.clone());
        }
    }

    // Every import the component needs, from the world or the runner.
    for (name, needed) in &imports {
        if provided_by_runner(name).is_some() {
            report.imports_from_runner.push(name.clone());
            continue;
        }
        let Some(offered) = offered_imports.get(name) else {
            report.problems.push(format!(
                "the component imports `{name}`, which the world does not provide{}",
                other_version(name, &offered_imports)
            ));
            continue;
        };
        // The component may use fewer functions than the world offers, not more.
        if compare(
            &mut report.problems,
            "import",
            name,
            needed,
            offered,
            &IMPORT,
        ) {
            report.imports_from_world.push(name.clone());
        }
    }
    report
}

/// As a host would: a stamp for another world or version is refused.
pub fn stamp_problem(component: &Decoded, name: &str) -> Option<String> {
    let stamp = component.stamp()?;
    airlock::check_stamp(&stamp, name)
        .err()
        .map(|why| format!("its stamp says: {}", crate::esc(&why)))
}

/// `PATH does not fit world NAME:` and the problems, one a line.
pub fn explain(path: &std::path::Path, name: &str, problems: &[String]) -> String {
    let mut text = format!("{} does not fit world {name}:\n", crate::shown(path));
    for problem in problems {
        text.push_str(&format!("  - {problem}\n"));
    }
    text.trim_end().to_string()
}

/// Who asks and who answers, for the messages of one direction.
struct Roles {
    wants: &'static str,
    has: &'static str,
    answerer: &'static str,
}

/// Exports: the world asks, the component answers.
const EXPORT: Roles = Roles {
    wants: "the world requires",
    has: "the component exports",
    answerer: "the component",
};

/// Imports: the component asks, the world answers.
const IMPORT: Roles = Roles {
    wants: "the component expects",
    has: "the world provides",
    answerer: "the world",
};

/// Reports how `have` falls short of `wanted` for the item `name`; true if it
/// does not. Every function `wanted` names must be in `have` with the same
/// structural signature; `have` may hold more.
fn compare(
    problems: &mut Vec<String>,
    what: &str,
    name: &str,
    wanted: &Item,
    have: &Item,
    roles: &Roles,
) -> bool {
    let before = problems.len();
    let Roles {
        wants, answerer, ..
    } = roles;
    match (wanted, have) {
        (Item::Function(w), Item::Function(h)) => {
            differs(problems, &format!("{what} `{name}`"), w, h, roles)
        }
        (Item::Interface(w), Item::Interface(h)) => {
            for (func, ws) in w {
                match h.get(func) {
                    Some(hs) => differs(
                        problems,
                        &format!("{what} `{name}`, function `{func}`"),
                        ws,
                        hs,
                        roles,
                    ),
                    None => problems.push(format!(
                        "{what} `{name}`: {wants} function `{func}`, which {answerer} lacks"
                    )),
                }
            }
        }
        (Item::Function(_), Item::Interface(_)) => problems.push(format!(
            "{what} `{name}`: {wants} a function, {answerer} has an interface"
        )),
        (Item::Interface(_), Item::Function(_)) => problems.push(format!(
            "{what} `{name}`: {wants} an interface, {answerer} has a function"
        )),
    }
    problems.len() == before
}

fn differs(
    problems: &mut Vec<String>,
    what: &str,
    wanted: &Signature,
    have: &Signature,
    Roles { wants, has, .. }: &Roles,
) {
    if wanted.structural != have.structural {
        let detail = if wanted.readable != have.readable {
            format!("{wants} `{}`, {has} `{}`", wanted.readable, have.readable)
        } else {
            // Same names, different definitions: show the structure.
            format!(
                "the types differ inside: {wants} `{}`, {has} `{}`",
                wanted.structural, have.structural
            )
        };
        problems.push(format!("{what}: {detail}"));
    }
}

/// ` (it has `name@other-version`)` when only the version differs.
fn other_version(name: &str, available: &BTreeMap<String, Item>) -> String {
    let unversioned = name.split('@').next().unwrap_or(name);
    available
        .keys()
        .find(|k| k.as_str() != name && k.split('@').next() == Some(unversioned))
        .map(|k| format!(" (it has `{k}`: built for another version)"))
        .unwrap_or_default()
}
