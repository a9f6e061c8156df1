#![no_main]
//! WebSocket frame stream, server and client role: fed whole and in chunk sizes derived
//! from the input, it must yield the same events (and fail at the same point), never
//! exceed the size limit, and only hand out valid UTF-8 as text.
//!
//! Input: [flags (bit 0: client role), chunk seed, stream...].

use libfuzzer_sys::fuzz_target;
use pywamp_core::websocket::{Event, Role, Stream};

#[derive(Debug, PartialEq, Eq)]
enum Owned {
    Message(bool, Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<u16>, String),
}

const MAX: usize = 4096;

fn decode(role: Role, chunks: &mut dyn Iterator<Item = &[u8]>) -> (Vec<Owned>, Option<u16>) {
    let mut stream = Stream::new(role, MAX);
    let mut events = Vec::new();
    for mut chunk in chunks {
        loop {
            match stream.next_event(&mut chunk) {
                Ok(Some(event)) => events.push(match event {
                    Event::Message { text, payload } => {
                        assert!(payload.len() <= MAX);
                        if text {
                            assert!(std::str::from_utf8(payload).is_ok());
                        }
                        Owned::Message(text, payload.to_vec())
                    }
                    Event::Ping(p) => Owned::Ping(p.to_vec()),
                    Event::Pong(p) => Owned::Pong(p.to_vec()),
                    Event::Close(c) => Owned::Close(c.code, c.reason.to_owned()),
                }),
                Ok(None) => {
                    assert!(chunk.is_empty());
                    break;
                }
                Err(e) => return (events, Some(e.close_code())),
            }
        }
    }
    (events, None)
}

fuzz_target!(|data: &[u8]| {
    let [flags, seed, stream @ ..] = data else {
        return;
    };
    let role = if flags & 1 == 1 { Role::Client } else { Role::Server };
    let whole = decode(role, &mut std::iter::once(stream));
    let mut rest = stream;
    let mut state = u32::from(*seed) | 1;
    let mut pieces = Vec::new();
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let size = (1 + (state >> 16) % 32) as usize;
        let (piece, tail) = rest.split_at(size.min(rest.len()));
        pieces.push(piece);
        rest = tail;
    }
    let chunked = decode(role, &mut pieces.into_iter());
    // Fail-fast UTF-8 checks may fail a message earlier when it arrives in pieces, but
    // the events before the failure and the close code must agree.
    assert_eq!(whole, chunked);
});
