//! Tests of the shared rings: bytes in order through wrap-arounds, deadlines,
//! a hostile peer's positions, the header's layout and the spinner's back-off.

use super::*;
use std::os::unix::net::UnixStream;

#[test]
fn bytes_cross_in_order_through_wrap_arounds_and_large_writes() {
    let (rings, _fd) = SharedRings::create().unwrap();
    let rings = Arc::new(rings);
    let (a, b) = UnixStream::pair().unwrap();
    let message: Vec<u8> = (0..3 * RING_LEN as usize + 12345)
        .map(|i| (i % 251) as u8)
        .collect();
    let expected = message.clone();
    let mut r = reader(rings.clone(), Direction::ToRunner, b.into());
    let reading = std::thread::spawn(move || {
        let mut got = vec![0; expected.len()];
        r.read_exact(&mut got).unwrap();
        assert!(got == expected, "bytes differ");
    });
    let mut w = writer(rings, Direction::ToRunner, a.into());
    for chunk in message.chunks(777_777) {
        w.write_all(chunk).unwrap();
    }
    reading.join().unwrap();
}

#[test]
fn a_reader_times_out_and_sees_a_dead_peer_as_end_of_file() {
    let (rings, _fd) = SharedRings::create().unwrap();
    let (a, b) = UnixStream::pair().unwrap();
    let mut r = reader(Arc::new(rings), Direction::FromRunner, a.into());
    r.set_deadline(Some(Instant::now() + Duration::from_millis(20)));
    let err = r.read(&mut [0; 8]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    drop(b);
    r.set_deadline(None);
    assert_eq!(r.read(&mut [0; 8]).unwrap(), 0);
}

#[test]
fn header_words_each_have_their_own_pair_of_cache_lines() {
    let (rings, _fd) = SharedRings::create().unwrap();
    for direction in [Direction::ToRunner, Direction::FromRunner] {
        let ring = rings.ring(direction);
        let mut at: Vec<usize> = [
            ring.written,
            ring.read,
            ring.reader_parked,
            ring.writer_parked,
        ]
        .iter()
        .map(|word| *word as *const AtomicU32 as usize)
        .collect();
        at.push(ring.data as usize);
        assert!(at.iter().all(|a| a % SLOT == 0), "{at:x?}");
        assert!(at.windows(2).all(|w| w[1] - w[0] >= SLOT), "{at:x?}");
    }
}

#[test]
fn one_miss_costs_one_yielding_wait_and_misses_in_a_row_back_off() {
    let mut spinner = Spinner::default();
    assert!(spinner.begin());
    spinner.hit();
    assert!(spinner.begin());
    // A lone miss (an interrupt, a busy neighbour): one wait yields.
    spinner.missed();
    assert!(!spinner.begin());
    assert!(spinner.begin());
    spinner.hit();
    assert!(spinner.begin());
    // Misses in a row (the peer needs this CPU): 1, 2, 4, … up to the cap.
    let mut pauses = Vec::new();
    for _ in 0..8 {
        assert!(spinner.begin());
        spinner.missed();
        let mut yielding = 0;
        while !spinner.begin() {
            yielding += 1;
        }
        pauses.push(yielding);
    }
    assert_eq!(pauses, [1, 2, 4, 8, 16, 32, 32, 32]);
}

#[test]
fn an_impossible_position_from_the_peer_is_an_error() {
    let (rings, _fd) = SharedRings::create().unwrap();
    let (a, _b) = UnixStream::pair().unwrap();
    rings
        .ring(Direction::FromRunner)
        .written
        .store(RING_LEN + 1, Ordering::SeqCst);
    let mut r = reader(Arc::new(rings), Direction::FromRunner, a.into());
    let err = r.read(&mut [0; 8]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
}
