//! The zygote's types on systems without one (every system but Linux):
//! they have no values, so code that holds an `Option` of them compiles
//! everywhere and never runs here.

use std::io;
use std::path::Path;
use std::process::ExitStatus;

/// No zygote here: the type has no values.
#[derive(Debug)]
pub(crate) enum Zygotes {}

impl Zygotes {
    pub(crate) fn off_reason(&self) -> Option<String> {
        match *self {}
    }

    pub(crate) fn warm_up(&self) {
        match *self {}
    }
}

/// No forked runners here: the type has no values.
#[derive(Debug)]
pub(crate) enum ForkedRunner {}

impl ForkedRunner {
    pub(crate) fn id(&self) -> u32 {
        match *self {}
    }

    pub(crate) fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        match *self {}
    }

    pub(crate) fn kill(&mut self) -> io::Result<()> {
        match *self {}
    }

    pub(crate) fn wait(&mut self) -> io::Result<ExitStatus> {
        match *self {}
    }
}

pub(super) fn zygotes(_program: &Path) -> Option<Zygotes> {
    None
}

pub(super) fn fork_runner(
    zygote: &Zygotes,
    _plugin: &str,
    _network: bool,
    _inherit: &[super::Inherit<'_>],
) -> Option<io::Result<(ForkedRunner, airlock_protocol::Stream, super::StderrSource)>> {
    match *zygote {}
}

pub(super) fn forked_killer(runner: &ForkedRunner) -> super::Killer {
    match *runner {}
}
