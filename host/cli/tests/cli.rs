//! The `airlock` command end to end: the real binary, real components built
//! from source by `cargo xtask test`, real sandboxed runners.

mod common;

use airlock_testkit::guest_path as plugin;
use common::{airlock, repo, s, scratch};

#[test]
fn inspect_shows_the_stamp_the_manifest_and_every_function() {
    let cache = scratch("inspect");
    let (code, out, err) = airlock(&["inspect", s(&plugin("svg_export"))], &cache);
    assert_eq!(code, 0, "{out}{err}");
    for needle in [
        "world      airlock:design/exporter@0.2.0 (stamped by the guest SDK)",
        "manifest   svg-export 0.2.0",
        "write access to /out (required): writes the exported SVG",
        "airlock:design/document@0.2.0",
        "layers: func() -> list<own<layer>>",
        "[method]layer.shapes: func(self: borrow<layer>) -> result<list<tuple<shape-id, shape>>, document-error>",
        "save: func(file-name: string) -> result<u64, string>",
        "Airlock's plugin services",
    ] {
        assert!(out.contains(needle), "`{needle}` missing:\n{out}");
    }
    // A copy with no file beside it shows the manifest the component carries.
    let copy = cache.join("svg_export.wasm");
    std::fs::copy(plugin("svg_export"), &copy).unwrap();
    let (code, out, _) = airlock(&["inspect", s(&copy)], &cache);
    assert_eq!(code, 0);
    assert!(
        out.contains("manifest   svg-export 0.2.0 (embedded)"),
        "{out}"
    );
    let (_, out, _) = airlock(&["inspect", s(&plugin("test_roundtrip"))], &cache);
    assert!(out.contains("manifest   none"), "{out}");
    // Under a policy, each request shows whether it is granted.
    let policy = cache.join("policy.toml");
    std::fs::write(
        &policy,
        "[[preopen]]\nhost = \"/tmp\"\nguest = \"/out\"\nwritable = true\n",
    )
    .unwrap();
    let (code, out, _) = airlock(
        &["inspect", s(&plugin("svg_export")), "--policy", s(&policy)],
        &cache,
    );
    assert_eq!(code, 0);
    assert!(out.contains("granted  write access to /out"), "{out}");
}

#[test]
fn inspect_refuses_what_is_not_a_component_with_exit_code_2() {
    let dir = scratch("not-a-component");
    let text = dir.join("notes.wasm");
    std::fs::write(&text, "hello").unwrap();
    let (code, _, err) = airlock(&["inspect", s(&text)], &dir);
    assert_eq!(code, 2);
    assert!(err.contains("is not WebAssembly"), "{err}");
    let module = dir.join("core.wasm");
    std::fs::write(&module, b"\0asm\x01\0\0\0").unwrap();
    let (code, _, err) = airlock(&["inspect", s(&module)], &dir);
    assert_eq!(code, 2);
    assert!(
        err.contains("core WebAssembly module, not a component"),
        "{err}"
    );
    let (code, _, err) = airlock(&["inspect", s(&dir.join("absent.wasm"))], &dir);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
}

