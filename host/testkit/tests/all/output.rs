//! Guest output, logs, progress and cancellation reach the host.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{TestHost, start};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn stdout_stderr_and_logs_arrive_in_tracing_tagged_with_the_plugin() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let mut plugin = start();
        plugin.chatter(&mut TestHost::default(), 3).unwrap();
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for needle in [
        "stdout line 2",
        "stderr line 2",
        "log line 2",
        "plugin=roundtrip",
        "stream=stderr",
    ] {
        assert!(text.contains(needle), "`{needle}` missing from:\n{text}");
    }
}

#[test]
fn progress_reports_reach_the_callback() {
    let mut plugin = start();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    plugin.plugin_mut().on_progress(move |fraction, message| {
        sink.lock().unwrap().push((fraction, message.to_string()))
    });
    plugin.report_progress(&mut TestHost::default(), 4).unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[3], (1.0, "step 4".to_string()));
}

#[test]
fn a_cancelled_call_sees_the_request() {
    let mut plugin = start();
    let mut host = TestHost::default();
    assert!(
        !plugin.wait_for_cancel(&mut host, 10).unwrap(),
        "cancelled without being asked"
    );
    let handle = plugin.plugin().cancel_handle();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.cancel();
    });
    assert!(plugin.wait_for_cancel(&mut host, u64::MAX).unwrap());
    canceller.join().unwrap();
    assert!(
        !plugin.wait_for_cancel(&mut host, 10).unwrap(),
        "the flag must reset for the next call"
    );
}
