//! The WAMP message codec: JSON, MessagePack and CBOR to and from WAMP messages.
//!
//! Decoders are generic over a [`Builder`], so the Python binding builds Python objects
//! directly while Rust callers get [`Value`] trees; encoders write through a [`Writer`]
//! that any representation can drive. Every message is checked against its
//! [`schema::MessageSpec`] while it is decoded.

pub mod cbor;
pub mod error;
pub mod json;
pub mod message;
pub mod msgpack;
mod out;
pub mod schema;
pub mod value;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod vectors;

pub use cbor::{CborDecoder, CborWriter};
pub use error::Error;
pub use json::{JsonDecoder, JsonWriter};
pub use message::{spec_by_code, FieldRef, Message};
pub use msgpack::{MsgpackDecoder, MsgpackWriter};
pub use schema::{check_field, Checked, FieldKind, MessageSpec};
pub use value::{write_value, Builder, Kind, Value, ValueBuilder, ValueView, Writer, MAX_DEPTH};

use crate::Serializer;
use message::{Slot, Slots};

/// Where a decoder stands inside an array.
#[derive(Debug)]
pub enum Seq {
    /// Items left in a definite-length array.
    Count(usize),
    /// A CBOR indefinite-length array (ends with a break).
    Indefinite,
    /// A JSON array; `first` until the first item is read.
    Json { first: bool },
}

/// A format reader: values one at a time, and the top-level array item by item.
pub trait Decoder {
    /// Read one value at nesting depth `depth` (1 for a top-level value).
    fn value<B: Builder>(&mut self, b: &mut B, depth: usize) -> Result<B::Value, Error>;
    /// Enter the top-level array, or None (nothing consumed) when the input holds another kind.
    fn array_start(&mut self) -> Result<Option<Seq>, Error>;
    /// Whether another item follows in the array.
    fn next_element(&mut self, seq: &mut Seq) -> Result<bool, Error>;
    /// Check that nothing follows the top-level value.
    fn finish(&mut self) -> Result<(), Error>;
}

/// Decode one value (any kind) from a whole buffer.
pub fn decode_value<B: Builder>(
    ser: Serializer,
    data: &[u8],
    b: &mut B,
) -> Result<B::Value, Error> {
    fn run<D: Decoder, B: Builder>(mut d: D, b: &mut B) -> Result<B::Value, Error> {
        let v = d.value(b, 1)?;
        d.finish()?;
        Ok(v)
    }
    match ser {
        Serializer::Json => run(JsonDecoder::new(data), b),
        Serializer::Msgpack => run(MsgpackDecoder::new(data), b),
        Serializer::Cbor => run(CborDecoder::new(data), b),
    }
}

/// Decode and check one WAMP message from a whole buffer.
pub fn decode_message<B>(
    ser: Serializer,
    data: &[u8],
    b: &mut B,
) -> Result<Message<B::Value>, Error>
where
    B: Builder,
    B::Value: ValueView,
{
    match ser {
        Serializer::Json => read_message(&mut JsonDecoder::new(data), b),
        Serializer::Msgpack => read_message(&mut MsgpackDecoder::new(data), b),
        Serializer::Cbor => read_message(&mut CborDecoder::new(data), b),
    }
}

/// Read a message through any decoder: the type code, then each field checked as it arrives.
pub fn read_message<D, B>(d: &mut D, b: &mut B) -> Result<Message<B::Value>, Error>
where
    D: Decoder,
    B: Builder,
    B::Value: ValueView,
{
    let Some(mut seq) = d.array_start()? else {
        let v = d.value(&mut ValueBuilder, 1)?;
        return Err(Error::invalid(format!(
            "a WAMP message must be a list, got {}",
            v.kind().name()
        )));
    };
    if !d.next_element(&mut seq)? {
        return Err(Error::invalid("a WAMP message must not be an empty list"));
    }
    let code = d.value(&mut ValueBuilder, 2)?;
    let spec = code.as_u64().and_then(spec_by_code).ok_or_else(|| {
        let shown = match (&code, code.as_u64()) {
            (_, Some(c)) => c.to_string(),
            (Value::Int(i), None) => i.to_string(),
            (other, None) => format!("of type {}", other.kind().name()),
        };
        Error::invalid(format!("unknown WAMP message type {shown}"))
    })?;
    let mut slots: Slots<B::Value> = Slots::default();
    let mut n = 0;
    let mut revocation_id = None;
    while d.next_element(&mut seq)? {
        let field = spec.wire_field(n).ok_or_else(|| {
            Error::invalid(format!(
                "{} must have at most {} elements",
                spec.name,
                spec.wire_max() + 1
            ))
        })?;
        let slot = if field.kind.is_int() {
            let v = d.value(&mut ValueBuilder, 2)?;
            match check_field(spec, field, &v)? {
                Checked::Int(i) => {
                    if field.kind == FieldKind::RevocableId {
                        revocation_id = Some(i);
                    }
                    Slot::Int(i)
                }
                _ => Slot::Absent,
            }
        } else {
            let v = d.value(b, 2)?;
            if field.kind == FieldKind::Kwargs && slots.payload.is_some() {
                schema::check_payload_alone(spec, true)?;
            }
            match check_field(spec, field, &v)? {
                Checked::Value => Slot::Value(v),
                Checked::Payload => {
                    slots.payload = Some(v);
                    Slot::Absent
                }
                Checked::Int(_) | Checked::Empty => Slot::Absent,
            }
        };
        slots.set(n, slot);
        n += 1;
    }
    if n < spec.required() {
        return Err(Error::invalid(format!(
            "{} must have at least {} elements, got {}",
            spec.name,
            spec.required() + 1,
            n + 1
        )));
    }
    if let Some(id) = revocation_id {
        schema::check_revocation(spec, id, n > spec.required())?;
    }
    d.finish()?;
    Message::from_slots(spec, &mut slots)
}

