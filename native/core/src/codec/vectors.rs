//! The WAMP test vectors (wamp-proto `testsuite/`): every json, msgpack and cbor sample
//! decodes to its expected attributes and re-encodes to bytes that decode the same; the
//! validation samples are accepted or refused as they say.
//!
//! The vectors live outside the repository: `../shared/wamp-testvectors` beside the
//! checkout, or wherever `PYWAMP_TESTVECTORS` points. A missing directory fails the tests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::PathBuf;

use serde_json::Value as Json;

use super::*;

fn vectors_dir() -> PathBuf {
    let dir = std::env::var_os("PYWAMP_TESTVECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/wamp-testvectors")
        });
    assert!(
        dir.join("singlemessage").is_dir(),
        "WAMP test vectors not found at {} (set PYWAMP_TESTVECTORS)",
        dir.display()
    );
    dir
}

/// Every single-message vector file: (file name, parsed JSON).
fn vector_files() -> Vec<(String, Json)> {
    let mut files = Vec::new();
    for profile in ["basic", "advanced"] {
        let dir = vectors_dir().join("singlemessage").join(profile);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            files.push((
                path.display().to_string(),
                serde_json::from_str(&text).unwrap(),
            ));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        files.len() >= 26,
        "expected the 26 single-message vector files"
    );
    files
}

fn to_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Value::UInt(u),
            (_, Some(i), _) => Value::Int(i),
            (_, _, Some(f)) => Value::Float(f),
            _ => unreachable!(),
        },
        Json::String(s) => Value::Str(s.clone()),
        Json::Array(items) => Value::List(items.iter().map(to_value).collect()),
        Json::Object(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), to_value(v))).collect()),
    }
}

