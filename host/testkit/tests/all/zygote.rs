//! Runners forked from the zygote against exec'd ones, through real
//! processes: the same layers, the host as their parent, one shared empty
//! network namespace and every other namespace their own, a runner that
//! outlives the thread that first asked for one, a start's time line, runners that draw their
//! own random bytes, a zygote that comes back after it was killed, the exec
//! path when the program is no zygote, and spawn failures that name the
//! limit they hit.

use std::time::{Duration, Instant};

use airlock::{Error, Launcher, PluginConfig};
use airlock_testkit::battery::PingHost;
use airlock_testkit::roundtrip::Roundtrip;

use airlock_runner::spare::SPARE_NAME;

use crate::support::{fake_runner, linux_runner, roundtrip_config, test_runner};

pub(crate) fn config() -> PluginConfig {
    roundtrip_config().deadline(Duration::from_secs(20))
}

pub(crate) fn start(launcher: &Launcher) -> Roundtrip {
    let mut plugin = Roundtrip::start(launcher, config()).expect("start roundtrip");
    plugin.noop(&mut PingHost::default()).expect("a first call");
    plugin
}

/// The first word of a process's command line: `airlock-zygote` in a
/// forked runner (it inherits the zygote's), `airlock-runner: …` in an
/// exec'd one.
pub(crate) fn argv0(pid: u32) -> String {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let first = cmdline.split(|b| *b == 0).next().unwrap_or_default();
    String::from_utf8_lossy(first).into_owned()
}

pub(crate) fn parent_of(pid: u32) -> u32 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    airlock_testkit::battery::proc_field(&status, "PPid")
        .and_then(|v| v.trim().parse().ok())
        .expect("PPid")
}

/// This process's children (each thread's: a runner's parent is the thread
/// that started its zygote).
pub(crate) fn children() -> Vec<u32> {
    let mut pids = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let children =
            std::fs::read_to_string(task.unwrap().path().join("children")).unwrap_or_default();
        pids.extend(
            children
                .split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok()),
        );
    }
    pids
}

/// Sends `signal` to process `pid`.
pub(crate) fn signal(pid: u32, signal: rustix::process::Signal) {
    rustix::process::kill_process(rustix::process::Pid::from_raw(pid as i32).unwrap(), signal)
        .unwrap();
}

/// This process's children that are zygotes.
pub(crate) fn zygotes() -> Vec<u32> {
    children()
        .into_iter()
        .filter(|p| argv0(*p) == "airlock-zygote")
        .filter(|p| {
            // A zygote's own command line names the zygote argument.
            std::fs::read(format!("/proc/{p}/cmdline"))
                .is_ok_and(|c| c.windows(16).any(|w| w == b"__airlock-zygote"))
                && parent_of(*p) == std::process::id()
                && !std::fs::read_to_string(format!("/proc/{p}/comm"))
                    .is_ok_and(|c| c.starts_with("roundtrip") || c.trim() == SPARE_NAME)
        })
        .collect()
}

/// A process's descriptors and what each is.
pub(crate) fn descriptors(pid: u32) -> Vec<(u32, String)> {
    let mut fds: Vec<(u32, String)> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let fd = e.file_name().to_string_lossy().parse().unwrap();
            let what = std::fs::read_link(e.path()).unwrap_or_default();
            (fd, what.to_string_lossy().into_owned())
        })
        .collect();
    fds.sort();
    fds
}

/// What a descriptor is, without the inode that differs between processes.
pub(crate) fn kind(what: &str) -> &str {
    what.split(['[', ':']).next().unwrap_or(what)
}

