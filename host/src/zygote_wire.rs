//! The messages between the host and its zygote (and the zygote's spares)
//! on `SOCK_SEQPACKET` sockets: requests out, [`Message`]s in, descriptors
//! by `SCM_RIGHTS` (the formats are `airlock_runner::zygote`'s).

use std::io::{IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::{BorrowedFd, OwnedFd};

use airlock_runner::zygote::{MAX_REQUEST_NAME, MESSAGE_LEN, MESSAGE_RUNNER, MESSAGE_SPARE};
use rustix::net::{
    RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, ReturnFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags, recvmsg, sendmsg,
};

/// What a zygote sent.
#[derive(Debug)]
pub(crate) struct Message {
    pub(crate) kind: Kind,
    /// The process made; 0 when none was.
    pub(crate) pid: i32,
    /// Why none was made; 0 when one was.
    pub(crate) errno: i32,
    /// The descriptors that came with it: a pidfd, then a spare's link.
    pub(crate) fds: Vec<OwnedFd>,
    /// More descriptors came than this process could take (they are closed).
    pub(crate) truncated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Runner,
    Spare,
}

/// The bytes that name a plugin's runner in a request (its process name).
pub(crate) fn request_name(plugin: &str) -> &[u8] {
    match &plugin.as_bytes()[..plugin.len().min(MAX_REQUEST_NAME)] {
        [] => b"plugin",
        name => name,
    }
}

/// Sends `parts` as one message with `fds`, again while a signal interrupts it.
pub(crate) fn send(
    socket: BorrowedFd<'_>,
    parts: &[&[u8]],
    fds: &[BorrowedFd<'_>],
) -> std::io::Result<()> {
    let slices: Vec<IoSlice<'_>> = parts.iter().map(|p| IoSlice::new(p)).collect();
    let mut space = vec![MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(fds.len()))];
    retry_interrupted(|| {
        let mut ancillary = SendAncillaryBuffer::new(&mut space);
        if !fds.is_empty() {
            ancillary.push(SendAncillaryMessage::ScmRights(fds));
        }
        sendmsg(socket, &slices, &mut ancillary, SendFlags::NOSIGNAL)
    })?;
    Ok(())
}

/// Reads one message from a zygote (the socket's receive timeout bounds
/// the wait); an error when it hung up or sent something malformed.
pub(crate) fn receive(socket: BorrowedFd<'_>) -> std::io::Result<Message> {
    receive_with(socket, RecvFlags::empty())
}

/// [`receive`] without waiting: `None` when no message is there.
pub(crate) fn receive_now(socket: BorrowedFd<'_>) -> std::io::Result<Option<Message>> {
    match receive_with(socket, RecvFlags::DONTWAIT) {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(None),
        other => other.map(Some),
    }
}

fn receive_with(socket: BorrowedFd<'_>, flags: RecvFlags) -> std::io::Result<Message> {
    let mut bytes = [0u8; MESSAGE_LEN + 1];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(2))];
    let mut ancillary = RecvAncillaryBuffer::new(&mut space);
    // The receive has a timeout (SO_RCVTIMEO), so a signal handler's
    // SA_RESTART does not restart it: an interrupted wait is retried here.
    let received = retry_interrupted(|| {
        recvmsg(
            socket,
            &mut [IoSliceMut::new(&mut bytes)],
            &mut ancillary,
            RecvFlags::CMSG_CLOEXEC | flags,
        )
    })?;
    let mut fds = Vec::new();
    for message in ancillary.drain() {
        if let RecvAncillaryMessage::ScmRights(rights) = message {
            fds.extend(rights);
        }
    }
    if received.bytes != MESSAGE_LEN {
        return Err(std::io::Error::other(if received.bytes == 0 {
            "it hung up".to_string()
        } else {
            format!("a {}-byte message", received.bytes)
        }));
    }
    let word = |i: usize| i32::from_le_bytes(bytes[i * 4..i * 4 + 4].try_into().expect("4 bytes"));
    let kind = match word(0) {
        MESSAGE_RUNNER => Kind::Runner,
        MESSAGE_SPARE => Kind::Spare,
        other => return Err(std::io::Error::other(format!("a message of kind {other}"))),
    };
    Ok(Message {
        kind,
        pid: word(1),
        errno: word(2),
        fds,
        truncated: received.flags.contains(ReturnFlags::CTRUNC),
    })
}

/// Runs `call` again while a signal interrupts it.
pub(crate) fn retry_interrupted<T>(
    mut call: impl FnMut() -> rustix::io::Result<T>,
) -> rustix::io::Result<T> {
    loop {
        match call() {
            Err(rustix::io::Errno::INTR) => continue,
            other => return other,
        }
    }
}
