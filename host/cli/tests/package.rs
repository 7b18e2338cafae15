//! `airlock package` end to end: a real guest with its stamp and manifest
//! taken out (as componentize-js and componentize-py build them), packaged,
//! then inspected, checked and loaded by real sandboxed runners.

mod common;

use std::path::{Path, PathBuf};

use airlock_testkit::guest_path as plugin;
use common::{repo, s, scratch};

const FILTER: &str = "airlock:design/filter@0.2.0";

/// `airlock args…` with its cache under `dir`.
fn airlock(args: &[&str], dir: &Path) -> (i32, String, String) {
    common::airlock(args, &dir.join("cache"))
}

/// `airlock package COMPONENT --wit … --world WORLD extra… -o OUT`.
fn package(component: &Path, world: &str, extra: &[&str], out: &Path) -> (i32, String, String) {
    let (airlock_wit, design_wit) = (repo("wit/airlock"), repo("wit/design"));
    let mut args = vec!["package", s(component), "--wit", s(&airlock_wit)];
    args.extend(["--wit", s(&design_wit), "--world", world, "-o", s(out)]);
    args.extend(extra);
    airlock(&args, out.parent().unwrap())
}

/// A Rust guest as another toolchain builds it: its stamp and manifest
/// sections renamed (same length, so the component stays valid), unread.
fn unstamped(name: &str, dir: &Path) -> PathBuf {
    let mut bytes = std::fs::read(plugin(name)).unwrap();
    for (from, to) in [
        (&b"airlock:world"[..], &b"airlock:xorld"[..]),
        (b"airlock:manifest", b"airlock:xanifest"),
    ] {
        let mut at = 0;
        while let Some(i) = bytes[at..].windows(from.len()).position(|w| w == from) {
            bytes[at + i..at + i + from.len()].copy_from_slice(to);
            at += i + from.len();
        }
    }
    assert_eq!(airlock::world_stamp(&bytes), None);
    assert!(airlock::Manifest::embedded(&bytes, name).unwrap().is_none());
    // No manifest file beside it either.
    let path = dir.join(format!("{name}-unstamped.wasm"));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A manifest for `world` that requires write access to /out.
fn manifest(dir: &Path, world: &str) -> PathBuf {
    let path = dir.join("airlock.toml");
    std::fs::write(
        &path,
        format!(
            "name = \"packaged-invert\"\nversion = \"1.2.0\"\nworld = \"{world}\"\n\n\
             [[capability]]\nkind = \"directory\"\npath = \"/out\"\naccess = \"read-write\"\n\
             reason = \"writes previews\"\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_packaged_component_is_stamped_reviewed_and_loads() {
    let dir = scratch("admit");
    let bare = unstamped("invert", &dir);
    let (code, out, _) = airlock(&["inspect", s(&bare)], &dir);
    assert_eq!(code, 0);
    assert!(out.contains("world      not stamped"), "{out}");

    let toml = manifest(&dir, FILTER);
    let packaged = dir.join("invert.wasm");
    let (code, out, err) = package(&bare, "filter", &["--manifest", s(&toml)], &packaged);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("for world {FILTER}")), "{out}");

    let (code, out, err) = airlock(&["inspect", s(&packaged)], &dir);
    assert_eq!(code, 0, "{out}{err}");
    for needle in [
        &format!("world      {FILTER} (packaged)")[..],
        "manifest   packaged-invert 1.2.0 (embedded)",
        "asks     write access to /out (required): writes previews",
    ] {
        assert!(out.contains(needle), "`{needle}` missing:\n{out}");
    }
    let (airlock_wit, design_wit) = (repo("wit/airlock"), repo("wit/design"));
    let check = [
        "check",
        s(&packaged),
        "--wit",
        s(&airlock_wit),
        "--wit",
        s(&design_wit),
        "--world",
        "filter",
    ];
    let (code, out, err) = airlock(&check, &dir);
    assert_eq!(code, 0, "{out}{err}");

    // A host reviews the packaged manifest: refused without the grant…
    let (code, _, err) = airlock(&["call", s(&packaged), "describe"], &dir);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("was denied write access to /out"), "{err}");
    // …and started with it; the unpackaged component asks nothing.
    let policy = dir.join("policy.toml");
    let folder = dir.join("out");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        &policy,
        format!(
            "[[preopen]]\nhost = \"{}\"\nguest = \"/out\"\nwritable = true\n",
            folder.display()
        ),
    )
    .unwrap();
    let (code, out, err) = airlock(
        &["call", s(&packaged), "describe", "--policy", s(&policy)],
        &dir,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Inverts colours"), "{out}");
    let (code, _, err) = airlock(&["call", s(&bare), "describe"], &dir);
    assert_eq!(code, 0, "{err}");

    // Packaging again, from the bare or the packaged one, gives the same bytes.
    let again = dir.join("again.wasm");
    let (code, _, err) = package(&packaged, "filter", &["--manifest", s(&toml)], &again);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&packaged).unwrap()
    );
    let (code, _, err) = package(&bare, "filter", &["--manifest", s(&toml)], &again);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&packaged).unwrap()
    );
}

#[test]
fn a_rust_guest_repackaged_for_its_own_world_takes_the_new_manifest() {
    let dir = scratch("rust");
    let toml = manifest(&dir, FILTER);
    let out = dir.join("invert.wasm");
    let (code, _, err) = package(&plugin("invert"), "filter", &["--manifest", s(&toml)], &out);
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(airlock::world_stamp(&bytes).as_deref(), Some(FILTER));
    let carried = airlock::Manifest::embedded(&bytes, "invert")
        .unwrap()
        .unwrap();
    assert_eq!(carried.name, "packaged-invert");
}

