//! The two backends through real runner processes: a runner started by
//! the POSIX backend (macOS's, selectable here) is an exec'd child of the
//! host, in the host's own namespaces, woken over its socket and locked
//! down by this system's own layers; `AIRLOCK_BACKEND` picks the backend,
//! a refused zygote and a chosen wake-up stay so whichever backend comes
//! after, and choosing the Linux backend again keeps the one zygote.

use airlock::{BACKEND_VAR, Backend, Launcher, Layer, RING_WAKE_VAR, Wake};
use airlock_testkit::battery::PingHost;

use crate::support::{TestHost, test_runner};
use crate::zygote::{argv0, namespace, parent_of, start};

#[test]
fn a_posix_runner_is_execd_in_the_hosts_namespaces_and_locked_down() {
    let launcher = test_runner().with_backend(Backend::Posix);
    assert_eq!(launcher.backend(), Backend::Posix);
    assert_eq!(launcher.ring_wake(), Wake::Socket);
    assert!(!launcher.uses_zygote());
    let mut plugin = start(&launcher);
    let pid = plugin.plugin().pid().unwrap();
    assert!(argv0(pid).starts_with("airlock-runner: "), "{}", argv0(pid));
    assert_eq!(parent_of(pid), std::process::id());
    for ns in ["user", "net", "ipc", "uts", "mnt"] {
        assert_eq!(namespace(pid, ns), namespace("self", ns), "{ns}");
    }
    let layers = plugin.plugin().sandbox_layers().unwrap().clone();
    let active = Layer::active(&layers);
    for layer in [
        Layer::Seccomp,
        Layer::Landlock,
        Layer::Rlimits,
        Layer::NoNewPrivs,
    ] {
        assert!(active.contains(&layer), "{layer} is off: {layers:?}");
    }
    assert!(
        !active.iter().any(|l| l.to_string().ends_with("-namespace")),
        "{active:?}"
    );
    let why = "namespaces: not entered (the posix backend has none)".to_string();
    assert!(layers.notes.contains(&why), "{:?}", layers.notes);
    // Calls cross the rings, each waking the parked runner over the socket.
    for i in 0..50 {
        plugin.noop(&mut PingHost::default()).expect("a call");
        assert_eq!(plugin.add(&mut TestHost::default(), i, 1).unwrap(), i + 1);
    }
}

#[test]
fn the_linux_backend_keeps_a_refused_zygote_refused_and_one_zygote_one() {
    let launcher = test_runner()
        .with_backend(Backend::Posix)
        .without_zygote()
        .with_backend(Backend::Linux);
    assert_eq!(launcher.backend(), Backend::Linux);
    assert_eq!(launcher.ring_wake(), Wake::Futex);
    assert!(!launcher.uses_zygote());
    let plugin = start(&launcher);
    let pid = plugin.plugin().pid().unwrap();
    assert!(argv0(pid).starts_with("airlock-runner: "), "{}", argv0(pid));
    assert_ne!(namespace(pid, "user"), namespace("self", "user"));
    // Without the refusal, the Linux backend forks from its zygote, and
    // choosing that backend again keeps the zygote it has: one template
    // process, not two.
    let linux = test_runner().with_backend(Backend::Linux);
    assert!(linux.uses_zygote());
    let first = start(&linux);
    let second = start(&linux.clone().with_backend(Backend::Linux));
    assert_eq!(
        crate::zygote::zygotes().len(),
        1,
        "one zygote for both starts"
    );
    drop((first, second, plugin));
}

#[test]
fn a_chosen_wake_up_outlives_a_later_backend() {
    for (wake, backend) in [
        (Wake::Socket, Backend::Linux),
        (Wake::Futex, Backend::Posix),
    ] {
        let launcher = test_runner().with_ring_wake(wake).with_backend(backend);
        assert_eq!((launcher.backend(), launcher.ring_wake()), (backend, wake));
    }
    // Unchosen, the wake-up is the backend's own.
    let launcher = Launcher::program(env!("CARGO_BIN_EXE_airlock-test-runner"));
    if std::env::var_os(RING_WAKE_VAR).is_none() {
        for backend in [Backend::Posix, Backend::Linux] {
            assert_eq!(
                launcher.clone().with_backend(backend).ring_wake(),
                backend.wake()
            );
        }
    }
}

#[test]
fn the_environment_variables_pick_the_backend_and_its_wake_ups() {
    let launcher = test_runner();
    let backend = match std::env::var(BACKEND_VAR) {
        Ok(name) => Backend::from_name(&name).expect("the variable names a backend"),
        Err(_) => Backend::NATIVE,
    };
    assert_eq!(launcher.backend(), backend);
    assert_eq!(launcher.uses_zygote(), backend == Backend::Linux);
    let wake = match std::env::var(RING_WAKE_VAR) {
        Ok(name) => Wake::from_name(&name).expect("the variable names a kind"),
        Err(_) => backend.wake(),
    };
    assert_eq!(launcher.ring_wake(), wake);
}
