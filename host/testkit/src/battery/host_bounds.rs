//! Battery entries for the host's own bounds: what a plugin's files make the
//! host read, what its import calls make the host decode, and what it leaves
//! in a granted folder. Each entry asserts the bound it claims, not only
//! that the host survived.
//!
//! The design host's document bounds (floods of `add-layer`, `add-shape`, …)
//! are tested in `examples/design-host/tests/bounds.rs`: this crate does not
//! depend on the design host.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use airlock::{Error, FileTooLarge, GrantedFileError, PluginConfig};

use super::{Battery, Outcome, PingHost};

/// A sparse file of a terabyte: nothing on disk, and hours to read.
const SPARSE_LEN: u64 = 1 << 40;

/// The import volume the import flood runs under.
const IMPORT_VOLUME: u64 = 64 << 10;

impl Battery {
    pub(super) fn host_bounds(&self, out: &mut Vec<Outcome>) {
        let dir = self.scratch.join("host-bounds");
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            out.push(not_run("host bounds", &e.to_string()));
            return;
        }
        self.sparse_component(&dir, out);
        self.sparse_manifest(&dir, out);
        self.oversized_manifest_section(out);
        self.import_volume_flood(out);
        self.planted_links(out);
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn sparse_component(&self, dir: &Path, out: &mut Vec<Outcome>) {
        let path = dir.join("huge.wasm");
        if let Err(e) = sparse(&path) {
            out.push(not_run("sparse 1 TiB component file", &e));
            return;
        }
        let (peak, started) = (peak_rss(), Instant::now());
        let result = PluginConfig::from_file("huge", &path);
        let (took, grown) = (started.elapsed(), peak_rss().saturating_sub(peak));
        let refusal = match &result {
            Err(Error::ReadComponent { source, .. }) => FileTooLarge::of(source).cloned(),
            _ => None,
        };
        out.push(Outcome {
            attack: "sparse 1 TiB component file".into(),
            layer: "host: component size checked before reading",
            contained: refusal.as_ref().is_some_and(|r| {
                r.size == SPARSE_LEN && r.limit == airlock::MAX_COMPONENT_FILE_LEN
            }) && took < Duration::from_secs(1)
                && grown < 16 << 20,
            detail: format!("{}; host grew {} KiB", describe(&result), grown >> 10),
            took,
        });
    }

    fn sparse_manifest(&self, dir: &Path, out: &mut Vec<Outcome>) {
        let component = dir.join("plugin.wasm");
        let copied = std::fs::copy(&self.roundtrip_guest, &component)
            .map_err(|e| e.to_string())
            .and_then(|_| sparse(&dir.join("plugin.toml")));
        if let Err(e) = copied {
            out.push(not_run("sparse 1 TiB manifest beside a component", &e));
            return;
        }
        let (peak, started) = (peak_rss(), Instant::now());
        let result = PluginConfig::from_file("sparse-manifest", &component);
        let (took, grown) = (started.elapsed(), peak_rss().saturating_sub(peak));
        let limit = airlock::MAX_MANIFEST_LEN.to_string();
        out.push(Outcome {
            attack: "sparse 1 TiB manifest beside a component".into(),
            layer: "host: manifest size checked before reading",
            contained: matches!(&result, Err(Error::Manifest { detail, .. })
                if detail.contains(&SPARSE_LEN.to_string()) && detail.contains(&limit))
                && took < Duration::from_secs(1)
                && grown < 16 << 20,
            detail: format!("{}; host grew {} KiB", describe(&result), grown >> 10),
            took,
        });
    }

    fn oversized_manifest_section(&self, out: &mut Vec<Outcome>) {
        let attack = "1 MiB manifest section in a component";
        let component = match std::fs::read(&self.roundtrip_guest) {
            Ok(bytes) => with_section(&bytes, "airlock:manifest", &[b'#'; 1 << 20]),
            Err(e) => return out.push(not_run(attack, &e.to_string())),
        };
        let started = Instant::now();
        let config = PluginConfig::new("big-manifest", component).policy(self.policy());
        let result =
            crate::roundtrip::Roundtrip::start(&self.launcher(), config).map(|_| "started");
        let limit = airlock::MAX_MANIFEST_LEN.to_string();
        out.push(Outcome {
            attack: attack.into(),
            layer: "host: stamp and manifest sections capped",
            contained: matches!(&result, Err(Error::Manifest { detail, .. })
                if detail.contains("airlock:manifest") && detail.contains(&limit)),
            detail: describe(&result),
            took: started.elapsed(),
        });
    }