/// A section that declares 4 GiB in a 14-byte file is refused from its
/// framing, not allocated: the command runs under a 512 MiB address-space
/// limit and still gives its clear error.
#[test]
fn a_section_declaring_more_than_the_file_holds_is_refused_without_allocating() {
    let dir = scratch("declared");
    let tiny = dir.join("tiny.wasm");
    std::fs::write(&tiny, b"\0asm\x0d\x00\x01\x00\x00\xff\xff\xff\xff\x0f").unwrap();
    for command in ["inspect", "check"] {
        let mut script = format!(
            "ulimit -v 524288; exec {} {command} {}",
            env!("CARGO_BIN_EXE_airlock"),
            s(&tiny)
        );
        if command == "check" {
            script += &format!(
                " --wit {} --wit {} --world filter",
                s(&repo("wit/airlock")),
                s(&repo("wit/design"))
            );
        }
        let out = std::process::Command::new("sh")
            .args(["-c", &script])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {err}");
        assert!(
            err.contains("not a valid component: unexpected end-of-file"),
            "{command}: {err}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_huge_sparse_component_is_refused_from_its_size_without_reading_it() {
    let dir = scratch("sparse");
    let huge = dir.join("huge.wasm");
    let size: u64 = 64 << 30; // 64 GiB, sparse: nothing on disk
    std::fs::File::create(&huge).unwrap().set_len(size).unwrap();
    let limit = airlock::MAX_COMPONENT_FILE_LEN;
    for command in ["inspect", "compile"] {
        let started = std::time::Instant::now();
        let (code, _, err) = airlock(&[command, s(&huge)], &dir);
        assert_eq!(code, 2, "{command}: {err}");
        assert!(
            err.contains("huge.wasm")
                && err.contains(&size.to_string())
                && err.contains(&limit.to_string()),
            "{command}: {err}"
        );
        // Reading 64 GiB of zeros would take far longer than starting the binary.
        assert!(
            started.elapsed().as_secs() < 5,
            "{command} took {:?}",
            started.elapsed()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_accepts_a_fitting_world_and_explains_a_misfit() {
    let cache = scratch("check");
    let (airlock_wit, design_wit, invert) =
        (repo("wit/airlock"), repo("wit/design"), plugin("invert"));
    let wit = ["--wit", s(&airlock_wit), "--wit", s(&design_wit)];
    let mut args = vec!["check", s(&invert)];
    args.extend(wit);
    args.extend(["--world", "filter"]);
    let (code, out, err) = airlock(&args, &cache);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("fits world airlock:design/filter@0.2.0"),
        "{out}"
    );
    assert!(out.contains("exports: apply, describe"), "{out}");

    // A filter is no tool: the explanation names what is missing.
    let mut args = vec!["check", s(&invert)];
    args.extend(wit);
    args.extend(["--world", "tool"]);
    let (code, out, err) = airlock(&args, &cache);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("does not fit world airlock:design/tool@0.2.0"),
        "{err}"
    );
    assert!(
        out.contains("note: the component is stamped for airlock:design/filter@0.2.0"),
        "{out}{err}"
    );
    assert!(err.contains("the world requires export `run`"), "{err}");

    // Under a policy, what the manifest requires must be granted.
    let exporter = plugin("svg_export");
    let policy = cache.join("empty-policy.toml");
    std::fs::write(&policy, "").unwrap();
    let mut args = vec!["check", s(&exporter)];
    args.extend(wit);
    args.extend(["--world", "exporter", "--policy", s(&policy)]);
    let (code, _, err) = airlock(&args, &cache);
    assert_eq!(code, 1);
    assert!(
        err.contains("its manifest requires write access to /out (writes the exported SVG"),
        "{err}"
    );

    // Stamped for another version of the world: refused, as a host would.
    let newer = cache.join("invert-from-0.3.wasm");
    std::fs::write(
        &newer,
        airlock_testkit::restamped(
            &std::fs::read(&invert).unwrap(),
            "airlock:design/filter@0.3.0",
        ),
    )
    .unwrap();
    let mut args = vec!["check", s(&newer)];
    args.extend(wit);
    args.extend(["--world", "filter"]);
    let (code, _, err) = airlock(&args, &cache);
    assert_eq!(code, 1);
    assert!(
        err.contains("its stamp says: the plugin was built for airlock:design/filter@0.3.0, this host serves airlock:design/filter@0.2.0"),
        "{err}"
    );

    // A plugin built for design 0.1.0 fits the kept 0.1.0 WIT, not the
    // current one, and the misfit names the versions of its imports.
    let (old_wit, grid_v0_1) = (repo("wit/design-0.1"), plugin("grid_v0_1"));
    let mut args = vec!["check", s(&grid_v0_1), "--wit", s(&airlock_wit)];
    args.extend(["--wit", s(&old_wit), "--world", "tool"]);
    let (code, out, err) = airlock(&args, &cache);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("fits world airlock:design/tool@0.1.0"),
        "{out}"
    );
    let mut args = vec!["check", s(&grid_v0_1)];
    args.extend(wit);
    args.extend(["--world", "tool"]);
    let (code, _, err) = airlock(&args, &cache);
    assert_eq!(code, 1);
    assert!(
        err.contains("imports `airlock:design/document@0.1.0`, which the world does not provide (it has `airlock:design/document@0.2.0`: built for another version)"),
        "{err}"
    );

    let mut args = vec!["check", s(&invert)];
    args.extend(wit);
    args.extend(["--world", "no-such-world"]);
    let (code, _, err) = airlock(&args, &cache);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-world"), "{err}");
}

#[test]
fn call_runs_an_export_in_the_sandbox_with_wave_values() {
    let cache = scratch("call");
    let roundtrip = plugin("test_roundtrip");
    let (code, out, err) = airlock(&["call", s(&roundtrip), "add", "40", "2"], &cache);
    assert_eq!((code, out.trim()), (0, "42"), "{err}");
    // A negative number is a value, not a flag: it reaches the WAVE parser.
    let (code, _, err) = airlock(&["call", s(&roundtrip), "add", "-7", "2"], &cache);
    assert_eq!(code, 2);
    assert!(
        err.contains("argument `a` is not a WAVE value of type u32"),
        "{err}"
    );

    // A function of an exported interface, with a compound value.
    let (code, out, err) = airlock(
        &[
            "call",
            s(&roundtrip),
            "airlock:test/values@0.1.0#echo-tuple",
            r#"(-7, 'ß', some("x"))"#,
        ],
        &cache,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), r#"(-7, 'ß', some("x"))"#);

    // Bad input: exit 2, naming the parameter and its type.
    let (code, _, err) = airlock(&["call", s(&roundtrip), "add", "forty", "2"], &cache);
    assert_eq!(code, 2);
    assert!(
        err.contains("argument `a` is not a WAVE value of type u32"),
        "{err}"
    );
    let (code, _, err) = airlock(&["call", s(&roundtrip), "add", "1"], &cache);
    assert_eq!(code, 2);
    assert!(
        err.contains("takes 2 arguments (a: u32, b: u32), not 1"),
        "{err}"
    );
    let (code, _, err) = airlock(&["call", s(&roundtrip), "subtract"], &cache);
    assert_eq!(code, 2);
    assert!(err.contains("exports no function `subtract`"), "{err}");
    // A function that hands out the plugin's resources is refused before it
    // runs: nothing could hold them, and WAVE cannot print them.
    let make = "airlock:test/counters@0.1.0#make";
    let (code, _, err) = airlock(&["call", s(&roundtrip), make, "2"], &cache);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("an `own` resource handle"), "{err}");
    let (code, out, err) = airlock(
        &["call", s(&roundtrip), "airlock:test/counters@0.1.0#live"],
        &cache,
    );
    assert_eq!((code, out.trim()), (0, "0"), "{err}");

    // The plugin failing: exit 3, with the trap's message.
    let (code, _, err) = airlock(&["call", s(&roundtrip), "panic-with", r#""boom""#], &cache);
    assert_eq!(code, 3);
    assert!(err.contains("trapped") && err.contains("boom"), "{err}");
    // An import the dynamic runner cannot serve traps, named.
    let (code, _, err) = airlock(&["call", s(&roundtrip), "nested", "1", "1"], &cache);
    assert_eq!(code, 3);
    assert!(err.contains("host-calls"), "{err}");
}

#[test]
fn call_applies_the_policy() {
    let dir = scratch("call-policy");
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, "deadline = \"100ms\"\n").unwrap();
    let started = std::time::Instant::now();
    let (code, _, err) = airlock(
        &[
            "call",
            s(&plugin("test_roundtrip")),
            "spin",
            "--policy",
            s(&policy),
        ],
        &dir,
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("timed out"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));

    std::fs::write(&policy, "deadline = \"soon\"\n").unwrap();
    let (code, _, err) = airlock(
        &[
            "call",
            s(&plugin("test_roundtrip")),
            "noop",
            "--policy",
            s(&policy),
        ],
        &dir,
    );
    assert_eq!(code, 2);
    assert!(err.contains("invalid policy"), "{err}");
}

#[test]
fn compile_fills_the_cache_once() {
    let dir = scratch("compile");
    let cache = dir.join("cache");
    let (invert, grid) = (plugin("invert"), plugin("grid"));
    let args = ["compile", s(&invert), s(&grid), "--cache", s(&cache)];
    let (code, out, err) = airlock(&args, &dir);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 compiled, 0 already cached"), "{out}");
    let entries = std::fs::read_dir(&cache)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "artifact")
        })
        .count();
    assert_eq!(entries, 2);
    let (code, out, _) = airlock(&args, &dir);
    assert_eq!(code, 0);
    assert!(out.contains("0 compiled, 2 already cached"), "{out}");
    let (code, _, err) = airlock(&["compile", "--no-cache", s(&invert)], &dir);
    assert_eq!(code, 2, "compile needs a cache");
    assert!(err.contains("it cannot run with --no-cache"), "{err}");
    // Compiling needs no grants, though running svg-export needs a folder.
    let (code, out, err) = airlock(
        &["compile", s(&plugin("svg_export")), "--cache", s(&cache)],
        &dir,
    );
    assert_eq!(code, 0, "{out}{err}");
    // Calling it does: its manifest (beside it) is reviewed, and the refusal
    // is a denial (exit 3) naming what to grant.
    let (code, _, err) = airlock(
        &[
            "call",
            s(&plugin("svg_export")),
            "describe",
            "--cache",
            s(&cache),
        ],
        &dir,
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("was denied write access to /out"), "{err}");
}

