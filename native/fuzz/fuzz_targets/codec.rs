#![no_main]
//! Arbitrary bytes through every serializer: decoding never panics, and whatever decodes
//! (as a WAMP message or as a plain value) re-encodes to bytes that decode to the same.

use libfuzzer_sys::fuzz_target;
use pywamp_core::codec::{decode_message, decode_value, encode_message, encode_value, ValueBuilder};
use pywamp_core::Serializer;

fuzz_target!(|data: &[u8]| {
    for ser in Serializer::ALL {
        if let Ok(msg) = decode_message(ser, data, &mut ValueBuilder) {
            let mut out = Vec::new();
            encode_message(ser, &msg, &mut out).expect("a decoded message encodes");
            let again = decode_message(ser, &out, &mut ValueBuilder).expect("re-encoded message decodes");
            assert_eq!(again, msg, "{ser:?} message round trip");
        }
        if let Ok(value) = decode_value(ser, data, &mut ValueBuilder) {
            let mut out = Vec::new();
            encode_value(ser, &value, &mut out).expect("a decoded value encodes");
            let again = decode_value(ser, &out, &mut ValueBuilder).expect("re-encoded value decodes");
            assert_eq!(again, value, "{ser:?} value round trip");
        }
    }
});
