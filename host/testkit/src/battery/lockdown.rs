//! The battery's lock-down section: native code in the runner process that
//! tries what seccomp, landlock and the namespaces must refuse, and what
//! the kernel reports (`/proc`) about a live runner.

use std::time::{Duration, Instant};

use airlock::{Error, Layer, PluginConfig, SandboxLayers};

use super::{Battery, Outcome, PingHost};
use crate::roundtrip::Roundtrip;

impl Battery {
    pub(super) fn native_attacks(&self, out: &mut Vec<Outcome>) {
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
    pub(super) fn proc_checks(&self, out: &mut Vec<Outcome>) -> SandboxLayers {
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
        // Namespaces are the Linux backend's: on the POSIX one (macOS's)
        // the runner must report none rather than claim them.
        let backend = self.launcher().backend();
        for layer in [
            Layer::Landlock,
            Layer::UserNamespace,
            Layer::NetworkNamespace,
        ] {
            let expected = layer == Layer::Landlock || backend.namespaces();
            let active = layer.is_active(&layers);
            out.push(Outcome {
                attack: if expected {
                    format!("runner reports {layer}")
                } else {
                    format!(
                        "runner reports no {layer} on the {} backend",
                        backend.name()
                    )
                },
                layer: "lock-down",
                contained: active == expected,
                detail: if active {
                    "active".into()
                } else {
                    layers.notes.join("; ")
                },
                took: Duration::ZERO,
            });
        }
        layers
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