#[test]
fn forked_runners_are_the_hosts_children_with_every_layer_an_execd_one_has() {
    let forked_launcher = linux_runner();
    let execd_launcher = linux_runner().without_zygote();
    let forked = start(&forked_launcher);
    let execd = start(&execd_launcher);
    assert!(forked_launcher.uses_zygote());
    assert!(!execd_launcher.uses_zygote());
    let (forked_pid, execd_pid) = (
        forked.plugin().pid().unwrap(),
        execd.plugin().pid().unwrap(),
    );
    assert_eq!(argv0(forked_pid), "airlock-zygote");
    assert!(argv0(execd_pid).starts_with("airlock-runner: "));
    assert_eq!(parent_of(forked_pid), std::process::id());
    assert_eq!(parent_of(execd_pid), std::process::id());
    let comm = std::fs::read_to_string(format!("/proc/{forked_pid}/comm")).unwrap();
    assert_eq!(comm.trim(), "roundtrip");
    let layers = |p: &Roundtrip| {
        let mut l = p.plugin().sandbox_layers().expect("layers").clone();
        l.notes.clear();
        format!("{l:?}")
    };
    assert_eq!(layers(&forked), layers(&execd));
    // The zygote's control socket and descriptors are not inherited: a forked
    // runner holds no descriptor an exec'd one does not.
    let (forked_fds, execd_fds) = (descriptors(forked_pid), descriptors(execd_pid));
    let mut spare: Vec<&str> = execd_fds.iter().map(|(_, w)| kind(w)).collect();
    for (fd, what) in &forked_fds {
        let Some(i) = spare.iter().position(|k| *k == kind(what)) else {
            panic!(
                "descriptor {fd} ({what}) of a forked runner {forked_fds:?}; an exec'd one has {execd_fds:?}"
            );
        };
        spare.remove(i);
    }
}

#[test]
fn a_start_reports_where_its_time_went_forked_and_execd() {
    for launcher in [linux_runner(), linux_runner().without_zygote()] {
        let started = std::time::Instant::now();
        let plugin = Roundtrip::start(&launcher, config()).expect("start roundtrip");
        let elapsed = started.elapsed();
        let timeline = plugin.plugin().startup().expect("a timeline").clone();
        assert!(timeline.has_runner_marks(), "{timeline:?}");
        let names: Vec<&str> = timeline.points().iter().map(|(n, _)| *n).collect();
        let runner: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| n.starts_with("runner:"))
            .collect();
        assert_eq!(
            runner,
            [
                "runner: began",
                "runner: hello read",
                "runner: namespaces entered",
                "runner: wasi built",
                "runner: landlock on",
                "runner: engine made",
                "runner: code loaded",
                "runner: instantiated",
                "runner: tokio threads started",
                "runner: locked down",
            ],
            "every step of a locked-down start, in order"
        );
        let at = |name: &str| names.iter().position(|n| *n == name).unwrap();
        assert!(at("host: hello sent") < at("runner: hello read"));
        assert!(at("runner: locked down") < at("host: ready read"));
        assert_eq!(*names.last().unwrap(), "host: layers verified");
        assert!(timeline.total() <= elapsed, "{timeline:?} in {elapsed:?}");
        let steps: Duration = timeline.steps().iter().map(|(_, d)| *d).sum();
        assert_eq!(steps, timeline.total());
    }
}

/// The namespace of kind `ns` (`net`, `user`, …) a process is in.
pub(crate) fn namespace(pid: impl std::fmt::Display, ns: &str) -> String {
    std::fs::read_link(format!("/proc/{pid}/ns/{ns}"))
        .unwrap_or_else(|e| panic!("/proc/{pid}/ns/{ns}: {e}"))
        .display()
        .to_string()
}

#[test]
fn forked_runners_share_one_empty_network_namespace_and_no_other() {
    let launcher = linux_runner();
    let (a, b) = (start(&launcher), start(&launcher));
    let (a_pid, b_pid) = (a.plugin().pid().unwrap(), b.plugin().pid().unwrap());
    let host_net = namespace("self", "net");
    assert_eq!(namespace(a_pid, "net"), namespace(b_pid, "net"));
    assert_ne!(namespace(a_pid, "net"), host_net);
    // Every other namespace is the runner's own.
    for ns in ["user", "mnt", "ipc", "uts"] {
        assert_ne!(namespace(a_pid, ns), namespace(b_pid, ns), "{ns}");
        assert_ne!(namespace(a_pid, ns), namespace("self", ns), "{ns}");
    }
    let layers = a.plugin().sandbox_layers().unwrap();
    assert!(layers.network_namespace);
    assert!(
        layers
            .notes
            .iter()
            .any(|n| n.contains("this zygote's runners share")),
        "{:?}",
        layers.notes
    );
    // An exec'd runner makes its own; one granted an address stays in the host's.
    let execd = start(&linux_runner().without_zygote());
    assert_ne!(
        namespace(execd.plugin().pid().unwrap(), "net"),
        namespace(a_pid, "net")
    );
    let granted = Roundtrip::start(
        &launcher,
        config().policy(airlock::Policy::default().allow_connect("127.0.0.1:9")),
    )
    .expect("start with a network grant");
    let granted_pid = granted.plugin().pid().unwrap();
    assert_eq!(namespace(granted_pid, "net"), host_net);
    assert!(!granted.plugin().sandbox_layers().unwrap().network_namespace);
    assert_ne!(namespace(granted_pid, "user"), namespace(a_pid, "user"));
}

