//! `airlock dev`: a real project, built with its real toolchain, edited
//! while `airlock dev` runs as a subprocess: a broken build leaves the
//! version before it served, a fixed one is reloaded and served.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use common::scratch;

/// `airlock dev` running, its stdout read line by line.
struct Dev {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    /// Everything it printed so far, for the failure messages.
    seen: Vec<String>,
}

impl Dev {
    fn start(project: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_airlock"))
            .arg("dev")
            .arg(project)
            .args(extra)
            .env("XDG_CACHE_HOME", project.join("cache"))
            .env_remove("AIRLOCK_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start airlock dev");
        let (stdin, stdout) = (child.stdin.take().unwrap(), child.stdout.take().unwrap());
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if send.send(line).is_err() {
                    return;
                }
            }
        });
        Self {
            child,
            stdin,
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads lines until one starts with `start`; that line.
    fn until(&mut self, start: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.starts_with(start) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "no line starting {start:?} in 300 s; so far:\n{}",
                        self.seen.join("\n")
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "airlock dev ended before {start:?}:\n{}",
                        self.seen.join("\n")
                    )
                }
            }
        }
    }

    /// The next line.
    fn next(&mut self) -> String {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("{e}; so far:\n{}", self.seen.join("\n")));
        self.seen.push(line.clone());
        line
    }

    /// Calls `line` (`EXPORT(ARGS)`) through stdin; the answer, the next
    /// line that is not the indented rest of a report.
    fn call(&mut self, line: &str) -> String {
        writeln!(self.stdin, "{line}").unwrap();
        loop {
            let line = self.next();
            if !line.starts_with("  ") {
                return line;
            }
        }
    }

    /// Waits for it to end; its exit code.
    fn wait(&mut self) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().expect("exited, not killed by a signal");
            }
            assert!(Instant::now() < deadline, "did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn edit(project: &Path, from: &str, to: &str) {
    let path = project.join("src/plugin.js");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{text}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_broken_build_keeps_the_version_served_and_a_fixed_one_replaces_it() {
    let dir = scratch("dev-js");
    let project = common::new_project(&dir, "js-dev", "tool", "js");
    let stub = std::fs::read_to_string(project.join("src/plugin.js")).unwrap();
    assert!(stub.contains("return \"\";"), "{stub}");
    let mut dev = Dev::start(&project, &[]);
    let first = dev.until("reload 1");
    assert!(
        first.starts_with("reload 1: built in ") && first.ends_with(", 1/1 cases passed"),
        "{first}"
    );
    assert_eq!(dev.call("run([])"), "answer from reload 1: ok(\"\")");

    // Broken: the build fails, says why, and reload 1 still answers.
    edit(&project, "return \"\";", "return \"hi\"; }}");
    let broken = dev.until("reload 2");
    assert_eq!(
        broken,
        "reload 2 (src/plugin.js): build failed, still serving reload 1"
    );
    let why = dev.next();
    assert!(why.starts_with("  "), "the build's error follows: {why}");
    assert_eq!(dev.call("run([])"), "answer from reload 1: ok(\"\")");

    // Fixed, answering something else: reloaded, its case now fails, and
    // calls get the new answer.
    edit(&project, "return \"hi\"; }}", "return \"hi\";");
    let fixed = dev.until("reload 3");
    assert!(
        fixed.starts_with("reload 3 (src/plugin.js): built in ")
            && fixed.ends_with(", 0/1 cases passed"),
        "{fixed}"
    );
    assert_eq!(dev.next(), "  run: expected ok(\"\"), got ok(\"hi\")");
    assert_eq!(dev.call("run([])"), "answer from reload 3: ok(\"hi\")");
    assert!(
        dev.call("nope()")
            .starts_with("answer from reload 3: refused: "),
        "{}",
        dev.seen.join("\n")
    );

    // Ctrl-C: a clean stop.
    // SAFETY: sends a signal to the child this test started and has not reaped.
    let sent = unsafe { libc::kill(dev.child.id() as i32, libc::SIGINT) };
    assert_eq!(sent, 0);
    assert_eq!(dev.until("stopped"), "stopped after 3 reload(s)");
    assert_eq!(dev.wait(), 0);
    // Nothing the build wrote (target/) started a reload of its own.
    assert!(
        !dev.seen.iter().any(|l| l.starts_with("reload 4")),
        "{}",
        dev.seen.join("\n")
    );
}

#[test]
fn a_first_build_that_fails_serves_nothing_and_max_reloads_ends_it() {
    let dir = scratch("dev-js-broken");
    let project = common::new_project(&dir, "js-dev-broken", "tool", "js");
    edit(&project, "return \"\";", "return \"\"; }}");
    let mut dev = Dev::start(&project, &["--max-reloads", "1"]);
    assert_eq!(
        dev.until("reload 1"),
        "reload 1: build failed, nothing served yet"
    );
    assert_eq!(dev.until("stopped"), "stopped after 1 reload(s)");
    assert_eq!(dev.wait(), 0);
}
