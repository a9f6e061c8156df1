//! `Codec`, and the message encode/decode entry points shared with the framing classes.

use std::cell::RefCell;

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::PyBytes;
use pywamp_core::codec::{
    decode_message as core_decode_message, decode_value as core_decode_value, CborWriter,
    Error as CodecError, JsonWriter, MsgpackWriter, Writer,
};
use pywamp_core::Serializer;

use crate::errors::{protocol_error, serialization_error};
use crate::messages;
use crate::values::{type_name, write_py, PyBuilder};

fn decode_error(py: Python<'_>, e: CodecError) -> PyErr {
    protocol_error(py, e.to_string())
}

fn encode_error(py: Python<'_>, e: CodecError) -> PyErr {
    if e.is_unencodable() {
        serialization_error(py, e.to_string())
    } else {
        protocol_error(py, e.to_string())
    }
}

/// Decode one WAMP message into its class instance (ProtocolError for anything invalid).
pub(crate) fn decode_message<'py>(
    py: Python<'py>,
    serializer: Serializer,
    data: &[u8],
) -> PyResult<Bound<'py, PyAny>> {
    let mut builder = PyBuilder::new(py);
    let msg =
        core_decode_message(serializer, data, &mut builder).map_err(|e| decode_error(py, e))?;
    messages::to_python(py, msg)
}

fn with_writer<R>(
    serializer: Serializer,
    out: &mut Vec<u8>,
    f: impl FnOnce(&mut dyn WriterFn) -> R,
) -> R {
    match serializer {
        Serializer::Json => f(&mut JsonWriter::new(out)),
        Serializer::Msgpack => f(&mut MsgpackWriter::new(out)),
        Serializer::Cbor => f(&mut CborWriter::new(out)),
    }
}

/// Object-safe face of the three writers, so one call site drives any of them.
trait WriterFn {
    fn message(&mut self, obj: &Bound<'_, PyAny>) -> Option<Result<(), CodecError>>;
    fn value(&mut self, obj: &Bound<'_, PyAny>) -> Result<(), CodecError>;
}

impl<W: Writer> WriterFn for W {
    fn message(&mut self, obj: &Bound<'_, PyAny>) -> Option<Result<(), CodecError>> {
        messages::write_any(obj, self)
    }
    fn value(&mut self, obj: &Bound<'_, PyAny>) -> Result<(), CodecError> {
        write_py(obj, self, 1)
    }
}

/// Encode one message object, appending to `out` (SerializationError for values that
/// cannot be encoded, TypeError for an object that is not a message).
pub(crate) fn encode_message_into(
    py: Python<'_>,
    serializer: Serializer,
    message: &Bound<'_, PyAny>,
    out: &mut Vec<u8>,
) -> PyResult<()> {
    let start = out.len();
    let result = with_writer(serializer, out, |w| w.message(message));
    match result {
        Some(Ok(())) => Ok(()),
        Some(Err(e)) => {
            out.truncate(start);
            Err(encode_error(py, e))
        }
        None => Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "expected a WAMP message, got {}",
            type_name(message)
        ))),
    }
}

thread_local! {
    /// A reused encode buffer: encoding then costs one copy into the bytes object.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Run `f` with an empty buffer borrowed from this thread (a fresh one if it is in use).
fn with_buffer<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    let mut buf = BUFFER.with(|b| {
        b.try_borrow_mut()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default()
    });
    buf.clear();
    let result = f(&mut buf);
    if buf.capacity() <= 1 << 20 {
        BUFFER.with(|b| {
            if let Ok(mut b) = b.try_borrow_mut() {
                *b = buf;
            }
        });
    }
    result
}

fn bytes_of<'a>(
    data: &'a Bound<'_, PyAny>,
    backed: &'a mut Option<PyBackedBytes>,
) -> PyResult<&'a [u8]> {
    if let Ok(b) = data.cast::<PyBytes>() {
        return Ok(b.as_bytes());
    }
    Ok(&**backed.insert(data.extract::<PyBackedBytes>()?))
}

/// One serializer: WAMP messages to and from json, msgpack or cbor bytes.
#[pyclass(frozen, module = "pywamp._native")]
pub(crate) struct Codec {
    serializer: Serializer,
}

#[pymethods]
impl Codec {
    #[new]
    fn new(serializer: &str) -> PyResult<Self> {
        Serializer::from_name(serializer)
            .map(|serializer| Codec { serializer })
            .ok_or_else(|| {
                pyo3::exceptions::PyValueError::new_err(format!(
                    "unknown serializer '{serializer}' (expected 'json', 'msgpack' or 'cbor')"
                ))
            })
    }

    #[getter]
    fn serializer(&self) -> &'static str {
        self.serializer.name()
    }

    fn encode<'py>(
        &self,
        py: Python<'py>,
        message: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        with_buffer(|buf| {
            encode_message_into(py, self.serializer, message, buf)?;
            Ok(PyBytes::new(py, buf))
        })
    }

    fn decode<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut backed = None;
        decode_message(py, self.serializer, bytes_of(data, &mut backed)?)
    }

    fn encode_value<'py>(
        &self,
        py: Python<'py>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        with_buffer(|buf| {
            with_writer(self.serializer, buf, |w| w.value(value))
                .map_err(|e| encode_error(py, e))?;
            Ok(PyBytes::new(py, buf))
        })
    }

    fn decode_value<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut backed = None;
        let data = bytes_of(data, &mut backed)?;
        let mut builder = PyBuilder::new(py);
        let v = core_decode_value(self.serializer, data, &mut builder)
            .map_err(|e| decode_error(py, e))?;
        Ok(v.0)
    }

    fn __repr__(&self) -> String {
        format!("Codec('{}')", self.serializer.name())
    }
}

/// Add `Codec` and every message class to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Codec>()?;
    messages::register(m)
}
