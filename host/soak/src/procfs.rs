//! What a process holds, read from `/proc`: resident memory, open
//! descriptors, memfds (open or mapped), threads, and its children.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;

use anyhow::{Context, Result};

/// One look at a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Resident set size, in KiB (`VmRSS`).
    pub rss_kib: u64,
    /// Entries of `/proc/<pid>/fd`.
    pub fds: u64,
    /// Distinct memfd files the process has open or mapped: a memfd that is
    /// mapped but closed still holds its memory, so both count.
    pub memfds: u64,
    /// Threads (`Threads` in `/proc/<pid>/status`).
    pub threads: u64,
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "RSS {:.1} MiB, {} fds, {} memfds, {} threads",
            mib(self.rss_kib),
            self.fds,
            self.memfds,
            self.threads
        )
    }
}

/// KiB as MiB, for printing.
pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn dir(pid: Option<u32>) -> PathBuf {
    match pid {
        Some(pid) => PathBuf::from(format!("/proc/{pid}")),
        None => PathBuf::from("/proc/self"),
    }
}

/// The usage of `pid` (`None`: this process).
pub fn usage(pid: Option<u32>) -> Result<Usage> {
    let dir = dir(pid);
    let status = std::fs::read_to_string(dir.join("status"))
        .with_context(|| format!("failed to read {}/status", dir.display()))?;
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let mut memfds = BTreeSet::new();
    let mut fds = 0;
    let entries = std::fs::read_dir(dir.join("fd"))
        .with_context(|| format!("failed to list {}/fd", dir.display()))?;
    for entry in entries {
        // A descriptor closed while listing is gone: not counted.
        let Ok(entry) = entry else { continue };
        fds += 1;
        if let Ok(target) = std::fs::read_link(entry.path())
            && target.to_string_lossy().starts_with("/memfd:")
            && let Ok(meta) = std::fs::metadata(entry.path())
        {
            memfds.insert(std::os::unix::fs::MetadataExt::ino(&meta));
        }
    }
    // Mapped memfds: `address perms offset dev inode path`.
    let maps = std::fs::read_to_string(dir.join("maps"))
        .with_context(|| format!("failed to read {}/maps", dir.display()))?;
    for line in maps.lines().filter(|l| l.contains("/memfd:")) {
        if let Some(inode) = line.split_whitespace().nth(4).and_then(|n| n.parse().ok()) {
            memfds.insert(inode);
        }
    }
    Ok(Usage {
        rss_kib: field("VmRSS:"),
        fds,
        memfds: memfds.len() as u64,
        threads: field("Threads:"),
    })
}

/// A child process: its id and its state letter (`Z` for a zombie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    pub pid: u32,
    pub state: char,
    /// Its name (`/proc/<pid>/comm`).
    pub name: String,
}

/// Every process whose parent is this one.
pub fn children() -> Result<Vec<Child>> {
    let me = std::process::id();
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").context("failed to list /proc")? {
        let Ok(entry) = entry else { continue };
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        // Gone while listing: not a child any more.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid ...`; the name may hold spaces and parentheses.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let name = head.split_once('(').map_or("", |(_, n)| n).to_string();
        let mut fields = rest.split_whitespace();
        let state = fields.next().and_then(|s| s.chars().next()).unwrap_or('?');
        let ppid: u32 = fields.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        if ppid == me {
            out.push(Child { pid, state, name });
        }
    }
    out.sort_by_key(|c| c.pid);
    Ok(out)
}