#[test]
fn a_misfit_is_explained_as_check_explains_it_and_nothing_is_written() {
    let dir = scratch("misfit");
    let bare = unstamped("invert", &dir);
    let out = dir.join("tool.wasm");
    let (code, stdout, err) = package(&bare, "tool", &[], &out);
    assert_eq!(code, 1, "{stdout}{err}");
    let (airlock_wit, design_wit) = (repo("wit/airlock"), repo("wit/design"));
    let check = [
        "check",
        s(&bare),
        "--wit",
        s(&airlock_wit),
        "--wit",
        s(&design_wit),
        "--world",
        "tool",
    ];
    let (check_code, _, check_err) = airlock(&check, &dir);
    assert_eq!((check_code, &check_err), (1, &err));
    assert!(
        err.contains("does not fit world airlock:design/tool@0.2.0"),
        "{err}"
    );
    assert!(!out.exists());

    // Stamped for another world: refused, with the stamp named.
    let (code, _, err) = package(&plugin("svg_export"), "filter", &[], &out);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "its stamp says: the plugin was built for world `airlock:design/exporter@0.2.0`"
        ),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn bad_manifests_are_refused_and_leave_the_output_as_it_was() {
    let dir = scratch("manifests");
    let bare = unstamped("invert", &dir);
    let out = dir.join("out.wasm");
    std::fs::write(&out, "the previous package").unwrap();
    let untouched = |out: &Path| {
        assert_eq!(std::fs::read(out).unwrap(), b"the previous package");
        let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("airlock-package"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    };

    let other = manifest(&dir, "airlock:design/exporter@0.2.0");
    let (code, _, err) = package(&bare, "filter", &["--manifest", s(&other)], &out);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("world `airlock:design/exporter@0.2.0`, not `airlock:design/filter@0.2.0`"),
        "{err}"
    );
    untouched(&out);

    let big = dir.join("big.toml");
    let text = std::fs::read_to_string(manifest(&dir, FILTER)).unwrap();
    std::fs::write(&big, format!("{text}# {}\n", "x".repeat(64 << 10))).unwrap();
    let (code, _, err) = package(&bare, "filter", &["--manifest", s(&big)], &out);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("more than the 65536 bytes"), "{err}");
    untouched(&out);

    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "name = \"x\"\nversion = \"1\"\n").unwrap();
    let (code, _, err) = package(&bare, "filter", &["--manifest", s(&broken)], &out);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid plugin manifest"), "{err}");
    untouched(&out);

    // A folder in the way is refused before anything is written.
    let folder = dir.join("folder.wasm");
    std::fs::create_dir_all(folder.join("inside")).unwrap();
    let (code, _, err) = package(&bare, "filter", &[], &folder);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not a regular file"), "{err}");
    untouched(&out);
}

#[test]
fn the_component_itself_is_replaced_only_with_in_place() {
    let dir = scratch("in-place");
    let bare = unstamped("invert", &dir);
    let before = std::fs::read(&bare).unwrap();
    let link = dir.join("link.wasm");
    std::os::unix::fs::symlink(&bare, &link).unwrap();
    for out in [&bare, &link] {
        let (code, _, err) = package(&bare, "filter", &[], out);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("pass --in-place to replace it"), "{err}");
        assert_eq!(std::fs::read(&bare).unwrap(), before);
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&bare, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (code, _, err) = package(&bare, "filter", &["--in-place"], &bare);
    assert_eq!(code, 0, "{err}");
    let after = std::fs::read(&bare).unwrap();
    assert_eq!(airlock::world_stamp(&after).as_deref(), Some(FILTER));
    let mode = std::fs::metadata(&bare).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "the replaced file keeps its permissions");
    // Again in place: the same bytes.
    let (code, _, err) = package(&bare, "filter", &["--in-place"], &bare);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read(&bare).unwrap(), after);
}

/// An output that is a link (or a device) is refused, not swapped for a new
/// file, and a stranger's file at the temporary name survives a failure.
#[test]
fn only_regular_files_are_replaced_and_strangers_files_are_kept() {
    let dir = scratch("links");
    let bare = unstamped("invert", &dir);
    let target = dir.join("target.wasm");
    std::fs::write(&target, b"not yet").unwrap();
    let link = dir.join("out.wasm");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let (code, _, err) = package(&bare, "filter", &[], &link);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not a regular file"), "{err}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"not yet");

    // A file already at the temporary name is someone else's: kept. The
    // temporary name carries the pid of the `airlock` process, which a
    // shell that execs it knows beforehand.
    let out = dir.join("victim.wasm");
    let script = format!(
        "echo precious > {dir}/.victim.wasm.airlock-package-$$; exec {airlock} package {bare} \
         --wit {a} --wit {d} --world filter -o {out}",
        dir = s(&dir),
        airlock = env!("CARGO_BIN_EXE_airlock"),
        bare = s(&bare),
        a = s(&repo("wit/airlock")),
        d = s(&repo("wit/design")),
        out = s(&out),
    );
    let run = std::process::Command::new("sh")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(!run.status.success());
    let kept: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".victim.wasm.airlock-package-")
        })
        .collect();
    assert_eq!(kept.len(), 1, "the stranger's file was removed");
    assert!(!out.exists());
}
