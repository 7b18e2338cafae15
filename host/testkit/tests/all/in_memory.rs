//! The runner's main loop on a thread, over an in-process socket pair: no
//! child process, so protocol behaviour is tested without process plumbing.
//!
//! Calls go through the host's own call loop ([`Plugin::start_in_memory`])
//! and generated clients, over the in-memory transport and over the
//! in-process baseline. [`InMemoryRunner`] is a raw host that sends frames
//! one by one, for what the host's code never does (a wrong protocol
//! version, a call during an import call, a mapped artifact): the runner's
//! defences against a misbehaving host.

use std::os::unix::net::UnixStream;
use std::thread;

use airlock::{Error, InProcess, NoImports, Plugin, PluginConfig, Policy, WorldRef};
use airlock_protocol::{
    CallFailure, Code, FrameReader, FrameWriter, FromRunner, Hello, InitFailure, PROTOCOL_VERSION,
    RunnerPolicy, ToRunner,
};
use airlock_runner::serve::{ServeOptions, serve_connection};
use airlock_testkit::roundtrip::{self, Roundtrip};

use crate::support::TestHost;

/// A raw host: frames written and read one at a time, nothing checked.
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
        ring_wake: airlock_protocol::Wake::NATIVE,
        backend: airlock_protocol::Backend::NATIVE,
        recording: false,
    }
}

pub(crate) fn component() -> Vec<u8> {
    std::fs::read(airlock_testkit::guest_path("test_roundtrip")).unwrap()
}

/// The roundtrip guest on a runner loop on a thread, as `world`.
fn in_memory(world: WorldRef) -> airlock::Result<Plugin> {
    let config = PluginConfig::new("in-memory", component()).policy(Policy::default().require([]));
    Plugin::start_in_memory(&[&roundtrip::RunnerGlue], config, world)
}

fn index_of(export: &str) -> u32 {
    roundtrip::EXPORTS
        .iter()
        .position(|f| *f == export)
        .expect("export exists") as u32
}

/// A generated client over the in-memory transport: a plain call, then
/// import calls served by the host while the export runs, through the
/// host's own call loop and the real runner loop.
#[test]
fn a_generated_client_calls_over_the_in_memory_transport() {
    let mut plugin = Roundtrip::from_plugin(in_memory(Roundtrip::WORLD).unwrap()).unwrap();
    assert_eq!(plugin.plugin().pid(), None, "no process");
    let mut host = TestHost::default();
    assert_eq!(plugin.add(&mut host, 20, 22).unwrap(), 42);
    assert_eq!(plugin.nested(&mut host, 3, 5).unwrap(), 40);
    assert_eq!(host.doubles, 3);
}

/// The same generated client over the in-process baseline, the bench's
/// comparison point: same glue, same encoding, no runner at all.
#[test]
fn a_generated_client_calls_the_in_process_baseline() {
    let baseline = InProcess::load(&roundtrip::RunnerGlue, &component()).unwrap();
    let mut plugin = Roundtrip::from_invoker(baseline);
    let mut host = TestHost::default();
    assert_eq!(plugin.add(&mut host, 20, 22).unwrap(), 42);
    assert_eq!(plugin.count(&mut host).unwrap(), 1);
    assert_eq!(plugin.count(&mut host).unwrap(), 2);
    // No host on the other end: the guest's import call fails inside it.
    let err = plugin.nested(&mut host, 1, 5).unwrap_err();
    assert!(matches!(err, Error::Trap { .. }), "{err:?}");
    assert_eq!(host.doubles, 0);
}

/// The world's exports trait: host code written against `dyn FilterExports`
/// runs a real plugin (the invert filter, on a runner loop) and a stand-in
/// alike, and the real one answers through the trait as through its client.
#[test]
fn the_exports_trait_serves_a_plugin_and_a_stand_in_alike() {
    use airlock_testkit::filter::design::types::{Image, Param};
    use airlock_testkit::filter::{self, Filter, FilterError, FilterExports, FilterInfo};

    /// Blanks every pixel, as a plugin could, without one.
    struct StandIn;
    impl FilterExports for StandIn {
        fn describe(&mut self) -> airlock::Result<FilterInfo> {
            unreachable!("not asked")
        }
        fn apply(&mut self, i: &Image, _: &[Param]) -> airlock::Result<Result<Image, FilterError>> {
            Ok(Ok(Image {
                pixels: vec![0; i.pixels.len()],
                ..i.clone()
            }))
        }
    }
    /// What a host writes once for every filter.
    fn host_code(filter: &mut dyn FilterExports) -> Vec<u8> {
        let image = Image {
            width: 1,
            height: 1,
            pixels: vec![10, 20, 30, 255],
        };
        filter.apply(&image, &[]).unwrap().unwrap().pixels
    }
    let config = PluginConfig::new(
        "invert",
        std::fs::read(airlock_testkit::guest_path("invert")).unwrap(),
    )
    .policy(Policy::default().require([]));
    let plugin = Plugin::start_in_memory(&[&filter::RunnerGlue], config, Filter::WORLD).unwrap();
    let mut real: Box<dyn FilterExports> = Box::new(Filter::from_plugin(plugin).unwrap());
    assert_eq!(
        host_code(real.as_mut()),
        [245, 235, 225, 255],
        "inverted by the plugin"
    );
    assert_eq!(
        host_code(&mut StandIn),
        [0, 0, 0, 0],
        "blanked by the stand-in"
    );
}

/// Arguments that do not decode are refused without a trap: the instance
/// keeps its state. An export the runner does not have is a violation.
#[test]
fn arguments_that_do_not_decode_are_rejected_without_a_trap() {
    let mut plugin = Roundtrip::from_plugin(in_memory(Roundtrip::WORLD).unwrap()).unwrap();
    let mut out = Vec::new();
    let err = plugin
        .plugin_mut()
        .call_encoded(index_of("add"), "add", &[0xff], &mut NoImports, &mut out)
        .unwrap_err();
    assert!(matches!(err, Error::BadArguments { .. }), "{err:?}");
    assert_eq!(
        plugin.count(&mut TestHost::default()).unwrap(),
        1,
        "the same instance still runs"
    );
    let err = plugin
        .plugin_mut()
        .call_encoded(999, "missing", &[], &mut NoImports, &mut out)
        .unwrap_err();
    assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
}

#[test]
fn a_world_hash_mismatch_is_refused_at_the_handshake() {
    let mut world = Roundtrip::WORLD;
    world.hash[0] ^= 1;
    let err = in_memory(world).unwrap_err();
    assert!(matches!(err, Error::WorldMismatch { .. }), "{err:?}");
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
