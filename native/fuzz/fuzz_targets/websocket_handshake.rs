#![no_main]
//! WebSocket handshake parsers: any request or response parses or fails cleanly; an
//! accepted request's 101 answer must pass the client-side check.

use libfuzzer_sys::fuzz_target;
use pywamp_core::websocket::handshake;

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

fuzz_target!(|data: &[u8]| {
    match handshake::parse_request(data) {
        Ok(Some((request, consumed))) => {
            assert!(consumed <= data.len());
            let offered: Vec<&str> = request.protocols.iter().map(String::as_str).collect();
            let chosen = offered.first().copied();
            // Offered protocols that are not tokens cannot be echoed; skip those.
            if let Ok(answer) = handshake::build_accept(&request, chosen, &[]) {
                if offered.iter().all(|p| !p.contains([' ', '\t', ','])) {
                    let parsed = handshake::parse_response(&answer, &request.key, &offered);
                    assert_eq!(
                        parsed,
                        Ok(Some((chosen.map(str::to_owned), answer.len())))
                    );
                }
            }
        }
        Ok(None) => assert!(data.len() < handshake::MAX_HEAD_LEN),
        Err(e) => assert!(matches!(e.status, Some(400 | 405 | 426 | 431))),
    }
    if let Ok(Some((_, consumed))) = handshake::parse_response(data, KEY, &["wamp.2.json"]) {
        assert!(consumed <= data.len());
    }
});
