//! The hostile battery: every attack the sandbox must contain, run against
//! real runner processes. Shared by the `sandbox` integration test (which
//! asserts that everything is contained) and `cargo xtask sandbox-report`
//! (which prints the table).

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use airlock::{Error, Launcher, Layer, PluginConfig, Policy, SandboxLayers};

use crate::bare::Bare;
use crate::hostile::{self, Hostile};
use crate::roundtrip::{self, Roundtrip};

mod artifact;
mod host_bounds;
mod host_surface;
mod startup;

/// What happened to one attack.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub attack: String,
    /// The layer that stopped it.
    pub layer: &'static str,
    pub contained: bool,
    /// What the host saw.
    pub detail: String,
    /// From the start of the attack until the host had its answer.
    pub took: Duration,
}

/// Paths of the runners and the compiled hostile guest.
#[derive(Debug, Clone)]
pub struct Battery {
    pub test_runner: PathBuf,
    pub fake_runner: PathBuf,
    pub hostile_guest: PathBuf,
    pub roundtrip_guest: PathBuf,
    /// A scratch directory the battery may create files in.
    pub scratch: PathBuf,
}

/// The deadline the time-bound attacks run under.
pub const DEADLINE: Duration = Duration::from_millis(200);
/// The memory cap the memory attacks run under.
pub const MEMORY_CAP: u64 = 64 << 20;

/// The host side of `hostile-host`: counts pings.
#[derive(Debug, Default)]
pub struct PingHost {
    pub pings: u64,
    pub tallies: crate::Tallies,
}

impl hostile::test::hostile_host::Host for PingHost {
    fn ping(&mut self, n: u32) -> u32 {
        self.pings += 1;
        n
    }
}

impl roundtrip::test::host_calls::Host for PingHost {
    fn double(&mut self, x: u32) -> u32 {
        x.wrapping_mul(2)
    }
    fn concat(&mut self, parts: Vec<String>) -> String {
        parts.concat()
    }
    fn bounce(&mut self, e: roundtrip::Everything) -> roundtrip::Everything {
        e
    }
    fn note(&mut self, _: String) {}

    crate::tally_methods!();
}

impl Battery {
    /// Everything, in order; also returns the layers a runner reported.
    pub fn run(&self) -> (Vec<Outcome>, SandboxLayers) {
        let mut out = Vec::new();
        self.wasm_attacks(&mut out);
        self.wat_attacks(&mut out);
        self.native_attacks(&mut out);
        let layers = self.proc_checks(&mut out);
        self.runner_attacks(&mut out);
        self.host_surface(&mut out);
        self.startup_attacks(&mut out);
        self.host_bounds(&mut out);
        self.artifact_attacks(&mut out);
        (out, layers)
    }

    fn launcher(&self) -> Launcher {
        Launcher::program(&self.test_runner)
    }

    /// The data directory (read-only preopen) and scratch (read-write).
    fn dirs(&self) -> (PathBuf, PathBuf) {
        let data = self.scratch.join("data");
        let rw = self.scratch.join("rw");
        for dir in [&data, &rw] {
            let _ = std::fs::remove_dir_all(dir);
            std::fs::create_dir_all(dir).expect("create battery directories");
        }
        std::fs::write(data.join("granted.txt"), "granted").expect("write battery file");
        std::fs::write(self.scratch.join("secret.txt"), "secret").expect("write battery file");
        (data, rw)
    }

    fn hostile(&self, policy: Policy) -> Result<Hostile, Error> {
        let config = PluginConfig::from_file("hostile", &self.hostile_guest)?.policy(policy);
        Hostile::start(&self.launcher(), config)
    }

    fn policy(&self) -> Policy {
        let (data, rw) = self.dirs();
        Policy::default()
            .deadline(DEADLINE)
            .memory(MEMORY_CAP)
            .max_frame(4 << 20)
            .log_volume(64 << 10)
            .output_rate(256 << 10)
            // Attacks that kill the runner are expected here: keep restarting.
            .restarts(1000, Duration::from_secs(300), Duration::ZERO)
            .preopen(data, "/data", false)
            .preopen(rw, "/rw", true)
    }

