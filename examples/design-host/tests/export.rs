//! The exporter writes its file itself, into the one folder it was granted,
//! and nowhere else: not through `..`, an absolute path, or a symlink; and
//! a link it plants as its output file is refused by the host, not followed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use airlock::{Launcher, PluginConfig, Policy};
use airlock_example_design_host::document::Document;
use airlock_example_design_host::export_check::{self, ExportRefused};
use airlock_example_design_host::plugins::exporter::Exporter;
use airlock_example_design_host::plugins::{self, AnyPlugin, ExporterPlugin};
use airlock_example_design_host::transaction::Transaction;

fn component() -> PathBuf {
    airlock_testkit::guest_path("svg_export")
}

/// svg-export with its manifest (read from beside the component), under a
/// policy granting `grant` at `/out` if given.
fn start(grant: Option<&Path>) -> airlock::Result<Exporter> {
    let mut policy = Policy::default().deadline(Duration::from_secs(30));
    if let Some(folder) = grant {
        policy = policy.preopen(folder, "/out", true);
    }
    let config = PluginConfig::from_file("svg-export", component())
        .unwrap()
        .policy(policy);
    assert!(
        config.get_manifest().is_some(),
        "svg_export.toml is beside the component"
    );
    Exporter::start(&launcher(), config)
}

fn launcher() -> Launcher {
    Launcher::program(env!("CARGO_BIN_EXE_airlock-example-design-host"))
}

fn svg_export(grant: &Path) -> Exporter {
    start(Some(grant)).expect("start svg-export")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("airlock-export-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_exporter_writes_into_its_granted_folder_and_nowhere_else() {
    let root = scratch("grant");
    let granted = root.join("granted");
    std::fs::create_dir(&granted).unwrap();
    let doc = Document::sample();
    let mut tx = Transaction::begin(&doc);
    let mut x = svg_export(&granted);

    let written = x.save(&mut tx, "document.svg").unwrap().unwrap();
    let svg = std::fs::read_to_string(granted.join("document.svg")).unwrap();
    assert_eq!(svg.len() as u64, written);
    assert!(svg.contains("<svg") && svg.contains("<rect"), "{svg}");

    // Escapes: each fails inside the guest, and nothing appears outside.
    std::os::unix::fs::symlink(&root, granted.join("up")).unwrap();
    for name in [
        "../escape.svg",
        "up/escape.svg",
        "/../escape.svg",
        "/tmp/escape.svg",
    ] {
        let result = x.save(&mut tx, name).expect("the call itself succeeds");
        assert!(result.is_err(), "{name} was written: {result:?}");
    }
    let outside: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside, ["granted"], "files appeared outside the grant");
    assert!(!Path::new("/tmp/escape.svg").exists());
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn without_a_grant_the_exporter_cannot_write_at_all() {
    // Its manifest asks for the folder: without it, it is not even started,
    // and the error says what it asked for, why, and how to grant it.
    match start(None) {
        Err(airlock::Error::Denied {
            capability, reason, ..
        }) => {
            assert_eq!(capability, "write access to /out");
            assert!(reason.contains("writes the exported SVG"), "{reason}");
            assert!(reason.contains("writable = true"), "{reason}");
        }
        other => panic!("expected Denied, got {other:?}"),
    }
    // The same from the manifest the component carries (no file beside it).
    let bytes = std::fs::read(component()).unwrap();
    let config = PluginConfig::new("svg-export", bytes.clone())
        .policy(Policy::default().deadline(Duration::from_secs(30)));
    assert!(config.get_manifest().is_none());
    assert!(matches!(
        Exporter::start(&launcher(), config),
        Err(airlock::Error::Denied { capability, .. }) if capability == "write access to /out"
    ));
    // A host may start it anyway with the folder as an optional request: it
    // starts, and writing fails inside the guest.
    let optional = airlock::Manifest::from_toml(
        "name = \"svg-export\"\nversion = \"0.1.0\"\nworld = \"airlock:design/exporter@0.2.0\"\n\
         [[capability]]\nkind = \"directory\"\npath = \"/out\"\naccess = \"read-write\"\n\
         reason = \"writes the SVG\"\nrequired = false\n",
        "test",
    )
    .unwrap();
    let config = PluginConfig::new("svg-export", bytes)
        .manifest(optional)
        .policy(Policy::default().deadline(Duration::from_secs(30)));
    let mut x = Exporter::start(&launcher(), config).expect("start svg-export");
    assert_eq!(x.plugin().denials()[0].0, "write access to /out");
    let doc = Document::sample();
    let mut tx = Transaction::begin(&doc);
    let err = x.save(&mut tx, "document.svg").unwrap().unwrap_err();
    assert!(err.contains("/out/document.svg"), "{err}");
    // Rendering to bytes needs no grant.
    assert!(x.render(&mut tx).unwrap().is_ok());
}

/// test-hostile-export, granted `folder` at `/out` as the design host grants exporters.
fn hostile_export(folder: &Path) -> ExporterPlugin {
    let config = PluginConfig::from_file(
        "hostile-export",
        airlock_testkit::guest_path("test_hostile_export"),
    )
    .unwrap()
    .policy(Policy::default().deadline(Duration::from_secs(30)));
    match plugins::start(&launcher(), config, folder) {
        Ok(Some(AnyPlugin::Exporter(x))) => x,
        Ok(_) => panic!("test-hostile-export is not an exporter"),
        Err(e) => panic!("start test-hostile-export: {e:#}"),
    }
}

#[test]
fn a_link_planted_as_the_output_file_is_reported_and_removed_never_followed() {
    let folder = scratch("planted");
    let doc = Document::sample();
    let mut tx = Transaction::begin(&doc);
    let mut x = hostile_export(&folder);
    let export = |x: &mut ExporterPlugin, tx: &mut Transaction, name: &str| {
        let written = x.exports.save(tx, name).unwrap().unwrap();
        export_check::check_export(&folder, name, written)
    };

    // Written honestly, it passes.
    assert_eq!(export(&mut x, &mut tx, "document.hostile").unwrap(), 10);

    for (name, links) in [
        ("symlink-document.hostile", "symbolic link"),
        ("dangling-document.hostile", "symbolic link"),
        ("hardlink-document.hostile", "2 hard links"),
    ] {
        let written = x.exports.save(&mut tx, name).unwrap().unwrap();
        let path = folder.join(name);
        assert!(
            std::fs::symlink_metadata(&path).is_ok(),
            "{name}: the plugin planted it"
        );
        if !name.starts_with("dangling") {
            // What the old check saw: the link followed, the size as promised.
            assert_eq!(std::fs::metadata(&path).unwrap().len(), written, "{name}");
        }
        let refused = export_check::check_export(&folder, name, written).unwrap_err();
        let said = refused.to_string();
        assert!(
            matches!(refused, ExportRefused::Unsafe { removed: true, .. }),
            "{name}: {said}"
        );
        assert!(
            said.contains(name) && said.contains(links),
            "{name}: {said}"
        );
        assert!(said.contains("removed"), "{name}: {said}");
        assert!(
            std::fs::symlink_metadata(&path).is_err(),
            "{name}: the link is gone"
        );
        // Only the link: the file it named is untouched.
        let real = folder.join(format!("real-{name}"));
        assert_eq!(std::fs::read(&real).unwrap(), b"an export\n", "{name}");
    }
    std::fs::remove_dir_all(&folder).unwrap();
}
