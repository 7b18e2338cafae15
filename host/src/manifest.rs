//! Plugin manifests: what a plugin says it is and what it asks for, each
//! request with a reason; the host's [`Policy`] decides what is granted.
//!
//! ```toml
//! name = "svg-export"
//! version = "1.0.0"
//! world = "airlock:design/exporter@0.1.0"
//! description = "Exports the document as SVG"
//!
//! [[capability]]
//! kind = "directory"
//! path = "/out"
//! access = "read-write"
//! reason = "writes the exported SVG into the folder you choose"
//!
//! [[capability]]
//! kind = "network"
//! address = "fonts.example.com:443"
//! reason = "downloads the fonts the document uses"
//! required = false
//! ```
//!
//! A manifest is given to [`crate::PluginConfig::manifest`] (as
//! [`crate::PluginConfig::from_file`] does with the one beside the component:
//! `svg-export.wasm` and `svg-export.toml`), or else is the one inside the
//! component (the guest SDK embeds the crate's `airlock.toml`).
//! [`crate::Plugin::start`] reviews it against the policy: a required request
//! that is not granted stops the start with [`crate::Error::Denied`] naming
//! the capability, the plugin's reason and how to grant it; an optional one
//! is recorded in [`crate::Plugin::denials`] and the plugin runs without it.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use airlock_runner::stamp::Sections;
use serde::Deserialize;

use crate::bounded_read::{MAX_MANIFEST_LEN, read_bounded};
use crate::error::{Error, Result};
use crate::policy::Policy;

/// A plugin's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub name: String,
    /// The plugin's own version (semver).
    pub version: String,
    /// The world it implements, `namespace:package/world@version`.
    pub world: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, rename = "capability")]
    pub capabilities: Vec<Request>,
}

/// One capability a plugin asks for, and why.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawRequest")]
pub struct Request {
    pub capability: Capability,
    /// Shown to whoever decides: why the plugin needs it.
    pub reason: String,
    /// Whether the plugin cannot work without it (default: true).
    pub required: bool,
}

/// What can be asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capability {
    /// A directory the guest sees at `path`.
    Directory { path: String, access: Access },
    /// Outgoing connections to `address` (`host:port`).
    Network { address: String },
    /// An environment variable.
    Env { name: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    Read,
    ReadWrite,
}

/// A `[[capability]]` table as written; every key is checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    kind: Kind,
    path: Option<String>,
    access: Option<Access>,
    address: Option<String>,
    name: Option<String>,
    reason: String,
    #[serde(default = "required_by_default")]
    required: bool,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum Kind {
    Directory,
    Network,
    Env,
}

fn required_by_default() -> bool {
    true
}

impl TryFrom<RawRequest> for Request {
    type Error = String;

    fn try_from(raw: RawRequest) -> std::result::Result<Self, String> {
        let (kind, keys) = match raw.kind {
            Kind::Directory => ("directory", "`path` and `access`"),
            Kind::Network => ("network", "`address`"),
            Kind::Env => ("env", "`name`"),
        };
        let capability = match (raw.kind, raw.path, raw.access, raw.address, raw.name) {
            (Kind::Directory, Some(path), Some(access), None, None) => {
                Capability::Directory { path, access }
            }
            (Kind::Network, None, None, Some(address), None) => Capability::Network { address },
            (Kind::Env, None, None, None, Some(name)) => Capability::Env { name },
            _ => {
                return Err(format!(
                    "a `{kind}` capability takes {keys}, and only those"
                ));
            }
        };
        Ok(Request {
            capability,
            reason: raw.reason,
            required: raw.required,
        })
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Capability::Directory {
                path,
                access: Access::Read,
            } => write!(f, "read access to {path}"),
            Capability::Directory {
                path,
                access: Access::ReadWrite,
            } => write!(f, "write access to {path}"),
            Capability::Network { address } => write!(f, "network access to {address}"),
            Capability::Env { name } => write!(f, "environment variable {name}"),
        }
    }
}

impl Capability {
    /// Whether `policy` grants this. Directories compare as paths (`/out/`
    /// is `/out`). Addresses compare as written or, for a literal socket
    /// address, with what the *policy's* names resolve to (`127.0.0.1:8080`
    /// is granted by `localhost:8080`). A name the manifest chose is never
    /// looked up: the lookup itself would reach the network (a DNS query the
    /// plugin's author can watch for) on behalf of a plugin granted nothing.
    /// And a policy that grants no network resolves nothing at all.
    pub fn granted_by(&self, policy: &Policy) -> bool {
        self.granted_by_resolving(policy, &mut resolve)
    }

