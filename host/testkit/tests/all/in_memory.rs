//! The runner's main loop, driven over an in-process socket pair: no child
//! process, so protocol behaviour is tested without process plumbing.

use std::os::unix::net::UnixStream;
use std::thread;

use airlock_protocol::{
    CallFailure, Code, FrameReader, FrameWriter, FromRunner, Hello, InitFailure, PROTOCOL_VERSION,
    RunnerPolicy, SandboxLayers, ToRunner,
};
use airlock_runner::serve::{ServeOptions, serve_connection};
use airlock_testkit::roundtrip;

pub(crate) struct InMemoryRunner {
    socket: UnixStream,
    pub(crate) reader: FrameReader,
    writer: FrameWriter,
    thread: Option<thread::JoinHandle<bool>>,
}

impl InMemoryRunner {
    pub(crate) fn start(hello: Hello, component: &[u8]) -> Self {
        let (host, runner) = UnixStream::pair().unwrap();
        let thread = thread::spawn(move || {
            let input = runner.try_clone().unwrap();
            serve_connection(
                Box::new(input),
                Box::new(runner),
                &[&roundtrip::RunnerGlue],
                &ServeOptions::default(),
            )
            .is_ok()
        });
        let mut this = Self {
            socket: host,
            reader: FrameReader::new(64 << 20),
            writer: FrameWriter::new(),
            thread: Some(thread),
        };
        this.writer
            .write(&mut this.socket, &ToRunner::Hello(hello), component)
            .unwrap();
        this
    }

    pub(crate) fn recv(&mut self) -> FromRunner {
        self.reader.read(&mut self.socket).unwrap()
    }

    /// Sends a call of export `func` without waiting for anything.
    fn send_call(&mut self, seq: u64, func: &str, args: &[u8]) {
        let index = roundtrip::EXPORTS
            .iter()
            .position(|f| *f == func)
            .expect("export exists") as u32;
        self.writer
            .write(&mut self.socket, &ToRunner::Call { seq, func: index }, args)
            .unwrap();
    }

    pub(crate) fn call(&mut self, seq: u64, func: &str, args: &[u8]) -> FromRunner {
        self.send_call(seq, func, args);
        self.recv()
    }

    pub(crate) fn finish(mut self) -> bool {
        drop(self.socket);
        self.thread.take().unwrap().join().unwrap()
    }
}

pub(crate) fn hello() -> Hello {
    Hello {
        protocol: PROTOCOL_VERSION,
        world: roundtrip::WORLD_NAME.into(),
        world_hash: roundtrip::WORLD_HASH,
        plugin: "in-memory".into(),
        policy: RunnerPolicy::default(),
        code: Code::Component {
            want_artifact: false,
        },
        rings_fd: None,
    }
}

pub(crate) fn component() -> Vec<u8> {
    std::fs::read(airlock_testkit::guest_path("test_roundtrip")).unwrap()
}

#[test]
fn handshake_calls_and_clean_shutdown() {
    let mut runner = InMemoryRunner::start(hello(), &component());
    assert_eq!(
        runner.recv(),
        FromRunner::Ready {
            world_hash: roundtrip::WORLD_HASH,
            layers: SandboxLayers::default(),
            rings: false,
            mapped: false,
        }
    );
    let args = postcard::to_stdvec(&(20u32, 22u32)).unwrap();
    let reply = runner.call(1, "add", &args);
    assert!(
        matches!(
            reply,
            FromRunner::Return {
                seq: 1,
                outcome: Ok(()),
                ..
            }
        ),
        "{reply:?}"
    );
    assert_eq!(
        postcard::from_bytes::<u32>(runner.reader.payload()).unwrap(),
        42
    );
    assert!(
        runner.finish(),
        "the loop must end cleanly when the host hangs up"
    );
}

#[test]
fn arguments_that_do_not_decode_are_rejected_without_a_trap() {
    let mut runner = InMemoryRunner::start(hello(), &component());
    runner.recv();
    let reply = runner.call(1, "add", &[0xff]);
    assert!(
        matches!(
            reply,
            FromRunner::Return {
                seq: 1,
                outcome: Err(CallFailure::BadArguments(_)),
                ..
            }
        ),
        "{reply:?}"
    );
    let count = runner.call(2, "count", &[]);
    assert!(
        matches!(
            count,
            FromRunner::Return {
                seq: 2,
                outcome: Ok(()),
                ..
            }
        ),
        "{count:?}"
    );
    assert_eq!(
        postcard::from_bytes::<u32>(runner.reader.payload()).unwrap(),
        1
    );
    runner
        .writer
        .write(
            &mut runner.socket,
            &ToRunner::Call { seq: 3, func: 999 },
            &[],
        )
        .unwrap();
    let reply = runner.recv();
    assert!(
        matches!(
            reply,
            FromRunner::Return {
                seq: 3,
                outcome: Err(CallFailure::UnknownFunction(999)),
                ..
            }
        ),
        "{reply:?}"
    );
    assert!(runner.finish());
}

