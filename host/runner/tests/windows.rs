//! The runner as a real process on Windows — under Wine 8 in
//! `cargo xtask test-windows`: started confined by `airlock-platform`'s
//! `windows_process` (restricted token, Job object, creation-time
//! mitigation policies, inheriting its end of a named pipe and stderr
//! only), and driven frame by frame as a raw host, in the dynamic world, with
//! a component assembled from text here. Values, traps, deadlines, the
//! memory cap, the Job's kill on close, and the layers the runner reports.
#![cfg(windows)]

use std::os::windows::io::AsHandle;
use std::path::Path;
use std::time::{Duration, Instant};

use airlock_platform::windows_process::{self, Confined, RunnerCommand};
use airlock_protocol::{
    Backend, CallFailure, Code, FrameReader, FrameWriter, FromRunner, Hello, PROTOCOL_VERSION,
    RunnerPolicy, SandboxLayers, Stream, ToRunner, Wake,
};
use airlock_runner::RUNNER_ARG;
use airlock_runner::dynamic::{DYNAMIC_CALL, DYNAMIC_WORLD, DYNAMIC_WORLD_HASH};

/// Numbers in, numbers out; a trap; a loop; memory growth.
const COMPONENT: &str = r#"
(component
  (core module $m
    (memory 1)
    (func (export "add") (param i32 i32) (result i32)
      (i32.add (local.get 0) (local.get 1)))
    (func (export "trap") (result i32) unreachable)
    (func (export "spin") (result i32) (loop $l (br $l)) (i32.const 0))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
  (core instance $i (instantiate $m))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $i "add")))
  (func (export "trap") (result u32) (canon lift (core func $i "trap")))
  (func (export "spin") (result u32) (canon lift (core func $i "spin")))
  (func (export "grow") (param "pages" u32) (result s32)
    (canon lift (core func $i "grow"))))
"#;

/// A raw host's end of one runner.
struct Runner {
    pipe: Stream,
    confined: Confined,
    reader: FrameReader,
    writer: FrameWriter,
    seq: u64,
}

impl Runner {
    /// Starts a runner with `policy`; returns it with its `Ready` layers,
    /// or the frame that ended the start.
    fn start(policy: RunnerPolicy) -> (Runner, Result<SandboxLayers, FromRunner>) {
        let component = wat::parse_str(COMPONENT).unwrap();
        let (pipe, runner_end) = Stream::pair().unwrap();
        let program = Path::new(env!("CARGO_BIN_EXE_airlock-dynamic-runner"));
        let stderr = std::io::stderr();
        let confined = windows_process::spawn(&RunnerCommand {
            program,
            args: &[RUNNER_ARG],
            inherit: &[runner_end.as_handle()],
            memory_bytes: 1 << 30,
            stderr: Some(stderr.as_handle()),
        })
        .unwrap();
        drop(runner_end);
        let mut runner = Runner {
            pipe,
            confined,
            reader: FrameReader::new(64 << 20),
            writer: FrameWriter::new(),
            seq: 0,
        };
        let hello = Hello {
            protocol: PROTOCOL_VERSION,
            world: DYNAMIC_WORLD.into(),
            world_hash: DYNAMIC_WORLD_HASH,
            plugin: "windows-test".into(),
            policy,
            code: Code::Component {
                want_artifact: false,
            },
            rings_fd: None,
            ring_wake: Wake::NATIVE,
            backend: Backend::Windows,
            recording: false,
        };
        runner
            .writer
            .write(&mut &runner.pipe, &ToRunner::Hello(hello), &component)
            .unwrap();
        let ready = loop {
            match runner.reader.read(&mut &runner.pipe).unwrap() {
                FromRunner::Ready { layers, rings, .. } => {
                    assert!(!rings, "no rings on Windows yet");
                    break Ok(layers);
                }
                FromRunner::Log { .. } => {}
                other => break Err(other),
            }
        };
        (runner, ready)
    }

    /// Calls `export` with WAVE `args`: the call's outcome and, when it
    /// ran, the WAVE results or the runner's message.
    fn call(
        &mut self,
        export: &str,
        args: &[&str],
    ) -> Result<Result<Vec<String>, String>, CallFailure> {
        self.seq += 1;
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let payload = postcard::to_allocvec(&(export, args)).unwrap();
        let call = ToRunner::Call {
            seq: self.seq,
            func: DYNAMIC_CALL,
        };
        self.writer.write(&mut &self.pipe, &call, &payload).unwrap();
        loop {
            match self.reader.read(&mut &self.pipe).unwrap() {
                FromRunner::Return { seq, outcome, .. } => {
                    assert_eq!(seq, self.seq);
                    return outcome.map(|()| postcard::from_bytes(self.reader.payload()).unwrap());
                }
                FromRunner::Log { .. } | FromRunner::Output { .. } => {}
                other => panic!("unexpected frame during a call: {other:?}"),
            }
        }
    }
}

