//! Windows: a runner is started confined (`airlock-platform`'s
//! `windows_process`: a restricted low-integrity token, a Job object,
//! creation-time mitigation policies, an explicit handle list) and reached
//! by its end of a named pipe, inherited; what it reports of its layers is
//! checked from outside (`windows_checks`). Not yet: a zygote, the shared rings,
//! preopened and granted folders, sealed artifacts (the cache sends an
//! artifact's bytes); each is a type without values or a refusal that
//! says so.

use std::fs::{DirBuilder, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::os::windows::io::{AsHandle, OwnedHandle};
use std::os::windows::process::ExitStatusExt;
use std::path::Path;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use airlock_platform::windows_checks;
use airlock_platform::windows_process::{self, Confined, RunnerCommand};
use airlock_protocol::{SandboxLayers, Stream, Wake};
use airlock_runner::RUNNER_ARG;

use super::{Inherit, OwnedDir, StderrSource};
use crate::Layer;
use crate::granted_file::GrantedFileError;

/// The Job object, which the host confirms itself (`confirm_exec_layers`):
/// without it a runner could outlive its host and make processes. The
/// low-integrity token is not required yet: it is unconfirmed on Windows
/// itself, and Wine ignores it.
pub(super) const CONFINEMENT: &[Layer] = &[Layer::Job];

/// Windows's layers (`lockdown/windows.rs` in the runner).
pub(super) const LAYERS: &[Layer] = &[Layer::Job, Layer::LowIntegrity, Layer::Mitigations];

/// The Job's memory limit, at least: a backstop past wasmtime's own cap,
/// for what the compiler and the runner allocate outside guest memory.
const JOB_MEMORY: u64 = 8 << 30;

/// Room above a policy's guest memory cap in the Job's limit.
const JOB_ROOM: u64 = 4 << 30;

fn not_yet(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!("{what} are not available on Windows yet"),
    )
}

pub(crate) use super::no_zygote::{ForkedRunner, Zygotes};
pub(super) use super::no_zygote::{fork_runner, forked_killer, zygotes};

/// A runner in its Job object.
#[derive(Debug)]
pub(crate) struct ExecRunner(Confined);

impl ExecRunner {
    pub(crate) fn id(&self) -> u32 {
        self.0.pid
    }

    pub(crate) fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        Ok(self.0.poll(Duration::ZERO)?.map(ExitStatus::from_raw))
    }

    pub(crate) fn kill(&mut self) -> io::Result<()> {
        self.0.kill();
        Ok(())
    }

    pub(crate) fn wait(&mut self) -> io::Result<ExitStatus> {
        loop {
            if let Some(code) = self.0.poll(Duration::from_secs(3600))? {
                return Ok(ExitStatus::from_raw(code));
            }
        }
    }
}

pub(super) fn exec_runner(
    program: &Path,
    _plugin: &str,
    memory: u64,
    inherit: &[Inherit<'_>],
) -> io::Result<(ExecRunner, Stream, StderrSource)> {
    if !inherit.is_empty() {
        return Err(not_yet(
            "handles for a runner (preopens, rings, sealed artifacts)",
        ));
    }
    let (pipe, runner_end) = Stream::pair()?;
    let (stderr_read, stderr_write) = std::io::pipe()?;
    let confined = windows_process::spawn(&RunnerCommand {
        program,
        args: &[RUNNER_ARG],
        inherit: &[runner_end.as_handle()],
        memory_bytes: memory.saturating_add(JOB_ROOM).max(JOB_MEMORY),
        stderr: Some(stderr_write.as_handle()),
    })?;
    drop((runner_end, stderr_write));
    for note in &confined.notes {
        tracing::debug!("runner {}: {note}", confined.pid);
    }
    Ok((ExecRunner(confined), pipe, Box::new(stderr_read)))
}

pub(super) fn confirm_exec_layers(runner: &ExecRunner, layers: &mut SandboxLayers) {
    let confined = &runner.0;
    // The host made the Job and set its limits (a refusal fails the start);
    // that the runner is in it is the system's word, not the runner's.
    layers.notes.extend(confined.notes.iter().cloned());
    let job = match (confined.in_job(), confined.ui_restricted()) {
        (true, true) => Ok(()),
        (true, false) => Err("its Job has no UI restrictions".to_string()),
        (false, _) => Err("the runner is in no job of this host's".to_string()),
    };
    confirm(&mut layers.job, &mut layers.notes, "Job object", job);
    let integrity = windows_checks::integrity_level(confined.process()).and_then(|rid| {
        (rid <= windows_checks::LOW_INTEGRITY_RID)
            .then_some(())
            .ok_or(format!("its token is at integrity level {rid:#x}"))
    });
    confirm(
        &mut layers.low_integrity,
        &mut layers.notes,
        "low integrity",
        integrity,
    );
    let missing = windows_checks::missing_mitigations(confined.process());
    let mitigations = missing
        .is_empty()
        .then_some(())
        .ok_or(format!("not in force: {}", missing.join("; ")));
    confirm(
        &mut layers.mitigations,
        &mut layers.notes,
        "mitigation policies",
        mitigations,
    );
}

/// Sets a layer to what the host finds from outside, noting where that
/// differs from the runner's report.
fn confirm(layer: &mut bool, notes: &mut Vec<String>, name: &str, found: Result<(), String>) {
    let on = found.is_ok();
    match (found, *layer) {
        (Ok(()), false) => notes.push(format!(
            "{name}: confirmed by the host (the runner could not read it back)"
        )),
        (Err(why), true) => notes.push(format!(
            "{name}: the runner reported it on, the host finds it off ({why})"
        )),
        _ => {}
    }
    *layer = on;
}

pub(super) fn hang_up(stream: &Stream) {
    stream.hang_up();
}

pub(super) fn exit_signal(_status: &ExitStatus) -> Option<i32> {
    None
}

pub(super) const SECCOMP_SIGNAL: Option<i32> = None;

/// A handle to the runner's process, kept by the host: a runner can
/// change who may open it, not what an open handle may do.
#[derive(Debug)]
pub(crate) struct Killer(OwnedHandle);

impl Killer {
    pub(crate) fn kill(&self) {
        windows_process::terminate(self.0.as_handle());
    }
}

pub(super) fn exec_killer(runner: &ExecRunner) -> Option<Killer> {
    runner.0.process().try_clone_to_owned().ok().map(Killer)
}

/// No rings here: the types have no values.
#[derive(Debug)]
pub(crate) enum RingOffer {}

#[derive(Debug)]
pub(crate) enum RingReader {}

#[derive(Debug)]
pub(crate) enum RingWriter {}

impl RingReader {
    pub(crate) fn set_deadline(&mut self, _deadline: Option<Instant>) {
        match *self {}
    }
}

impl RingWriter {
    pub(crate) fn set_deadline(&mut self, _deadline: Option<Instant>) {
        match *self {}
    }
}

impl Read for RingReader {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        match *self {}
    }
}

