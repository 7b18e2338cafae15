//! Test guest for `airlock:test/roundtrip`: echoes every value type, calls host
//! imports, traps, spins, chatters and waits for cancellation on request.

airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../host/testkit/wit"], world: "airlock:test/roundtrip" });

use std::sync::atomic::{AtomicU32, Ordering};

use airlock::test::host_calls;
use exports::airlock::test::values::{self, Mood, Perms, Shape};

static COUNTER: AtomicU32 = AtomicU32::new(0);

struct Roundtrip;

impl values::Guest for Roundtrip {
    fn echo_everything(e: values::Everything) -> values::Everything {
        e
    }
    fn echo_bytes(b: Vec<u8>) -> Vec<u8> {
        b
    }
    fn echo_string(s: String) -> String {
        s
    }
    fn echo_shape(s: Shape) -> Shape {
        s
    }
    fn echo_perms(p: Perms) -> Perms {
        p
    }
    fn echo_mood(m: Mood) -> Mood {
        m
    }
    fn echo_tuple(t: (i64, char, Option<String>)) -> (i64, char, Option<String>) {
        t
    }
}

impl Guest for Roundtrip {
    fn tally_up(count: u32) -> u32 {
        let mut held: Vec<host_calls::Tally> = (0..count).map(host_calls::Tally::new).collect();
        for tally in &held {
            tally.add(1);
        }
        held.extend(host_calls::tallies(2));
        held.iter().map(|t| t.total()).sum()
    }

    fn add(a: u32, b: u32) -> u32 {
        a.wrapping_add(b)
    }

    fn noop() {}

    fn nested(depth: u32, x: u32) -> u32 {
        (0..depth).fold(x, |acc, _| host_calls::double(acc))
    }

    fn bounce_via_host(e: Everything) -> Everything {
        let mut back = host_calls::bounce(&e);
        back.text = host_calls::concat(&[back.text.clone(), "+guest".to_string()]);
        host_calls::note("bounced");
        back
    }

    fn panic_with(message: String) {
        panic!("{message}");
    }

    fn spin() {
        let mut x: u64 = 0;
        loop {
            x = std::hint::black_box(x.wrapping_add(1));
        }
    }

    fn count() -> u32 {
        COUNTER.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn chatter(lines: u32) {
        for i in 0..lines {
            println!("stdout line {i}");
            eprintln!("stderr line {i}");
            airlock_guest::info!("log line {i}");
        }
    }

    fn wait_for_cancel(max_polls: u64) -> bool {
        for _ in 0..max_polls {
            if airlock_guest::is_cancelled() {
                return true;
            }
        }
        false
    }

    fn report_progress(steps: u32) {
        for i in 1..=steps {
            airlock_guest::progress(i as f32 / steps as f32, &format!("step {i}"));
        }
    }
}

export!(Roundtrip);