/// A component restamped, with a manifest beside it, whose every text field
/// tries to take over the terminal: what the CLI prints carries none of it.
#[test]
fn plugin_text_reaches_the_terminal_escaped() {
    let dir = scratch("hostile-text");
    let stamp = "airlock:test/roundtrip@0.1.0\x1b]52;c;cm0gLXJmIH4=\x07";
    let component = std::fs::read(plugin("test_roundtrip")).unwrap();
    let path = dir.join("evil.wasm");
    std::fs::write(&path, airlock_testkit::restamped(&component, stamp)).unwrap();
    std::fs::write(
        dir.join("evil.toml"),
        "name = \"evil\\u001b[2J\"\nversion = \"1.0.0\"\n\
         world = \"airlock:test/roundtrip@0.1.0\"\n\
         description = \"abc\\u202efdp.exe\\r\\nINFO airlock: forged\"\n\
         [[capability]]\nkind = \"env\"\nname = \"X\\u001b]8;;https://evil.invalid\\u0007\"\n\
         reason = \"needs it\\u009b31m\"\n",
    )
    .unwrap();
    let roundtrip_wit = repo("host/testkit/wit");
    let airlock_wit = repo("wit/airlock");
    let runs: [&[&str]; 3] = [
        &["inspect", s(&path)],
        &[
            "check",
            s(&path),
            "--wit",
            s(&airlock_wit),
            "--wit",
            s(&roundtrip_wit),
            "--world",
            "roundtrip",
        ],
        &[
            "call",
            s(&path),
            "airlock:test/values@0.1.0#echo-string",
            "\"\\u{1b}[31mred\\u{202e}\"",
        ],
    ];
    for args in runs {
        let (code, out, err) = airlock(args, &dir);
        let both = format!("{out}{err}");
        for raw in ['\x1b', '\x07', '\r', '\u{9b}', '\u{202e}'] {
            assert!(
                !both.contains(raw),
                "{args:?} printed {raw:?} raw:\n{both:?}"
            );
        }
        assert!(
            both.lines().all(|l| !l.starts_with("INFO airlock: forged")),
            "{args:?} let a line be forged:\n{both}"
        );
        match args[0] {
            "inspect" => {
                assert_eq!(code, 0, "{both}");
                for shown in [
                    "world      airlock:test/roundtrip@0.1.0\\x1b]52;c;cm0gLXJmIH4=\\x07",
                    "manifest   evil\\x1b[2J 1.0.0",
                    "abc\\u{202e}fdp.exe\\r\n  | INFO airlock: forged",
                    "environment variable X\\x1b]8;;https://evil.invalid\\x07",
                    "needs it\\u{9b}31m",
                ] {
                    assert!(out.contains(shown), "`{shown}` missing:\n{out}");
                }
            }
            // Refused for the stamp, whose text is quoted escaped.
            "check" => assert!(both.contains("\\x1b]52;c;"), "{both}"),
            // Refused likewise, before a runner starts.
            _ => assert_ne!(code, 0, "{both}"),
        }
    }
    // The same call on the unstamped component returns the string, escaped.
    let plain = dir.join("plain.wasm");
    std::fs::copy(plugin("test_roundtrip"), &plain).unwrap();
    let (code, out, err) = airlock(
        &[
            "call",
            s(&plain),
            "airlock:test/values@0.1.0#echo-string",
            "\"\\u{1b}[31mred\\u{202e}\"",
        ],
        &dir,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !out.contains('\x1b') && !out.contains('\u{202e}'),
        "{out:?}"
    );
    assert!(out.contains("red"), "{out}");
}

