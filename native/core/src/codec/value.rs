//! The value model: what a WAMP payload can hold, and the three traits that let a format
//! decoder build values of any representation (a Rust tree or Python objects directly),
//! inspect them for validation, and let any representation drive an encoder.

use super::error::Error;
use std::convert::Infallible;

/// Containers nested deeper than this are refused, so no input can exhaust the stack.
pub const MAX_DEPTH: usize = 100;

/// A decoded value as a Rust tree (used by tests, fuzzing and pure-Rust callers).
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Bool(bool),
    /// A negative integer (decoders put every non-negative integer in `UInt`).
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    /// Entries in wire order (duplicates kept as sent).
    Map(Vec<(String, Value)>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(_) | UInt(_), Int(_) | UInt(_)) => self.as_i128() == other.as_i128(),
            // Bitwise, so that NaN equals itself in round-trip checks.
            (Float(a), Float(b)) => a.to_bits() == b.to_bits(),
            (Str(a), Str(b)) => a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (List(a), List(b)) => a == b,
            (Map(a), Map(b)) => a == b,
            _ => false,
        }
    }
}

impl Value {
    fn as_i128(&self) -> Option<i128> {
        match *self {
            Value::Int(v) => Some(i128::from(v)),
            Value::UInt(v) => Some(i128::from(v)),
            _ => None,
        }
    }

    /// A map from `(key, value)` pairs.
    pub fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(s.to_owned())
    }
}

/// The wire type of a value, as named in error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Str,
    Bytes,
    List,
    Map,
    /// Something no format can carry (only seen when validating foreign objects).
    Other,
}

impl Kind {
    /// The Python name of the type, used in messages ("got str").
    pub fn name(self) -> &'static str {
        match self {
            Kind::Null => "None",
            Kind::Bool => "bool",
            Kind::Int => "int",
            Kind::Float => "float",
            Kind::Str => "str",
            Kind::Bytes => "bytes",
            Kind::List => "list",
            Kind::Map => "dict",
            Kind::Other => "object",
        }
    }
}

/// Builds values as a decoder reads them, without an intermediate tree.
///
/// Decoders call `int` only for negative integers and `uint` for all others.
pub trait Builder {
    type Value;
    /// A list under construction.
    type List;
    /// A map under construction.
    type Map;
    /// A map key recognised from its raw bytes (see [`Builder::known_key`]).
    type Key;

    fn null(&mut self) -> Result<Self::Value, Error>;
    fn bool(&mut self, v: bool) -> Result<Self::Value, Error>;
    fn int(&mut self, v: i64) -> Result<Self::Value, Error>;
    fn uint(&mut self, v: u64) -> Result<Self::Value, Error>;
    fn float(&mut self, v: f64) -> Result<Self::Value, Error>;
    fn str(&mut self, v: &str) -> Result<Self::Value, Error>;
    fn bytes(&mut self, v: &[u8]) -> Result<Self::Value, Error>;
    /// Start a list; `len_hint` is a bounded guess (never trust it for allocation sizes).
    fn list_begin(&mut self, len_hint: usize) -> Result<Self::List, Error>;
    fn list_push(&mut self, list: &mut Self::List, v: Self::Value) -> Result<(), Error>;
    fn list_end(&mut self, list: Self::List) -> Result<Self::Value, Error>;
    fn map_begin(&mut self, len_hint: usize) -> Result<Self::Map, Error>;
    fn map_insert(&mut self, map: &mut Self::Map, key: &str, v: Self::Value) -> Result<(), Error>;
    /// The key whose text is exactly `raw`, when the builder has seen (and the decoder
    /// checked) these bytes before: the decoder then skips the UTF-8 check of the key and
    /// inserts with [`Builder::map_insert_known`]. None (the default) sends it the slow way.
    fn known_key(&mut self, _raw: &[u8]) -> Option<Self::Key> {
        None
    }
    fn map_insert_known(
        &mut self,
        map: &mut Self::Map,
        key: Self::Key,
        v: Self::Value,
    ) -> Result<(), Error>;
    /// A str value whose text is exactly `raw`, when the builder has one from an earlier
    /// (checked) decode: the decoder then skips the UTF-8 check. None (the default) sends
    /// it to [`Builder::str`].
    fn known_str(&mut self, _raw: &[u8]) -> Option<Self::Value> {
        None
    }
    fn map_end(&mut self, map: Self::Map) -> Result<Self::Value, Error>;
}

/// Read access to a value of any representation, for structural validation.
pub trait ValueView {
    fn kind(&self) -> Kind;
    /// The type name for messages (a foreign type's own name for `Kind::Other`).
    fn type_name(&self) -> String {
        self.kind().name().to_owned()
    }
    fn as_bool(&self) -> Option<bool>;
    /// A non-negative integer that fits u64.
    fn as_u64(&self) -> Option<u64>;
    /// A negative integer that fits i64.
    fn as_i64(&self) -> Option<i64>;
    fn as_str(&self) -> Option<&str>;
    /// Number of items of a list or entries of a map (0 for anything else).
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Visit the items of a list (nothing for other kinds).
    fn try_for_each_item(&self, f: &mut dyn FnMut(&Self) -> Result<(), Error>)
        -> Result<(), Error>;
    /// Visit the entries of a map (nothing for other kinds).
    fn try_for_each_entry(
        &self,
        f: &mut dyn FnMut(&str, &Self) -> Result<(), Error>,
    ) -> Result<(), Error>;
}

