#![no_main]
//! RawSocket: the handshake parser and negotiation on the first 4 octets, and the frame
//! decoder fed the input whole and in chunk sizes derived from the input, which must agree.
//!
//! Input: [max-length exponent, chunk seed, stream...].

use libfuzzer_sys::fuzz_target;
use pywamp_core::rawsocket::{self, Decoder, FrameKind};
use pywamp_core::Serializer;

type Outcome = (Vec<(FrameKind, Vec<u8>)>, bool);

fn decode(max: usize, chunks: &mut dyn Iterator<Item = &[u8]>) -> Outcome {
    let mut decoder = Decoder::new(max);
    let mut frames = Vec::new();
    for mut chunk in chunks {
        loop {
            match decoder.next_frame(&mut chunk) {
                Ok(Some(frame)) => {
                    assert!(frame.payload.len() <= max);
                    frames.push((frame.kind, frame.payload.to_vec()));
                }
                Ok(None) => {
                    assert!(chunk.is_empty());
                    break;
                }
                Err(_) => return (frames, true),
            }
        }
    }
    (frames, false)
}

fuzz_target!(|data: &[u8]| {
    if let Some(hello) = data.get(..4) {
        if let Ok(hs) = rawsocket::parse_handshake(hello) {
            assert!((512..=1 << 24).contains(&hs.max_length));
        }
        let _ = rawsocket::negotiate(hello, &Serializer::ALL, 1 << 20, 1024);
    }
    let [exp, seed, stream @ ..] = data else {
        return;
    };
    let max = 1usize << (*exp % 25);
    let whole = decode(max, &mut std::iter::once(stream));
    // Chunk sizes 1..=16 in a pattern chosen by the seed.
    let mut rest = stream;
    let mut state = u32::from(*seed) | 1;
    let mut pieces = Vec::new();
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let size = (1 + (state >> 16) % 16) as usize;
        let (piece, tail) = rest.split_at(size.min(rest.len()));
        pieces.push(piece);
        rest = tail;
    }
    let chunked = decode(max, &mut pieces.into_iter());
    assert_eq!(whole, chunked);
});
