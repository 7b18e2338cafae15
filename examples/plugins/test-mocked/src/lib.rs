//! Test guest for `airlock:test/mocked`: opens crates from one interface
//! and weighs them on another's shelf, holding every crate it opened.

airlock_guest::generate!({ path: ["../../../wit/airlock", "../../../host/testkit/wit"], world: "airlock:test/mocked" });

use airlock::test::{crates, shelves};

struct Mocked;

impl Guest for Mocked {
    fn run(hold: u32) -> u32 {
        let mut held = Vec::new();
        let mut sum = 0u32;
        for _ in 0..hold {
            let c = crates::open();
            sum = sum.wrapping_add(shelves::weigh(&c));
            held.push(c);
        }
        sum
    }
}

export!(Mocked);
