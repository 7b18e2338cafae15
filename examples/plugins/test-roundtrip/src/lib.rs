//! Test guest for `airlock:test/roundtrip`: echoes every value type, calls host
//! imports, traps, spins, chatters and waits for cancellation on request.
//!
//! Built twice: `test-roundtrip-random` compiles this file with the `random`
//! feature, whose `echo-bytes` answers with as many fresh random bytes (WASI
//! `random`) instead, so that tests can compare what two runners draw.

airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../host/testkit/wit"], world: "airlock:test/roundtrip" });

use std::sync::atomic::{AtomicU32, Ordering};

use airlock::test::host_calls;
use exports::airlock::test::counters::{self, GuestCounter};
use exports::airlock::test::values::{self, Mood, Perms, Shape};

static COUNTER: AtomicU32 = AtomicU32::new(0);

struct Roundtrip;

impl values::Guest for Roundtrip {
    fn echo_everything(e: values::Everything) -> values::Everything {
        e
    }
    fn echo_bytes(b: Vec<u8>) -> Vec<u8> {
        #[cfg(feature = "random")]
        {
            let mut fresh = vec![0; b.len()];
            getrandom::fill(&mut fresh).expect("WASI random");
            fresh
        }
        #[cfg(not(feature = "random"))]
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

    fn say(text: String) {
        println!("{text}");
        eprintln!("{text}");
        airlock_guest::info!("{text}");
        airlock_guest::progress(0.5, &text);
    }
}

static LIVE_COUNTERS: AtomicU32 = AtomicU32::new(0);
static POISON: AtomicU32 = AtomicU32::new(0);

/// A counter the guest implements; the host holds handles to it.
struct Counter(std::cell::Cell<u32>);

impl Counter {
    fn boxed(start: u32) -> counters::Counter {
        counters::Counter::new(Counter::new(start))
    }
}

impl Drop for Counter {
    fn drop(&mut self) {
        LIVE_COUNTERS.fetch_sub(1, Ordering::Relaxed);
        let poison = POISON.load(Ordering::Relaxed);
        if poison != 0 && self.0.get() == poison {
            panic!("poisoned counter {poison} dropped");
        }
    }
}

impl counters::GuestCounter for Counter {
    fn new(start: u32) -> Self {
        LIVE_COUNTERS.fetch_add(1, Ordering::Relaxed);
        Counter(std::cell::Cell::new(start))
    }

    fn add(&self, n: u32) -> u32 {
        self.0.set(self.0.get().wrapping_add(n));
        self.0.get()
    }

    fn get(&self) -> u32 {
        self.0.get()
    }

    fn fork(&self) -> counters::Counter {
        Counter::boxed(self.0.get())
    }
}

impl counters::Guest for Roundtrip {
    type Counter = Counter;

    fn make(n: u32) -> Vec<counters::Counter> {
        (0..n).map(Counter::boxed).collect()
    }

    fn consume(c: counters::Counter) -> u32 {
        c.get::<Counter>().0.get()
    }

    fn consume_all(cs: Vec<counters::Counter>) -> u32 {
        cs.iter().map(|c| c.get::<Counter>().0.get()).sum()
    }

    fn peek(c: counters::CounterBorrow<'_>) -> u32 {
        c.get::<Counter>().0.get()
    }

    fn live() -> u32 {
        LIVE_COUNTERS.load(Ordering::Relaxed)
    }

    fn poison(value: u32) {
        POISON.store(value, Ordering::Relaxed);
    }
}

export!(Roundtrip);
