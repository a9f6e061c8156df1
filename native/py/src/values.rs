//! Python objects as codec values: built directly by the decoders, walked by the encoders,
//! inspected by the message checks. No intermediate tree on either path.

use std::cell::RefCell;

use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};
use pywamp_core::codec::{Builder, Error as CodecError, Kind, ValueView, Writer, MAX_DEPTH};

use crate::ffi::{self, IntValue};
use crate::keys::KeyCache;

/// A Python object seen by the codec core (its checks and builders).
#[derive(Clone)]
pub(crate) struct PyValue<'py>(pub(crate) Bound<'py, PyAny>);

fn builder_error(e: PyErr) -> CodecError {
    CodecError::Builder(e.to_string())
}

/// Buffers a builder keeps between decodes on one thread.
#[derive(Default)]
struct Scratch {
    stack: Vec<Py<PyAny>>,
    keys: KeyCache,
    /// Short str values, which repeat as keys do (URIs, names, enum-like values).
    values: KeyCache,
}

/// Longer str values are made afresh.
const MAX_CACHED_VALUE: usize = 32;

thread_local! {
    /// The buffers of the last builder on this thread, kept for the next one.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Builds Python objects straight from a decoder.
pub(crate) struct PyBuilder<'py> {
    py: Python<'py>,
    /// Items of the lists being built, innermost last (one buffer for all nesting levels),
    /// and the cache of key strings.
    scratch: Scratch,
}

impl<'py> PyBuilder<'py> {
    pub(crate) fn new(py: Python<'py>) -> Self {
        let scratch = SCRATCH
            .with(|s| s.try_borrow_mut().map(|mut s| std::mem::take(&mut *s)))
            .unwrap_or_default();
        PyBuilder { py, scratch }
    }
}

impl Drop for PyBuilder<'_> {
    fn drop(&mut self) {
        // Items left by a failed decode are released here, while the thread is attached.
        self.scratch.stack.clear();
        if self.scratch.stack.capacity() > 4096 {
            self.scratch.stack = Vec::new();
        }
        let scratch = std::mem::take(&mut self.scratch);
        SCRATCH.with(|s| {
            if let Ok(mut s) = s.try_borrow_mut() {
                *s = scratch;
            }
        });
    }
}

impl<'py> Builder for PyBuilder<'py> {
    type Value = PyValue<'py>;
    /// Where the list's items start in `stack`.
    type List = usize;
    type Map = Bound<'py, PyDict>;
    type Key = Bound<'py, PyString>;

    fn null(&mut self) -> Result<Self::Value, CodecError> {
        Ok(PyValue(self.py.None().into_bound(self.py)))
    }
    fn bool(&mut self, v: bool) -> Result<Self::Value, CodecError> {
        Ok(PyValue(PyBool::new(self.py, v).to_owned().into_any()))
    }
    fn int(&mut self, v: i64) -> Result<Self::Value, CodecError> {
        let Ok(n) = v.into_pyobject(self.py);
        Ok(PyValue(n.into_any()))
    }
    fn uint(&mut self, v: u64) -> Result<Self::Value, CodecError> {
        let Ok(n) = v.into_pyobject(self.py);
        Ok(PyValue(n.into_any()))
    }
    fn float(&mut self, v: f64) -> Result<Self::Value, CodecError> {
        Ok(PyValue(PyFloat::new(self.py, v).into_any()))
    }
    fn str(&mut self, v: &str) -> Result<Self::Value, CodecError> {
        if v.len() <= MAX_CACHED_VALUE {
            return Ok(PyValue(self.scratch.values.get(self.py, v).into_any()));
        }
        Ok(PyValue(PyString::new(self.py, v).into_any()))
    }
    fn bytes(&mut self, v: &[u8]) -> Result<Self::Value, CodecError> {
        Ok(PyValue(PyBytes::new(self.py, v).into_any()))
    }
    fn list_begin(&mut self, _len_hint: usize) -> Result<usize, CodecError> {
        Ok(self.scratch.stack.len())
    }
    #[inline(always)]
    fn list_push(&mut self, _list: &mut usize, v: Self::Value) -> Result<(), CodecError> {
        self.scratch.stack.push(v.0.unbind());
        Ok(())
    }
    #[inline(always)]
    fn list_end(&mut self, start: usize) -> Result<Self::Value, CodecError> {
        let list =
            ffi::list_from_tail(self.py, &mut self.scratch.stack, start).map_err(builder_error)?;
        Ok(PyValue(list.into_any()))
    }
    fn map_begin(&mut self, _len_hint: usize) -> Result<Self::Map, CodecError> {
        Ok(PyDict::new(self.py))
    }
    fn map_insert(
        &mut self,
        map: &mut Self::Map,
        key: &str,
        v: Self::Value,
    ) -> Result<(), CodecError> {
        let key = self.scratch.keys.get(self.py, key);
        ffi::dict_set(map, &key, &v.0).map_err(builder_error)
    }
    #[inline(always)]
    fn known_key(&mut self, raw: &[u8]) -> Option<Self::Key> {
        self.scratch.keys.hit(self.py, raw)
    }
    #[inline(always)]
    fn map_insert_known(
        &mut self,
        map: &mut Self::Map,
        key: Self::Key,
        v: Self::Value,
    ) -> Result<(), CodecError> {
        ffi::dict_set(map, &key, &v.0).map_err(builder_error)
    }
    #[inline(always)]
    fn known_str(&mut self, raw: &[u8]) -> Option<Self::Value> {
        if raw.len() > MAX_CACHED_VALUE {
            return None;
        }
        let s = self.scratch.values.hit(self.py, raw)?;
        Some(PyValue(s.into_any()))
    }
    fn map_end(&mut self, map: Self::Map) -> Result<Self::Value, CodecError> {
        Ok(PyValue(map.into_any()))
    }
}

