//! The Linux backend's zygote, spares and shared namespaces.

use airlock_protocol::SandboxLayers;

use crate::glue::WorldGlue;

pub(super) fn serve_as_zygote_if_asked(socket_fd: i32, worlds: &[&dyn WorldGlue]) {
    let mut args = std::env::args_os().skip(2);
    if args.next().as_deref() != Some(std::ffi::OsStr::new(crate::zygote::ZYGOTE_ARG)) {
        return;
    }
    let host_pid = args.next().and_then(|pid| pid.to_str()?.parse().ok());
    crate::zygote::run_zygote(socket_fd, host_pid, worlds);
}

pub(super) fn spare_layers() -> Option<SandboxLayers> {
    crate::spare::take_entered()
}

pub(super) fn forget_zygote_namespaces() {
    drop(crate::netns::take());
}