    /// [`Capability::granted_by`] with the resolver given, so that tests can
    /// see which names are looked up.
    pub(crate) fn granted_by_resolving(
        &self,
        policy: &Policy,
        resolve: &mut dyn FnMut(&str) -> Vec<SocketAddr>,
    ) -> bool {
        match self {
            Capability::Directory { path, access } => policy.preopens.iter().any(|p| {
                same_guest_path(&p.guest, path) && (p.writable || *access == Access::Read)
            }),
            Capability::Network { address } => {
                if policy.network.iter().any(|a| a == address) {
                    return true;
                }
                let Ok(wanted) = address.parse::<SocketAddr>() else {
                    return false;
                };
                policy
                    .network
                    .iter()
                    .any(|granted| resolve(granted).contains(&wanted))
            }
            Capability::Env { name } => {
                policy.env.iter().any(|e| e == name)
                    || policy.env_set.iter().any(|(e, _)| e == name)
            }
        }
    }

    /// What a host adds to its policy to grant this.
    pub fn how_to_grant(&self) -> String {
        match self {
            Capability::Directory { path, access } => format!(
                "a [[preopen]] table with host = \"<a directory>\", guest = \"{path}\"{}",
                if *access == Access::ReadWrite {
                    ", writable = true"
                } else {
                    ""
                }
            ),
            Capability::Network { address } => format!("network = [\"{address}\"]"),
            Capability::Env { name } => format!("env = [\"{name}\"]"),
        }
    }
}

fn same_guest_path(a: &str, b: &str) -> bool {
    let normal = |p: &str| {
        let trimmed = p.trim_end_matches('/');
        if trimmed.is_empty() {
            "/".to_string()
        } else {
            trimmed.to_string()
        }
    };
    normal(a) == normal(b)
}

/// Resolves a name the policy lists (never one a manifest chose).
fn resolve(address: &str) -> Vec<SocketAddr> {
    use std::net::ToSocketAddrs;
    address
        .to_socket_addrs()
        .map(|a| a.collect())
        .unwrap_or_default()
}

/// How a manifest's requests fare under a policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Review {
    pub granted: Vec<Request>,
    pub refused: Vec<Request>,
}

impl Review {
    /// The refused requests the plugin cannot do without.
    pub fn refused_required(&self) -> impl Iterator<Item = &Request> {
        self.refused.iter().filter(|r| r.required)
    }
}

