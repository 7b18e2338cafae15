//! A runner that misbehaves on purpose, chosen by the plugin name in the Hello
//! frame, so that the host's handling of hostile runners is tested against a
//! real process.

use std::io::Write;

use airlock_protocol::{CallFailure, FrameReader, FrameWriter, FromRunner, ToRunner};

fn main() {
    // SAFETY: called once, in a runner process the host started.
    let Ok(mut socket) = (unsafe { airlock_runner::process::host_stream() }) else {
        std::process::exit(3);
    };
    let mut reader = FrameReader::new(256 << 20);
    let mut writer = FrameWriter::new();
    let Ok(ToRunner::Hello(hello)) = reader.read::<_, ToRunner>(&mut socket) else {
        std::process::exit(3);
    };
    // The fake runner never takes the shared rings: frames stay on the socket.
    let ready = FromRunner::Ready {
        world_hash: hello.world_hash,
        layers: Default::default(),
        rings: false,
        mapped: false,
        marks: Default::default(),
    };
    match hello.plugin.as_str() {
        "garbage-hello" => {
            let _ = socket.write_all(&[7, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        }
        "wrong-hash" => {
            let _ = writer.write(
                &mut socket,
                &FromRunner::Ready {
                    world_hash: [9; 32],
                    layers: Default::default(),
                    rings: false,
                    mapped: false,
                    marks: Default::default(),
                },
                &[],
            );
        }
        // An artifact the host did not ask for (no cache): a violation.
        "unasked-artifact" => {
            let _ = writer.write(&mut socket, &FromRunner::Artifact, b"forged code");
        }
        // A stale-artifact report for a component it was sent.
        "false-stale" => {
            let failure = airlock_protocol::InitFailure::StaleArtifact("made up".into());
            let _ = writer.write(&mut socket, &FromRunner::InitFailed(failure), &[]);
        }
        // Claims every layer of every system, then serves nothing: the
        // host believes only what its own system has and confirms.
        "claims-every-layer" => {
            let layers = airlock_protocol::SandboxLayers {
                seccomp: true,
                landlock_abi: 5,
                no_new_privs: true,
                not_dumpable: true,
                parent_death_signal: true,
                capabilities_dropped: true,
                rlimits: true,
                user_namespace: true,
                network_namespace: true,
                ipc_namespace: true,
                uts_namespace: true,
                mount_namespace: true,
                cgroup: true,
                seatbelt: true,
                job: true,
                low_integrity: true,
                mitigations: true,
                notes: Vec::new(),
            };
            let claim = FromRunner::Ready {
                world_hash: hello.world_hash,
                layers,
                rings: false,
                mapped: false,
                marks: Default::default(),
            };
            let _ = writer.write(&mut socket, &claim, &[]);
            let _ = reader.read::<_, ToRunner>(&mut socket);
        }
        "exit-at-start" => {
            eprintln!("fake runner: giving up at start");
            std::process::exit(42);
        }
        behaviour => {
            let _ = writer.write(&mut socket, &ready, &[]);
            let Ok(ToRunner::Call { seq, .. }) = reader.read::<_, ToRunner>(&mut socket) else {
                std::process::exit(3);
            };
            match behaviour {
                "garbage" => {
                    let _ = socket
                        .write_all(&[12, 0, 0, 0, 8, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
                }
                "oversized" => {
                    let _ = socket.write_all(&u32::MAX.to_le_bytes());
                }
                "unsolicited" => {
                    let _ = writer.write(
                        &mut socket,
                        &FromRunner::Return {
                            seq: seq + 100,
                            outcome: Ok(()),
                            cost: Default::default(),
                        },
                        &[],
                    );
                }
                "undecodable-result" => {
                    let _ = writer.write(
                        &mut socket,
                        &FromRunner::Return {
                            seq,
                            outcome: Ok(()),
                            cost: Default::default(),
                        },
                        &[0xff; 3],
                    );
                }
                "unknown-import" => {
                    let _ = writer.write(
                        &mut socket,
                        &FromRunner::ImportCall { seq: 1, func: 9999 },
                        &[],
                    );
                }
                "second-ready" => {
                    let _ = writer.write(&mut socket, &ready, &[]);
                }
                "silent" => {}
                // A valid result, one byte every 20 ms: each read would finish
                // in time, the whole frame would not.
                "trickle" => {
                    let mut frame = Vec::new();
                    let _ = writer.write(
                        &mut frame,
                        &FromRunner::Return {
                            seq,
                            outcome: Ok(()),
                            cost: Default::default(),
                        },
                        &[0; 64],
                    );
                    for byte in &frame {
                        if socket.write_all(&[*byte]).is_err() {
                            break;
                        }
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    }
                }
                // Attack (issue 12, point 5): output frames that carry no
                // bytes but say output was dropped, many times in one call.
                "dropped-flood" => {
                    for _ in 0..10_000 {
                        let frame = FromRunner::Output {
                            stream: airlock_protocol::OutputStream::Stdout,
                            dropped: 1,
                        };
                        if writer.write(&mut socket, &frame, &[]).is_err() {
                            break;
                        }
                    }
                    let failure = CallFailure::Trap {
                        message: "flood done".into(),
                        backtrace: None,
                        frames: Vec::new(),
                    };
                    let _ = writer.write(
                        &mut socket,
                        &FromRunner::Return {
                            seq,
                            outcome: Err(failure),
                            cost: Default::default(),
                        },
                        &[],
                    );
                }
                "trap" => {
                    let failure = CallFailure::Trap {
                        message: "fake trap".into(),
                        backtrace: None,
                        frames: Vec::new(),
                    };
                    let _ = writer.write(
                        &mut socket,
                        &FromRunner::Return {
                            seq,
                            outcome: Err(failure),
                            cost: Default::default(),
                        },
                        &[],
                    );
                }
                _ => std::process::exit(4),
            }
            // Stay alive (reading) so the host must detect the misbehaviour itself.
            let _ = reader.read::<_, ToRunner>(&mut socket);
            std::thread::sleep(std::time::Duration::from_secs(30));
        }
    }
    std::thread::sleep(std::time::Duration::from_secs(30));
}