impl Write for RingWriter {
    fn write(&mut self, _buf: &[u8]) -> io::Result<usize> {
        match *self {}
    }

    fn flush(&mut self) -> io::Result<()> {
        match *self {}
    }
}

pub(super) fn offer_rings(_wake: Wake) -> io::Result<RingOffer> {
    Err(not_yet("shared rings"))
}

pub(super) fn ring_inherit(offer: &RingOffer) -> Inherit<'_> {
    match *offer {}
}

pub(super) fn take_rings(
    offer: &RingOffer,
    _stream: &Stream,
) -> io::Result<(RingReader, RingWriter)> {
    match *offer {}
}

/// No sealed memory files here: the type has no values.
#[derive(Debug)]
pub(crate) enum SealedArtifact {}

impl SealedArtifact {
    pub(crate) fn copy_from(_source: &mut impl Read, _len: u64) -> io::Result<Self> {
        Err(not_yet("sealed memory files"))
    }

    pub(crate) fn from_bytes(_bytes: &[u8]) -> io::Result<Self> {
        Err(not_yet("sealed memory files"))
    }

    pub(crate) fn with_bytes<R>(&self, _f: impl FnOnce(&[u8]) -> R) -> io::Result<R> {
        match *self {}
    }
}

pub(super) fn artifact_inherit(artifact: &SealedArtifact) -> Inherit<'_> {
    match *artifact {}
}

/// What identifies a cache file's contents: its size and times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileIdentity {
    size: u64,
    created: u64,
    written: u64,
}

impl FileIdentity {
    pub(crate) fn of(file: &File) -> io::Result<Self> {
        use std::os::windows::fs::MetadataExt;
        let meta = file.metadata()?;
        Ok(Self {
            size: meta.file_size(),
            created: meta.creation_time(),
            written: meta.last_write_time(),
        })
    }

    pub(crate) fn size(&self) -> u64 {
        self.size
    }
}

pub(super) fn open_dir(_path: &Path) -> io::Result<OwnedDir> {
    Err(not_yet("preopened folders"))
}

pub(super) fn dir_inherit(dir: &OwnedDir) -> Inherit<'_> {
    let dir: &OwnedHandle = dir;
    dir.as_handle()
}

pub(super) fn open_without_blocking(path: &Path) -> io::Result<File> {
    // No FIFO can be planted under a name in a Windows folder.
    File::open(path)
}

/// Files and folders inherit their folder's access list (a key file is
/// refused by `private_keys_checked` until its list is checked).
pub(super) fn private_file(options: &mut OpenOptions) -> &mut OpenOptions {
    options
}

pub(super) fn private_dir(builder: &mut DirBuilder) -> &mut DirBuilder {
    builder
}

pub(super) fn check_private(_meta: &Metadata, _path: &Path) -> Result<(), String> {
    Ok(())
}

/// Windows has no `/proc`: what the host checks is `confirm_exec_layers`.
pub(super) fn verify_layers(_pid: u32, _layers: &mut SandboxLayers) {}

pub(super) fn private_keys_checked() -> Result<(), String> {
    // Outside the user's profile a folder's inherited access list may let
    // other users read the key, and with it forge artifacts.
    Err(
        "a key file's access list is not checked on Windows yet, so a key there could be \
         other users' to read; give the cache its key with ArtifactCache::with_key"
            .into(),
    )
}

pub(super) fn spawn_limit_hint(_code: i32) -> Option<String> {
    None
}

pub(super) fn open_granted_file(folder: &Path, name: &Path) -> Result<File, GrantedFileError> {
    Err(GrantedFileError::Io {
        folder: folder.to_path_buf(),
        name: name.to_path_buf(),
        source: not_yet("granted folders"),
    })
}