#[test]
fn a_runner_outlives_the_thread_that_first_asked_for_one() {
    let launcher = linux_runner();
    let on_thread = launcher.clone();
    let mut plugin = std::thread::spawn(move || start(&on_thread))
        .join()
        .expect("the starting thread");
    assert!(launcher.uses_zygote());
    // A runner's parent-death signal follows the thread that started the
    // zygote: had that been the thread above, the runner would be gone.
    std::thread::sleep(Duration::from_millis(200));
    plugin
        .noop(&mut PingHost::default())
        .expect("a call after the thread ended");
    assert_eq!(argv0(plugin.plugin().pid().unwrap()), "airlock-zygote");
}

#[test]
fn runners_forked_from_one_zygote_draw_their_own_random_bytes() {
    let launcher = linux_runner();
    let config = || {
        PluginConfig::from_file(
            "random",
            airlock_testkit::guest_path("test_roundtrip_random"),
        )
        .expect("read test guest")
        .deadline(Duration::from_secs(20))
    };
    let mut host = PingHost::default();
    let mut draws = Vec::new();
    let mut alive = Vec::new();
    for _ in 0..3 {
        let mut plugin = Roundtrip::start(&launcher, config()).expect("start");
        let drawn = plugin
            .values()
            .echo_bytes(&mut host, &[0; 32])
            .expect("draw");
        assert_eq!(drawn.len(), 32);
        let pid = plugin.plugin().pid().unwrap();
        assert_eq!(argv0(pid), "airlock-zygote", "forked, not exec'd");
        draws.push(drawn);
        alive.push(plugin);
    }
    assert!(launcher.uses_zygote());
    // Shared seeds would give every child of the zygote the same stream
    // (wasmtime-wasi's generators come from `rand`'s thread RNG, which
    // does not reseed after a fork).
    assert_ne!(draws[0], draws[1]);
    assert_ne!(draws[1], draws[2]);
    assert_ne!(draws[0], draws[2]);
    assert!(draws.iter().all(|d| d.iter().any(|b| *b != 0)));
}

#[test]
fn a_killed_zygote_is_started_again() {
    let launcher = linux_runner();
    let first = start(&launcher);
    // Not in the middle of forking a spare (named like one while it does).
    launcher.warm_up();
    let before = zygotes();
    assert_eq!(before.len(), 1, "{before:?}");
    let spares = crate::spare::spares();
    assert_eq!(spares.len(), 1, "{spares:?}");
    signal(before[0], rustix::process::Signal::KILL);
    std::thread::sleep(Duration::from_millis(50));
    // The spare it forked before it died is the host's, and serves.
    let mut second = start(&launcher);
    assert_eq!(second.plugin().pid(), Some(spares[0]));
    // The next start finds the zygote gone and starts another.
    let third = start(&launcher);
    assert!(launcher.warm_up());
    let after = zygotes();
    assert_eq!(after.len(), 1, "{after:?}");
    assert_ne!(after, before);
    assert_eq!(argv0(second.plugin().pid().unwrap()), "airlock-zygote");
    assert_eq!(argv0(third.plugin().pid().unwrap()), "airlock-zygote");
    second.noop(&mut PingHost::default()).unwrap();
    drop(first);
}