fn started(policy: RunnerPolicy) -> (Runner, SandboxLayers) {
    let (runner, ready) = Runner::start(policy);
    let layers = ready.unwrap_or_else(|frame| panic!("the runner did not start: {frame:?}"));
    (runner, layers)
}

#[test]
fn values_cross_a_confined_runner_process() {
    let (mut runner, _) = started(RunnerPolicy::default());
    assert_eq!(
        runner.call("add", &["20", "22"]).unwrap(),
        Ok(vec!["42".into()])
    );
    assert_eq!(
        runner.call("add", &["4294967295", "1"]).unwrap(),
        Ok(vec!["0".into()]),
        "u32 arithmetic wraps in the guest"
    );
    let refused = runner.call("add", &["1"]).unwrap().unwrap_err();
    assert!(refused.contains("argument"), "{refused}");
}

#[test]
fn a_trap_is_reported_and_the_next_call_works() {
    let (mut runner, _) = started(RunnerPolicy::default());
    match runner.call("trap", &[]) {
        Err(CallFailure::Trap { .. }) => {}
        other => panic!("expected a trap, got {other:?}"),
    }
    assert_eq!(
        runner.call("add", &["1", "2"]).unwrap(),
        Ok(vec!["3".into()])
    );
}

#[test]
fn a_call_past_its_deadline_is_interrupted() {
    let policy = RunnerPolicy {
        deadline_ms: 200,
        ..RunnerPolicy::default()
    };
    let (mut runner, _) = started(policy);
    let began = Instant::now();
    match runner.call("spin", &[]) {
        Err(CallFailure::DeadlineExceeded { deadline_ms: 200 }) => {}
        other => panic!("expected the deadline, got {other:?}"),
    }
    assert!(began.elapsed() < Duration::from_secs(10));
    assert_eq!(
        runner.call("add", &["2", "3"]).unwrap(),
        Ok(vec!["5".into()])
    );
}

#[test]
fn memory_past_the_cap_is_refused_to_the_guest() {
    let policy = RunnerPolicy {
        max_memory_bytes: 16 << 20,
        ..RunnerPolicy::default()
    };
    let (mut runner, _) = started(policy);
    // 64 KiB pages: 8 MiB more is granted, 32 MiB more is not.
    assert_eq!(runner.call("grow", &["128"]).unwrap(), Ok(vec!["1".into()]));
    assert_eq!(
        runner.call("grow", &["512"]).unwrap(),
        Ok(vec!["-1".into()])
    );
}

/// What the runner found of its confinement: each layer on, or off with a
/// note that names it. Printed, for the layer report in the docs.
#[test]
fn the_runner_reports_its_windows_layers_and_notes_each_missing_one() {
    let (runner, layers) = started(RunnerPolicy::default());
    println!("refused at the start: {:?}", runner.confined.notes);
    println!(
        "layers: job {}, low integrity {}, mitigations {}",
        layers.job, layers.low_integrity, layers.mitigations
    );
    for note in &layers.notes {
        println!("note: {note}");
    }
    for (on, name) in [
        (layers.job, "Job object"),
        (layers.low_integrity, "low integrity"),
        (layers.mitigations, "mitigation policies"),
    ] {
        assert!(
            on || layers.notes.iter().any(|n| n.starts_with(name)),
            "{name} is off without a note saying why: {:?}",
            layers.notes
        );
    }
    assert!(!layers.seccomp && layers.landlock_abi == 0 && !layers.seatbelt);
}

#[test]
fn closing_the_job_ends_the_runner() {
    let (runner, _) = started(RunnerPolicy::default());
    let Runner { confined, pipe, .. } = runner;
    assert_eq!(
        confined.poll(Duration::from_millis(500)).unwrap(),
        None,
        "a runner waits for calls while its host holds the pipe"
    );
    let process = confined.close_job();
    assert!(
        windows_process::poll(process.as_handle(), Duration::from_secs(10))
            .unwrap()
            .is_some(),
        "the runner outlived its Job object"
    );
    drop(pipe);
}