/// The same value with map entries sorted by key (the vector files' order is lost).
fn sorted(v: Value) -> Value {
    match v {
        Value::List(items) => Value::List(items.into_iter().map(sorted).collect()),
        Value::Map(entries) => {
            let mut entries: Vec<_> = entries.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Map(entries)
        }
        other => other,
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The expected value of one of our fields, from the vector's attribute names.
fn expected_field(attrs: &serde_json::Map<String, Json>, name: &str) -> Option<Value> {
    let alias = match name {
        "registration" => "registration_id",
        "subscription" => "subscription_id",
        "session" => "session_id",
        "publication" => "publication_id",
        "authmethod" => "method",
        _ => name,
    };
    let attr = attrs.get(name).or_else(|| attrs.get(alias));
    match (name, attr) {
        ("details", None) => attrs
            .get("roles")
            .map(|r| Value::map([("roles", to_value(r))])),
        ("payload", Some(Json::String(hex))) => Some(Value::Bytes(unhex(hex))),
        (_, None | Some(Json::Null)) => None,
        // Empty args/kwargs are absent in our model, as on the wire.
        (_, Some(Json::Array(a))) if a.is_empty() => None,
        (_, Some(j)) => Some(to_value(j)),
    }
}

fn check_attributes(file: &str, msg: &Message<Value>, attrs: &serde_json::Map<String, Json>) {
    assert_eq!(Some(msg.code()), attrs["message_type"].as_u64(), "{file}");
    let refs = msg.field_refs();
    for (field, value) in msg.spec().fields.iter().zip(refs.as_slice()) {
        let expected = expected_field(attrs, field.name);
        let actual = match *value {
            FieldRef::Int(i) => Some(Value::UInt(i)),
            FieldRef::Value(v) => Some(v.clone()),
            FieldRef::Opt(v) => v.cloned(),
        };
        assert_eq!(
            actual.map(sorted),
            expected.map(sorted),
            "{file}: field {}",
            field.name
        );
    }
}

/// The byte samples of one serializer in a sample's "serializers" object.
fn samples(sample: &Json, ser: Serializer) -> Vec<Vec<u8>> {
    let Some(list) = sample["serializers"]
        .get(ser.name())
        .and_then(Json::as_array)
    else {
        return Vec::new();
    };
    list.iter()
        .map(|s| unhex(s["bytes_hex"].as_str().unwrap()))
        .collect()
}

#[test]
fn serialization_samples_decode_to_their_attributes_and_round_trip() {
    let mut checked = 0;
    for (file, doc) in vector_files() {
        for sample in doc["samples"].as_array().unwrap() {
            let Some(attrs) = sample.get("expected_attributes").and_then(Json::as_object) else {
                continue;
            };
            for ser in Serializer::ALL {
                let all = samples(sample, ser);
                assert!(!all.is_empty(), "{file}: no {} sample", ser.name());
                for bytes in all {
                    let msg = decode_message(ser, &bytes, &mut ValueBuilder)
                        .unwrap_or_else(|e| panic!("{file} {}: {e}", ser.name()));
                    check_attributes(&file, &msg, attrs);
                    let mut out = Vec::new();
                    encode_message(ser, &msg, &mut out).unwrap();
                    let again = decode_message(ser, &out, &mut ValueBuilder).unwrap();
                    assert_eq!(again, msg, "{file} {}", ser.name());
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 100, "only {checked} samples checked");
}

/// The compact JSON samples are what autobahn produces; ours match them byte for byte
/// except where key order or float spelling may differ (not the case in the vectors).
#[test]
fn json_encoding_matches_the_compact_samples() {
    for (file, doc) in vector_files() {
        for sample in doc["samples"].as_array().unwrap() {
            if sample.get("expected_attributes").is_none() {
                continue;
            }
            for s in sample["serializers"]["json"].as_array().unwrap() {
                let text = s["bytes"].as_str().unwrap();
                if text.contains(", ") {
                    continue;
                }
                let msg =
                    decode_message(Serializer::Json, text.as_bytes(), &mut ValueBuilder).unwrap();
                let mut out = Vec::new();
                encode_message(Serializer::Json, &msg, &mut out).unwrap();
                assert_eq!(std::str::from_utf8(&out).unwrap(), text, "{file}");
            }
        }
    }
}

/// A validation sample as a message: a string where args belong is the sample's hex
/// spelling of a binary payload.
fn wire_message(wmsg: &Json) -> Value {
    let mut v = to_value(wmsg);
    if let Value::List(items) = &mut v {
        let code = items[0].as_u64().unwrap();
        let args_at = spec_by_code(code)
            .unwrap()
            .fields
            .iter()
            .position(|f| f.kind == FieldKind::Args);
        if let Some(Value::Str(hex)) = args_at.and_then(|i| items.get_mut(i + 1)).cloned().as_ref()
        {
            items[args_at.unwrap() + 1] = Value::Bytes(unhex(hex));
        }
    }
    v
}

#[test]
fn validation_samples_are_accepted_or_refused_as_they_say() {
    let mut checked = 0;
    for (file, doc) in vector_files() {
        for sample in doc["samples"].as_array().unwrap() {
            let Some(wmsg) = sample.get("wmsg") else {
                continue;
            };
            let desc = sample["description"].as_str().unwrap();
            let wire = wire_message(wmsg);
            for ser in Serializer::ALL {
                let mut bytes = Vec::new();
                encode_value(ser, &wire, &mut bytes).unwrap();
                let result = decode_message(ser, &bytes, &mut ValueBuilder);
                match sample.get("expected_error") {
                    Some(err) => {
                        let e = result.expect_err(desc);
                        assert!(matches!(e, Error::InvalidMessage(_)), "{file}: {desc}: {e}");
                        let needle = err["contains"].as_str().unwrap();
                        assert!(e.to_string().contains(needle), "{file}: {desc}: {e}");
                    }
                    None => {
                        result.unwrap_or_else(|e| panic!("{file}: {desc}: {e}"));
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 150, "only {checked} validation samples checked");
}
