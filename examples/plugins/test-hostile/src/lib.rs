//! Hostile test guest for `airlock:test/hostile`: on request, tries one attack
//! on its sandbox (hang, exhaust memory or stack, flood output and imports,
//! escape the filesystem, reach the network, read the environment) and reports
//! as text what it managed to do (`Ok`) or how it was refused (`Err`).

airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../host/testkit/wit"], world: "airlock:test/hostile" });

use std::ffi::{CString, c_char, c_int};
use std::hint::black_box;
use std::io::{Read, Write};
use std::time::Duration;

use airlock::test::hostile_host;
use exports::airlock::test::attacks::Guest;

/// One WebAssembly page.
const PAGE: usize = 64 * 1024;
/// Pages per MiB.
const PAGES_PER_MIB: usize = (1024 * 1024) / PAGE;
/// The smallest page size of the runner's OS: one write per such page commits all of it.
const OS_PAGE: usize = 4096;

unsafe extern "C" {
    /// wasi-libc's POSIX `symlink`, resolved against the preopened directories. std has no stable
    /// way to create a symlink on WASI (`std::os::wasi::fs::symlink_path` is nightly-only).
    #[link_name = "symlink"]
    fn libc_symlink(target: *const c_char, link: *const c_char) -> c_int;
}

struct Hostile;

impl Guest for Hostile {
    fn spin() -> Result<String, String> {
        let mut x: u64 = 0;
        loop {
            x = black_box(x.wrapping_add(1));
        }
    }

    fn sleep_forever() -> Result<String, String> {
        loop {
            std::thread::sleep(Duration::from_secs(24 * 60 * 60));
        }
    }

    fn block_on_stdin() -> Result<String, String> {
        let mut stdin = std::io::stdin().lock();
        let mut buf = [0u8; 4096];
        let mut total: u64 = 0;
        loop {
            match stdin.read(&mut buf) {
                Ok(0) => return Ok(format!("stdin ended after {total} bytes")),
                Ok(n) => total += n as u64,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("reading stdin failed after {total} bytes: {e}")),
            }
        }
    }

    fn grow_memory(max_mib: u32) -> Result<String, String> {
        for grown in 0..max_mib {
            let previous = core::arch::wasm32::memory_grow::<0>(PAGES_PER_MIB);
            if previous == usize::MAX {
                return Err(format!(
                    "memory.grow refused at {} MiB (after growing by {grown} MiB)",
                    total_mib()
                ));
            }
            let start = previous * PAGE;
            for offset in (0..PAGES_PER_MIB * PAGE).step_by(OS_PAGE) {
                // SAFETY: `memory.grow` just added these bytes to linear memory; nothing else
                // (neither the allocator nor the stack) knows about them.
                unsafe { std::ptr::write_volatile((start + offset) as *mut u8, 0xa5) };
            }
        }
        Ok(format!("grew by {max_mib} MiB to {} MiB", total_mib()))
    }

    fn recurse(depth: u64) -> Result<String, String> {
        let checksum = dive(depth);
        Ok(format!("recursed {depth} calls deep (checksum {checksum})"))
    }

    fn huge_list(count: u64) -> Vec<u64> {
        let len = usize::try_from(count).expect("count does not fit a wasm32 usize");
        let mut list = Vec::with_capacity(len);
        list.extend(0..count);
        list
    }

    fn log_flood(lines: u32) -> Result<String, String> {
        for i in 0..lines {
            airlock_guest::info!("log flood line {i}");
        }
        Ok(format!("logged {lines} lines"))
    }

    fn print_flood(bytes: u64) -> Result<String, String> {
        let mut line = [b'x'; 1024];
        line[1023] = b'\n';
        let mut out = std::io::stdout().lock();
        let mut written: u64 = 0;
        while written < bytes {
            let n = (bytes - written).min(line.len() as u64) as usize;
            // The last `n` bytes of the line: every chunk ends with a newline.
            out.write_all(&line[line.len() - n..])
                .map_err(|e| format!("stdout refused after {written} bytes: {e}"))?;
            written += n as u64;
        }
        out.flush().map_err(|e| format!("flushing stdout failed after {written} bytes: {e}"))?;
        Ok(format!("wrote {written} bytes to stdout"))
    }

    fn import_flood(calls: u32) -> Result<String, String> {
        let mut answered: u32 = 0;
        for i in 0..calls {
            black_box(hostile_host::ping(i));
            answered += 1;
        }
        Ok(format!("answered {answered} pings"))
    }

    fn read_file(path: String) -> Result<String, String> {
        std::fs::read(&path)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .map_err(|e| format!("reading {path}: {e}"))
    }

    fn write_file(path: String, data: String) -> Result<String, String> {
        std::fs::write(&path, data.as_bytes())
            .map(|()| format!("wrote {} bytes to {path}", data.len()))
            .map_err(|e| format!("writing {path}: {e}"))
    }

    fn list_dir(path: String) -> Result<String, String> {
        let entries = std::fs::read_dir(&path).map_err(|e| format!("listing {path}: {e}"))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| format!("listing {path}: {e}"))?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names.join("\n"))
    }

    fn make_symlink(target: String, link: String) -> Result<String, String> {
        let c_target = CString::new(target.as_str()).map_err(|e| format!("target {target:?}: {e}"))?;
        let c_link = CString::new(link.as_str()).map_err(|e| format!("link {link:?}: {e}"))?;
        // SAFETY: both arguments are NUL-terminated strings that outlive the call.
        if unsafe { libc_symlink(c_target.as_ptr(), c_link.as_ptr()) } != 0 {
            let e = std::io::Error::last_os_error();
            return Err(format!("symlink {link} -> {target}: {e}"));
        }
        std::fs::read(&link)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .map_err(|e| format!("symlink {link} -> {target} created, reading through it: {e}"))
    }

    fn connect(addr: String) -> Result<String, String> {
        let stream = std::net::TcpStream::connect(&addr).map_err(|e| format!("connecting to {addr}: {e}"))?;
        let peer = stream.peer_addr().map_or_else(|_| addr.clone(), |peer| peer.to_string());
        Ok(format!("connected to {peer}"))
    }

    fn env_vars() -> Result<String, String> {
        let vars: Vec<String> = std::env::vars_os()
            .map(|(key, value)| format!("{}={}", key.to_string_lossy(), value.to_string_lossy()))
            .collect();
        Ok(vars.join("\n"))
    }

    fn args() -> Result<String, String> {
        let args: Vec<String> = std::env::args_os().map(|arg| arg.to_string_lossy().into_owned()).collect();
        Ok(args.join("\n"))
    }
}

/// The size of linear memory, in whole MiB.
fn total_mib() -> usize {
    core::arch::wasm32::memory_size::<0>() / PAGES_PER_MIB
}

/// Recursion the optimizer can neither remove nor turn into a loop: every level keeps a frame in
/// linear memory (the shadow stack) and adds to the result of the level below.
#[inline(never)]
fn dive(depth: u64) -> u64 {
    if depth == 0 {
        return 0;
    }
    let frame = black_box([depth; 8]);
    let below = black_box(dive(black_box(depth - 1)));
    below.wrapping_add(frame[(depth % 8) as usize])
}

export!(Hostile);
