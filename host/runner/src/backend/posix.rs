//! No zygote, spares or shared namespaces: every runner is an exec.

use airlock_protocol::SandboxLayers;

use crate::glue::WorldGlue;

pub(super) fn serve_as_zygote_if_asked(_socket_fd: i32, _worlds: &[&dyn WorldGlue]) {}

pub(super) fn spare_layers() -> Option<SandboxLayers> {
    None
}

pub(super) fn forget_zygote_namespaces() {}