/// The Python type name of an object, for messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

impl ValueView for PyValue<'_> {
    fn kind(&self) -> Kind {
        let o = &self.0;
        if o.is_instance_of::<PyString>() {
            Kind::Str
        } else if o.is_instance_of::<PyBool>() {
            Kind::Bool
        } else if o.is_instance_of::<PyInt>() {
            Kind::Int
        } else if o.is_instance_of::<PyDict>() {
            Kind::Map
        } else if o.is_instance_of::<PyList>() {
            Kind::List
        } else if o.is_none() {
            Kind::Null
        } else if o.is_instance_of::<PyFloat>() {
            Kind::Float
        } else if o.is_instance_of::<PyBytes>() {
            Kind::Bytes
        } else {
            Kind::Other
        }
    }
    fn type_name(&self) -> String {
        if self.0.is_instance_of::<PyString>() && self.as_str().is_none() {
            return "str with unpaired surrogates".to_owned();
        }
        type_name(&self.0)
    }
    fn as_bool(&self) -> Option<bool> {
        self.0.cast::<PyBool>().ok().map(|b| b.is_true())
    }
    fn as_u64(&self) -> Option<u64> {
        if self.0.is_instance_of::<PyBool>() {
            return None;
        }
        self.0.cast::<PyInt>().ok()?.extract::<u64>().ok()
    }
    fn as_i64(&self) -> Option<i64> {
        if self.0.is_instance_of::<PyBool>() {
            return None;
        }
        self.0
            .cast::<PyInt>()
            .ok()?
            .extract::<i64>()
            .ok()
            .filter(|v| *v < 0)
    }
    fn as_str(&self) -> Option<&str> {
        self.0.cast::<PyString>().ok()?.to_str().ok()
    }
    fn len(&self) -> usize {
        if let Ok(l) = self.0.cast::<PyList>() {
            l.len()
        } else if let Ok(d) = self.0.cast::<PyDict>() {
            d.len()
        } else {
            0
        }
    }
    fn try_for_each_item(
        &self,
        f: &mut dyn FnMut(&Self) -> Result<(), CodecError>,
    ) -> Result<(), CodecError> {
        if let Ok(l) = self.0.cast::<PyList>() {
            for item in l.iter() {
                f(&PyValue(item))?;
            }
        }
        Ok(())
    }
    fn try_for_each_entry(
        &self,
        f: &mut dyn FnMut(&str, &Self) -> Result<(), CodecError>,
    ) -> Result<(), CodecError> {
        if let Ok(d) = self.0.cast::<PyDict>() {
            for (k, v) in d.iter() {
                let key = k.cast::<PyString>().ok().and_then(|s| s.to_str().ok());
                let Some(key) = key else {
                    return Err(CodecError::InvalidMessage(format!(
                        "dict keys must be strings, got {}",
                        type_name(&k)
                    )));
                };
                f(key, &PyValue(v))?;
            }
        }
        Ok(())
    }
}

/// Whether an args/kwargs object is empty (left out on the wire).
pub(crate) fn is_empty(obj: &Bound<'_, PyAny>) -> bool {
    PyValue(obj.clone()).is_empty()
}

fn unencodable(reason: String) -> CodecError {
    CodecError::Unencodable {
        path: String::new(),
        reason,
    }
}

#[inline(always)]
fn key_text<'a>(key: &'a Bound<'_, PyAny>) -> Result<&'a str, CodecError> {
    match key.cast::<PyString>() {
        Ok(s) => ffi::str_utf8(s)
            .ok_or_else(|| unencodable("dict key is a str with unpaired surrogates".to_owned())),
        Err(_) => Err(unencodable(format!(
            "dict keys must be str, got {} ({})",
            type_name(key),
            key.repr().map(|r| r.to_string()).unwrap_or_default()
        ))),
    }
}

fn write_list<W: Writer>(l: &Bound<'_, PyList>, w: &mut W, depth: usize) -> Walk {
    w.array_begin(l.len())?;
    ffi::try_for_each_item(l, |i, item| {
        write_item(item, w, depth + 1).map_err(|e| Box::new(e.at_index(i)))
    })?;
    Ok(w.array_end()?)
}

