//! The baseline a naive implementation would have: a child process that
//! echoes length-prefixed messages over a plain pipe (its stdin and stdout).

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use anyhow::{Context, Result, ensure};

/// The argument that makes this binary an echo child.
pub const ECHO_ARG: &str = "--echo-child";

/// Serves as an echo child: `[u32 len][bytes]` in, the same out, until EOF.
pub fn serve() -> ! {
    let mut input = std::io::stdin().lock();
    let mut output = std::io::stdout().lock();
    let mut buf = Vec::new();
    loop {
        let mut len = [0u8; 4];
        if input.read_exact(&mut len).is_err() {
            std::process::exit(0);
        }
        buf.resize(u32::from_le_bytes(len) as usize, 0);
        if input.read_exact(&mut buf).is_err() {
            std::process::exit(1);
        }
        if output
            .write_all(&len)
            .and_then(|()| output.write_all(&buf))
            .and_then(|()| output.flush())
            .is_err()
        {
            std::process::exit(1);
        }
    }
}

/// The parent's end of an echo child.
pub struct EchoPipe {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
    buf: Vec<u8>,
}

impl EchoPipe {
    pub fn spawn() -> Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg(ECHO_ARG)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting an echo child")?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        Ok(Self {
            child,
            stdin,
            stdout,
            buf: Vec::new(),
        })
    }

    /// One round trip of `payload`.
    pub fn echo(&mut self, payload: &[u8]) -> Result<()> {
        self.stdin
            .write_all(&(payload.len() as u32).to_le_bytes())?;
        self.stdin.write_all(payload)?;
        let mut len = [0u8; 4];
        self.stdout.read_exact(&mut len)?;
        self.buf.resize(u32::from_le_bytes(len) as usize, 0);
        self.stdout.read_exact(&mut self.buf)?;
        ensure!(
            self.buf.len() == payload.len(),
            "the echo child returned another length"
        );
        Ok(())
    }
}

impl Drop for EchoPipe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
