//! What one plugin may do and use: a builder, and the same thing as TOML.
//!
//! The TOML form's every key, with its default, is in docs/sandbox.md
//! ("Policy"); `Policy::from_toml` refuses unknown keys by name.
//!
//! Paths stay in the host: the runner receives open directory descriptors and
//! the names the guest should see.

use std::fmt;
use std::net::ToSocketAddrs;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use airlock_protocol::{PreopenGrant, RunnerPolicy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::text::PluginText;

/// The default [`Policy::import_volume`]: 64 MiB of import arguments per call.
pub const DEFAULT_IMPORT_VOLUME: u64 = 64 << 20;

/// What one plugin may do and use. Defaults: 512 MiB of memory, a 10 s
/// deadline, no files, no environment, no network, this system's
/// system-call confinement required ([`Layer::DEFAULT_REQUIRED`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Policy {
    pub memory: ByteSize,
    #[serde(with = "humantime_serde_compat")]
    pub deadline: Duration,
    #[serde(with = "humantime_serde_compat")]
    pub grace: Duration,
    #[serde(with = "humantime_serde_compat")]
    pub startup: Duration,
    pub fuel: Option<u64>,
    pub stack: ByteSize,
    pub instances: u32,
    pub tables: u32,
    pub memories: u32,
    /// Handles to host-implemented resources the guest may hold at once.
    pub handles: u32,
    /// Environment variables passed through from the host's environment.
    pub env: Vec<String>,
    /// Environment variables set to fixed values.
    pub env_set: Vec<(String, String)>,
    pub network: Vec<String>,
    pub output_rate: ByteSize,
    pub output_buffer: ByteSize,
    pub log_volume: ByteSize,
    /// Bytes of import arguments the host decodes for one call, all import
    /// calls together, counted before each is decoded; one more and the
    /// call fails with [`Error::ImportVolume`]. Default 64 MiB.
    pub import_volume: ByteSize,
    pub max_frame: ByteSize,
    #[serde(rename = "preopen")]
    pub preopens: Vec<Preopen>,
    /// Sandbox layers the runner must have switched on, or the plugin does not start.
    pub require: Vec<Layer>,
    /// Runner restarts allowed within `restart-window`; one more and the
    /// plugin is stopped for good (VS Code's extension host: 3 in 5 minutes).
    pub restarts: u32,
    #[serde(with = "humantime_serde_compat")]
    pub restart_window: Duration,
    /// Wait before the second restart in the window; doubles each time, at most 2 s.
    #[serde(with = "humantime_serde_compat")]
    pub backoff: Duration,
    /// How long compiling the component may take (it runs in a child of the
    /// runner, under the memory cap as well); `startup` still bounds the
    /// whole start-up.
    #[serde(with = "humantime_serde_compat")]
    pub compile_deadline: Duration,
    /// The debugging policy's switch ([`Policy::debugging`]): native debug
    /// information for the plugin's code, and a runner gdb may attach to.
    pub debugger: bool,
}

/// A host directory the guest sees at `guest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preopen {
    pub host: PathBuf,
    pub guest: String,
    #[serde(default)]
    pub writable: bool,
}

impl Default for Policy {
    fn default() -> Self {
        let wire = RunnerPolicy::default();
        Self {
            memory: ByteSize(wire.max_memory_bytes),
            deadline: Duration::from_millis(wire.deadline_ms),
            grace: Duration::from_millis(25),
            startup: Duration::from_secs(60),
            fuel: None,
            stack: ByteSize(wire.max_wasm_stack.into()),
            instances: wire.max_instances,
            tables: wire.max_tables,
            memories: wire.max_memories,
            handles: wire.max_handles,
            env: Vec::new(),
            env_set: Vec::new(),
            network: Vec::new(),
            output_rate: ByteSize(wire.output_bytes_per_sec),
            output_buffer: ByteSize(wire.max_output_buffer.into()),
            log_volume: ByteSize(wire.max_log_bytes_per_call),
            import_volume: ByteSize(DEFAULT_IMPORT_VOLUME),
            max_frame: ByteSize(wire.max_frame.into()),
            preopens: Vec::new(),
            require: Layer::DEFAULT_REQUIRED.to_vec(),
            restarts: 3,
            restart_window: Duration::from_secs(300),
            backoff: Duration::from_millis(100),
            compile_deadline: Duration::from_millis(wire.compile_deadline_ms),
            debugger: wire.debugger,
        }
    }
}