fn write_seq<'py, W: Writer>(
    w: &mut W,
    len: usize,
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    depth: usize,
) -> Walk {
    w.array_begin(len)?;
    for (i, item) in items.enumerate() {
        walk(&item, w, depth + 1).map_err(|e| Box::new(e.at_index(i)))?;
    }
    Ok(w.array_end()?)
}

/// Encode a Python object: bool before int, int within [-2^63, 2^64), float, str,
/// bytes/bytearray as binary, list/tuple as arrays, dict with str keys as maps, None.
pub(crate) fn write_py<W: Writer>(
    obj: &Bound<'_, PyAny>,
    w: &mut W,
    depth: usize,
) -> Result<(), CodecError> {
    walk(obj, w, depth).map_err(|e| *e)
}

/// The walk's result: its error boxed, so that every level of the recursion returns in
/// a register rather than through a 48-byte slot in memory.
type Walk = Result<(), Box<CodecError>>;

fn walk<W: Writer>(obj: &Bound<'_, PyAny>, w: &mut W, depth: usize) -> Walk {
    if let Some(done) = write_scalar(obj, w) {
        return done;
    }
    if depth <= MAX_DEPTH {
        if let Ok(d) = obj.cast_exact::<PyDict>() {
            return write_dict(d, w, depth);
        }
        if let Ok(l) = obj.cast_exact::<PyList>() {
            return write_list(l, w, depth);
        }
    }
    write_other(obj, w, depth)
}

/// An item of a list or dict: scalars written in place, without a call per item, when
/// the writer's scalar methods are short.
#[inline(always)]
fn write_item<W: Writer>(obj: &Bound<'_, PyAny>, w: &mut W, depth: usize) -> Walk {
    if !W::INLINE_SCALARS {
        return walk(obj, w, depth);
    }
    match write_scalar(obj, w) {
        Some(done) => done,
        None => walk(obj, w, depth),
    }
}

/// The scalars of the exact builtin types (one pointer comparison each), or None.
#[inline(always)]
fn write_scalar<W: Writer>(obj: &Bound<'_, PyAny>, w: &mut W) -> Option<Walk> {
    if let Ok(s) = obj.cast_exact::<PyString>() {
        return Some(match ffi::str_utf8(s) {
            Some(text) => w.str(text).map_err(Box::new),
            None => Err(unencodable("str with unpaired surrogates".to_owned()).into()),
        });
    }
    if let Ok(i) = obj.cast_exact::<PyInt>() {
        return Some(write_int(i, w));
    }
    if let Ok(f) = obj.cast_exact::<PyFloat>() {
        return Some(w.float(f.value()).map_err(Box::new));
    }
    // bool cannot be subclassed: this check is exact too.
    if let Ok(b) = obj.cast::<PyBool>() {
        return Some(w.bool(b.is_true()).map_err(Box::new));
    }
    if obj.is_none() {
        return Some(w.null().map_err(Box::new));
    }
    None
}

#[inline(always)]
fn write_int<W: Writer>(i: &Bound<'_, PyInt>, w: &mut W) -> Walk {
    match ffi::int_value(i) {
        IntValue::I64(v) => Ok(w.int(v)?),
        IntValue::U64(v) => Ok(w.uint(v)?),
        IntValue::OutOfRange => {
            Err(unencodable(format!("int {i} is out of range [-2^63, 2^64)")).into())
        }
    }
}

fn write_dict<W: Writer>(d: &Bound<'_, PyDict>, w: &mut W, depth: usize) -> Walk {
    w.map_begin(d.len())?;
    ffi::try_for_each_entry(d, |k, v| {
        let key = key_text(k)?;
        w.map_key(key)?;
        write_item(v, w, depth + 1).map_err(|e| Box::new(e.at_key(key)))
    })?;
    Ok(w.map_end()?)
}

/// Subclasses of the builtin types, bytes, tuples; and the refusals (`walk` has written
/// the exact scalars, bool and None).
fn write_other<W: Writer>(obj: &Bound<'_, PyAny>, w: &mut W, depth: usize) -> Walk {
    if let Ok(s) = obj.cast::<PyString>() {
        let text = ffi::str_utf8(s)
            .ok_or_else(|| unencodable("str with unpaired surrogates".to_owned()))?;
        return Ok(w.str(text)?);
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        return write_int(i, w);
    }
    if depth > MAX_DEPTH && (obj.is_instance_of::<PyDict>() || obj.is_instance_of::<PyList>()) {
        return Err(CodecError::Unencodable {
            path: String::new(),
            reason: format!("nesting deeper than {MAX_DEPTH} levels (a cycle?)"),
        }
        .into());
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        return write_dict(d, w, depth);
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return write_list(l, w, depth);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(w.float(f.value())?);
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(w.bytes(b.as_bytes())?);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        if depth > MAX_DEPTH {
            return Err(unencodable(format!("nesting deeper than {MAX_DEPTH} levels")).into());
        }
        return write_seq(w, t.len(), t.iter(), depth);
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(w.bytes(&b.to_vec())?);
    }
    Err(unencodable(format!(
        "object of type '{}' is not serializable",
        type_name(obj)
    ))
    .into())
}
