//! The OS lock-down of a live runner, as the kernel reports it: what the
//! runner says about itself is checked against `/proc/<pid>/`.

use std::time::Duration;

use airlock::Layer;
use airlock_testkit::battery::{harmless_descriptor, proc_field};

use crate::support::{TestHost, start, test_runner};

fn proc_status(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc/<pid>/status")
}

fn field<'a>(status: &'a str, name: &str) -> &'a str {
    proc_field(status, name).unwrap_or_else(|| panic!("no {name} in status"))
}

#[test]
fn a_live_runner_is_locked_down() {
    let mut plugin = start();
    // A call first: the lock-down must hold while and after untrusted code runs.
    assert_eq!(plugin.add(&mut TestHost::default(), 2, 3).unwrap(), 5);
    let pid = plugin.plugin().pid().unwrap();
    let layers = plugin.plugin().sandbox_layers().unwrap().clone();
    let active = Layer::active(&layers);
    for required in [
        Layer::Seccomp,
        Layer::NoNewPrivs,
        Layer::NotDumpable,
        Layer::ParentDeathSignal,
        Layer::CapabilitiesDropped,
        Layer::Rlimits,
        Layer::Landlock,
    ] {
        assert!(active.contains(&required), "{required} is off: {layers:?}");
    }
    // Namespaces are the Linux backend's; on the POSIX one (as on macOS)
    // the runner has none, and says why.
    let namespaces = [
        Layer::UserNamespace,
        Layer::NetworkNamespace,
        Layer::IpcNamespace,
        Layer::UtsNamespace,
        Layer::MountNamespace,
    ];
    let backend = test_runner().backend();
    for layer in namespaces {
        assert_eq!(
            active.contains(&layer),
            backend.namespaces(),
            "{layer} on the {} backend: {layers:?}",
            backend.name()
        );
    }
    if !backend.namespaces() {
        let why = format!(
            "namespaces: not entered (the {} backend has none)",
            backend.name()
        );
        assert!(layers.notes.contains(&why), "{:?}", layers.notes);
    }

    let status = proc_status(pid);
    assert_eq!(field(&status, "Seccomp"), "2", "seccomp filter mode");
    assert_eq!(field(&status, "NoNewPrivs"), "1");
    assert_eq!(field(&status, "CapEff"), "0000000000000000");
    assert_eq!(field(&status, "CapPrm"), "0000000000000000");
    assert_eq!(field(&status, "CapBnd"), "0000000000000000");

    // An empty environment.
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    assert!(
        environ.is_empty(),
        "environment: {:?}",
        String::from_utf8_lossy(&environ)
    );

    // Open descriptors: stdio, the socket to the host, and the runtime's own
    // anonymous ones (epoll, eventfd, pipes, wasmtime's memfd memory images)
    // — no file or directory.
    let mut socket = false;
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd")).unwrap() {
        let entry = entry.unwrap();
        let fd: i32 = entry.file_name().to_str().unwrap().parse().unwrap();
        let target = std::fs::read_link(entry.path())
            .unwrap_or_else(|e| panic!("descriptor {fd} of the runner: {e}"));
        let target = target.to_string_lossy();
        match fd {
            0 => assert_eq!(target, "/dev/null"),
            1 => assert_eq!(target, "/dev/null"),
            3 => socket = target.starts_with("socket:"),
            _ => assert!(
                harmless_descriptor(&target),
                "descriptor {fd} of the runner is {target}"
            ),
        }
    }
    assert!(socket, "descriptor 3 is the socket to the host");

    // Limits: no core dumps.
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    assert!(core.split_whitespace().nth(4) == Some("0"), "{core}");

    // And the plugin still works.
    assert_eq!(plugin.add(&mut TestHost::default(), 20, 22).unwrap(), 42);
}

#[test]
fn the_hostile_battery_is_contained() {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_airlock-test-runner"));
    let battery = airlock_testkit::battery::Battery {
        test_runner: bin.to_path_buf(),
        fake_runner: env!("CARGO_BIN_EXE_airlock-fake-runner").into(),
        hostile_guest: airlock_testkit::guest_path("test_hostile"),
        roundtrip_guest: airlock_testkit::guest_path("test_roundtrip"),
        scratch: std::env::temp_dir().join(format!("airlock-battery-test-{}", std::process::id())),
    };
    let (outcomes, _) = battery.run();
    let _ = std::fs::remove_dir_all(&battery.scratch);
    let escaped: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.contained)
        .map(|o| format!("{}: {}", o.attack, o.detail))
        .collect();
    assert!(escaped.is_empty(), "not contained:\n{}", escaped.join("\n"));
    // Exactly the battery's entries: one that stops running (an early
    // return, a section not called) fails here, not silently.
    let names: Vec<&str> = outcomes.iter().map(|o| o.attack.as_str()).collect();
    assert_eq!(outcomes.len(), 94, "the battery ran {names:#?}");
    // Both kinds of hang are stopped, not waited out (`cargo xtask
    // sandbox-report` prints the exact times; this bound only leaves room for
    // a machine loaded by the other tests running beside this one).
    for attack in ["infinite loop", "sleep forever (blocking WASI poll)"] {
        let o = outcomes.iter().find(|o| o.attack == attack).unwrap();
        assert!(
            o.took < airlock_testkit::battery::DEADLINE + Duration::from_secs(3),
            "{attack} took {:?}",
            o.took
        );
    }
}