    fn import_volume_flood(&self, out: &mut Vec<Outcome>) {
        let attack = "import flood past a 64 KiB import volume";
        let policy = self
            .policy()
            .deadline(Duration::from_secs(20))
            .import_volume(IMPORT_VOLUME);
        let mut plugin = match self.hostile(policy) {
            Ok(p) => p,
            Err(e) => return out.push(not_run(attack, &e.to_string())),
        };
        let mut host = PingHost::default();
        let started = Instant::now();
        let result = plugin.attacks().import_flood(&mut host, u32::MAX);
        // Every ping decoded cost at least one byte of the volume.
        let contained = matches!(&result, Err(Error::ImportVolume { import, budget, .. })
                if import == "airlock:test/hostile-host@0.1.0#ping" && *budget == IMPORT_VOLUME)
            && host.pings > 0
            && host.pings <= IMPORT_VOLUME;
        let detail = match &result {
            Err(Error::ImportVolume {
                import,
                budget,
                used,
                ..
            }) => format!(
                "refused at `{import}` after {} pings decoded: {used} bytes > {budget}",
                host.pings
            ),
            other => format!("{}; {} pings decoded", describe(other), host.pings),
        };
        out.push(Outcome {
            attack: attack.into(),
            layer: "host: import volume per call (policy import-volume)",
            contained,
            detail,
            took: started.elapsed(),
        });
    }

    fn planted_links(&self, out: &mut Vec<Outcome>) {
        let attack = "symbolic links planted in a granted folder";
        let mut plugin = match self.hostile(self.policy()) {
            Ok(p) => p,
            Err(e) => return out.push(not_run(attack, &e.to_string())),
        };
        let rw = self.scratch.join("rw");
        let mut host = PingHost::default();
        let started = Instant::now();
        let wrote = plugin
            .attacks()
            .write_file(&mut host, "/rw/real.txt", "real");
        // The plugin makes both links; reading through the dangling one fails
        // in the guest, but the link is there.
        let _ = plugin
            .attacks()
            .make_symlink(&mut host, "real.txt", "/rw/out.txt");
        let _ = plugin
            .attacks()
            .make_symlink(&mut host, "nowhere", "/rw/dangling.txt");
        let planted = ["out.txt", "dangling.txt"].map(|name| {
            let link =
                std::fs::symlink_metadata(rw.join(name)).is_ok_and(|m| m.file_type().is_symlink());
            (link, airlock::open_granted_file(&rw, name))
        });
        let contained = matches!(wrote, Ok(Ok(_)))
            && planted.iter().all(|(link, opened)| {
                *link && matches!(opened, Err(GrantedFileError::Symlink { .. }))
            })
            && airlock::open_granted_file(&rw, "real.txt").is_ok();
        let detail = planted
            .iter()
            .map(|(link, opened)| match opened {
                Ok(_) => format!("opened (a link: {link})"),
                Err(e) => e.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; ");
        out.push(Outcome {
            attack: attack.into(),
            layer: "host: granted files opened without following links",
            contained,
            detail,
            took: started.elapsed(),
        });
    }
}

fn not_run(attack: &str, why: &str) -> Outcome {
    Outcome {
        attack: attack.into(),
        layer: "-",
        contained: false,
        detail: format!("could not run: {why}"),
        took: Duration::ZERO,
    }
}

fn sparse(path: &PathBuf) -> Result<(), String> {
    std::fs::File::create(path)
        .and_then(|f| f.set_len(SPARSE_LEN))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// This process's peak resident memory, in bytes.
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            super::proc_field(&status, "VmHWM")?
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib << 10)
}

/// `component` with a custom section `name` holding `data`, first of all.
fn with_section(component: &[u8], name: &str, data: &[u8]) -> Vec<u8> {
    let mut body = leb128(name.len() as u64);
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(data);
    let mut out = component[..8].to_vec();
    out.push(0);
    out.extend(leb128(body.len() as u64));
    out.extend_from_slice(&body);
    out.extend_from_slice(&component[8..]);
    out
}

fn leb128(mut n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

fn describe<T: std::fmt::Debug>(result: &Result<T, Error>) -> String {
    super::describe(result)
}