    fn wasm_attacks(&self, out: &mut Vec<Outcome>) {
        let mut host = PingHost::default();
        let mut plugin = match self.hostile(self.policy()) {
            Ok(p) => p,
            Err(e) => {
                out.push(Outcome {
                    attack: "start the hostile guest".into(),
                    layer: "-",
                    contained: false,
                    detail: e.to_string(),
                    took: Duration::ZERO,
                });
                return;
            }
        };
        let started_runners = plugin.plugin().runners_started();
        type Answer = Result<Result<String, String>, Error>;
        type Check = fn(&Answer) -> bool;
        type Attack<'a> = &'a dyn Fn(&mut Hostile, &mut PingHost) -> Answer;
        let refused: Check = |r| matches!(r, Ok(Err(_)));
        let timed_out: Check = |r| matches!(r, Err(Error::Timeout { .. }));
        let mut attempt = |attack: &str,
                           layer: &'static str,
                           contained: Check,
                           plugin: &mut Hostile,
                           call: Attack<'_>| {
            let started = Instant::now();
            let result = call(plugin, &mut host);
            let took = started.elapsed();
            let ok = contained(&result);
            out.push(Outcome {
                attack: attack.into(),
                layer,
                contained: ok,
                detail: describe(&result),
                took,
            });
        };

        attempt(
            "infinite loop",
            "epoch deadline in the runner",
            timed_out,
            &mut plugin,
            &|p, h| p.attacks().spin(h),
        );
        attempt(
            "sleep forever (blocking WASI poll)",
            "host watchdog: kill at deadline + grace",
            timed_out,
            &mut plugin,
            &|p, h| p.attacks().sleep_forever(h),
        );
        attempt(
            "block on stdin",
            "WASI: stdin is empty",
            |r| r.is_ok(),
            &mut plugin,
            &|p, h| p.attacks().block_on_stdin(h),
        );
        attempt(
            "memory.grow bomb (1 GiB)",
            "memory cap (ResourceLimiter)",
            |r| {
                matches!(r, Ok(Err(msg)) if msg.contains("refused"))
                    || matches!(r, Err(Error::OutOfMemory { .. }))
            },
            &mut plugin,
            &|p, h| p.attacks().grow_memory(h, 1024),
        );
        attempt(
            "allocation bomb (512 MiB list)",
            "memory cap (ResourceLimiter)",
            |r| matches!(r, Err(Error::OutOfMemory { .. })),
            &mut plugin,
            &|p, h| {
                p.attacks()
                    .huge_list(h, 1 << 26)
                    .map(|l| Ok(format!("{} elements", l.len())))
            },
        );
        attempt(
            "huge result (32 MiB list, 4 MiB frame cap)",
            "frame size cap",
            |r| matches!(r, Err(Error::Protocol { .. })),
            &mut plugin,
            &|p, h| {
                p.attacks()
                    .huge_list(h, 4 << 20)
                    .map(|l| Ok(format!("{} elements", l.len())))
            },
        );
        attempt(
            "deep recursion",
            "wasm stack limit",
            |r| matches!(r, Err(Error::Trap { .. })),
            &mut plugin,
            &|p, h| p.attacks().recurse(h, 1 << 40),
        );
        // The log and stdout floods are in the host-surface section, which
        // measures what reached the host's log.
        attempt(
            "import-call flood",
            "deadline (each call answered in turn)",
            |r| matches!(r, Ok(Ok(_)) | Err(Error::Timeout { .. })),
            &mut plugin,
            &|p, h| p.attacks().import_flood(h, u32::MAX),
        );
        attempt(
            "read /etc/passwd",
            "WASI: no such preopen",
            refused,
            &mut plugin,
            &|p, h| p.attacks().read_file(h, "/etc/passwd"),
        );
        attempt(
            "escape with ..",
            "WASI preopen (cap-std)",
            refused,
            &mut plugin,
            &|p, h| p.attacks().read_file(h, "/data/../secret.txt"),
        );
        attempt(
            "escape with a symlink",
            "WASI preopen (cap-std)",
            refused,
            &mut plugin,
            &|p, h| p.attacks().make_symlink(h, "../secret.txt", "/rw/link"),
        );
        attempt(
            "absolute symlink",
            "WASI preopen (cap-std)",
            refused,
            &mut plugin,
            &|p, h| p.attacks().make_symlink(h, "/etc/passwd", "/rw/abs"),
        );
        attempt(
            "write into a read-only preopen",
            "WASI preopen permissions",
            refused,
            &mut plugin,
            &|p, h| {
                p.attacks()
                    .write_file(h, "/data/granted.txt", "overwritten")
            },
        );
        attempt(
            "list /",
            "WASI: no such preopen",
            refused,
            &mut plugin,
            &|p, h| p.attacks().list_dir(h, "/"),
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a listener");
        let addr = listener.local_addr().expect("listener address").to_string();
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        attempt(
            "connect to a listener on 127.0.0.1",
            "WASI network denied (no grant)",
            refused,
            &mut plugin,
            &|p, h| p.attacks().connect(h, &addr),
        );
        let accepted = listener.accept().is_ok();
        attempt(
            "read the environment",
            "empty environment",
            |r| matches!(r, Ok(Ok(vars)) if vars.is_empty()),
            &mut plugin,
            &|p, h| p.attacks().env_vars(h),
        );

        if accepted
            && let Some(connect) = out
                .iter_mut()
                .find(|o| o.attack.starts_with("connect to a listener"))
        {
            connect.contained = false;
            connect.detail += "; the listener accepted a connection";
        }

        // The plugin still works after all of that, in a bounded number of runners.
        let alive = plugin.attacks().import_flood(&mut host, 3);
        out.push(Outcome {
            attack: "still answering after the attacks".into(),
            layer: "restart on failure",
            contained: matches!(alive, Ok(Ok(_))),
            detail: format!(
                "{}; {} runners started",
                describe(&alive),
                plugin.plugin().runners_started() - started_runners + 1
            ),
            took: Duration::ZERO,
        });

        // A plugin that cannot even be instantiated within its memory cap.
        let started = Instant::now();
        let small = self.hostile(self.policy().memory(64 << 10));
        out.push(Outcome {
            attack: "instantiate beyond the memory cap".into(),
            layer: "memory cap (ResourceLimiter)",
            contained: matches!(small, Err(Error::OutOfMemory { .. })),
            detail: match small {
                Ok(_) => "started".into(),
                Err(e) => e.to_string(),
            },
            took: started.elapsed(),
        });
    }

