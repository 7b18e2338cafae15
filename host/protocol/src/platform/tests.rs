//! Tests of the platform layer: both kinds of shared file, and the names of
//! the kinds of wake-up.

use super::*;

#[test]
fn each_kind_of_wake_up_is_named_and_found_by_its_name() {
    for wake in [Wake::Futex, Wake::Socket] {
        assert_eq!(Wake::from_name(wake.name()), Some(wake));
    }
    assert_eq!(Wake::from_name("Futex"), None);
    assert_eq!(Wake::from_name(""), None);
    assert!(Wake::NATIVE.available() && Wake::Socket.available());
}

/// Both files: sized as asked, close-on-exec, and nothing left in a
/// namespace another process could open.
#[test]
fn shared_files_have_the_size_asked_and_no_name() {
    // Whole 16 KiB pages, as macOS rounds a shared object to them.
    let len = 16 << 10;
    let shm_names = || {
        std::fs::read_dir("/dev/shm")
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with(&format!("airlock-{:x}-", std::process::id())))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    for fd in [shared_file(len).unwrap(), posix::shared_file(len).unwrap()] {
        assert_eq!(rustix::fs::fstat(&fd).unwrap().st_size as usize, len);
        let flags = rustix::io::fcntl_getfd(&fd).unwrap();
        assert!(flags.contains(rustix::io::FdFlags::CLOEXEC));
    }
    assert_eq!(shm_names(), Vec::<String>::new());
}

#[cfg(target_os = "linux")]
#[test]
fn the_linux_file_cannot_be_shrunk_by_the_peer() {
    let fd = shared_file(4096).unwrap();
    let err = rustix::fs::ftruncate(&fd, 0).unwrap_err();
    assert_eq!(err, rustix::io::Errno::PERM);
}

#[test]
fn a_socket_park_ends_with_a_wake_up_and_tells_when_the_peer_is_gone() {
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;
    let (a, b) = UnixStream::pair().unwrap();
    let word = AtomicU32::new(0);
    let slice = Duration::from_millis(10);
    assert_eq!(
        park(Wake::Socket, &word, 0, a.as_fd(), slice).unwrap(),
        Parked::Again
    );
    for _ in 0..3 {
        unpark(Wake::Socket, &word, b.as_fd());
    }
    // Woken at once, not at the end of a long slice.
    let long = Duration::from_secs(5);
    let started = std::time::Instant::now();
    assert_eq!(
        park(Wake::Socket, &word, 0, a.as_fd(), long).unwrap(),
        Parked::Again
    );
    assert!(started.elapsed() < long / 2);
    // The wake-ups were read away: the next park sleeps its slice.
    let started = std::time::Instant::now();
    assert_eq!(
        park(Wake::Socket, &word, 0, a.as_fd(), slice).unwrap(),
        Parked::Again
    );
    assert!(started.elapsed() >= slice);
    drop(b);
    assert_eq!(
        park(Wake::Socket, &word, 0, a.as_fd(), slice).unwrap(),
        Parked::PeerGone
    );
}
