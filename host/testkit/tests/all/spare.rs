//! Spare runners, through real processes: a launcher keeps one, forked
//! ahead of need (and before any start once warmed up), in its namespaces already and holding nothing but its
//! link; the next start without network grants becomes it; a start with a
//! grant is forked instead, and a runner made from a spare refuses one; a
//! spare killed while it waits is replaced, and one stopped while it waits
//! fails the start handed to it at its start-up timeout and is reaped; a
//! launcher that ends reaps its spare.

use std::time::{Duration, Instant};

use airlock_runner::spare::SPARE_NAME;
use airlock_testkit::roundtrip::Roundtrip;

use crate::support::linux_runner;
use crate::zygote::{
    argv0, children, config, descriptors, kind, namespace, parent_of, signal, start,
};

/// This process's children that are spares.
pub(crate) fn spares() -> Vec<u32> {
    children()
        .into_iter()
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == SPARE_NAME)
        })
        .collect()
}

/// The one spare of this process other than `not`, once it is there.
fn one_spare_besides(not: Option<u32>) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now: Vec<u32> = spares().into_iter().filter(|p| Some(*p) != not).collect();
        if now.len() == 1 {
            return now[0];
        }
        assert!(Instant::now() < deadline, "spares: {now:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Whether `pid` is gone and reaped (no zombie left behind).
fn reaped(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if std::fs::metadata(format!("/proc/{pid}")).is_err() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

#[test]
fn a_runner_made_from_a_spare_refuses_a_policy_that_grants_network() {
    // A spare entered the namespaces of a runner without network grants:
    // handed one with a grant (which the host never does), it must refuse
    // rather than serve in the shared empty network namespace. Refused
    // before any lock-down step, so this test process is left as it was.
    airlock_runner::spare::pretend_spare(airlock::SandboxLayers::default());
    let (host, runner) = std::os::unix::net::UnixStream::pair().unwrap();
    let served = std::thread::spawn(move || {
        airlock_runner::serve::serve_connection(
            Box::new(runner.try_clone().unwrap()),
            Box::new(runner),
            &[&airlock_testkit::roundtrip::RunnerGlue],
            &airlock_runner::serve::ServeOptions {
                lock_down: true,
                ..Default::default()
            },
        )
    });
    let mut hello = crate::in_memory::hello();
    hello.policy.network = vec!["127.0.0.1:9".parse().unwrap()];
    let mut host = host;
    airlock_protocol::FrameWriter::new()
        .write(
            &mut host,
            &airlock_protocol::ToRunner::Hello(hello),
            &crate::in_memory::component(),
        )
        .unwrap();
    // Hung up on: a runner that went on would end its loop, not wait.
    drop(host);
    match served.join().unwrap() {
        Err(airlock_runner::serve::ServeError::Protocol(why)) => {
            assert!(why.contains("network"), "{why}")
        }
        other => panic!("a spare served a network grant: {other:?}"),
    }
}

// One test: spares are counted across this process, so tests that each
// keep one would see each other's.
#[test]
fn a_launcher_keeps_one_spare_that_the_next_start_becomes() {
    let launcher = linux_runner();
    // Warmed up, a launcher has its zygote and a spare before any start,
    // and its first start is that spare.
    assert!(launcher.warm_up());
    assert_eq!(spares().len(), 1, "{:?}", spares());
    let warmed = spares()[0];
    let first = start(&launcher);
    assert_eq!(first.plugin().pid(), Some(warmed));
    // The next one, once the host has it.
    assert!(launcher.warm_up());
    let spare = one_spare_besides(None);
    assert_eq!(parent_of(spare), std::process::id());
    assert_eq!(argv0(spare), "airlock-zygote");
    // In its namespaces already: the shared network one, its own user one.
    let first_pid = first.plugin().pid().unwrap();
    assert_eq!(namespace(spare, "net"), namespace(first_pid, "net"));
    for ns in ["user", "mnt", "ipc", "uts"] {
        assert_ne!(namespace(spare, ns), namespace("self", ns), "{ns}");
        assert_ne!(namespace(spare, ns), namespace(first_pid, ns), "{ns}");
    }
    // Nothing of the zygote's (its control socket above all): the standard
    // streams and its link.
    let fds = descriptors(spare);
    let kinds: Vec<&str> = fds.iter().map(|(_, what)| kind(what)).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "socket").count(),
        1,
        "{fds:?}"
    );
    assert_eq!(fds.len(), 4, "{fds:?}");

    // The next start without a network grant is the spare.
    let second = start(&launcher);
    assert_eq!(second.plugin().pid(), Some(spare));
    let comm = std::fs::read_to_string(format!("/proc/{spare}/comm")).unwrap();
    assert_eq!(comm.trim(), "roundtrip");
    // The layers of a runner that entered its namespaces itself.
    let execd = start(&linux_runner().without_zygote());
    let layers = |p: &Roundtrip| {
        let mut l = p.plugin().sandbox_layers().expect("layers").clone();
        l.notes.clear();
        format!("{l:?}")
    };
    assert_eq!(layers(&second), layers(&execd));
    assert!(launcher.warm_up());
    let next = one_spare_besides(None);
    assert_ne!(next, spare);

    // A start with a network grant is forked, and leaves the spare waiting.
    let granted = Roundtrip::start(
        &launcher,
        config().policy(airlock::Policy::default().allow_connect("127.0.0.1:9")),
    )
    .expect("start with a network grant");
    assert_ne!(granted.plugin().pid(), Some(next));
    assert_eq!(
        namespace(granted.plugin().pid().unwrap(), "net"),
        namespace("self", "net")
    );
    assert_eq!(spares(), [next]);

    // A spare killed while it waits is reaped, and the start forks instead.
    signal(next, rustix::process::Signal::KILL);
    std::thread::sleep(Duration::from_millis(50));
    let third = start(&launcher);
    assert_ne!(third.plugin().pid(), Some(next));
    assert!(reaped(next), "the killed spare {next} is left unreaped");
    assert!(launcher.warm_up());
    let stopped = one_spare_besides(None);

    // A spare stopped from outside while it waits cannot answer: the start
    // handed to it fails at its start-up timeout, the stopped process is
    // killed and reaped, and the next start has a spare of its own.
    signal(stopped, rustix::process::Signal::STOP);
    let begun = Instant::now();
    let short = airlock::Policy::default().startup(Duration::from_millis(300));
    let refused = Roundtrip::start(&launcher, config().policy(short)).err();
    let refused = refused.expect("a stopped spare started a plugin");
    assert!(
        matches!(&refused, airlock::Error::Instantiate { detail, .. }
            if detail.to_string().contains("start-up took longer than 300ms")),
        "{refused}"
    );
    assert!(
        begun.elapsed() < Duration::from_secs(10),
        "{:?}",
        begun.elapsed()
    );
    assert!(
        reaped(stopped),
        "the stopped spare {stopped} is left behind"
    );
    let fourth = start(&launcher);
    assert_ne!(fourth.plugin().pid(), Some(stopped));
    assert!(launcher.warm_up());
    let last = one_spare_besides(None);

    // A launcher that ends hangs up on its spare and reaps it.
    drop((first, second, execd, granted, third, fourth, launcher));
    assert!(reaped(last), "the spare {last} outlives its launcher");
}
