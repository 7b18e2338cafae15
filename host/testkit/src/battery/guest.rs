//! The battery's guest section: what the hostile guest tries from inside
//! wasm — spinning, sleeping, memory and stack bombs, floods, escapes from
//! its preopens, the network and the environment — and that the plugin
//! still answers afterwards, in a bounded number of runners.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use airlock::Error;

use super::{Battery, Outcome, PingHost, describe};
use crate::hostile::Hostile;

impl Battery {
    pub(super) fn wasm_attacks(&self, out: &mut Vec<Outcome>) {
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
}