/// Attack (issue 12, point 1): a component whose import name carries terminal
/// controls and a forged line. The validator's error quotes the name as it
/// is, and `inspect`/`check` print that error chain raw.
#[test]
fn attack_an_invalid_import_name_reaches_the_terminal_escaped() {
    let dir = scratch("attack-import-name");
    let name: &[u8] = b"x\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\rok\n2026 ERROR airlock: forged";
    // A component with one import, `(type (sub resource))`, under that name.
    let mut import = vec![1, 0x00, name.len() as u8];
    import.extend_from_slice(name);
    import.extend_from_slice(&[0x03, 0x01]);
    let mut bytes = b"\0asm\x0d\x00\x01\x00".to_vec();
    bytes.extend_from_slice(&[0x0a, import.len() as u8]);
    bytes.extend_from_slice(&import);
    let path = dir.join("evil.wasm");
    std::fs::write(&path, bytes).unwrap();
    let roundtrip_wit = repo("host/testkit/wit");
    let airlock_wit = repo("wit/airlock");
    let runs: [&[&str]; 2] = [
        &["inspect", s(&path)],
        &[
            "check",
            s(&path),
            "--wit",
            s(&airlock_wit),
            "--wit",
            s(&roundtrip_wit),
            "--world",
            "roundtrip",
        ],
    ];
    for args in runs {
        let (code, out, err) = airlock(args, &dir);
        let both = format!("{out}{err}");
        assert_eq!(code, 2, "{args:?}: {both}");
        for raw in ['\x1b', '\x07', '\r'] {
            assert!(
                !both.contains(raw),
                "{args:?} printed {raw:?} raw:\n{both:?}"
            );
        }
        assert!(
            both.lines()
                .all(|l| !l.starts_with("2026 ERROR airlock: forged")),
            "{args:?} let a line be forged:\n{both}"
        );
    }
}
