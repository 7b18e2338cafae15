//! A runner's stderr: every line into the host's log (bounded), the last
//! lines kept for crash reports; one reading thread per runner.

use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::text::PluginText;

/// The last lines a runner wrote to its stderr, kept for crash reports while
/// every line also goes to the host's log.
#[derive(Debug)]
pub(crate) struct StderrTail {
    tail: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

const TAIL_LINES: usize = 20;
const STDERR_THREAD_STACK: usize = 256 << 10;
const MAX_LINE: usize = 4096;
/// Lines of a runner's own stderr logged per runner; the tail is kept anyway.
const MAX_LOGGED_LINES: usize = 1000;

fn trim_line(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &line[..end]
}

impl StderrTail {
    pub(crate) fn follow(stderr: impl Read + Send + 'static, plugin: String) -> Self {
        let tail = Arc::new(Mutex::new(Vec::new()));
        let sink = tail.clone();
        let thread = std::thread::Builder::new()
            .name(format!("airlock-stderr-{plugin}"))
            // Reading lines and logging them needs little stack; with a
            // thousand runners the default 2 MiB each adds up in address space.
            .stack_size(STDERR_THREAD_STACK)
            .spawn(move || {
                let mut reader = BufReader::new(stderr);
                let mut line = Vec::new();
                let mut logged = 0usize;
                loop {
                    line.clear();
                    // A line is read at most MAX_LINE bytes at a time: a runner
                    // that never writes a newline cannot grow this buffer.
                    match (&mut reader).take(MAX_LINE as u64).read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            let text = PluginText::from_bytes(trim_line(&line));
                            logged += 1;
                            if logged <= MAX_LOGGED_LINES {
                                tracing::warn!(target: "airlock::runner", plugin = %PluginText::escape(&plugin), "{text}");
                            } else if logged == MAX_LOGGED_LINES + 1 {
                                tracing::warn!(target: "airlock::runner", plugin = %PluginText::escape(&plugin), "more than {MAX_LOGGED_LINES} lines on the runner's stderr; the rest is not logged");
                            }
                            let mut t = sink.lock().unwrap_or_else(|e| e.into_inner());
                            if t.len() == TAIL_LINES {
                                t.remove(0);
                            }
                            t.push(text.into_string());
                        }
                    }
                }
            })
            .ok();
        Self { tail, thread }
    }

    /// The captured tail, after waiting briefly for the pipe to drain.
    pub(crate) fn finish(&mut self) -> String {
        if let Some(thread) = &self.thread {
            let until = std::time::Instant::now() + std::time::Duration::from_millis(500);
            while !thread.is_finished() && std::time::Instant::now() < until {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
        if self.thread.as_ref().is_some_and(|t| t.is_finished()) {
            let _ = self.thread.take().map(JoinHandle::join);
        }
        self.tail
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .join("\n")
    }
}