/// Write a message given its fields, applying the spec's omission rules: empty args and
/// kwargs are left out (args becomes `[]` when only kwargs are sent), a payload takes the
/// place of args, and optional details appear only when present.
pub fn write_message<V, W>(
    spec: &MessageSpec,
    fields: &[FieldRef<V>],
    w: &mut W,
    write: &mut dyn FnMut(V, &mut W) -> Result<(), Error>,
    is_empty: &dyn Fn(V) -> bool,
) -> Result<(), Error>
where
    V: Copy,
    W: Writer,
{
    let (mut args, mut kwargs, mut payload, mut extra) = (None, None, None, None);
    let mut required = 0;
    for (spec_field, field) in spec.fields.iter().zip(fields) {
        match (spec_field.kind, *field) {
            (FieldKind::Args, FieldRef::Opt(v)) => args = v.filter(|v| !is_empty(*v)),
            (FieldKind::Kwargs, FieldRef::Opt(v)) => kwargs = v.filter(|v| !is_empty(*v)),
            (FieldKind::Payload, FieldRef::Opt(v)) => payload = v,
            (FieldKind::OptDict, FieldRef::Opt(v)) => extra = v,
            _ => required += 1,
        }
    }
    if payload.is_some() {
        schema::check_payload_alone(spec, args.is_some() || kwargs.is_some())
            .map_err(|e| Error::unencodable(e.to_string()))?;
    }
    let tail = match (payload, args, kwargs, extra) {
        (Some(_), ..) => 1,
        (_, _, Some(_), _) => 2,
        (_, Some(_), None, _) => 1,
        (_, _, _, Some(_)) => 1,
        _ => 0,
    };
    w.array_begin(1 + required + tail)?;
    w.uint(spec.code)?;
    for (spec_field, field) in spec.fields.iter().zip(fields).take(required) {
        let named = |e: Error| e.prefix_path(&format!("{}.{}", spec.name, spec_field.name));
        match *field {
            FieldRef::Int(i) => w.uint(i)?,
            FieldRef::Value(v) | FieldRef::Opt(Some(v)) => write(v, w).map_err(named)?,
            FieldRef::Opt(None) => w.null()?,
        }
    }
    let name = spec.name;
    if let Some(p) = payload {
        write(p, w).map_err(|e| e.prefix_path(&format!("{name}.payload")))?;
    } else if let Some(kw) = kwargs {
        match args {
            Some(a) => write(a, w).map_err(|e| e.prefix_path(&format!("{name}.args")))?,
            None => {
                w.array_begin(0)?;
                w.array_end()?;
            }
        }
        write(kw, w).map_err(|e| e.prefix_path(&format!("{name}.kwargs")))?;
    } else if let Some(a) = args {
        write(a, w).map_err(|e| e.prefix_path(&format!("{name}.args")))?;
    } else if let Some(x) = extra {
        write(x, w).map_err(|e| e.prefix_path(&format!("{name}.details")))?;
    }
    w.array_end()
}

/// Encode a [`Message`] of [`Value`]s, appending to `out`.
pub fn encode_message(
    ser: Serializer,
    msg: &Message<Value>,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    fn run<W: Writer>(msg: &Message<Value>, w: &mut W) -> Result<(), Error> {
        let refs = msg.field_refs();
        write_message(
            msg.spec(),
            refs.as_slice(),
            w,
            &mut |v: &Value, w: &mut W| write_value(v, w, 2),
            &|v: &Value| v.is_empty(),
        )
    }
    match ser {
        Serializer::Json => run(msg, &mut JsonWriter::new(out)),
        Serializer::Msgpack => run(msg, &mut MsgpackWriter::new(out)),
        Serializer::Cbor => run(msg, &mut CborWriter::new(out)),
    }
}

/// Encode a [`Value`], appending to `out`.
pub fn encode_value(ser: Serializer, v: &Value, out: &mut Vec<u8>) -> Result<(), Error> {
    match ser {
        Serializer::Json => write_value(v, &mut JsonWriter::new(out), 1),
        Serializer::Msgpack => write_value(v, &mut MsgpackWriter::new(out), 1),
        Serializer::Cbor => write_value(v, &mut CborWriter::new(out), 1),
    }
}