#[test]
fn import_calls_interleave_with_the_export_call() {
    let mut runner = InMemoryRunner::start(hello(), &component());
    runner.recv();
    let args = postcard::to_stdvec(&(3u32, 5u32)).unwrap();
    runner.send_call(1, "nested", &args);
    let double = roundtrip::IMPORTS
        .iter()
        .position(|f| f.ends_with("#double"))
        .unwrap() as u32;
    let mut value = 5u32;
    for expected_seq in 1..=3u64 {
        match runner.recv() {
            FromRunner::ImportCall { seq, func } => {
                assert_eq!((seq, func), (expected_seq, double));
                let x: u32 = postcard::from_bytes(runner.reader.payload()).unwrap();
                assert_eq!(x, value);
                value = x * 2;
                let reply = postcard::to_stdvec(&value).unwrap();
                runner
                    .writer
                    .write(&mut runner.socket, &ToRunner::ImportReturn { seq }, &reply)
                    .unwrap();
            }
            other => panic!("expected an import call, got {other:?}"),
        }
    }
    let reply = runner.recv();
    assert!(
        matches!(
            reply,
            FromRunner::Return {
                seq: 1,
                outcome: Ok(()),
                ..
            }
        ),
        "{reply:?}"
    );
    assert_eq!(
        postcard::from_bytes::<u32>(runner.reader.payload()).unwrap(),
        40
    );
    assert!(runner.finish());
}

#[test]
fn a_world_hash_mismatch_is_refused_at_the_handshake() {
    let mut bad = hello();
    bad.world_hash[0] ^= 1;
    let mut runner = InMemoryRunner::start(bad, &component());
    let reply = runner.recv();
    assert!(
        matches!(reply, FromRunner::InitFailed(InitFailure::WorldMismatch(_))),
        "{reply:?}"
    );
    assert!(!runner.finish());
}

#[test]
fn a_protocol_version_mismatch_is_refused() {
    let mut bad = hello();
    bad.protocol += 1;
    let mut runner = InMemoryRunner::start(bad, &component());
    let reply = runner.recv();
    assert!(
        matches!(
            reply,
            FromRunner::InitFailed(InitFailure::ProtocolMismatch { .. })
        ),
        "{reply:?}"
    );
    assert!(!runner.finish());
}

/// Reentrancy: a host that answers an import call with another export call
/// does not get a second activation of the guest; the call in flight fails
/// instead, and the plugin serves the next call on a fresh instance.
#[test]
fn a_call_sent_during_an_import_call_is_refused_not_reentered() {
    let mut runner = InMemoryRunner::start(hello(), &component());
    runner.recv();
    let args = postcard::to_stdvec(&(3u32, 5u32)).unwrap();
    runner.send_call(1, "nested", &args);
    let reply = runner.recv();
    assert!(
        matches!(reply, FromRunner::ImportCall { seq: 1, .. }),
        "{reply:?}"
    );
    runner.send_call(2, "nested", &args);
    match runner.recv() {
        FromRunner::Return {
            seq: 1,
            outcome: Err(CallFailure::Trap { message, .. }),
            ..
        } => assert!(
            message.contains("protocol violation by the host"),
            "{message}"
        ),
        other => panic!("expected call 1 to fail, got {other:?}"),
    }
    let add = postcard::to_stdvec(&(2u32, 3u32)).unwrap();
    match runner.call(3, "add", &add) {
        FromRunner::Return {
            seq: 3,
            outcome: Ok(()),
            ..
        } => {
            assert_eq!(
                postcard::from_bytes::<u32>(runner.reader.payload()).unwrap(),
                5
            );
        }
        other => panic!("expected 2 + 3, got {other:?}"),
    }
    assert!(runner.finish());
}

#[test]
fn a_component_stamped_for_another_version_is_refused_at_the_handshake() {
    let newer = airlock_testkit::restamped(&component(), "airlock:test/roundtrip@0.3.0");
    let mut runner = InMemoryRunner::start(hello(), &newer);
    match runner.recv() {
        FromRunner::InitFailed(InitFailure::WorldMismatch(why)) => assert!(
            why.contains("airlock:test/roundtrip@0.3.0")
                && why.contains("airlock:test/roundtrip@0.1.0"),
            "{why}"
        ),
        other => panic!("expected a world mismatch, got {other:?}"),
    }
    assert!(!runner.finish());
}
