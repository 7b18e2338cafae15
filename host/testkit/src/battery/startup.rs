//! The battery's start-up and file-work section: compile bombs and slow
//! compiles, start functions that spin, and — the other side of the
//! allow-list — ordinary file work in a granted folder, which must succeed
//! under the full lock-down, checked from the host.

use std::path::Path;
use std::time::{Duration, Instant};

use airlock::{Error, PluginConfig, Policy, TimeLimit};

use super::{Battery, DEADLINE, MEMORY_CAP, Outcome, describe};
use crate::bare::Bare;
use crate::files::Files;

/// Functions in the compile bomb: about a gigabyte and several seconds to
/// compile without limits.
const BOMB_FUNCTIONS: usize = 100_000;
/// The compile deadline of the slow-compile attack.
const COMPILE_DEADLINE: Duration = Duration::from_millis(300);
/// Fuel for the start function that spins on fuel.
const FUEL: u64 = 5_000_000;

impl Battery {
    pub(super) fn startup_attacks(&self, out: &mut Vec<Outcome>) {
        self.compile_attacks(out);
        self.start_function_attacks(out);
        self.file_work(out);
    }

    fn bare(
        &self,
        name: &str,
        component: &[u8],
        policy: Policy,
    ) -> (Result<Bare, Error>, Duration) {
        let started = Instant::now();
        let config = PluginConfig::new(name, component.to_vec()).policy(policy);
        (Bare::start(&self.launcher(), config), started.elapsed())
    }

    fn compile_attacks(&self, out: &mut Vec<Outcome>) {
        // Assembled first: the text's parse is the test's memory, not the host's.
        let bomb = crate::wat::assemble(&crate::wat::compile_bomb(BOMB_FUNCTIONS));
        let before = host_rss();
        let (result, took) = self.bare("compile-bomb", &bomb, Policy::default().memory(MEMORY_CAP));
        let grown = host_rss().saturating_sub(before);
        out.push(Outcome {
            attack: format!("compile bomb ({BOMB_FUNCTIONS} functions, 64 MiB cap)"),
            layer: "compile in a child under RLIMIT_DATA",
            contained: matches!(&result, Err(Error::OutOfMemory { limit_bytes, .. }) if *limit_bytes == MEMORY_CAP)
                && grown < 32 << 20,
            detail: format!("{}; host grew {} KiB", describe(&result.map(|_| "started")), grown >> 10),
            took,
        });

        let (result, took) = self.bare(
            "slow-compile",
            &bomb,
            Policy::default()
                .memory(4 << 30)
                .compile_deadline(COMPILE_DEADLINE),
        );
        out.push(Outcome {
            attack: format!("compile longer than its deadline ({COMPILE_DEADLINE:?})"),
            layer: "compile deadline: compiler killed",
            contained: matches!(&result, Err(Error::Compile { detail, .. }) if detail.contains("compile deadline"))
                && took < COMPILE_DEADLINE + Duration::from_secs(5),
            detail: describe(&result.map(|_| "started")),
            took,
        });
    }

    fn start_function_attacks(&self, out: &mut Vec<Outcome>) {
        let policy = Policy::default().deadline(DEADLINE);
        let plain = crate::wat::assemble(&crate::wat::compile_bomb(1));
        let spin = crate::wat::assemble(crate::wat::SPIN_AT_START);
        let (plain, baseline) = self.bare("plain", &plain, policy.clone());
        let (result, took) = self.bare("spin-at-start", &spin, policy);
        out.push(Outcome {
            attack: "start function that spins".into(),
            layer: "call deadline during instantiation",
            contained: plain.is_ok()
                && matches!(&result, Err(Error::Timeout { limit: TimeLimit::Deadline(d), .. }) if *d == DEADLINE)
                && took < baseline + 3 * DEADLINE,
            detail: format!(
                "{} (a plain start took {baseline:?})",
                describe(&result.map(|_| "started"))
            ),
            took,
        });

        let policy = Policy::default()
            .deadline(Duration::from_secs(30))
            .fuel(Some(FUEL));
        let (result, took) = self.bare("spin-on-fuel", &spin, policy);
        out.push(Outcome {
            attack: "start function that spins, fuel metered".into(),
            layer: "call fuel during instantiation",
            contained: matches!(
                &result,
                Err(Error::Timeout {
                    limit: TimeLimit::Fuel(FUEL),
                    ..
                })
            ) && took < Duration::from_secs(10),
            detail: describe(&result.map(|_| "started")),
            took,
        });
    }

