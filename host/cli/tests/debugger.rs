//! A breakpoint in a plugin's own source, with the machine's gdb (Debian:
//! `apt-get install gdb`): `airlock call --debug` runs the plugin under the
//! debugging policy and waits; gdb attaches to the runner and stops at a
//! line of the guest's Rust source. Under the default policy the same gdb
//! cannot attach at all. gdb runs as an ordinary process of the test's
//! user: as root, without capabilities, for `CAP_SYS_PTRACE` would let it
//! attach to any process, dumpable or not.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Output, Stdio};

use airlock::{DynamicPlugin, Launcher, PluginConfig, Policy};
use airlock_testkit::guest_path;

/// The guest stopped in: built with debug information (its profile in
/// examples/plugins/Cargo.toml).
const SOURCE: &str = include_str!("../../../examples/plugins/test-deep-panic/src/lib.rs");

/// The 1-based line of the guest's source that holds `needle`.
fn line_of(needle: &str) -> usize {
    1 + SOURCE
        .lines()
        .position(|l| l.contains(needle))
        .expect(needle)
}

/// A breakpoint at the guest's panic, three calls deep.
fn breakpoint() -> String {
    format!(
        "break test-deep-panic/src/lib.rs:{}",
        line_of("panic!(\"three calls deep")
    )
}

/// gdb in batch mode, attached to `pid`, running `commands`; stdout and
/// stderr together.
fn gdb(pid: u32, commands: &[&str]) -> String {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let mut gdb = if root {
        // util-linux's setpriv: gdb starts with no capabilities at all.
        let mut setpriv = Command::new("setpriv");
        setpriv.args(["--inh-caps=-all", "--bounding-set=-all", "--", "gdb"]);
        setpriv
    } else {
        Command::new("gdb")
    };
    // The runner's mount namespace is a copy of ours: read its files here
    // (gdb's default, through the runner's namespace, needs privileges).
    gdb.args([
        "-nx",
        "-batch",
        "-iex",
        "set sysroot /",
        "-p",
        &pid.to_string(),
    ]);
    for command in commands {
        gdb.args(["-ex", command]);
    }
    let Output { stdout, stderr, .. } = gdb.output().unwrap_or_else(|e| {
        panic!("cannot run gdb ({e}); this test needs it on PATH (Debian: apt-get install gdb)")
    });
    String::from_utf8_lossy(&stdout).into_owned() + &String::from_utf8_lossy(&stderr)
}

/// The value of `field` in /proc/`pid`/status.
fn status(pid: u32, field: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

#[test]
fn gdb_stops_a_debugging_runner_at_a_line_of_the_guest_source() {
    let mut call = Command::new(env!("CARGO_BIN_EXE_airlock"))
        .args([
            "call",
            "--debug",
            "--no-cache",
            guest_path("test_deep_panic").to_str().unwrap(),
            "apply",
            "{width: 1, height: 1, pixels: [0, 0, 0, 0]}",
            "[{name: \"panic\", value: boolean(true)}]",
        ])
        .env_remove("AIRLOCK_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run airlock");
    let mut stderr = BufReader::new(call.stderr.take().expect("piped"));
    let mut told = String::new();
    // Its three lines: the process, how to attach, what to do next.
    while !told.contains("`continue`") {
        if stderr.read_line(&mut told).unwrap() == 0 {
            panic!("airlock ended without naming the runner:\n{told}");
        }
    }
    let pid: u32 = told
        .split("the runner, process ")
        .nth(1)
        .and_then(|rest| rest.split(',').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no process id in:\n{told}"));
    assert!(
        told.contains("gdb -iex 'set sysroot /' ") && told.contains(&format!("-p {pid}\n")),
        "{told}"
    );
    // Every layer but not-dumpable is on while it waits.
    assert_eq!(status(pid, "Seccomp"), "2");
    assert_eq!(status(pid, "NoNewPrivs"), "1");
    assert_eq!(status(pid, "CapEff"), "0000000000000000");
    for ns in ["user", "net", "mnt"] {
        let theirs = std::fs::read_link(format!("/proc/{pid}/ns/{ns}")).unwrap();
        let ours = std::fs::read_link(format!("/proc/self/ns/{ns}")).unwrap();
        assert_ne!(theirs, ours, "the runner shares our {ns} namespace");
    }

    // The call is sent once gdb is attached, and runs when gdb continues.
    let shown = gdb(
        pid,
        &[
            "handle SIGSEGV SIGILL SIGFPE SIGBUS nostop noprint pass",
            &breakpoint(),
            "continue",
            "bt",
        ],
    );
    let line = line_of("panic!(\"three calls deep");
    let stop = shown
        .lines()
        .find(|l| l.contains("Breakpoint 1, "))
        .unwrap_or_else(|| panic!("gdb did not stop at the breakpoint:\n{shown}"));
    assert!(
        stop.contains("test_deep_panic::third") && stop.contains(&format!("lib.rs:{line}")),
        "{stop}\n{shown}"
    );
    // The backtrace names the guest's function at that line, innermost first.
    let top = shown
        .lines()
        .find(|l| l.starts_with("#0 "))
        .unwrap_or_else(|| panic!("no backtrace:\n{shown}"));
    assert!(
        top.contains("test_deep_panic::third")
            && top.contains(&format!("test-deep-panic/src/lib.rs:{line}")),
        "{top}\n{shown}"
    );

    // gdb detached at the end of its batch; the call went on to its trap.
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let code = call.wait().unwrap().code();
    assert_eq!(code, Some(3), "{told}{rest}");
    assert!(rest.contains("three calls deep (width 2)"), "{rest}");
}

/// The defence: with the default policy the runner is not dumpable, and the
/// kernel refuses to let a process of the same user attach to it.
#[test]
fn gdb_cannot_attach_to_a_runner_under_the_default_policy() {
    let launcher = Launcher::program(env!("CARGO_BIN_EXE_airlock"));
    let config = PluginConfig::from_file("deep", guest_path("test_deep_panic"))
        .unwrap()
        .policy(Policy::default());
    let mut plugin = DynamicPlugin::start(&launcher, config).unwrap();
    let pid = plugin.plugin().pid().expect("a runner");
    let layers = plugin.plugin().sandbox_layers().expect("ready").clone();
    assert!(layers.not_dumpable && layers.seccomp, "{layers:?}");

    let shown = gdb(pid, &[&breakpoint(), "info threads"]);
    assert!(
        shown.contains("ptrace: Operation not permitted"),
        "gdb attached to a runner under the default policy:\n{shown}"
    );
    assert_eq!(status(pid, "TracerPid"), "0");
    // Refused, not harmed: the runner still answers.
    let describe = plugin.call("describe", &[]);
    assert!(
        matches!(&describe, Ok(Ok(out)) if out[0].contains("Deep panic")),
        "{describe:?}"
    );
}
