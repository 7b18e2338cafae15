//! Extism as a peer: its calls run in its own process (`host/bench/extism`,
//! a separate workspace so that its wasmtime is compiled only here), timed
//! there, and requested round by round so they interleave with Airlock's.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

pub struct ExtismPeer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    line: String,
}

impl ExtismPeer {
    pub fn spawn(program: &Path, plugin: &Path) -> Result<Self> {
        let mut child = Command::new(program)
            .arg(plugin)
            // With RUST_BACKTRACE set, Extism captures a backtrace on every call.
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting the Extism peer {}", program.display()))?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        Ok(Self {
            child,
            stdin,
            stdout,
            line: String::new(),
        })
    }

    /// Runs one command; the time per call the peer measured.
    pub fn run(&mut self, command: &str) -> Result<Duration> {
        writeln!(self.stdin, "{command}")?;
        self.stdin.flush()?;
        self.line.clear();
        if self.stdout.read_line(&mut self.line)? == 0 {
            bail!("the Extism peer exited during `{command}`");
        }
        match self.line.trim().split_once(' ') {
            Some(("ok", nanos)) => Ok(Duration::from_nanos(nanos.parse()?)),
            Some(("err", message)) => bail!("Extism `{command}`: {message}"),
            _ => bail!("the Extism peer answered {:?}", self.line),
        }
    }
}

impl Drop for ExtismPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
