//! Writes the seed corpora under `host/fuzz/corpus/` from real values:
//! frames the runner sends, the project's own policy and manifest files,
//! the stamp and manifest sections of a built plugin, the WAVE values of the
//! CLI's tests and encoded results and import arguments of the roundtrip
//! world. Run by hand when a format changes, after `cargo xtask build-plugins`:
//!
//! ```text
//! cargo run --release -p airlock-fuzz --example seeds
//! ```

use std::path::{Path, PathBuf};

use airlock::{Policy, SandboxLayers};
use airlock_protocol::{
    CallCost, CallFailure, FrameWriter, FromRunner, InitFailure, LogLevel, OutputStream,
};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut seeds: Vec<(&str, String, Vec<u8>)> = Vec::new();
    let mut add = |target: &'static str, name: &str, data: Vec<u8>| {
        seeds.push((target, name.to_string(), data));
    };

    // frames: a control byte, then frames as a runner writes them.
    let stream = runner_frames();
    add(
        "frames",
        "session-at-once",
        [&[0x02u8][..], &stream].concat(),
    );
    add(
        "frames",
        "session-byte-by-byte",
        [&[0x06u8][..], &stream].concat(),
    );
    add(
        "frames",
        "session-in-threes-taken",
        [&[0x8eu8][..], &stream].concat(),
    );
    add(
        "frames",
        "startup-cap",
        [&[0x03u8][..], &stream[..64]].concat(),
    );
    add("frames", "tiny-cap", [&[0x00u8][..], &stream].concat());

    // ring: control, written, read, payload length, then the runner's bytes.
    let ring = |control: u8, written: u32, read: u32, payload: u16, bytes: &[u8]| {
        let mut out = vec![control];
        out.extend_from_slice(&written.to_le_bytes());
        out.extend_from_slice(&read.to_le_bytes());
        out.extend_from_slice(&payload.to_le_bytes());
        out.extend_from_slice(bytes);
        out
    };
    let ring_len = airlock_protocol::ring::RING_LEN;
    add("ring", "session", ring(0, 0, 0, 16, &stream));
    add("ring", "written-short", ring(1, 40, 0, 0, &stream));
    add("ring", "cut-frame-waits", ring(3, 40, 0, 0, &stream));
    add(
        "ring",
        "written-beyond-ring",
        ring(1, ring_len + 1, 0, 8, &stream),
    );
    add(
        "ring",
        "zeros-after-bytes",
        ring(1, 4096, 0, 8, &stream[..30]),
    );
    add(
        "ring",
        "host-ring-full",
        ring(4, 0, 0u32.wrapping_sub(ring_len), 64, &stream),
    );
    add(
        "ring",
        "host-ring-nearly-full",
        ring(0, 0, 0u32.wrapping_sub(ring_len - 20), 64, &stream),
    );
    add(
        "ring",
        "read-beyond-ring",
        ring(0, 0, 0u32.wrapping_sub(ring_len + 1), 64, &stream),
    );

    // policy_toml: the documented example, the CLI tests' policies, the defaults.
    let policy_doc = toml_block(&root.join("host/src/policy.rs"));
    add("policy_toml", "documented-example", policy_doc.into_bytes());
    add(
        "policy_toml",
        "defaults",
        Policy::default().to_toml().into_bytes(),
    );
    add(
        "policy_toml",
        "deadline",
        b"deadline = \"100ms\"\n".to_vec(),
    );
    add(
        "policy_toml",
        "preopen",
        b"[[preopen]]\nhost = \"/tmp\"\nguest = \"/out\"\nwritable = true\n".to_vec(),
    );
    add("policy_toml", "empty", Vec::new());

    // manifest_toml: every example plugin's airlock.toml and the documented one.
    for plugin in [
        "blur",
        "grayscale",
        "grid",
        "grid-v0-1",
        "invert",
        "layers-v0-1",
        "svg-export",
    ] {
        let path = root
            .join("examples/plugins")
            .join(plugin)
            .join("airlock.toml");
        add("manifest_toml", plugin, read(&path));
    }
    let manifest_doc = toml_block(&root.join("host/src/manifest.rs"));
    add(
        "manifest_toml",
        "documented-example",
        manifest_doc.into_bytes(),
    );
    // The malformed manifests `host/src/manifest.rs` tests, each one rule broken.
    let head = "name = \"x\"\nversion = \"1.0.0\"\nworld = \"a:b/c@1.0.0\"\n";
    for (name, text) in [
        (
            "bad-version",
            "name = \"x\"\nversion = \"1\"\nworld = \"a:b/c@1.0.0\"".to_string(),
        ),
        (
            "world-without-version",
            "name = \"x\"\nversion = \"1.0.0\"\nworld = \"a:b/c\"".to_string(),
        ),
        ("unknown-field", format!("{head}surprise = 1")),
        (
            "relative-path",
            format!(
                "{head}[[capability]]\nkind = \"directory\"\npath = \"out\"\naccess = \"read\"\nreason = \"r\""
            ),
        ),
        (
            "blank-reason",
            format!("{head}[[capability]]\nkind = \"env\"\nname = \"HOME\"\nreason = \" \""),
        ),
        (
            "unknown-kind",
            format!("{head}[[capability]]\nkind = \"teleport\"\nreason = \"r\""),
        ),
    ] {
        add("manifest_toml", name, text.into_bytes());
    }

    // sections: the stamp and manifest a built plugin carries, as the guest
    // SDK places them (inside the core module) and as a re-stamp does.
    let plugin = airlock_testkit::guest_path("svg_export");
    let real = airlock_runner::stamp::sections(&read(&plugin));
    let stamp = real.stamp.expect("svg_export is stamped");
    let manifest = real.manifest.expect("svg_export embeds its manifest");
    let stamp_record = [stamp.as_bytes(), b"\0"].concat();
    let manifest_record = [&manifest[..], b"\0"].concat();
    let core = module(&[
        custom("airlock:world", &stamp_record),
        custom("airlock:manifest", &manifest_record),
    ]);
    add("sections", "as-the-sdk-writes", component(&[nested(&core)]));
    add(
        "sections",
        "restamped",
        component(&[custom("airlock:world", stamp.as_bytes()), nested(&core)]),
    );
    add(
        "sections",
        "two-crates-stamped",
        component(&[custom(
            "airlock:world",
            &[&stamp_record[..], &stamp_record].concat(),
        )]),
    );
    add(
        "sections",
        "manifest-not-utf8",
        component(&[custom("airlock:manifest", b"name = \"\xff\"\0")]),
    );
    add("sections", "core-module", core);

    // wave: the values `airlock call` is tested with, one seed per export kind.
    for (name, export, args) in [
        ("add", "add", &["40", "2"][..]),
        ("add-negative", "add", &["-7", "2"]),
        (
            "tuple",
            "airlock:test/values@0.1.0#echo-tuple",
            &[r#"(-7, 'ß', some("x"))"#],
        ),
        (
            "shape",
            "airlock:test/values@0.1.0#echo-shape",
            &[r#"nested([some(ok(1)), some(err("no")), none])"#],
        ),
        (
            "perms",
            "airlock:test/values@0.1.0#echo-perms",
            &["{read, ninth}"],
        ),
        ("mood", "airlock:test/values@0.1.0#echo-mood", &["sad"]),
        (
            "bytes",
            "airlock:test/values@0.1.0#echo-bytes",
            &["[0, 1, 255]"],
        ),
        (
            "string",
            "airlock:test/values@0.1.0#echo-string",
            &[r#""a\u{7f}\n\"b""#],
        ),
        (
            "everything",
            "airlock:test/values@0.1.0#echo-everything",
            &[EVERYTHING],
        ),
        ("wait", "wait-for-cancel", &["18446744073709551615"]),
    ] {
        add("wave", name, airlock_fuzz::wave::input(export, args));
    }

    for (name, data) in airlock_fuzz::roundtrip::result_seeds() {
        add("roundtrip_results", &name, data);
    }
    for (name, data) in airlock_fuzz::roundtrip::import_seeds() {
        add("roundtrip_imports", &name, data);
    }

    for (target, name, data) in seeds {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).expect("the corpus directory can be made");
        std::fs::write(dir.join(&name), data).expect("a seed can be written");
        println!("{target}/{name}");
    }
}

/// A record of every field of `everything`, in WAVE.
const EVERYTHING: &str = r#"{scalars: {flag: true, u8v: 255, u16v: 65535, u32v: 7, u64v: 18446744073709551615, s8v: -128, s16v: -2, s32v: -3, s64v: -9223372036854775808, f32v: 1.5, f64v: nan, ch: '🦀'}, text: "héllo", bytes: [1, 2], maybe-bytes: none, words: ["a", ""], pair: (1, "x", -0.0), mood: happy, perms: {write, exec}, wide: {b0, b31}, shapes: [nothing, count(3), label("l")], outcome: err("e"), unit-result: ok, maybe: some(none), grid: [[1, -1], []]}"#;

/// One session's frames from a runner: ready, a log line, output, progress,
/// an import call, a result, a trap and a refused start.
fn runner_frames() -> Vec<u8> {
    let mut wire = Vec::new();
    let mut writer = FrameWriter::new();
    let layers = SandboxLayers {
        seccomp: true,
        landlock_abi: 4,
        no_new_privs: true,
        notes: vec!["cgroup: no delegated tree".into()],
        ..SandboxLayers::default()
    };
    let frames: Vec<(FromRunner, Vec<u8>)> = vec![
        (
            FromRunner::Ready {
                world_hash: airlock_testkit::roundtrip::WORLD_HASH,
                layers,
                rings: true,
                mapped: false,
                marks: Default::default(),
            },
            Vec::new(),
        ),
        (
            FromRunner::Log {
                level: LogLevel::Warn,
                message: "low on ink".into(),
            },
            Vec::new(),
        ),
        (
            FromRunner::Output {
                stream: OutputStream::Stderr,
                dropped: 3,
            },
            b"hello\n".to_vec(),
        ),
        (
            FromRunner::Progress {
                fraction: 0.5,
                message: "half".into(),
            },
            Vec::new(),
        ),
        (FromRunner::ImportCall { seq: 1, func: 0 }, vec![21]),
        (
            FromRunner::Return {
                seq: 1,
                outcome: Ok(()),
                cost: CallCost {
                    memory_bytes: 1 << 20,
                    fuel_used: 0,
                },
            },
            vec![42],
        ),
        (
            FromRunner::Return {
                seq: 2,
                outcome: Err(CallFailure::Trap {
                    message: "unreachable".into(),
                    backtrace: Some("0: guest::run".into()),
                    frames: Vec::new(),
                }),
                cost: CallCost::default(),
            },
            Vec::new(),
        ),
        (FromRunner::CancelQuery, Vec::new()),
        (FromRunner::Pong { nonce: 9 }, Vec::new()),
        (
            FromRunner::InitFailed(InitFailure::UnknownWorld {
                world: "a:b/c@1.0.0".into(),
                known: vec!["airlock:test/roundtrip@0.1.0".into()],
            }),
            Vec::new(),
        ),
    ];
    for (message, payload) in &frames {
        writer
            .write(&mut wire, message, payload)
            .expect("a frame encodes");
    }
    wire
}

/// The first ```toml block of a file's `//!` documentation.
fn toml_block(path: &Path) -> String {
    let text = String::from_utf8(read(path)).expect("source is UTF-8");
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines().filter_map(|l| l.strip_prefix("//!")) {
        let line = line.strip_prefix(' ').unwrap_or(line);
        match (inside, line.trim()) {
            (false, "```toml") => inside = true,
            (true, "```") => return out,
            (true, _) => {
                out.push_str(line);
                out.push('\n');
            }
            _ => {}
        }
    }
    panic!("{} documents no TOML", path.display())
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", PathBuf::from(path).display()))
}

fn leb(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn section(id: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![id];
    leb(body.len(), &mut out);
    out.extend_from_slice(body);
    out
}

fn custom(name: &str, payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    leb(name.len(), &mut body);
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(payload);
    section(0, &body)
}

/// A core module section (id 1) of a component.
fn nested(module: &[u8]) -> Vec<u8> {
    section(1, module)
}

fn module(sections: &[Vec<u8>]) -> Vec<u8> {
    [b"\0asm\x01\0\0\0".to_vec(), sections.concat()].concat()
}

fn component(sections: &[Vec<u8>]) -> Vec<u8> {
    [b"\0asm\x0d\0\x01\0".to_vec(), sections.concat()].concat()
}
