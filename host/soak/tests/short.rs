//! Short soak and chaos runs, as ordinary tests: the same binaries and the
//! same checks as `cargo xtask soak` and `cargo xtask chaos`, fewer calls;
//! and each check shown to fail when the host leaks or skips a rollback on
//! purpose.

use std::process::{Command, Output};

fn run(binary: &str, args: &[&str]) -> (Output, String) {
    let output = Command::new(binary)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("failed to run {binary}: {e}"));
    let shown = format!(
        "{binary} {}: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, shown)
}

fn soak(args: &[&str]) -> (Output, String) {
    run(env!("CARGO_BIN_EXE_airlock-soak"), args)
}

fn chaos(args: &[&str]) -> (Output, String) {
    run(env!("CARGO_BIN_EXE_airlock-chaos"), args)
}

/// The first line of `shown`'s stdout that starts with `prefix`.
fn line<'a>(shown: &'a str, prefix: &str) -> &'a str {
    shown
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line `{prefix}…` in\n{shown}"))
}

/// 20,000 calls, with a trap every 1,000 and a deadline every 5,000 so that
/// each kind comes in every window the growth is judged on.
#[test]
fn a_short_soak_stays_flat() {
    let (out, shown) = soak(&[
        "--calls",
        "20000",
        "--trap-every",
        "1000",
        "--deadline-every",
        "5000",
    ]);
    assert!(out.status.success(), "{shown}");
    let summary = line(&shown, "soak: 20000 calls, host RSS ");
    assert!(summary.ends_with(", flat"), "{shown}");
    assert!(
        line(&shown, "soak: 19 traps, 3 deadlines, ").contains("0 runner restarts"),
        "{shown}"
    );
}

#[test]
fn the_soak_fails_when_the_host_leaks_descriptors_memfds_or_memory() {
    for (leak, grew) in [
        ("fd", "host fds grew"),
        ("memfd", "host memfds grew"),
        ("memory", "host RSS grew"),
    ] {
        let (out, shown) = soak(&["--calls", "4000", "--plugins", "2", "--inject", leak]);
        assert!(!out.status.success(), "{shown}");
        assert!(
            line(&shown, "soak: 4000 calls").ends_with(", GREW"),
            "{shown}"
        );
        assert!(
            shown
                .lines()
                .any(|l| l.starts_with("soak: FAILED: ") && l.contains(grew)),
            "{shown}"
        );
    }
}

#[test]
fn a_short_chaos_session_corrupts_and_leaks_nothing() {
    let (out, shown) = chaos(&["--runs", "50"]);
    assert!(out.status.success(), "{shown}");
    assert!(line(&shown, "chaos: seed ").len() > "chaos: seed ".len());
    assert_eq!(
        line(&shown, "chaos: 50 runs"),
        "chaos: 50 runs, 0 corrupted, 0 leaked",
        "{shown}"
    );
    assert!(
        shown
            .lines()
            .any(|l| l.starts_with("chaos: ") && l.contains(" 0 other failures; ")),
        "{shown}"
    );
}

#[test]
fn the_chaos_run_notices_a_skipped_rollback() {
    // The grid tool only: a kill after its first `add-shape` leaves shapes
    // in the transaction, which the broken host commits. 100 runs, so that
    // on a loaded machine, where kills tend to land before the first edit,
    // some still land after it.
    let (out, shown) = chaos(&[
        "--runs",
        "100",
        "--seed",
        "12",
        "--plugin",
        "grid",
        "--inject",
        "skip-rollback",
    ]);
    assert!(!out.status.success(), "{shown}");
    let corrupted = line(&shown, "chaos: 100 runs, ");
    assert!(!corrupted.contains(" 0 corrupted"), "{shown}");
    assert!(
        line(&shown, "chaos: FAILED run ").contains("the document changed"),
        "{shown}"
    );
    assert!(
        shown.contains("replay: cargo xtask chaos --seed 12 --run "),
        "{shown}"
    );
}

#[test]
fn the_chaos_run_notices_a_leaked_descriptor() {
    let (out, shown) = chaos(&["--runs", "3", "--inject", "fd"]);
    assert!(!out.status.success(), "{shown}");
    assert!(
        line(&shown, "chaos: 3 runs, ").ends_with(", 3 leaked"),
        "{shown}"
    );
    assert!(
        line(&shown, "chaos: FAILED run ").contains("descriptors"),
        "{shown}"
    );
}

/// Saves only, signalled late in the call where the file is written: a
/// runner killed or frozen halfway through must not leave a partial file.
#[test]
fn exports_cut_short_leave_no_partial_file() {
    let (out, shown) = chaos(&["--runs", "60", "--plugin", "svg_export"]);
    assert!(out.status.success(), "{shown}");
    assert_eq!(
        line(&shown, "chaos: 60 runs"),
        "chaos: 60 runs, 0 corrupted, 0 leaked",
        "{shown}"
    );
}