/// An encoder sink: a format writer driven by a walk over values (like serde's Serializer).
///
/// Containers announce their length up front (msgpack and CBOR need it).
pub trait Writer {
    /// Whether a walk over many values should write scalars inside its loops rather than
    /// through one call per value: true when the scalar methods are a few instructions
    /// each (the binary formats); JSON's number formatting is too long to copy around.
    const INLINE_SCALARS: bool = true;

    fn null(&mut self) -> Result<(), Error>;
    fn bool(&mut self, v: bool) -> Result<(), Error>;
    fn int(&mut self, v: i64) -> Result<(), Error>;
    fn uint(&mut self, v: u64) -> Result<(), Error>;
    fn float(&mut self, v: f64) -> Result<(), Error>;
    fn str(&mut self, v: &str) -> Result<(), Error>;
    fn bytes(&mut self, v: &[u8]) -> Result<(), Error>;
    fn array_begin(&mut self, len: usize) -> Result<(), Error>;
    fn array_end(&mut self) -> Result<(), Error>;
    fn map_begin(&mut self, len: usize) -> Result<(), Error>;
    fn map_key(&mut self, key: &str) -> Result<(), Error>;
    fn map_end(&mut self) -> Result<(), Error>;
}

/// Builds [`Value`] trees.
#[derive(Default)]
pub struct ValueBuilder;

impl Builder for ValueBuilder {
    type Value = Value;
    type List = Vec<Value>;
    type Map = Vec<(String, Value)>;
    /// Never made: this builder knows no keys in advance.
    type Key = Infallible;

    fn null(&mut self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn bool(&mut self, v: bool) -> Result<Value, Error> {
        Ok(Value::Bool(v))
    }
    fn int(&mut self, v: i64) -> Result<Value, Error> {
        Ok(Value::Int(v))
    }
    fn uint(&mut self, v: u64) -> Result<Value, Error> {
        Ok(Value::UInt(v))
    }
    fn float(&mut self, v: f64) -> Result<Value, Error> {
        Ok(Value::Float(v))
    }
    fn str(&mut self, v: &str) -> Result<Value, Error> {
        Ok(Value::Str(v.to_owned()))
    }
    fn bytes(&mut self, v: &[u8]) -> Result<Value, Error> {
        Ok(Value::Bytes(v.to_vec()))
    }
    fn list_begin(&mut self, len_hint: usize) -> Result<Vec<Value>, Error> {
        Ok(Vec::with_capacity(len_hint.min(64)))
    }
    fn list_push(&mut self, list: &mut Vec<Value>, v: Value) -> Result<(), Error> {
        list.push(v);
        Ok(())
    }
    fn list_end(&mut self, list: Vec<Value>) -> Result<Value, Error> {
        Ok(Value::List(list))
    }
    fn map_begin(&mut self, len_hint: usize) -> Result<Self::Map, Error> {
        Ok(Vec::with_capacity(len_hint.min(64)))
    }
    fn map_insert(&mut self, map: &mut Self::Map, key: &str, v: Value) -> Result<(), Error> {
        map.push((key.to_owned(), v));
        Ok(())
    }
    fn map_insert_known(
        &mut self,
        _: &mut Self::Map,
        key: Infallible,
        _: Value,
    ) -> Result<(), Error> {
        match key {}
    }
    fn map_end(&mut self, map: Self::Map) -> Result<Value, Error> {
        Ok(Value::Map(map))
    }
}

impl ValueView for Value {
    fn kind(&self) -> Kind {
        match self {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Int(_) | Value::UInt(_) => Kind::Int,
            Value::Float(_) => Kind::Float,
            Value::Str(_) => Kind::Str,
            Value::Bytes(_) => Kind::Bytes,
            Value::List(_) => Kind::List,
            Value::Map(_) => Kind::Map,
        }
    }
    fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }
    fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::UInt(v) => Some(v),
            Value::Int(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }
    fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(v) if v < 0 => Some(v),
            _ => None,
        }
    }
    fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    fn len(&self) -> usize {
        match self {
            Value::List(l) => l.len(),
            Value::Map(m) => m.len(),
            _ => 0,
        }
    }
    fn try_for_each_item(
        &self,
        f: &mut dyn FnMut(&Self) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if let Value::List(items) = self {
            items.iter().try_for_each(f)?;
        }
        Ok(())
    }
    fn try_for_each_entry(
        &self,
        f: &mut dyn FnMut(&str, &Self) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if let Value::Map(entries) = self {
            entries.iter().try_for_each(|(k, v)| f(k, v))?;
        }
        Ok(())
    }
}

/// Write a [`Value`] tree to any format: containers nest at most [`MAX_DEPTH`] deep, as
/// the decoders allow (a scalar inside the deepest container is within the limit).
pub fn write_value<W: Writer>(v: &Value, w: &mut W, depth: usize) -> Result<(), Error> {
    if depth > MAX_DEPTH && matches!(v, Value::List(_) | Value::Map(_)) {
        return Err(Error::too_deep_to_encode());
    }
    match v {
        Value::Null => w.null(),
        Value::Bool(b) => w.bool(*b),
        Value::Int(i) => w.int(*i),
        Value::UInt(u) => w.uint(*u),
        Value::Float(f) => w.float(*f),
        Value::Str(s) => w.str(s),
        Value::Bytes(b) => w.bytes(b),
        Value::List(items) => {
            w.array_begin(items.len())?;
            for (i, item) in items.iter().enumerate() {
                write_value(item, w, depth + 1).map_err(|e| e.at_index(i))?;
            }
            w.array_end()
        }
        Value::Map(entries) => {
            w.map_begin(entries.len())?;
            for (k, item) in entries {
                w.map_key(k)?;
                write_value(item, w, depth + 1).map_err(|e| e.at_key(k))?;
            }
            w.map_end()
        }
    }
}
