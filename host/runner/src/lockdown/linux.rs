//! The Linux lock-down: namespaces (step 1), Landlock (step 2), and
//! privileges, rlimits and last seccomp (step 3).

use std::os::fd::{AsFd, BorrowedFd};

use airlock_protocol::{RunnerPolicy, SandboxLayers};

/// The nothing step 2 hands step 3 here (Landlock is in force at once).
pub(super) struct Prepared;

pub(super) fn enter_namespaces(layers: &mut SandboxLayers, network: bool) {
    use rustix::thread::{UnshareFlags, unshare_unsafe};
    let uid = rustix::process::getuid().as_raw();
    let gid = rustix::process::getgid().as_raw();
    // A runner forked from a zygote joins the network namespace its
    // zygote made (see `netns`), unless the policy grants addresses.
    let mut network_joined = false;
    if let Some((user, net)) = crate::netns::take()
        && !network
    {
        match crate::netns::join(&user, &net) {
            Ok(()) => {
                network_joined = true;
                layers.network_namespace = true;
                layers.notes.push(
                    "network namespace: the empty one this zygote's runners share (no interface up, no capability in it)"
                        .into(),
                );
            }
            Err(e) => layers
                .notes
                .push(format!("network namespace: cannot join the zygote's: {e}")),
        }
    }
    // SAFETY: the runner is single-threaded here (nothing has spawned a
    // thread before the handshake), and no file-descriptor table or fs
    // state is shared with another process.
    match unsafe { unshare_unsafe(UnshareFlags::NEWUSER) } {
        Ok(()) => {
            // Map our own ids so files created in read-write preopens have
            // a valid owner; everything else stays unmapped.
            let mapped = std::fs::write("/proc/self/setgroups", "deny")
                .and_then(|()| std::fs::write("/proc/self/uid_map", format!("{uid} {uid} 1")))
                .and_then(|()| std::fs::write("/proc/self/gid_map", format!("{gid} {gid} 1")));
            match mapped {
                Ok(()) => layers.user_namespace = true,
                Err(e) => layers
                    .notes
                    .push(format!("user namespace: entered but ids not mapped: {e}")),
            }
        }
        Err(e) => layers.notes.push(format!("user namespace: {e}")),
    }
    if network {
        layers
            .notes
            .push("network namespace: not entered, the policy grants network addresses".into());
    }
    let each = [
        (
            UnshareFlags::NEWNS,
            "mount",
            &mut layers.mount_namespace,
            true,
        ),
        (UnshareFlags::NEWIPC, "ipc", &mut layers.ipc_namespace, true),
        (UnshareFlags::NEWUTS, "uts", &mut layers.uts_namespace, true),
        (
            UnshareFlags::NEWNET,
            "network",
            &mut layers.network_namespace,
            !network && !network_joined,
        ),
    ];
    for (flag, name, active, wanted) in each {
        if !wanted {
            continue;
        }
        // SAFETY: as above, single-threaded.
        match unsafe { unshare_unsafe(flag) } {
            Ok(()) => *active = true,
            Err(e) => layers.notes.push(format!("{name} namespace: {e}")),
        }
    }
    layers.notes.push(
        "pid namespace: not entered (it would only apply to children, and seccomp forbids creating processes)"
            .into(),
    );
}

pub(super) fn restrict_paths(
    layers: &mut SandboxLayers,
    preopens: &[(BorrowedFd<'_>, bool)],
    policy: &RunnerPolicy,
) -> Prepared {
    use landlock::{
        ABI, Access, AccessFs, AccessNet, NetPort, PathBeneath, Ruleset, RulesetAttr,
        RulesetCreatedAttr, RulesetStatus, Scope,
    };
    let abi = ABI::V6;
    let result = (|| -> Result<_, landlock::RulesetError> {
        let mut ruleset = Ruleset::default()
            .handle_access(AccessFs::from_all(abi))?
            .handle_access(AccessNet::from_all(abi))?
            .scope(Scope::from_all(abi))?
            .create()?;
        for (fd, writable) in preopens {
            let access = if *writable {
                AccessFs::from_all(abi)
            } else {
                AccessFs::from_read(abi)
            };
            ruleset = ruleset.add_rule(PathBeneath::new(fd.as_fd(), access))?;
        }
        for addr in &policy.network {
            ruleset = ruleset.add_rule(NetPort::new(addr.port(), AccessNet::ConnectTcp))?;
        }
        ruleset.restrict_self()
    })();
    match result {
        Ok(status) => match status.ruleset {
            RulesetStatus::FullyEnforced | RulesetStatus::PartiallyEnforced => {
                layers.landlock_abi = match status.landlock {
                    landlock::LandlockStatus::Available { effective_abi, .. } => {
                        effective_abi as u8
                    }
                    _ => 1,
                };
                if status.ruleset == RulesetStatus::PartiallyEnforced {
                    layers.notes.push(format!(
                        "landlock: partially enforced (kernel ABI {})",
                        layers.landlock_abi
                    ));
                }
            }
            RulesetStatus::NotEnforced => layers
                .notes
                .push("landlock: not supported by this kernel".into()),
        },
        Err(e) => layers.notes.push(format!("landlock: {e}")),
    }
    Prepared
}

pub(super) fn lock_down(layers: &mut SandboxLayers, policy: &RunnerPolicy, _: Prepared) {
    use rustix::process::Signal;
    match rustix::process::set_parent_process_death_signal(Some(Signal::KILL)) {
        Ok(()) => layers.parent_death_signal = true,
        Err(e) => layers.notes.push(format!("parent-death signal: {e}")),
    }
    super::rlimits::set(layers);
    match drop_capabilities() {
        Ok(()) => layers.capabilities_dropped = true,
        Err(e) => layers.notes.push(format!("capabilities: {e}")),
    }
    match rustix::thread::set_no_new_privs(true) {
        Ok(()) => layers.no_new_privs = true,
        Err(e) => layers.notes.push(format!("no_new_privs: {e}")),
    }
    if policy.debugger {
        // The debugging policy's one relaxation of the lock-down: the
        // kernel lets a process of the same user ptrace-attach only to
        // a dumpable one (and the runner's /proc files stay readable).
        layers.notes.push(
            "not dumpable: not set, the debugging policy keeps the runner attachable by a debugger"
                .into(),
        );
    } else {
        match rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
        {
            Ok(()) => layers.not_dumpable = true,
            Err(e) => layers.notes.push(format!("not dumpable: {e}")),
        }
    }
    match super::seccomp::install(policy) {
        Ok(()) => layers.seccomp = true,
        Err(e) => layers.notes.push(format!("seccomp: {e}")),
    }
}

/// Empties the bounding, effective, permitted and inheritable capability sets.
fn drop_capabilities() -> std::io::Result<()> {
    use rustix::thread::{CapabilitySet, CapabilitySets};
    // The bounding set first: dropping from it needs CAP_SETPCAP, which the
    // next step removes. Capabilities this kernel does not know fail with EINVAL.
    for bit in 0..64u32 {
        let cap = CapabilitySet::from_bits_retain(1 << bit);
        let _ = rustix::thread::remove_capability_from_bounding_set(cap);
    }
    rustix::thread::set_capabilities(
        None,
        CapabilitySets {
            effective: CapabilitySet::empty(),
            permitted: CapabilitySet::empty(),
            inheritable: CapabilitySet::empty(),
        },
    )?;
    Ok(())
}
