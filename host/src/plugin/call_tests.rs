//! Unit tests of the call loop over in-memory connections: the real runner
//! loop on a thread for a real call, and scripted runners (a thread that
//! speaks the protocol frame by frame) for imports, violations, hang-ups
//! and deadlines.

use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use airlock_protocol::{
    CallCost, FrameReader, FrameWriter, FromRunner, SandboxLayers, ToRunner, WorldHash,
};

use crate::dispatch::{DispatchError, ImportDispatch, NoImports};
use crate::dynamic::{DYNAMIC, DynamicGlue};
use crate::error::{Error, TimeLimit};
use crate::plugin::{Plugin, PluginConfig, PluginState, WorldRef};
use crate::policy::Policy;

const SCRIPTED: WorldRef = WorldRef {
    name: "airlock:test/scripted",
    hash: [7; 32],
};

/// No sandbox layer required: there is none on a thread.
fn in_memory_policy() -> Policy {
    Policy::default().require([])
}

/// The runner end of a scripted connection.
struct Script {
    socket: UnixStream,
    reader: FrameReader,
    writer: FrameWriter,
}

impl Script {
    fn recv(&mut self) -> ToRunner {
        self.reader
            .read(&mut self.socket)
            .expect("a frame from the host")
    }

    fn send(&mut self, message: &FromRunner, payload: &[u8]) {
        self.writer
            .write(&mut self.socket, message, payload)
            .expect("the host takes the frame");
    }

    fn ready(&mut self, world_hash: WorldHash) {
        assert!(matches!(self.recv(), ToRunner::Hello(_)));
        self.send(
            &FromRunner::Ready {
                world_hash,
                layers: SandboxLayers::default(),
                rings: false,
                mapped: false,
                marks: Default::default(),
            },
            &[],
        );
    }

    /// Waits for the next call; returns its sequence number and function.
    fn call(&mut self) -> (u64, u32) {
        loop {
            match self.recv() {
                ToRunner::Call { seq, func } => return (seq, func),
                ToRunner::Release { .. } => continue,
                other => panic!("expected a call, got {other:?}"),
            }
        }
    }

    fn ret(&mut self, seq: u64, result: &[u8]) {
        let cost = CallCost::default();
        let ret = FromRunner::Return {
            seq,
            outcome: Ok(()),
            cost,
        };
        self.send(&ret, result);
    }
}

/// A plugin whose every runner is `script`, run on a thread after `Ready`.
fn scripted(name: &str, script: impl Fn(&mut Script) + Send + Sync + 'static) -> Plugin {
    let serve = move |socket: UnixStream| {
        let mut runner = Script {
            socket,
            reader: FrameReader::new(1 << 20),
            writer: FrameWriter::new(),
        };
        runner.ready(SCRIPTED.hash);
        script(&mut runner);
    };
    let config = PluginConfig::new(name, &b"not a component: scripted runners ignore it"[..])
        .policy(in_memory_policy());
    Plugin::start_on_thread(Arc::new(serve), config, SCRIPTED).expect("a scripted runner starts")
}

fn encode<T: serde::Serialize>(value: &T) -> Vec<u8> {
    postcard::to_stdvec(value).unwrap()
}

/// A real call through the real runner loop (`serve_connection`) on a
/// thread: the roundtrip guest adds two numbers, called by export name.
#[test]
fn a_call_runs_through_the_runner_loop_on_a_thread() {
    let dir = std::env::var_os("AIRLOCK_PLUGIN_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../target/plugins").into());
    let path = dir.join("test_roundtrip.wasm");
    let component = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run `cargo xtask build-plugins`", path.display()));
    let config = PluginConfig::new("roundtrip", component).policy(in_memory_policy());
    let mut plugin = Plugin::start_in_memory(&[&DynamicGlue], config, DYNAMIC).unwrap();
    assert_eq!(plugin.pid(), None, "no process");
    let args = ("add", &["20".to_string(), "22".to_string()][..]);
    let sum: std::result::Result<Vec<String>, String> = plugin
        .call(
            airlock_runner::dynamic::DYNAMIC_CALL,
            "add",
            &args,
            &mut NoImports,
        )
        .unwrap();
    assert_eq!(sum, Ok(vec!["42".to_string()]));
    assert_eq!(plugin.metrics().calls(), 1);
}

