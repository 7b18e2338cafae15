//! Parallel calls, the async API, cancelling in-flight calls and hot reload,
//! through `PluginPool` and real runner processes.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use airlock::{Error, PluginConfig, PluginPool};
use airlock_testkit::roundtrip::Roundtrip;

use crate::support::{TestHost, roundtrip_config, test_runner};

fn pool(size: usize) -> PluginPool<Roundtrip> {
    PluginPool::start(
        &test_runner(),
        roundtrip_config().deadline(Duration::from_secs(30)),
        size,
    )
    .expect("start the pool")
}

#[test]
fn a_pool_serves_calls_in_parallel_on_separate_runners() {
    let pool = pool(2);
    let (holding, release) = (Arc::new(Barrier::new(2)), Arc::new(Barrier::new(2)));
    let busy = {
        let (pool, holding, release) = (pool.clone(), holding.clone(), release.clone());
        std::thread::spawn(move || {
            pool.with(|c| {
                assert_eq!(c.add(&mut TestHost::default(), 1, 1).unwrap(), 2);
                holding.wait();
                release.wait();
                c.plugin().pid()
            })
        })
    };
    holding.wait();
    // One client is held by the other thread; this call gets the second.
    let (pid, sum) = pool.with(|c| (c.plugin().pid(), c.add(&mut TestHost::default(), 2, 3)));
    release.wait();
    let busy_pid = busy.join().unwrap();
    assert_eq!(sum.unwrap(), 5);
    assert!(pid.is_some() && busy_pid.is_some());
    assert_ne!(pid, busy_pid, "two calls at once run in two processes");
    assert_eq!(pool.idle(), 2);
}

#[test]
fn dropping_an_async_call_cancels_it_and_the_pool_carries_on() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let pool = pool(1);
    runtime.block_on(async {
        let started = Instant::now();
        let spin = pool.call(|c| c.spin(&mut TestHost::default()));
        assert!(
            tokio::time::timeout(Duration::from_millis(300), spin)
                .await
                .is_err(),
            "spin never returns by itself"
        );
        // The runner was killed: the next call gets the client back with a
        // fresh runner, long before the 30 s deadline.
        let sum = pool.call(|c| c.add(&mut TestHost::default(), 20, 22)).await;
        assert_eq!(sum.unwrap(), 42);
        assert!(started.elapsed() < Duration::from_secs(10));
    });
    pool.with(|c| {
        let metrics = c.plugin().metrics();
        assert_eq!(metrics.errors.get("cancelled"), Some(&1), "{metrics:?}");
        assert_eq!(metrics.restarts, 1);
        assert!(matches!(
            c.plugin().state(),
            airlock::PluginState::Running { .. }
        ));
    });
}

#[test]
fn an_abort_handle_stops_a_blocking_call_from_another_thread() {
    let mut plugin = Roundtrip::start(
        &test_runner(),
        roundtrip_config().deadline(Duration::from_secs(30)),
    )
    .unwrap();
    let abort = plugin.plugin().abort_handle();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Until the call ends: an abort that lands before `spin` starts (a slow
    // machine) only retires the idle runner, and the next one stops it.
    let aborter = std::thread::spawn({
        let done = done.clone();
        move || {
            let mut landed = 0;
            while !done.load(std::sync::atomic::Ordering::Acquire) {
                std::thread::sleep(Duration::from_millis(200));
                landed += u32::from(abort.abort());
            }
            landed
        }
    });
    let started = Instant::now();
    let err = plugin.spin(&mut TestHost::default()).unwrap_err();
    done.store(true, std::sync::atomic::Ordering::Release);
    assert!(aborter.join().unwrap() > 0, "a runner was up to abort");
    assert!(matches!(err, Error::Cancelled { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // Aborts are not failures: many in a row never exhaust the restart budget.
    for _ in 0..5 {
        plugin.plugin().abort_handle().abort();
        assert_eq!(plugin.add(&mut TestHost::default(), 1, 1).unwrap(), 2);
    }
}

#[test]
fn reloading_lets_calls_in_flight_finish_on_the_old_plugin() {
    let pool = pool(2);
    let (started, reloaded) = (Arc::new(Barrier::new(2)), Arc::new(Barrier::new(2)));
    let in_flight = {
        let (pool, started, reloaded) = (pool.clone(), started.clone(), reloaded.clone());
        std::thread::spawn(move || {
            pool.with(|c| {
                let host = &mut TestHost::default();
                let first = c.count(host).unwrap();
                started.wait();
                reloaded.wait();
                // Still the same instance: its counter went on.
                let second = c.count(host).unwrap();
                (c.plugin().name().to_string(), first, second)
            })
        })
    };
    started.wait();
    let next = roundtrip_config();
    let next = PluginConfig::new("roundtrip-v2", next.component().to_vec())
        .deadline(Duration::from_secs(30));
    pool.reload(&test_runner(), next).expect("reload");
    // New calls go to the new plugin at once, while the old call is in flight.
    let (name, count) = pool.with(|c| {
        (
            c.plugin().name().to_string(),
            c.count(&mut TestHost::default()).unwrap(),
        )
    });
    assert_eq!((name.as_str(), count), ("roundtrip-v2", 1));
    reloaded.wait();
    let (old_name, first, second) = in_flight.join().unwrap();
    assert_eq!((old_name.as_str(), first, second), ("roundtrip", 1, 2));
    // The old client was shut down when it came back, not pooled; the new
    // generation has as many clients as the pool had, though one was busy
    // during the reload.
    assert_eq!(pool.idle(), 2);
    pool.with(|c| assert_eq!(c.plugin().name(), "roundtrip-v2"));
}

#[test]
fn a_failed_reload_changes_nothing() {
    let pool = pool(1);
    let err = pool
        .reload(
            &test_runner(),
            PluginConfig::new("broken", b"\0asm not really".to_vec()),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Compile { .. }), "{err:?}");
    assert_eq!(pool.config().name(), "roundtrip");
    pool.with(|c| {
        assert_eq!(c.plugin().name(), "roundtrip");
        assert_eq!(c.add(&mut TestHost::default(), 2, 2).unwrap(), 4);
    });
}