    /// Each kind of file work a plugin may do in a granted read-write folder,
    /// through one runner; contained means it worked, the host sees the
    /// result and the runner lived.
    fn file_work(&self, out: &mut Vec<Outcome>) {
        let dir = self.scratch.join("files");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the battery's file folder");
        let guest = self.hostile_guest.with_file_name("test_files.wasm");
        let policy = Policy::default().preopen(&dir, "/rw", true);
        let started = PluginConfig::from_file("files", &guest)
            .and_then(|c| Files::start(&self.launcher(), c.policy(policy)));
        let mut plugin = match started {
            Ok(p) => p,
            Err(e) => {
                out.push(Outcome {
                    attack: "start the file-work guest".into(),
                    layer: "-",
                    contained: false,
                    detail: e.to_string(),
                    took: Duration::ZERO,
                });
                return;
            }
        };
        let file = |name: &str| dir.join(name);
        let write = |name: &str, text: &str| std::fs::write(file(name), text).is_ok();
        let read = |name: &str| std::fs::read_to_string(file(name)).unwrap_or_default();
        type Work<'a> = &'a dyn Fn(&mut Files) -> Result<bool, String>;
        let mut attempt = |what: &str, syscalls: &'static str, work: Work<'_>| {
            let started = Instant::now();
            let result = work(&mut plugin);
            // A runner killed by seccomp is gone once the call returns.
            let alive = plugin.plugin().pid().is_some();
            out.push(Outcome {
                attack: format!("file work succeeds: {what}"),
                layer: syscalls,
                contained: matches!(result, Ok(true)) && alive,
                detail: match &result {
                    Ok(worked) => format!("worked: {worked}; runner alive: {alive}"),
                    Err(e) => format!("{e}; runner alive: {alive}"),
                },
                took: started.elapsed(),
            });
        };
        // Each entry prepares the files it checks: one failure does not
        // spill into the next.
        attempt("append", "allow-list: pwritev2 (RWF_APPEND)", &|p| {
            write("log.txt", "a\n");
            p.file_work().append("/rw/log.txt", "b\n").map_err(text)??;
            Ok(read("log.txt") == "a\nb\n")
        });
        attempt("positioned write", "allow-list: pwrite64", &|p| {
            write("pw.txt", "0123456789");
            let work = p.file_work().write_at("/rw/pw.txt", 4, "ab");
            work.map_err(text)??;
            Ok(read("pw.txt") == "0123ab6789")
        });
        attempt("positioned read", "allow-list: pread64", &|p| {
            write("pr.txt", "0123456789");
            Ok(p.file_work().read_at("/rw/pr.txt", 3, 4).map_err(text)?? == "3456")
        });
        attempt("vectored write", "allow-list: pwrite64", &|p| {
            let parts = ["one ".to_string(), "two".to_string()];
            let work = p.file_work().write_vectored("/rw/vw.txt", &parts);
            work.map_err(text)??;
            Ok(read("vw.txt") == "one two")
        });
        attempt("vectored read", "allow-list: pread64", &|p| {
            write("vr.txt", "one two");
            let got = p.file_work().read_vectored("/rw/vr.txt", &[4, 3]);
            Ok(got.map_err(text)?? == ["one ", "two"])
        });
        attempt(
            "fsync and fdatasync",
            "allow-list: fsync, fdatasync",
            &|p| {
                let all = p.file_work().write_synced("/rw/s.txt", "s", false);
                all.map_err(text)??;
                let data = p.file_work().write_synced("/rw/d.txt", "d", true);
                data.map_err(text)??;
                Ok(read("s.txt") == "s" && read("d.txt") == "d")
            },
        );
        attempt("stat", "allow-list: statx", &|p| {
            write("st.txt", "12345");
            Ok(p.file_work().stat("/rw/st.txt").map_err(text)?? == (5, false))
        });
        attempt("set times", "allow-list: utimensat", &|p| {
            write("t.txt", "t");
            let when = 1_000_000_000;
            p.file_work()
                .set_modified("/rw/t.txt", when)
                .map_err(text)??;
            let modified = std::fs::metadata(file("t.txt")).and_then(|m| m.modified());
            Ok(modified.ok() == Some(std::time::UNIX_EPOCH + Duration::from_secs(when)))
        });
        attempt("set size", "allow-list: ftruncate", &|p| {
            write("sz.txt", "0123456789");
            p.file_work().set_size("/rw/sz.txt", 4).map_err(text)??;
            Ok(read("sz.txt") == "0123")
        });
        attempt("rename within the folder", "allow-list: renameat", &|p| {
            write("from.txt", "moved");
            let work = p.file_work().rename("/rw/from.txt", "/rw/to.txt");
            work.map_err(text)??;
            Ok(!exists(&file("from.txt")) && read("to.txt") == "moved")
        });
        attempt(
            "create and remove a directory",
            "allow-list: mkdirat, unlinkat",
            &|p| {
                p.file_work().create_dir("/rw/sub").map_err(text)??;
                let made = file("sub").is_dir();
                p.file_work().remove_dir("/rw/sub").map_err(text)??;
                Ok(made && !exists(&file("sub")))
            },
        );
        attempt("read a directory", "allow-list: openat, getdents64", &|p| {
            let _ = std::fs::create_dir(file("listed"));
            let names = ["a", "b", "c"].map(|n| format!("listed/{n}"));
            let written = names.iter().all(|n| write(n, ""));
            let listed = p.file_work().list_dir("/rw/listed").map_err(text)??;
            Ok(written && listed == ["a", "b", "c"])
        });
        attempt("advise", "allow-list: fadvise64", &|p| {
            write("advise.txt", "abc");
            p.file_work().advise("/rw/advise.txt").map_err(text)??;
            Ok(read("advise.txt") == "abc")
        });
        attempt("unlink a file", "allow-list: unlinkat", &|p| {
            write("gone.txt", "bye");
            p.file_work().remove_file("/rw/gone.txt").map_err(text)??;
            Ok(!exists(&file("gone.txt")))
        });
    }
}

/// A failed call, as the text of a battery entry.
fn text(e: Error) -> String {
    e.to_string()
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// This process's resident memory, in bytes (0 where `/proc` cannot tell).
fn host_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    super::proc_field(&status, "VmRSS")
        .and_then(|v| v.trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}