impl Manifest {
    /// Parses and checks a manifest; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| Error::Manifest {
            origin: origin.to_string().into(),
            detail: e.to_string().into(),
        })?;
        manifest.validate(origin)?;
        Ok(manifest)
    }

    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        match Self::read_file(path) {
            Ok(manifest) => manifest,
            Err(e) => Err(Self::unreadable(path, e)),
        }
    }

    /// The manifest beside `component` (same stem, `.toml`), if there is
    /// one; one that exists but cannot be read is an error, not "none".
    pub fn beside(component: impl AsRef<Path>) -> Result<Option<Self>> {
        let path = Self::path_beside(component);
        match Self::read_file(&path) {
            Ok(manifest) => manifest.map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Self::unreadable(&path, e)),
        }
    }

    /// Reads a manifest file of at most [`MAX_MANIFEST_LEN`] bytes (its size
    /// checked before reading) and parses it.
    fn read_file(path: &Path) -> std::io::Result<Result<Self>> {
        let bytes = read_bounded(path, MAX_MANIFEST_LEN)?;
        let origin = path.display().to_string();
        Ok(match String::from_utf8(bytes) {
            Ok(text) => Self::from_toml(&text, &origin),
            Err(_) => Err(Error::Manifest {
                origin: origin.into(),
                detail: "it is not UTF-8 text".into(),
            }),
        })
    }

    fn unreadable(path: &Path, e: std::io::Error) -> Error {
        Error::Manifest {
            origin: path.display().to_string().into(),
            detail: format!("cannot be read: {e}").into(),
        }
    }

    /// Refuses a component whose stamp or manifest section is longer than
    /// the host reads; `origin` names the component.
    pub(crate) fn refuse_oversized(sections: &Sections, origin: &str) -> Result<()> {
        match &sections.oversized {
            Some(oversized) => Err(Error::Manifest {
                origin: format!("embedded in {origin}").into(),
                detail: oversized.to_string().into(),
            }),
            None => Ok(()),
        }
    }

    /// The manifest the guest SDK embedded in `component` (its crate's
    /// `airlock.toml`), if any; `origin` names the component in errors.
    pub fn embedded(component: &[u8], origin: &str) -> Result<Option<Self>> {
        let sections = airlock_runner::stamp::sections(component);
        Self::refuse_oversized(&sections, origin)?;
        sections
            .manifest
            .map(|text| Self::from_section(&text, origin))
            .transpose()
    }

    /// Parses the bytes of an embedded manifest section of `origin`.
    pub(crate) fn from_section(text: &[u8], origin: &str) -> Result<Self> {
        let origin = format!("embedded in {origin}");
        let text = std::str::from_utf8(text).map_err(|_| Error::Manifest {
            origin: origin.clone().into(),
            detail: "it is not UTF-8 text".into(),
        })?;
        Self::from_toml(text, &origin)
    }

    pub fn path_beside(component: impl AsRef<Path>) -> PathBuf {
        component.as_ref().with_extension("toml")
    }

    fn validate(&self, origin: &str) -> Result<()> {
        let bad = |detail: String| {
            Err(Error::Manifest {
                origin: origin.to_string().into(),
                detail: detail.into(),
            })
        };
        if self.name.trim().is_empty() {
            return bad("`name` is empty".into());
        }
        if semver::Version::parse(&self.version).is_err() {
            return bad(format!(
                "`version` {:?} is not a semantic version such as \"1.2.0\"",
                self.version
            ));
        }
        let Some((world, version)) = self.world.split_once('@') else {
            return bad(format!(
                "`world` {:?} has no version; write it as \"namespace:package/world@1.0.0\"",
                self.world
            ));
        };
        if !world.contains(':') || !world.contains('/') || semver::Version::parse(version).is_err()
        {
            return bad(format!(
                "`world` {:?} is not of the form \"namespace:package/world@1.0.0\"",
                self.world
            ));
        }
        for request in &self.capabilities {
            if request.reason.trim().is_empty() {
                return bad(format!(
                    "the request for {} gives no reason",
                    request.capability
                ));
            }
            match &request.capability {
                Capability::Directory { path, .. } if !path.starts_with('/') => {
                    return bad(format!(
                        "directory {path:?} is not an absolute guest path such as \"/out\""
                    ));
                }
                Capability::Network { address }
                    if address
                        .rsplit_once(':')
                        .is_none_or(|(_, port)| port.parse::<u16>().is_err()) =>
                {
                    return bad(format!("network address {address:?} is not host:port"));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Which requests `policy` grants. Only names the policy lists are
    /// resolved, and only when a manifest asks for a literal address.
    pub fn review(&self, policy: &Policy) -> Review {
        self.review_resolving(policy, &mut resolve)
    }

    fn review_resolving(
        &self,
        policy: &Policy,
        resolve: &mut dyn FnMut(&str) -> Vec<SocketAddr>,
    ) -> Review {
        let (granted, refused) = self
            .capabilities
            .iter()
            .cloned()
            .partition(|r| r.capability.granted_by_resolving(policy, resolve));
        Review { granted, refused }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Preopen;

    const SVG_EXPORT: &str = r#"
        name = "svg-export"
        version = "1.0.0"
        world = "airlock:design/exporter@0.1.0"

        [[capability]]
        kind = "directory"
        path = "/out"
        access = "read-write"
        reason = "writes the SVG"

        [[capability]]
        kind = "network"
        address = "fonts.example.com:443"
        reason = "fetches fonts"
        required = false
    "#;

    #[test]
    fn a_policy_grants_what_it_names() {
        let manifest = Manifest::from_toml(SVG_EXPORT, "test").unwrap();
        let mut policy = Policy::default();
        let review = manifest.review(&policy);
        assert_eq!(review.granted.len(), 0);
        assert_eq!(review.refused_required().count(), 1);

        // Read-only is not enough for read-write.
        policy.preopens.push(Preopen {
            host: "/tmp".into(),
            guest: "/out".into(),
            writable: false,
        });
        assert_eq!(manifest.review(&policy).refused_required().count(), 1);
        policy.preopens[0].writable = true;
        let review = manifest.review(&policy);
        assert_eq!(review.refused_required().count(), 0);
        assert_eq!(review.refused.len(), 1, "the optional network request");
        assert_eq!(
            review.refused[0].capability.to_string(),
            "network access to fonts.example.com:443"
        );
    }

    fn network_manifest(address: &str) -> Manifest {
        Manifest::from_toml(
            &format!(
                "name = \"x\"\nversion = \"1.0.0\"\nworld = \"a:b/c@1.0.0\"\n\
                 [[capability]]\nkind = \"directory\"\npath = \"/out\"\naccess = \"read\"\nreason = \"r\"\n\
                 [[capability]]\nkind = \"network\"\naddress = \"{address}\"\nreason = \"r\""
            ),
            "test",
        )
        .unwrap()
    }

    #[test]
    fn grants_compare_paths_and_addresses_by_meaning() {
        // A literal address is granted by a policy name that resolves to it.
        let manifest = network_manifest("127.0.0.1:9");
        let policy = Policy::default()
            .preopen("/tmp", "/out/", false)
            .allow_connect("localhost:9");
        let review = manifest.review(&policy);
        assert!(review.refused.is_empty(), "{review:?}");
        let policy = Policy::default()
            .preopen("/tmp", "/output", true)
            .allow_connect("localhost:10");
        assert_eq!(manifest.review(&policy).granted.len(), 0);
    }

    #[test]
    fn a_name_the_manifest_chose_is_never_looked_up() {
        let asked = std::cell::RefCell::new(Vec::<String>::new());
        let mut resolver = |name: &str| {
            asked.borrow_mut().push(name.to_string());
            vec!["127.0.0.1:9".parse().unwrap()]
        };
        // No network granted: nothing is resolved, the request is refused.
        let beacon = network_manifest("beacon.attacker.invalid:443");
        let review = beacon.review_resolving(&Policy::default(), &mut resolver);
        assert_eq!(review.refused.len(), 2, "{review:?}");
        assert!(asked.borrow().is_empty(), "looked up {asked:?}");
        // Some network granted: the manifest's name is still not resolved
        // (it would reach the network), and the request stays refused.
        let policy = Policy::default().allow_connect("localhost:9");
        let review = beacon.review_resolving(&policy, &mut resolver);
        assert_eq!(review.granted.len(), 0, "{review:?}");
        assert!(asked.borrow().is_empty(), "looked up {asked:?}");
        // A name the manifest gives as the policy writes it is granted as written.
        let review = network_manifest("localhost:9").review_resolving(&policy, &mut resolver);
        assert_eq!(review.refused.len(), 1, "only the directory: {review:?}");
        assert!(asked.borrow().is_empty(), "looked up {asked:?}");
        // Only the policy's own names are ever resolved.
        let review = network_manifest("127.0.0.1:9").review_resolving(&policy, &mut resolver);
        assert_eq!(review.refused.len(), 1, "{review:?}");
        assert_eq!(*asked.borrow(), ["localhost:9"]);
    }

    #[test]
    fn malformed_manifests_name_the_problem() {
        for (text, needle) in [
            (
                "name = \"x\"\nversion = \"1\"\nworld = \"a:b/c@1.0.0\"",
                "semantic version",
            ),
            (
                "name = \"x\"\nversion = \"1.0.0\"\nworld = \"a:b/c\"",
                "has no version",
            ),
            (
                "name = \"x\"\nversion = \"1.0.0\"\nworld = \"a:b/c@1.0.0\"\nsurprise = 1",
                "unknown field",
            ),
            (
                "name = \"x\"\nversion = \"1.0.0\"\nworld = \"a:b/c@1.0.0\"\n[[capability]]\nkind = \"directory\"\npath = \"out\"\naccess = \"read\"\nreason = \"r\"",
                "absolute guest path",
            ),
            (
                "name = \"x\"\nversion = \"1.0.0\"\nworld = \"a:b/c@1.0.0\"\n[[capability]]\nkind = \"env\"\nname = \"HOME\"\nreason = \" \"",
                "gives no reason",
            ),
            (
                "name = \"x\"\nversion = \"1.0.0\"\nworld = \"a:b/c@1.0.0\"\n[[capability]]\nkind = \"teleport\"\nreason = \"r\"",
                "teleport",
            ),
        ] {
            let err = Manifest::from_toml(text, "m.toml").unwrap_err().to_string();
            assert!(
                err.contains(needle) && err.contains("m.toml"),
                "{needle}: {err}"
            );
        }
    }
}
