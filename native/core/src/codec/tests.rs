#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! Unit tests of the three formats and of message checking.

use super::*;

fn dv(ser: Serializer, data: &[u8]) -> Result<Value, Error> {
    decode_value(ser, data, &mut ValueBuilder)
}

fn ev(ser: Serializer, v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode_value(ser, v, &mut out).unwrap();
    out
}

fn dm(ser: Serializer, data: &[u8]) -> Result<Message<Value>, Error> {
    decode_message(ser, data, &mut ValueBuilder)
}

fn em(ser: Serializer, m: &Message<Value>) -> Vec<u8> {
    let mut out = Vec::new();
    encode_message(ser, m, &mut out).unwrap();
    out
}

fn err_text(r: Result<impl std::fmt::Debug, Error>) -> String {
    r.unwrap_err().to_string()
}

fn nested(depth: usize) -> Value {
    (1..depth).fold(Value::List(vec![]), |v, _| Value::List(vec![v]))
}

#[test]
fn json_scalars_and_containers() {
    use Serializer::Json;
    let v = dv(
        Json,
        br#" { "a" : [ null , true , false , 0 , -0 , 12 , -7 , 1.5e3 , "x" ] } "#,
    )
    .unwrap();
    let items = vec![
        Value::Null,
        Value::Bool(true),
        Value::Bool(false),
        Value::UInt(0),
        Value::UInt(0),
        Value::UInt(12),
        Value::Int(-7),
        Value::Float(1500.0),
        Value::str("x"),
    ];
    assert_eq!(v, Value::map([("a", Value::List(items))]));
    assert_eq!(
        dv(Json, b"18446744073709551615").unwrap(),
        Value::UInt(u64::MAX)
    );
    assert_eq!(
        dv(Json, b"-9223372036854775808").unwrap(),
        Value::Int(i64::MIN)
    );
    assert!(matches!(
        dv(Json, b"18446744073709551616"),
        Err(Error::IntegerOutOfRange { .. })
    ));
    assert!(matches!(
        dv(Json, b"-9223372036854775809"),
        Err(Error::IntegerOutOfRange { .. })
    ));
    assert_eq!(ev(Json, &Value::Float(1.0)), b"1.0");
    assert_eq!(ev(Json, &Value::Float(-0.0)), b"-0.0");
    assert_eq!(ev(Json, &Value::Int(-5)), b"-5");
}

