//! What the chaos host holds between runs: descriptors, memfds, threads,
//! child processes and the files under its temp folder; and whether a run
//! left any of it behind.

use std::path::Path;
use std::time::{Duration, Instant};

use airlock::Launcher;
use airlock_runner::spare::SPARE_NAME;
use anyhow::Result;

use crate::procfs;
use crate::subjects::Subject;

/// A look at the host between runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub fds: u64,
    pub memfds: u64,
    pub threads: u64,
    /// Every path under the temp folder, relative to it.
    pub files: Vec<String>,
    /// Children that are not the live runner of a plugin nor the
    /// launcher's spare, with their state.
    pub strays: Vec<(u32, char)>,
    /// Spare runners waiting for a start (the launcher keeps one).
    pub spares: u64,
}

impl Held {
    /// Looks, once `launcher`'s spare runner is there (a start took the
    /// last one; the next is forked a few milliseconds later).
    pub fn now(launcher: &Launcher, subjects: &mut [Subject], temp: &Path) -> Result<Self> {
        launcher.warm_up();
        let usage = procfs::usage(None)?;
        let live: Vec<u32> = subjects.iter_mut().filter_map(|s| s.pid()).collect();
        let children = procfs::children()?;
        let spare = |c: &procfs::Child| c.state != 'Z' && c.name == SPARE_NAME;
        let spares = children.iter().filter(|c| spare(c)).count() as u64;
        let strays = children
            .into_iter()
            .filter(|c| c.state == 'Z' || (!live.contains(&c.pid) && !spare(c)))
            .map(|c| (c.pid, c.state))
            .collect();
        let mut files = Vec::new();
        list(temp, temp, &mut files);
        files.sort();
        Ok(Self {
            fds: usage.fds,
            memfds: usage.memfds,
            threads: usage.threads,
            files,
            strays,
            spares,
        })
    }

    /// Waits (up to two seconds: a reaped runner's stderr reader may still
    /// be closing) for the host to hold what it held before, `self`. The
    /// new look, or it with what was left behind.
    pub fn settled(
        &self,
        launcher: &Launcher,
        subjects: &mut [Subject],
        temp: &Path,
    ) -> Result<Self, (Self, String)> {
        let until = Instant::now() + Duration::from_secs(2);
        loop {
            let now = match Held::now(launcher, subjects, temp) {
                Ok(now) => now,
                Err(e) => return Err((self.clone(), format!("cannot look: {e:#}"))),
            };
            let leaks = self.left_behind(&now);
            if leaks.is_empty() {
                return Ok(now);
            }
            if Instant::now() >= until {
                return Err((now, leaks.join("; ")));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn left_behind(&self, now: &Held) -> Vec<String> {
        let mut out = Vec::new();
        let counts = [
            ("descriptors", self.fds, now.fds),
            ("memfds", self.memfds, now.memfds),
            ("threads", self.threads, now.threads),
            ("spare runners", self.spares, now.spares),
        ];
        for (what, before, after) in counts {
            if after != before {
                out.push(format!("{what} {before}→{after}"));
            }
        }
        if now.files != self.files {
            let new: Vec<_> = now
                .files
                .iter()
                .filter(|f| !self.files.contains(f))
                .collect();
            let gone: Vec<_> = self
                .files
                .iter()
                .filter(|f| !now.files.contains(f))
                .collect();
            out.push(format!(
                "files under the temp folder: new {new:?}, gone {gone:?}"
            ));
        }
        let new_strays: Vec<_> = now
            .strays
            .iter()
            .filter(|c| !self.strays.contains(c))
            .collect();
        if !new_strays.is_empty() {
            out.push(format!(
                "children that are no live runner (pid, state): {new_strays:?}"
            ));
        }
        out
    }
}

/// Every path under `dir`, relative to `root` (directories too).
fn list(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(&path);
        out.push(rel.to_string_lossy().into_owned());
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            list(root, &path, out);
        }
    }
}
