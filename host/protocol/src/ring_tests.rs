//! Tests of the shared rings, with every kind of wake-up this system has:
//! bytes in order through wrap-arounds, deadlines, a parked side woken at
//! once, a hostile peer's positions and a flood, the header's layout and the
//! spinner's back-off.

use super::*;
use std::os::unix::net::UnixStream;

/// The kinds of wake-up to test here.
fn wakes() -> impl Iterator<Item = Wake> {
    [Wake::Futex, Wake::Socket]
        .into_iter()
        .filter(|w| w.available())
}

#[test]
fn bytes_cross_in_order_through_wrap_arounds_and_large_writes() {
    for wake in wakes() {
        crosses_in_order(wake);
    }
}

fn crosses_in_order(wake: Wake) {
    let (rings, _fd) = SharedRings::create(wake).unwrap();
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
    for wake in wakes() {
        let (rings, _fd) = SharedRings::create(wake).unwrap();
        let (a, b) = UnixStream::pair().unwrap();
        let mut r = reader(Arc::new(rings), Direction::FromRunner, a.into());
        r.set_deadline(Some(Instant::now() + Duration::from_millis(20)));
        let err = r.read(&mut [0; 8]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{wake:?}");
        drop(b);
        r.set_deadline(None);
        assert_eq!(r.read(&mut [0; 8]).unwrap(), 0, "{wake:?}");
    }
}

#[test]
fn a_parked_reader_is_woken_by_the_write_not_by_its_slice_ending() {
    for wake in wakes() {
        let (rings, _fd) = SharedRings::create(wake).unwrap();
        let rings = Arc::new(rings);
        let (a, b) = UnixStream::pair().unwrap();
        // No deadline: a parked reader sleeps in slices of IDLE_PARK_SLICE,
        // so without a wake-up it would notice the write only then.
        let mut r = reader(rings.clone(), Direction::ToRunner, b.into());
        let mut w = writer(rings.clone(), Direction::ToRunner, a.into());
        let parked = rings.ring(Direction::ToRunner).reader_parked;
        let reading = std::thread::spawn(move || {
            let mut got = [0; 3];
            r.read_exact(&mut got).unwrap();
            (got, Instant::now())
        });
        while parked.load(Ordering::SeqCst) == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(5));
        let wrote = Instant::now();
        w.write_all(b"abc").unwrap();
        let (got, read) = reading.join().unwrap();
        assert_eq!(&got, b"abc");
        let took = read - wrote;
        assert!(
            took < IDLE_PARK_SLICE / 2,
            "{wake:?}: the parked reader took {took:?} to see the write"
        );
    }
}

#[test]
fn a_peer_flooding_the_socket_holds_no_reader_past_its_deadline_nor_hides_a_frame() {
    let (rings, _fd) = SharedRings::create(Wake::Socket).unwrap();
    let rings = Arc::new(rings);
    let (a, b) = UnixStream::pair().unwrap();
    let mut r = reader(rings.clone(), Direction::FromRunner, a.into());
    // The peer floods its end from four threads while the reader waits.
    b.set_nonblocking(true).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let floods: Vec<_> = (0..4)
        .map(|_| {
            let (b, stop) = (b.try_clone().unwrap(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let _ = (&b).write(&[7; 1 << 16]);
                }
            })
        })
        .collect();
    let deadline = Duration::from_millis(30);
    let started = Instant::now();
    r.set_deadline(Some(started + deadline));
    let err = r.read(&mut [0; 8]).unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    assert!(
        took < deadline + Duration::from_millis(100),
        "waited {took:?}"
    );
    // Under the flood, a parked reader still gets the frame.
    let mut w = writer(rings, Direction::FromRunner, b.try_clone().unwrap().into());
    let reading = std::thread::spawn(move || {
        r.set_deadline(Some(Instant::now() + Duration::from_secs(5)));
        let mut got = [0; 5];
        r.read_exact(&mut got).map(|()| got)
    });
    std::thread::sleep(Duration::from_millis(10));
    w.write_all(b"frame").unwrap();
    assert_eq!(&reading.join().unwrap().unwrap(), b"frame");
    stop.store(true, Ordering::Relaxed);
    for flood in floods {
        flood.join().unwrap();
    }
}

#[test]
fn header_words_each_have_their_own_pair_of_cache_lines() {
    let (rings, _fd) = SharedRings::create(Wake::NATIVE).unwrap();
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
        // Whole 16 KiB pages, as macOS reports a shared object's size.
        assert_eq!(total_len() % (16 << 10), 0);
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
    let (rings, _fd) = SharedRings::create(Wake::NATIVE).unwrap();
    let (a, _b) = UnixStream::pair().unwrap();
    rings
        .ring(Direction::FromRunner)
        .written
        .store(RING_LEN + 1, Ordering::SeqCst);
    let mut r = reader(Arc::new(rings), Direction::FromRunner, a.into());
    let err = r.read(&mut [0; 8]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
}