/// Doubles the `u32` of import 7; any other import is unknown.
struct Doubler {
    calls: u32,
}

impl ImportDispatch for Doubler {
    fn dispatch(&mut self, func: u32, args: &[u8], out: &mut Vec<u8>) -> Result<(), DispatchError> {
        if func != 7 {
            return Err(DispatchError::UnknownImport(func));
        }
        self.calls += 1;
        let x: u32 = postcard::from_bytes(args)?;
        out.extend_from_slice(&encode(&(x * 2)));
        Ok(())
    }
}

/// An export that calls an import twice: each import call is served by
/// the host's dispatcher while the export waits, and its result fed back.
#[test]
fn import_calls_during_an_export_are_served_in_order() {
    let mut plugin = scripted("imports", |runner| {
        let (seq, func) = runner.call();
        assert_eq!(func, 3);
        let mut x = 5u32;
        for _ in 0..2 {
            runner.send(&FromRunner::ImportCall { seq, func: 7 }, &encode(&x));
            match runner.recv() {
                ToRunner::ImportReturn { seq: s } if s == seq => {}
                other => panic!("expected the import's result, got {other:?}"),
            }
            x = postcard::from_bytes(runner.reader.payload()).unwrap();
        }
        runner.ret(seq, &encode(&x));
        runner.recv();
    });
    let mut host = Doubler { calls: 0 };
    let result: u32 = plugin.call(3, "twice", &(), &mut host).unwrap();
    assert_eq!((result, host.calls), (20, 2));
}

/// Bytes that are no frame (a length the header cannot have) are a
/// protocol violation, not a crash, and the runner is let go.
#[test]
fn a_garbage_frame_is_a_protocol_violation() {
    let mut plugin = scripted("garbage", |runner| {
        runner.call();
        use std::io::Write;
        // A frame of length 2: shorter than its own length field.
        runner.socket.write_all(&[2, 0, 0, 0, 0xff, 0xff]).unwrap();
        let _ = runner.reader.read::<_, ToRunner>(&mut runner.socket);
    });
    let err = plugin
        .call::<_, u32>(0, "f", &(), &mut NoImports)
        .unwrap_err();
    assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
    assert!(
        matches!(plugin.state(), PluginState::Restarting { last_failure: Some(ref why) } if why.as_str().contains("protocol violation")),
        "{:?}",
        plugin.state()
    );
}

/// A runner that closes the connection mid-call is reported as gone.
#[test]
fn a_runner_that_hangs_up_mid_call_is_reported_crashed() {
    let mut plugin = scripted("hang-up", |runner| {
        runner.call();
    });
    let err = plugin
        .call::<_, u32>(0, "f", &(), &mut NoImports)
        .unwrap_err();
    match err {
        Error::Crashed { status, .. } => {
            assert!(status.as_str().contains("connection closed"), "{status}")
        }
        other => panic!("expected a crash, got {other:?}"),
    }
}

/// A runner that never answers is given up on at deadline + grace, and
/// the call says which limit it hit.
#[test]
fn a_runner_that_never_answers_times_out_at_its_deadline() {
    let mut plugin = scripted("silent", |runner| {
        runner.call();
        // Silent until the host hangs up.
        let _ = runner.reader.read::<_, ToRunner>(&mut runner.socket);
    });
    let deadline = Duration::from_millis(100);
    plugin.config.policy.deadline = deadline;
    plugin.config.policy.grace = Duration::from_millis(50);
    let started = Instant::now();
    let err = plugin
        .call::<_, u32>(0, "f", &(), &mut NoImports)
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(err, Error::Timeout { limit: TimeLimit::Deadline(d), .. } if d == deadline),
        "{err:?}"
    );
    assert!(
        took >= Duration::from_millis(150) && took < Duration::from_secs(2),
        "{took:?}"
    );
}

/// A thread has no sandbox: a policy that requires one is refused up front.
#[test]
fn an_in_memory_plugin_refuses_a_policy_that_requires_a_sandbox() {
    let config = PluginConfig::new("strict", &b"x"[..]);
    let err = Plugin::start_in_memory(&[&DynamicGlue], config, DYNAMIC).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("no sandbox") && text.contains("seccomp"),
        "{text}"
    );
}
