//! Record and replay end to end: the design host records a tool's failed
//! call into its recordings folder, and `airlock replay` runs that call
//! again with no host, on the same plugin and on an edited one.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use airlock_testkit::plugin_dir;

/// The `airlock` CLI, built beside this package's binary.
fn airlock() -> Command {
    let host = Path::new(env!("CARGO_BIN_EXE_airlock-example-design-host"));
    Command::new(host.with_file_name("airlock"))
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// Runs the design host on the recorded tool alone, told to fail; the
/// recording it wrote, and its stdout.
fn record_a_failed_call(base: &Path) -> (PathBuf, String) {
    let plugins = base.join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(
        plugin_dir().join("test_recorded_tool.wasm"),
        plugins.join("test_recorded_tool.wasm"),
    )
    .unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_airlock-example-design-host"))
        .arg("--plugins")
        .arg(&plugins)
        .arg("--out")
        .arg(base.join("out"))
        .arg("--no-cache")
        .args(["--tool-param", "fail=true"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run the design host");
    let stdout = text(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", text(&run.stderr));
    assert!(stdout.contains("FAILED test-recorded-tool"), "{stdout}");
    let recordings: Vec<PathBuf> = std::fs::read_dir(base.join("out/recordings"))
        .expect("a recordings folder")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(recordings.len(), 1, "{recordings:?}");
    assert!(
        stdout.contains("recorded test-recorded-tool: `airlock replay "),
        "{stdout}"
    );
    (recordings[0].clone(), stdout)
}

fn replay(recording: &Path, component: &str) -> Output {
    airlock()
        .arg("replay")
        .arg(recording)
        .arg("--component")
        .arg(plugin_dir().join(component))
        .arg("--no-cache")
        .output()
        .expect("run airlock replay")
}

/// The panic message carries the random token and both clocks the guest
/// read: the replay prints the same only if it handed them back.
#[test]
fn a_recorded_trap_replays_with_no_host_and_an_edit_diverges_at_its_import() {
    let base = std::env::temp_dir().join(format!("airlock-replay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let (recording, host_out) = record_a_failed_call(&base);
    let recorded_trap = host_out
        .lines()
        .find(|l| l.contains("FAILED test-recorded-tool"))
        .and_then(|l| l.split_once("gave up on"))
        .map(|(_, rest)| rest.to_string())
        .expect("the trap's message");
    assert!(recorded_trap.contains("token "), "{recorded_trap}");

    let same = replay(&recording, "test_recorded_tool.wasm");
    let stdout = text(&same.stdout);
    assert!(same.status.success(), "{stdout}\n{}", text(&same.stderr));
    assert!(
        stdout.contains("4 import calls, 3 clock readings, 8 random bytes"),
        "{stdout}"
    );
    assert!(stdout.contains("replayed 4 of 4 import calls"), "{stdout}");
    assert!(
        stdout.contains("reproduced: plugin `test-recorded-tool` trapped"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&recorded_trap),
        "{stdout}\nrecorded: {recorded_trap}"
    );
    assert!(!stdout.contains("note:"), "{stdout}");

    let edited = replay(&recording, "test_recorded_tool_edited.wasm");
    let (stdout, stderr) = (text(&edited.stdout), text(&edited.stderr));
    assert_eq!(edited.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("is not the component recorded"), "{stdout}");
    assert!(stdout.contains("replayed 2 of 4 import calls"), "{stdout}");
    assert!(stderr.contains("diverged at import call 3:"), "{stderr}");
    assert!(
        stderr
            .contains("recorded: airlock:design/document@0.2.0#[method]layer.info with arguments"),
        "{stderr}"
    );
    assert!(
        stderr.contains("replayed: airlock:design/document@0.2.0#[method]layer.shapes("),
        "{stderr}"
    );
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn a_file_that_is_no_recording_is_refused_by_name() {
    let base = std::env::temp_dir().join(format!("airlock-replay-bad-{}", std::process::id()));
    std::fs::create_dir_all(&base).unwrap();
    let bad = base.join("not-a-recording.airlock-rec");
    std::fs::write(&bad, b"\x89PNG\r\n").unwrap();
    let run = replay(&bad, "test_recorded_tool.wasm");
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is not an Airlock recording"), "{stderr}");
    let mut cut = b"airlock recording\n".to_vec();
    cut.extend_from_slice(&1u32.to_le_bytes());
    cut.extend_from_slice(&[0x05, b'a']);
    std::fs::write(&bad, cut).unwrap();
    let run = replay(&bad, "test_recorded_tool.wasm");
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("damaged recording"), "{stderr}");
    std::fs::remove_dir_all(&base).unwrap();
}