#[test]
fn json_strings_and_escapes() {
    use Serializer::Json;
    let text = "q\" b\\ n\n t\t c\u{1} é 😀 \u{2028}";
    let encoded = ev(Json, &Value::str(text));
    assert_eq!(
        encoded,
        "\"q\\\" b\\\\ n\\n t\\t c\\u0001 é 😀 \u{2028}\"".as_bytes()
    );
    assert_eq!(dv(Json, &encoded).unwrap(), Value::str(text));
    assert_eq!(
        dv(Json, br#""\ud83d\ude00\u00e9\/\b\f\r""#).unwrap(),
        Value::str("😀é/\u{8}\u{c}\r")
    );
    assert!(matches!(
        dv(Json, br#""\ud800""#),
        Err(Error::InvalidUtf8 { .. })
    ));
    assert!(matches!(
        dv(Json, br#""\udc00""#),
        Err(Error::InvalidUtf8 { .. })
    ));
    assert!(matches!(
        dv(Json, b"\"\xc3\x28\""),
        Err(Error::InvalidUtf8 { .. })
    ));
    assert!(matches!(dv(Json, b"\"a\nb\""), Err(Error::Syntax { .. })));
    assert!(matches!(dv(Json, br#""\x""#), Err(Error::Syntax { .. })));
    assert!(matches!(
        dv(Json, br#""\u12g4""#),
        Err(Error::Syntax { .. })
    ));
}

#[test]
fn json_escapes_are_found_at_every_position_of_short_and_long_strings() {
    use Serializer::Json;
    for len in 1..=20 {
        for at in 0..len {
            for (c, escaped) in [('"', "\\\""), ('\\', "\\\\"), ('\u{1f}', "\\u001f")] {
                let mut text: Vec<char> = vec!['a'; len];
                text[at] = c;
                let text: String = text.into_iter().collect();
                let expected = format!(
                    "\"{}{escaped}{}\"",
                    "a".repeat(at),
                    "a".repeat(len - at - 1)
                );
                assert_eq!(
                    ev(Json, &Value::str(&text)),
                    expected.as_bytes(),
                    "{text:?}"
                );
            }
        }
    }
}

#[test]
fn json_binary_convention() {
    use Serializer::Json;
    let v = Value::Bytes(vec![0, 1, 0xfe]);
    assert_eq!(ev(Json, &v), br#""\u0000AAH+""#);
    assert_eq!(dv(Json, br#""\u0000AAH+""#).unwrap(), v);
    assert_eq!(dv(Json, br#""\u0000""#).unwrap(), Value::Bytes(vec![]));
    assert!(matches!(
        dv(Json, br#""\u0000!!""#),
        Err(Error::InvalidBase64 { .. })
    ));
    // A NUL elsewhere is just text; a str with the binary prefix cannot be sent.
    assert_eq!(dv(Json, br#""a\u0000""#).unwrap(), Value::str("a\0"));
    assert_eq!(ev(Json, &Value::str("a\0")), br#""a\u0000""#);
    let e = encode_value(Json, &Value::str("\0x"), &mut Vec::new()).unwrap_err();
    assert!(e.is_unencodable(), "{e}");
}

#[test]
fn json_syntax_errors() {
    use Serializer::Json;
    for (input, expected) in [
        (&b"[1,]"[..], "expected a value"),
        (b"[1 2]", "expected ',' or ']'"),
        (b"{\"a\" 1}", "expected ':'"),
        (b"{1: 2}", "expected a string key"),
        (b"{\"a\": 1,}", "expected a string key"),
        (b"01", "unexpected bytes after the value"),
        (b"1.x", "expected a digit after '.'"),
        (b"1e", "input ends inside a value"),
        (b"-", "input ends inside a value"),
        (b"tru", "input ends inside a value"),
        (b"trux", "expected a value"),
        (b"NaN", "expected a value"),
        (b"1e400", "number out of range"),
        (b"", "input ends inside a value"),
        (b"[1] [2]", "unexpected bytes after the value"),
    ] {
        let msg = err_text(dv(Json, input));
        assert!(
            msg.contains(expected),
            "{:?}: {msg}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn nesting_limit_is_exact() {
    for ser in Serializer::ALL {
        let ok = nested(MAX_DEPTH);
        assert_eq!(dv(ser, &ev(ser, &ok)).unwrap(), ok);
        let too_deep = Value::List(vec![ok]);
        let mut out = Vec::new();
        let e = encode_value(ser, &too_deep, &mut out).unwrap_err();
        assert!(e.is_unencodable(), "{e}");
        let bytes: Vec<u8> = match ser {
            Serializer::Json => [vec![b'['; 101], vec![b']'; 101]].concat(),
            Serializer::Msgpack => [vec![0x91; 100], vec![0x90]].concat(),
            Serializer::Cbor => [vec![0x81; 100], vec![0x80]].concat(),
        };
        assert!(
            matches!(dv(ser, &bytes), Err(Error::TooDeep { .. })),
            "{ser:?}"
        );
    }
}

#[test]
fn a_scalar_in_the_deepest_container_round_trips() {
    // 100 lists, the innermost holding 0: decoded and encoded alike by every format.
    let deepest = (1..MAX_DEPTH).fold(Value::List(vec![Value::UInt(0)]), |v, _| {
        Value::List(vec![v])
    });
    for ser in Serializer::ALL {
        let bytes: Vec<u8> = match ser {
            Serializer::Json => [vec![b'['; 100], vec![b'0'], vec![b']'; 100]].concat(),
            Serializer::Msgpack => [vec![0x91; 100], vec![0x00]].concat(),
            Serializer::Cbor => [vec![0x81; 100], vec![0x00]].concat(),
        };
        assert_eq!(dv(ser, &bytes).unwrap(), deepest, "{ser:?}");
        assert_eq!(ev(ser, &deepest), bytes, "{ser:?}");
    }
}

#[test]
fn msgpack_shortest_forms() {
    use Serializer::Msgpack;
    for (v, hex) in [
        (Value::UInt(127), "7f"),
        (Value::UInt(128), "cc80"),
        (Value::UInt(256), "cd0100"),
        (Value::UInt(65536), "ce00010000"),
        (Value::UInt(1 << 32), "cf0000000100000000"),
        (Value::Int(-32), "e0"),
        (Value::Int(-33), "d0df"),
        (Value::Int(-129), "d1ff7f"),
        (Value::Int(-32769), "d2ffff7fff"),
        (Value::Int(i64::MIN), "d38000000000000000"),
        (Value::Float(1.5), "cb3ff8000000000000"),
        (
            Value::str(&"a".repeat(31)),
            &format!("bf{}", "61".repeat(31)),
        ),
        (
            Value::str(&"a".repeat(32)),
            &format!("d920{}", "61".repeat(32)),
        ),
        (Value::Bytes(vec![1]), "c40101"),
        (
            Value::List(vec![Value::Null; 16]),
            &format!("dc0010{}", "c0".repeat(16)),
        ),
    ] {
        let hex_out: String = ev(Msgpack, &v).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex_out, hex, "{v:?}");
        assert_eq!(dv(Msgpack, &ev(Msgpack, &v)).unwrap(), v);
    }
    let map16 = Value::Map(
        (0..16)
            .map(|i| (format!("k{i:02}"), Value::UInt(i)))
            .collect(),
    );
    let out = ev(Msgpack, &map16);
    assert_eq!(&out[..3], &[0xde, 0x00, 0x10]);
    assert_eq!(dv(Msgpack, &out).unwrap(), map16);
}

#[test]
fn msgpack_refusals() {
    use Serializer::Msgpack;
    assert!(matches!(
        dv(Msgpack, &[0xd4, 0x01, 0x02]),
        Err(Error::Unsupported { .. })
    ));
    assert!(matches!(
        dv(Msgpack, &[0xc7, 0x01, 0x01, 0x02]),
        Err(Error::Unsupported { .. })
    ));
    assert!(matches!(dv(Msgpack, &[0xc1]), Err(Error::Syntax { .. })));
    assert!(matches!(
        dv(Msgpack, &[0x81, 0x01, 0x01]),
        Err(Error::NonStringKey { .. })
    ));
    assert!(matches!(
        dv(Msgpack, &[0xa2, 0x61]),
        Err(Error::Truncated { .. })
    ));
    assert!(matches!(
        dv(Msgpack, &[0xdd, 0xff, 0xff, 0xff, 0xff]),
        Err(Error::Truncated { .. })
    ));
    assert!(matches!(
        dv(Msgpack, &[0x01, 0x02]),
        Err(Error::TrailingBytes { offset: 1, .. })
    ));
    assert!(matches!(
        dv(Msgpack, &[0xa1, 0xff]),
        Err(Error::InvalidUtf8 { .. })
    ));
}

#[test]
fn cbor_items() {
    use Serializer::Cbor;
    let cases: &[(&str, Value)] = &[
        ("17", Value::UInt(23)),
        ("1818", Value::UInt(24)),
        ("1bffffffffffffffff", Value::UInt(u64::MAX)),
        ("20", Value::Int(-1)),
        ("3b7fffffffffffffff", Value::Int(i64::MIN)),
        ("f93c00", Value::Float(1.0)),
        ("f97bff", Value::Float(65504.0)),
        ("f90001", Value::Float(5.960464477539063e-8)),
        ("f9c400", Value::Float(-4.0)),
        ("fa47c35000", Value::Float(100000.0)),
        ("5f42010243030405ff", Value::Bytes(vec![1, 2, 3, 4, 5])),
        ("7f657374726561646d696e67ff", Value::Str("streaming".into())),
        (
            "9f018202039f0405ffff",
            Value::List(vec![
                Value::UInt(1),
                Value::List(vec![Value::UInt(2), Value::UInt(3)]),
                Value::List(vec![Value::UInt(4), Value::UInt(5)]),
            ]),
        ),
        (
            "bf61610161629f0203ffff",
            Value::map([
                ("a", Value::UInt(1)),
                ("b", Value::List(vec![Value::UInt(2), Value::UInt(3)])),
            ]),
        ),
        ("c11a514b67b0", Value::UInt(1363896240)),
        (
            "d9d9f7820102",
            Value::List(vec![Value::UInt(1), Value::UInt(2)]),
        ),
    ];
    for (hex, v) in cases {
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        assert_eq!(&dv(Cbor, &bytes).unwrap(), v, "{hex}");
        assert_eq!(&dv(Cbor, &ev(Cbor, v)).unwrap(), v, "{hex}");
    }
    assert_eq!(ev(Cbor, &Value::Int(-500)), [0x39, 0x01, 0xf3]);
    assert_eq!(ev(Cbor, &Value::UInt(500)), [0x19, 0x01, 0xf4]);
}

#[test]
fn cbor_refusals() {
    use Serializer::Cbor;
    assert!(matches!(
        dv(Cbor, &[0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0]),
        Err(Error::IntegerOutOfRange { .. })
    ));
    assert!(matches!(
        dv(Cbor, &[0xc2, 0x41, 0x01]),
        Err(Error::IntegerOutOfRange { .. })
    ));
    assert!(matches!(dv(Cbor, &[0xf7]), Err(Error::Unsupported { .. })));
    assert!(matches!(dv(Cbor, &[0xf0]), Err(Error::Unsupported { .. })));
    assert!(matches!(
        dv(Cbor, &[0xf8, 0x20]),
        Err(Error::Unsupported { .. })
    ));
    assert!(matches!(dv(Cbor, &[0x1c]), Err(Error::Syntax { .. })));
    assert!(matches!(dv(Cbor, &[0xff]), Err(Error::Syntax { .. })));
    assert!(matches!(dv(Cbor, &[0x1f]), Err(Error::Syntax { .. })));
    assert!(matches!(
        dv(Cbor, &[0xa1, 0x01, 0x02]),
        Err(Error::NonStringKey { .. })
    ));
    assert!(matches!(
        dv(Cbor, &[0x5f, 0x61, 0x61, 0xff]),
        Err(Error::Syntax { .. })
    ));
    assert!(matches!(
        dv(Cbor, &[0x7f, 0x7f, 0xff, 0xff]),
        Err(Error::Syntax { .. })
    ));
    assert!(matches!(
        dv(Cbor, &[0x62, 0xc3, 0x28]),
        Err(Error::InvalidUtf8 { .. })
    ));
    assert!(matches!(
        dv(Cbor, &[0x9f, 0x01]),
        Err(Error::Truncated { .. })
    ));
    assert!(matches!(
        dv(
            Cbor,
            &[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        ),
        Err(Error::Truncated { .. })
    ));
    let tags = [vec![0xc1; 10_000], vec![0x01]].concat();
    assert!(matches!(dv(Cbor, &tags), Err(Error::TooDeep { .. })));
}

fn call(args: Option<Value>, kwargs: Option<Value>) -> Message<Value> {
    Message::Call {
        request_id: 1,
        options: Value::map([]),
        procedure: Value::str("p"),
        args,
        kwargs,
        payload: None,
    }
}

#[test]
fn omission_rules_on_the_wire() {
    use Serializer::Json;
    let list = |v: Vec<Value>| Some(Value::List(v));
    assert_eq!(em(Json, &call(None, None)), br#"[48,1,{},"p"]"#);
    assert_eq!(
        em(Json, &call(list(vec![]), Some(Value::map([])))),
        br#"[48,1,{},"p"]"#
    );
    assert_eq!(
        em(Json, &call(None, Some(Value::map([("a", Value::UInt(1))])))),
        br#"[48,1,{},"p",[],{"a":1}]"#
    );
    assert_eq!(
        em(Json, &call(list(vec![Value::UInt(1)]), None)),
        br#"[48,1,{},"p",[1]]"#
    );
    // Empty args/kwargs decode as absent, so every message equals its round trip.
    assert_eq!(
        dm(Json, br#"[48,1,{},"p",[],{}]"#).unwrap(),
        call(None, None)
    );
    let unsub = Message::Unsubscribed {
        request_id: 0,
        details: Some(Value::map([("subscription", Value::UInt(5))])),
    };
    assert_eq!(em(Json, &unsub), br#"[35,0,{"subscription":5}]"#);
    assert_eq!(dm(Json, br#"[35,0,{"subscription":5}]"#).unwrap(), unsub);
}

#[test]
fn payload_takes_the_place_of_args() {
    for ser in Serializer::ALL {
        let msg = Message::Event {
            subscription: 1,
            publication: 2,
            details: Value::map([("enc_algo", Value::str("cryptobox"))]),
            args: None,
            kwargs: None,
            payload: Some(Value::Bytes(vec![1, 2, 3])),
        };
        let bytes = em(ser, &msg);
        assert_eq!(dm(ser, &bytes).unwrap(), msg);
        let Value::List(items) = dv(ser, &bytes).unwrap() else {
            panic!()
        };
        assert_eq!(items.last(), Some(&Value::Bytes(vec![1, 2, 3])));
    }
    let bad = Message::Event {
        subscription: 1,
        publication: 2,
        details: Value::map([]),
        args: Some(Value::List(vec![Value::Null])),
        kwargs: None,
        payload: Some(Value::Bytes(vec![])),
    };
    let mut out = Vec::new();
    let e = encode_message(Serializer::Json, &bad, &mut out).unwrap_err();
    assert!(
        e.to_string()
            .contains("EVENT.payload cannot be combined with args or kwargs"),
        "{e}"
    );
    // Bytes in the args position of a message without payloads are an error.
    let e = err_text(dm(Serializer::Json, br#"[3,{},"wamp.close","\u0000AA=="]"#));
    assert_eq!(e, "ABORT.args must be a list, got bytes");
}

#[test]
fn message_errors_name_message_and_field() {
    use Serializer::Json;
    for (input, expected) in [
        (&br#"[48,0,{},"p"]"#[..], "CALL.request_id must be an id in [1, 2^53], got 0"),
        (br#"[48,9007199254740993,{},"p"]"#, "CALL.request_id must be an id in [1, 2^53], got 9007199254740993"),
        (br#"[48,-3,{},"p"]"#, "CALL.request_id must be an id in [1, 2^53], got -3"),
        (br#"[48,1.0,{},"p"]"#, "CALL.request_id must be an id in [1, 2^53], got float"),
        (br#"[48,1,{},""]"#, "CALL.procedure must be a non-empty string (URI), got an empty string"),
        (br#"[48,1,[],"p"]"#, "CALL.options must be a dict, got list"),
        (br#"[48,1,{}]"#, "CALL must have at least 4 elements, got 3"),
        (br#"[48,1,{},"p",[],{},0]"#, "CALL must have at most 6 elements"),
        (br#"[8,49,1,{},"e"]"#, "ERROR.request_type must be the type of a request (16, 32, 34, 48, 64, 66 or 68), got 49"),
        (br#"[32,1,{"match":"regex"},"t"]"#, "SUBSCRIBE.options.match must be one of 'exact', 'prefix', 'wildcard', got 'regex'"),
        (br#"[16,1,{"exclude":[1,"x"]},"t"]"#, "PUBLISH.options.exclude must be a list of ids, got an item 'x'"),
        (br#"[35,0]"#, "UNSUBSCRIBED.request_id must be an id in [1, 2^53], got 0 (0 is only for a revocation, which carries details)"),
        (br#"[1000,1]"#, "unknown WAMP message type 1000"),
        (br#"[-1,1]"#, "unknown WAMP message type -1"),
        (br#"["HELLO"]"#, "unknown WAMP message type of type str"),
        (br#"{}"#, "a WAMP message must be a list, got dict"),
        (br#"[]"#, "a WAMP message must not be an empty list"),
    ] {
        assert_eq!(err_text(dm(Json, input)), expected, "{}", String::from_utf8_lossy(input));
    }
    // Unknown option keys pass; null stands for absent.
    assert!(dm(Json, br#"[16,1,{"x_custom":[1],"acknowledge":null},"t"]"#).is_ok());
}

#[test]
fn every_message_type_round_trips() {
    for spec in message::ALL_SPECS {
        let mut slots = message::Slots::default();
        let mut n = 0;
        for (i, field) in spec.fields.iter().enumerate() {
            let slot = match field.kind {
                FieldKind::Id | FieldKind::RevocableId => message::Slot::Int(i as u64 + 1),
                FieldKind::RequestType => message::Slot::Int(48),
                FieldKind::Uri | FieldKind::Str => message::Slot::Value(Value::str("com.x")),
                FieldKind::Dict | FieldKind::OptDict | FieldKind::Kwargs => {
                    message::Slot::Value(Value::map([("k", Value::UInt(1))]))
                }
                FieldKind::Args => message::Slot::Value(Value::List(vec![Value::Bytes(vec![1])])),
                FieldKind::Payload => continue,
            };
            slots.set(n, slot);
            n += 1;
        }
        let msg = Message::from_slots(spec, &mut slots).unwrap();
        assert_eq!(msg.code(), spec.code);
        for ser in Serializer::ALL {
            assert_eq!(
                dm(ser, &em(ser, &msg)).unwrap(),
                msg,
                "{} {ser:?}",
                spec.name
            );
        }
    }
    assert_eq!(message::ALL_SPECS.len(), 25);
}

/// A builder that knows the key "id" in advance, as the binding's key cache does.
struct KnowsId {
    inner: ValueBuilder,
    hits: usize,
}

impl Builder for KnowsId {
    type Value = Value;
    type List = Vec<Value>;
    type Map = Vec<(String, Value)>;
    type Key = String;

    fn null(&mut self) -> Result<Value, Error> {
        self.inner.null()
    }
    fn bool(&mut self, v: bool) -> Result<Value, Error> {
        self.inner.bool(v)
    }
    fn int(&mut self, v: i64) -> Result<Value, Error> {
        self.inner.int(v)
    }
    fn uint(&mut self, v: u64) -> Result<Value, Error> {
        self.inner.uint(v)
    }
    fn float(&mut self, v: f64) -> Result<Value, Error> {
        self.inner.float(v)
    }
    fn str(&mut self, v: &str) -> Result<Value, Error> {
        self.inner.str(v)
    }
    fn bytes(&mut self, v: &[u8]) -> Result<Value, Error> {
        self.inner.bytes(v)
    }
    fn list_begin(&mut self, len_hint: usize) -> Result<Vec<Value>, Error> {
        self.inner.list_begin(len_hint)
    }
    fn list_push(&mut self, list: &mut Vec<Value>, v: Value) -> Result<(), Error> {
        self.inner.list_push(list, v)
    }
    fn list_end(&mut self, list: Vec<Value>) -> Result<Value, Error> {
        self.inner.list_end(list)
    }
    fn map_begin(&mut self, len_hint: usize) -> Result<Self::Map, Error> {
        self.inner.map_begin(len_hint)
    }
    fn map_insert(&mut self, map: &mut Self::Map, key: &str, v: Value) -> Result<(), Error> {
        self.inner.map_insert(map, key, v)
    }
    fn known_key(&mut self, raw: &[u8]) -> Option<String> {
        (raw == b"id").then(|| {
            self.hits += 1;
            "id".to_owned()
        })
    }
    fn map_insert_known(
        &mut self,
        map: &mut Self::Map,
        key: String,
        v: Value,
    ) -> Result<(), Error> {
        map.push((key, v));
        Ok(())
    }
    fn map_end(&mut self, map: Self::Map) -> Result<Value, Error> {
        self.inner.map_end(map)
    }
}

#[test]
fn known_keys_decode_like_checked_ones_and_bad_keys_still_fail() {
    let value = Value::List(vec![Value::Map(vec![
        ("id".to_owned(), Value::UInt(1)),
        (
            "idée".to_owned(),
            Value::Map(vec![("id".to_owned(), Value::Null)]),
        ),
        ("name".to_owned(), Value::Str("x".to_owned())),
    ])]);
    for ser in [Serializer::Msgpack, Serializer::Cbor] {
        let data = ev(ser, &value);
        let mut b = KnowsId {
            inner: ValueBuilder,
            hits: 0,
        };
        assert_eq!(decode_value(ser, &data, &mut b).unwrap(), value, "{ser:?}");
        assert_eq!(b.hits, 2, "{ser:?}");
        // A key of invalid UTF-8 is refused whether or not the builder knows other keys.
        let bad = match ser {
            Serializer::Msgpack => vec![0x81, 0xa2, 0xff, 0xfe, 0x01],
            _ => vec![0xa1, 0x62, 0xff, 0xfe, 0x01],
        };
        let mut b = KnowsId {
            inner: ValueBuilder,
            hits: 0,
        };
        assert!(
            matches!(
                decode_value(ser, &bad, &mut b),
                Err(Error::InvalidUtf8 { .. })
            ),
            "{ser:?}"
        );
    }
}

/// `item` wrapped as the only element of a list and as the value of a map under "k".
fn in_containers(ser: Serializer, item: &[u8]) -> [Vec<u8>; 2] {
    let (list, map, key): (&[u8], &[u8], &[u8]) = match ser {
        Serializer::Msgpack => (&[0x91], &[0x81], &[0xa1, b'k']),
        Serializer::Cbor => (&[0x81], &[0xa1], &[0x61, b'k']),
        Serializer::Json => (b"[", b"{", b"\"k\":"),
    };
    let (list_end, map_end): (&[u8], &[u8]) = match ser {
        Serializer::Json => (b"]", b"}"),
        _ => (b"", b""),
    };
    [
        [list, item, list_end].concat(),
        [map, key, item, map_end].concat(),
    ]
}

/// The same error, located `shift` bytes further on (what a container adds before it).
fn shifted(e: Error, shift: usize) -> Error {
    match e {
        Error::Syntax {
            format,
            offset,
            reason,
        } => Error::Syntax {
            format,
            offset: offset + shift,
            reason,
        },
        Error::InvalidUtf8 { format, offset } => Error::InvalidUtf8 {
            format,
            offset: offset + shift,
        },
        Error::IntegerOutOfRange { format, offset } => Error::IntegerOutOfRange {
            format,
            offset: offset + shift,
        },
        Error::Unsupported {
            format,
            offset,
            what,
        } => Error::Unsupported {
            format,
            offset: offset + shift,
            what,
        },
        other => other,
    }
}

#[test]
fn scalar_items_read_in_a_container_loop_decode_and_fail_as_at_the_top() {
    use Serializer::{Cbor, Msgpack};
    let msgpack: &[&[u8]] = &[
        &[0x00],
        &[0x7f],
        &[0xe0],
        &[0xc0],
        &[0xc2],
        &[0xc3],
        &[0xcc, 0xff],
        &[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0],
        &[0xcb, 0x3f, 0xf4, 0, 0, 0, 0, 0, 0],
        &[0xca, 0x3f, 0xa0, 0, 0],
        &[0xa0],
        &[0xa2, 0xc3, 0xa9],
        &[0xd9, 0x01, b'x'],
        &[0xc4, 0x01, 0x07],
        // Refused or cut short inside the container as at the top.
        &[0xc1],
        &[0xd4, 0x01, 0x02],
        &[0xa2, 0xff, 0xfe],
        &[0xa3, b'a'],
        &[0xcb, 0x3f],
    ];
    let cbor: &[&[u8]] = &[
        &[0x00],
        &[0x17],
        &[0x18, 0x18],
        &[0x20],
        &[0xf4],
        &[0xf5],
        &[0xf6],
        &[0xf9, 0x3c, 0x00],
        &[0xfb, 0x3f, 0xf4, 0, 0, 0, 0, 0, 0],
        &[0x60],
        &[0x62, 0xc3, 0xa9],
        &[0x78, 0x01, b'x'],
        &[0x7f, 0x61, b'a', 0xff],
        &[0x41, 0x07],
        &[0xc1, 0x01],
        // Refused or cut short inside the container as at the top.
        &[0xf7],
        &[0xf0],
        &[0xfc],
        &[0xff],
        &[0x62, 0xff, 0xfe],
        &[0x63, b'a'],
        &[0xfb, 0x3f],
        &[0xc2, 0x41, 0x01],
    ];
    for (ser, items) in [(Msgpack, msgpack), (Cbor, cbor)] {
        for item in items {
            let alone = dv(ser, item);
            let [list, map] = in_containers(ser, item);
            match alone {
                Ok(v) => {
                    assert_eq!(
                        dv(ser, &list),
                        Ok(Value::List(vec![v.clone()])),
                        "{item:x?}"
                    );
                    assert_eq!(dv(ser, &map), Ok(Value::map([("k", v)])), "{item:x?}");
                }
                Err(e) => {
                    assert_eq!(dv(ser, &list), Err(shifted(e.clone(), 1)), "{item:x?}");
                    assert_eq!(dv(ser, &map), Err(shifted(e, 3)), "{item:x?}");
                }
            }
        }
    }
}

#[test]
fn json_strings_in_containers_decode_and_fail_as_at_the_top() {
    use Serializer::Json;
    let items: &[&[u8]] = &[
        b"\"\"",
        b"\"a\"",
        b"\"sensor-13\"",
        b"\"seventeen chars!!\"",
        b"\"\xc3\xa9t\xc3\xa9 \xe2\x82\xac\"",
        b"\"esc\\\"aped\\n\"",
        b"\"\\u00e9\\ud83d\\ude00\"",
        // Refused inside the container as at the top.
        b"\"bad \xff utf-8\"",
        b"\"control \x01\"",
        b"\"bad \\x escape\"",
    ];
    for item in items {
        let alone = dv(Json, item);
        let [list, map] = in_containers(Json, item);
        match alone {
            Ok(v) => {
                assert_eq!(dv(Json, &list), Ok(Value::List(vec![v.clone()])));
                assert_eq!(dv(Json, &map), Ok(Value::map([("k", v)])));
            }
            Err(e) => {
                assert_eq!(dv(Json, &list), Err(shifted(e.clone(), 1)), "{item:x?}");
                assert_eq!(dv(Json, &map), Err(shifted(e, 5)), "{item:x?}");
            }
        }
    }
}
