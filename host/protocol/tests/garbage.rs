//! Property tests: arbitrary bytes from a hostile peer never panic the frame reader.

use airlock_protocol::{FrameReader, FrameWriter, FromRunner, ToRunner};
use proptest::prelude::*;

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut reader = FrameReader::new(4096);
        let mut input = &bytes[..];
        for _ in 0..8 {
            if reader.read::<_, FromRunner>(&mut input).is_err() {
                break;
            }
        }
    }

    #[test]
    fn frames_round_trip(seq in any::<u64>(), func in any::<u32>(), payload in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut wire = Vec::new();
        FrameWriter::new().write(&mut wire, &ToRunner::Call { seq, func }, &payload).unwrap();
        let mut reader = FrameReader::new(1 << 20);
        let msg: ToRunner = reader.read(&mut &wire[..]).unwrap();
        prop_assert_eq!(msg, ToRunner::Call { seq, func });
        prop_assert_eq!(reader.payload(), &payload[..]);
    }
}