/// The call deadline of [`Policy::debugging`]: the host ends a call at its
/// deadline by the wall clock, time stopped at a breakpoint included.
pub const DEBUG_DEADLINE: Duration = Duration::from_secs(3600);

impl Policy {
    /// The debugging policy: the defaults with [`Policy::debugger`] on and
    /// a one-hour deadline. The runner stays dumpable, so that gdb running
    /// as the same user may attach, and its code carries debug information;
    /// every other layer is as in any policy. Never for untrusted plugins or
    /// production: any process of the user may then read and write the
    /// runner's memory. See docs/debugging.md.
    pub fn debugging() -> Self {
        Self::default().debugger(true).deadline(DEBUG_DEADLINE)
    }

    /// Parses a policy from TOML; unknown keys are errors.
    pub fn from_toml(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::Policy {
            detail: e.to_string(),
        })
    }

    /// Reads a TOML policy file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::Policy {
            detail: format!("cannot read {}: {e}", path.display()),
        })?;
        Self::from_toml(&text).map_err(|e| match e {
            Error::Policy { detail } => Error::Policy {
                detail: format!("{}: {detail}", path.display()),
            },
            e => e,
        })
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a policy always serializes")
    }

    pub fn memory(mut self, bytes: u64) -> Self {
        self.memory = ByteSize(bytes);
        self
    }
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }
    pub fn startup(mut self, timeout: Duration) -> Self {
        self.startup = timeout;
        self
    }
    pub fn fuel(mut self, fuel: Option<u64>) -> Self {
        self.fuel = fuel;
        self
    }
    pub fn stack(mut self, bytes: u64) -> Self {
        self.stack = ByteSize(bytes);
        self
    }
    pub fn counts(mut self, instances: u32, tables: u32, memories: u32) -> Self {
        (self.instances, self.tables, self.memories) = (instances, tables, memories);
        self
    }
    /// Passes `name` through from the host's environment, when it is set there.
    pub fn env(mut self, name: impl Into<String>) -> Self {
        self.env.push(name.into());
        self
    }
    pub fn env_set(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env_set.push((name.into(), value.into()));
        self
    }
    /// Lets the guest connect to `host:port`.
    pub fn allow_connect(mut self, host_port: impl Into<String>) -> Self {
        self.network.push(host_port.into());
        self
    }
    pub fn preopen(
        mut self,
        host: impl Into<PathBuf>,
        guest: impl Into<String>,
        writable: bool,
    ) -> Self {
        self.preopens.push(Preopen {
            host: host.into(),
            guest: guest.into(),
            writable,
        });
        self
    }
    pub fn output_rate(mut self, bytes_per_sec: u64) -> Self {
        self.output_rate = ByteSize(bytes_per_sec);
        self
    }
    /// At most `handles` resource handles held by the guest at once.
    pub fn handles(mut self, handles: u32) -> Self {
        self.handles = handles;
        self
    }
    pub fn log_volume(mut self, bytes_per_call: u64) -> Self {
        self.log_volume = ByteSize(bytes_per_call);
        self
    }
    /// At most `bytes` of import arguments decoded by the host per call.
    pub fn import_volume(mut self, bytes: u64) -> Self {
        self.import_volume = ByteSize(bytes);
        self
    }
    pub fn max_frame(mut self, bytes: u32) -> Self {
        self.max_frame = ByteSize(bytes.into());
        self
    }
    /// At most `restarts` runner restarts within `window`, waiting `backoff`
    /// (doubling) before each one after the first.
    pub fn restarts(mut self, restarts: u32, window: Duration, backoff: Duration) -> Self {
        (self.restarts, self.restart_window, self.backoff) = (restarts, window, backoff);
        self
    }
    pub fn require(mut self, layers: impl IntoIterator<Item = Layer>) -> Self {
        self.require = layers.into_iter().collect();
        self
    }

    /// How long compiling the component may take.
    pub fn compile_deadline(mut self, deadline: Duration) -> Self {
        self.compile_deadline = deadline;
        self
    }

    /// The `debugger` switch alone; [`Policy::debugging`] also lengthens the deadline.
    pub fn debugger(mut self, on: bool) -> Self {
        self.debugger = on;
        self
    }

    /// The form sent to the runner, with host names resolved to addresses.
    pub(crate) fn to_wire(&self, plugin: &str) -> Result<RunnerPolicy> {
        let too_big = |what: &str| Error::Policy {
            detail: format!(
                "plugin `{}`: {what} is too large",
                PluginText::escape(plugin)
            ),
        };
        let mut network = Vec::new();
        for entry in &self.network {
            let addrs = entry.to_socket_addrs().map_err(|e| Error::Policy {
                detail: format!(
                    "plugin `{}`: network address `{entry}`: {e}",
                    PluginText::escape(plugin)
                ),
            })?;
            network.extend(addrs);
        }
        network.sort();
        network.dedup();
        let mut env: Vec<(String, String)> = self
            .env
            .iter()
            .filter_map(|name| std::env::var(name).ok().map(|v| (name.clone(), v)))
            .collect();
        env.extend(self.env_set.iter().cloned());
        Ok(RunnerPolicy {
            deadline_ms: self.deadline.as_millis().try_into().unwrap_or(u64::MAX),
            max_frame: self
                .max_frame
                .0
                .try_into()
                .map_err(|_| too_big("max-frame"))?,
            max_output_buffer: self
                .output_buffer
                .0
                .try_into()
                .map_err(|_| too_big("output-buffer"))?,
            output_bytes_per_sec: self.output_rate.0,
            max_log_bytes_per_call: self.log_volume.0,
            max_memory_bytes: self.memory.0,
            max_instances: self.instances,
            max_tables: self.tables,
            max_memories: self.memories,
            max_handles: self.handles,
            fuel_per_call: self.fuel,
            max_wasm_stack: self.stack.0.try_into().map_err(|_| too_big("stack"))?,
            env,
            preopens: self
                .preopens
                .iter()
                .map(|p| PreopenGrant {
                    guest_path: p.guest.clone(),
                    writable: p.writable,
                })
                .collect(),
            network,
            compile_deadline_ms: self
                .compile_deadline
                .as_millis()
                .try_into()
                .unwrap_or(u64::MAX),
            debugger: self.debugger,
        })
    }
}