#[test]
fn a_launcher_that_ends_kills_and_reaps_a_stopped_zygote() {
    let launcher = linux_runner();
    assert!(launcher.warm_up());
    let zygote = zygotes();
    assert_eq!(zygote.len(), 1, "{zygote:?}");
    let spare = crate::spare::spares();
    signal(zygote[0], rustix::process::Signal::STOP);
    // A stopped zygote cannot exit when hung up on: the launcher gives it
    // its moment, then kills it, and does not wait on it for ever.
    let dropping = Instant::now();
    drop(launcher);
    assert!(
        dropping.elapsed() < Duration::from_secs(2),
        "{:?}",
        dropping.elapsed()
    );
    for pid in zygote.iter().chain(&spare) {
        let gone = std::fs::metadata(format!("/proc/{pid}")).is_err();
        assert!(gone, "{pid} outlives the launcher that ended");
    }
}

#[test]
fn a_program_that_is_no_zygote_gets_its_runners_execd() {
    let launcher = fake_runner();
    // The fake runner's ordinary behaviour: Ready, then an answer.
    let config = PluginConfig::new("ready", b"not compiled by the fake runner".to_vec())
        .policy(airlock::Policy::default().require([]));
    let started = Roundtrip::start(&launcher, config);
    assert!(!launcher.uses_zygote());
    let plugin = started.expect("the fake runner, exec'd");
    assert!(argv0(plugin.plugin().pid().unwrap()).starts_with("airlock-runner: "));
}

/// Which limit the child process of [`spawn_failures_name_the_limit_they_hit`] sets.
const LIMIT_CHILD: &str = "AIRLOCK_TEST_LIMIT_CHILD";

#[test]
fn spawn_failures_name_the_limit_they_hit() {
    if let Some(limit) = std::env::var_os(LIMIT_CHILD) {
        return limit_child(limit.to_str().unwrap());
    }
    for (limit, named) in [("nofile", "RLIMIT_NOFILE"), ("nproc", "RLIMIT_NPROC")] {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "zygote::spawn_failures_name_the_limit_they_hit",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(LIMIT_CHILD, limit)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{limit}: {stdout}\n{stderr}");
        assert!(
            stdout.contains(&format!("limit named: {named}")),
            "{limit}: {stdout}\n{stderr}"
        );
    }
}

/// In a child process: lowers `limit`, starts plugins until one fails, and
/// prints the limit the failure names.
fn limit_child(limit: &str) {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let config = config();
    let launcher = test_runner();
    let mut alive = Vec::new();
    match limit {
        "nofile" => {
            // The zygote is up: the host's own descriptors run out.
            alive.push(start(&launcher));
            let open = std::fs::read_dir("/proc/self/fd").unwrap().count() as u64;
            let limit = Rlimit {
                current: Some(open + 8),
                maximum: rustix::process::getrlimit(Resource::Nofile).maximum,
            };
            setrlimit(Resource::Nofile, limit).unwrap();
        }
        _ => {
            // Nothing is started yet: the zygote cannot be, and no runner
            // can be exec'd either. Root ignores RLIMIT_NPROC; a user without capabilities, with
            // no process of its own but this one's threads, does not.
            let one = Rlimit {
                current: Some(1),
                maximum: Some(1),
            };
            setrlimit(Resource::Nproc, one).unwrap();
            // SAFETY: plain calls; glibc applies them to every thread.
            unsafe {
                assert_eq!(libc::setgid(65534), 0);
                assert_eq!(libc::setuid(65534), 0);
            }
        }
    }
    for _ in 0..64 {
        match Roundtrip::start(&launcher, config.clone()) {
            Ok(plugin) => alive.push(plugin),
            Err(error @ Error::Spawn { .. }) => {
                let text = error.to_string();
                for named in ["RLIMIT_NOFILE", "RLIMIT_NPROC"] {
                    if text.contains(named) {
                        println!("limit named: {named} ({text})");
                    }
                }
                return;
            }
            Err(other) => panic!("not a spawn failure: {other}"),
        }
    }
    panic!("{} plugins started under the limit", alive.len());
}