    /// Attacks a Rust guest cannot express, as components in WAT.
    fn wat_attacks(&self, out: &mut Vec<Outcome>) {
        let start = |name: &str, text: &str| {
            let config = PluginConfig::new(name, crate::wat::assemble(text)).policy(self.policy());
            Bare::start(&self.launcher(), config)
        };

        let started = Instant::now();
        let trap = start("trap-at-start", crate::wat::TRAP_AT_START);
        out.push(Outcome {
            attack: "trap during instantiation (core start function)".into(),
            layer: "instantiation error, runner exits",
            contained: matches!(&trap, Err(Error::Instantiate { detail, .. }) if detail.contains("unreachable")),
            detail: describe(&trap.map(|_| "started")),
            took: started.elapsed(),
        });

        let started = Instant::now();
        let grown = start("table-bomb", crate::wat::TABLE_BOMB).and_then(|mut p| p.run());
        out.push(Outcome {
            attack: "table.grow bomb (2^32 elements)".into(),
            layer: "memory cap (ResourceLimiter)",
            contained: matches!(grown, Err(Error::OutOfMemory { .. })),
            detail: describe(&grown),
            took: started.elapsed(),
        });
    }

    fn native_attacks(&self, out: &mut Vec<Outcome>) {
        for attack in crate::native::ATTACKS {
            let started = Instant::now();
            let config =
                match PluginConfig::from_file(format!("native:{attack}"), &self.roundtrip_guest) {
                    Ok(c) => c,
                    Err(e) => {
                        out.push(Outcome {
                            attack: format!("native {attack}"),
                            layer: "-",
                            contained: false,
                            detail: e.to_string(),
                            took: Duration::ZERO,
                        });
                        continue;
                    }
                };
            let result = Roundtrip::start(&self.launcher(), config);
            let took = started.elapsed();
            let (contained, layer, detail) = match &result {
                Err(Error::Denied { reason, .. }) => {
                    (true, "seccomp (killed, SIGSYS)", reason.to_string())
                }
                Err(Error::Crashed { stderr_tail, .. }) if stderr_tail.contains("refused:") => (
                    true,
                    "kernel refused",
                    stderr_tail.lines().last().unwrap_or("").to_string(),
                ),
                Err(e) => (false, "-", e.to_string()),
                Ok(_) => (
                    false,
                    "-",
                    "the runner started normally: the attack did not run".into(),
                ),
            };
            out.push(Outcome {
                attack: format!("native {attack}"),
                layer,
                contained,
                detail,
                took,
            });
        }
    }

