//! Tests of the Windows control channel, run under Wine by
//! `cargo xtask test-windows`: both ends in one process, and a child
//! process (this test binary again) at the other end of a named pipe.

use std::io::{self, IoSlice, Read, Write};
use std::time::{Duration, Instant};

use super::*;

#[test]
fn a_pair_carries_bytes_both_ways_and_ends_with_end_of_file() {
    let (mut a, mut b) = Pipe::pair().unwrap();
    a.write_all(b"ping").unwrap();
    let mut got = [0u8; 4];
    b.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"ping");
    b.write_all(b"pong").unwrap();
    a.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"pong");
    assert_eq!(
        a.try_read(&mut got).unwrap(),
        None,
        "nothing more has arrived"
    );
    drop(b);
    assert_eq!(a.read(&mut got).unwrap(), 0);
    assert_eq!(a.try_read(&mut got).unwrap(), Some(0));
    let far = Instant::now() + Duration::from_secs(5);
    let err = a.write_by(&[IoSlice::new(b"x")], far).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::BrokenPipe, "{err}");
}

#[test]
fn a_read_past_its_deadline_times_out_and_leaves_the_pipe_usable() {
    let (a, mut b) = Pipe::pair().unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 8];
    let err = a
        .read_by(&mut buf, Some(started + Duration::from_millis(100)))
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
    assert!(started.elapsed() >= Duration::from_millis(90));
    assert!(started.elapsed() < Duration::from_secs(5));
    // The cancelled read took nothing: the next bytes are all there.
    b.write_all(b"after").unwrap();
    let mut got = [0u8; 5];
    (&a).read_exact(&mut got).unwrap();
    assert_eq!(&got, b"after");
}

#[test]
fn a_write_to_a_peer_that_does_not_read_times_out() {
    let (a, _silent) = Pipe::pair().unwrap();
    let started = Instant::now();
    let deadline = started + Duration::from_millis(200);
    let big = vec![0u8; 16 << 20];
    let mut written = 0;
    let err = loop {
        match a.write_by(&[IoSlice::new(&big[written..])], deadline) {
            Ok(n) => written += n,
            Err(e) => break e,
        }
        assert!(written < big.len(), "the pipe cannot hold 16 MiB");
    };
    assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// The variable that turns this test binary into the child end: the
/// value of the pipe handle it inherited.
const CHILD: &str = "AIRLOCK_TEST_PIPE_CHILD";

#[test]
fn a_child_process_inherits_its_end_and_echoes_a_mebibyte() {
    if let Ok(value) = std::env::var(CHILD) {
        // The child: echo everything back until the host closes its end.
        // SAFETY: the parent made this handle inheritable for us alone.
        let mut pipe = unsafe { Pipe::from_inherited(value.parse().unwrap()) }.unwrap();
        let mut buf = vec![0u8; 64 << 10];
        loop {
            let n = pipe.read(&mut buf).unwrap();
            if n == 0 {
                return;
            }
            pipe.write_all(&buf[..n]).unwrap();
        }
    }
    let (pipe, child_end) = Pipe::pair().unwrap();
    // SAFETY: a valid handle of ours, made inheritable for the child.
    let inheritable = unsafe {
        windows_sys::Win32::Foundation::SetHandleInformation(
            child_end.raw(),
            windows_sys::Win32::Foundation::HANDLE_FLAG_INHERIT,
            windows_sys::Win32::Foundation::HANDLE_FLAG_INHERIT,
        )
    };
    assert_ne!(inheritable, 0);
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "platform::windows::tests::a_child_process_inherits_its_end_and_echoes_a_mebibyte",
            "--exact",
            "--test-threads=1",
        ])
        .env(CHILD, child_end.handle_value().to_string())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    drop(child_end);
    let sent: Vec<u8> = (0..1u32 << 20).map(|i| (i * 7 + i / 251) as u8).collect();
    let mut echoed = vec![0u8; sent.len()];
    // Write on one thread while this one reads the echo back: the pipe
    // buffers less than a mebibyte in each direction.
    std::thread::scope(|s| {
        s.spawn(|| (&pipe).write_all(&sent).unwrap());
        (&pipe).read_exact(&mut echoed).unwrap();
    });
    assert!(echoed == sent, "the echo differs from what was sent");
    drop(pipe);
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_handle_that_is_no_pipe_is_refused() {
    let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
    use std::os::windows::io::AsRawHandle;
    // SAFETY: refused before it is owned (a file is no pipe); `file` keeps it.
    let err = unsafe { Pipe::from_inherited(file.as_raw_handle() as usize) }.unwrap_err();
    assert!(err.to_string().contains("is not a pipe"), "{err}");
}