/// A byte count: an integer, or a string such as `"256 MiB"`, `"64KiB"`, `"1 GB"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(pub u64);

impl FromStr for ByteSize {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let s = s.trim();
        let split = s
            .find(|c: char| !(c.is_ascii_digit() || c == '_'))
            .unwrap_or(s.len());
        let (number, unit) = s.split_at(split);
        let number: u64 = number
            .replace('_', "")
            .parse()
            .map_err(|_| format!("`{s}` is not a size (e.g. \"256 MiB\")"))?;
        let multiplier: u64 = match unit.trim() {
            "" | "B" => 1,
            "KiB" => 1 << 10,
            "MiB" => 1 << 20,
            "GiB" => 1 << 30,
            "KB" | "kB" => 1_000,
            "MB" => 1_000_000,
            "GB" => 1_000_000_000,
            other => {
                return Err(format!(
                    "unknown size unit `{other}` (use B, KiB, MiB, GiB, kB, MB or GB)"
                ));
            }
        };
        number
            .checked_mul(multiplier)
            .map(ByteSize)
            .ok_or_else(|| format!("`{s}` is too large"))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (unit, size) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
            if self.0 >= size && self.0.is_multiple_of(size) {
                return write!(f, "{} {unit}", self.0 / size);
            }
        }
        write!(f, "{} B", self.0)
    }
}

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Int(n) => Ok(ByteSize(n)),
            Raw::Text(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// Durations as humantime strings (`"2s"`, `"250ms"`).
mod humantime_serde_compat {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&humantime::format_duration(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text).map_err(|e| {
            serde::de::Error::custom(format!(
                "`{text}` is not a duration (e.g. \"2s\", \"250ms\"): {e}"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_and_without_units() {
        assert_eq!("256 MiB".parse::<ByteSize>().unwrap().0, 256 << 20);
        assert_eq!("64KiB".parse::<ByteSize>().unwrap().0, 64 << 10);
        assert_eq!("1_000".parse::<ByteSize>().unwrap().0, 1000);
        assert!(
            "12 parsecs"
                .parse::<ByteSize>()
                .unwrap_err()
                .contains("parsecs")
        );
        assert!("99999999999999 GiB".parse::<ByteSize>().is_err());
        assert_eq!(ByteSize(256 << 20).to_string(), "256 MiB");
    }

    #[test]
    fn toml_round_trips_and_rejects_unknown_keys() {
        let policy = Policy::default()
            .memory(64 << 20)
            .deadline(Duration::from_millis(1500))
            .preopen("/tmp", "/scratch", true)
            .allow_connect("127.0.0.1:8080")
            .import_volume(3 << 20)
            .require([Layer::Seccomp, Layer::Landlock]);
        let text = policy.to_toml();
        assert_eq!(Policy::from_toml(&text).unwrap(), policy);
        let debugging = Policy::from_toml("debugger = true").unwrap().to_wire("p");
        assert!(debugging.as_ref().unwrap().debugger && !policy.debugger);
        // Code compiled with debug information is cached apart.
        let fingerprint = airlock_runner::artifact_fingerprint;
        assert_ne!(
            fingerprint(&debugging.unwrap()),
            fingerprint(&Default::default())
        );

        let err = Policy::from_toml("memroy = \"1 MiB\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("memroy"), "{err}");
        assert_eq!(
            Policy::from_toml("import-volume = \"2 MiB\"")
                .unwrap()
                .import_volume,
            ByteSize(2 << 20)
        );
        assert_eq!(
            Policy::default().import_volume,
            ByteSize(DEFAULT_IMPORT_VOLUME)
        );
        let err = Policy::from_toml("deadline = \"soon\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("soon"), "{err}");
        let err = Policy::from_toml("require = [\"magic\"]")
            .unwrap_err()
            .to_string();
        assert!(err.contains("magic"), "{err}");
    }

    #[test]
    fn the_wire_form_resolves_addresses_and_passes_only_listed_variables() {
        let policy = Policy::default()
            .allow_connect("127.0.0.1:9")
            .env("PATH")
            .env("AIRLOCK_SURELY_UNSET_VARIABLE")
            .env_set("MODE", "test");
        let wire = policy.to_wire("p").unwrap();
        assert_eq!(wire.network, vec!["127.0.0.1:9".parse().unwrap()]);
        assert!(wire.env.iter().any(|(k, _)| k == "PATH") == std::env::var("PATH").is_ok());
        assert!(wire.env.contains(&("MODE".into(), "test".into())));
        assert!(
            !wire
                .env
                .iter()
                .any(|(k, _)| k.starts_with("AIRLOCK_SURELY"))
        );

        let bad = Policy::default().allow_connect("no port here");
        assert!(
            bad.to_wire("p")
                .unwrap_err()
                .to_string()
                .contains("no port here")
        );
    }
}