    /// What the kernel says about a live runner.
    fn proc_checks(&self, out: &mut Vec<Outcome>) -> SandboxLayers {
        let config = PluginConfig::from_file("proc-check", &self.roundtrip_guest)
            .expect("read the roundtrip guest");
        let mut plugin = match Roundtrip::start(&self.launcher(), config) {
            Ok(p) => p,
            Err(e) => {
                out.push(Outcome {
                    attack: "start a runner to inspect".into(),
                    layer: "-",
                    contained: false,
                    detail: e.to_string(),
                    took: Duration::ZERO,
                });
                return SandboxLayers::default();
            }
        };
        let _ = plugin.add(&mut PingHost::default(), 1, 2);
        let layers = plugin
            .plugin()
            .sandbox_layers()
            .cloned()
            .unwrap_or_default();
        let pid = plugin.plugin().pid().unwrap_or(0);
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |name: &str| proc_field(&status, name).unwrap_or("?").to_string();
        for (attack, layer, name, expected) in [
            ("/proc: seccomp filter on", "seccomp", "Seccomp", "2"),
            ("/proc: no_new_privs set", "no_new_privs", "NoNewPrivs", "1"),
            (
                "/proc: no effective capabilities",
                "capabilities dropped",
                "CapEff",
                "0000000000000000",
            ),
        ] {
            let value = field(name);
            out.push(Outcome {
                attack: attack.into(),
                layer,
                contained: value == expected,
                detail: format!("{name}: {value}"),
                took: Duration::ZERO,
            });
        }
        let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_else(|_| vec![b'?']);
        out.push(Outcome {
            attack: "/proc: inherited environment".into(),
            layer: "empty environment",
            contained: environ.is_empty(),
            detail: format!("{} bytes", environ.len()),
            took: Duration::ZERO,
        });
        let mut files = Vec::new();
        if let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/fd")) {
            for entry in entries.flatten() {
                let target = std::fs::read_link(entry.path())
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if !harmless_descriptor(&target) {
                    files.push(target);
                }
            }
        }
        out.push(Outcome {
            attack: "/proc: inherited file descriptors".into(),
            layer: "close-on-exec, descriptors 0-3 only",
            contained: files.is_empty(),
            detail: if files.is_empty() {
                "sockets, pipes, /dev/null, memfd only".into()
            } else {
                files.join(", ")
            },
            took: Duration::ZERO,
        });
        for layer in [
            Layer::Landlock,
            Layer::UserNamespace,
            Layer::NetworkNamespace,
        ] {
            out.push(Outcome {
                attack: format!("runner reports {layer}"),
                layer: "lock-down",
                contained: layer.is_active(&layers),
                detail: if layer.is_active(&layers) {
                    "active".into()
                } else {
                    layers.notes.join("; ")
                },
                took: Duration::ZERO,
            });
        }
        layers
    }

    /// Runners that misbehave on the wire.
    fn runner_attacks(&self, out: &mut Vec<Outcome>) {
        for (behaviour, what) in [
            ("garbage", "runner sends garbage frames"),
            ("oversized", "runner sends an oversized frame length"),
            ("unsolicited", "runner sends an unsolicited reply"),
            ("undecodable-result", "runner sends an undecodable result"),
            (
                "unasked-artifact",
                "runner sends an artifact nobody asked for",
            ),
            ("silent", "runner never answers a call"),
            ("trickle", "runner trickles its answer a byte at a time"),
        ] {
            let started = Instant::now();
            let config = PluginConfig::new(behaviour, b"unused".to_vec())
                .policy(Policy::default().require([]).deadline(DEADLINE));
            let result = Roundtrip::start(&Launcher::program(&self.fake_runner), config).and_then(
                |mut p| {
                    let r = p.add(&mut PingHost::default(), 1, 2);
                    let alive = p.plugin().pid().is_some();
                    r.map(|v| (v, alive))
                },
            );
            let took = started.elapsed();
            let (contained, layer) = match &result {
                Err(Error::Protocol { .. }) => (true, "frame checks: killed"),
                Err(Error::Timeout { .. }) => (true, "host watchdog: killed"),
                _ => (false, "-"),
            };
            out.push(Outcome {
                attack: what.into(),
                layer,
                contained,
                detail: match result {
                    Ok((v, alive)) => format!("returned {v}, runner alive: {alive}"),
                    Err(e) => e.to_string(),
                },
                took,
            });
        }
    }
}

/// The value of `name` in a `/proc/<pid>/status` text.
pub fn proc_field<'a>(status: &'a str, name: &str) -> Option<&'a str> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .map(str::trim)
}

/// Whether a runner may hold a descriptor to `target` (a `/proc/<pid>/fd`
/// link): sockets, pipes, the runtime's anonymous inodes, wasmtime's memfd
/// memory images, `/dev/null` — never a file or directory of the host.
pub fn harmless_descriptor(target: &str) -> bool {
    target.starts_with("socket:")
        || target.starts_with("pipe:")
        || target.starts_with("anon_inode:")
        || target.starts_with("/memfd:")
        || target == "/dev/null"
}

fn describe<T: std::fmt::Debug>(result: &Result<T, Error>) -> String {
    let text = match result {
        Ok(v) => format!("{v:?}"),
        Err(e) => e.to_string(),
    };
    let mut text = text.replace('\n', " ");
    if text.len() > 100 {
        let mut cut = 100;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}
