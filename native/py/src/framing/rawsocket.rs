//! RawSocket for Python: handshake helpers and the `RawSocket` stream.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};
use pywamp_core::rawsocket::{self, Decoder, FrameKind, RawSocketError, MAX_LENGTH};
use pywamp_core::Serializer;

use super::{fail_with, serializer_from_name, Ping, Pong};
use crate::{codec, errors};

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("RAWSOCKET_MAX_LENGTH", MAX_LENGTH)?;
    m.add_function(wrap_pyfunction!(rawsocket_handshake, m)?)?;
    m.add_function(wrap_pyfunction!(rawsocket_error, m)?)?;
    m.add_function(wrap_pyfunction!(rawsocket_parse_handshake, m)?)?;
    m.add_class::<RawSocket>()?;
    Ok(())
}

fn value_error(e: RawSocketError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// The 4-byte opening (client) or reply (router): 0x7F, length exponent, serializer id.
#[pyfunction]
fn rawsocket_handshake(
    py: Python<'_>,
    serializer: u8,
    max_receive: u64,
) -> PyResult<Bound<'_, PyBytes>> {
    let max_receive = usize::try_from(max_receive).unwrap_or(usize::MAX);
    let bytes = rawsocket::build_handshake_id(serializer, max_receive).map_err(value_error)?;
    Ok(PyBytes::new(py, &bytes))
}

/// The 4-byte error reply with `code` (1..15).
#[pyfunction]
fn rawsocket_error(py: Python<'_>, code: u8) -> PyResult<Bound<'_, PyBytes>> {
    let bytes = rawsocket::build_error(code).map_err(value_error)?;
    Ok(PyBytes::new(py, &bytes))
}

/// Parse 4 handshake bytes into (serializer id, max length the sender accepts).
#[pyfunction]
fn rawsocket_parse_handshake(py: Python<'_>, data: &[u8]) -> PyResult<(u8, usize)> {
    match rawsocket::parse_handshake(data) {
        Ok(hs) => Ok((hs.serializer_id, hs.max_length)),
        Err(e) => Err(errors::handshake_error(
            py,
            e.to_string(),
            e.handshake_code().map(u16::from),
        )),
    }
}

/// A length limit given by Python: 1 .. 16 MiB.
fn limit(name: &str, value: usize) -> PyResult<usize> {
    if (1..=MAX_LENGTH).contains(&value) {
        Ok(value)
    } else {
        Err(PyValueError::new_err(format!(
            "{name} must be in 1..={MAX_LENGTH}, got {value}"
        )))
    }
}

/// A RawSocket connection after its handshake: frames in, messages out.
#[pyclass(module = "pywamp._native")]
pub(crate) struct RawSocket {
    serializer: Serializer,
    max_send: usize,
    decoder: Decoder,
    /// Scratch buffer for encoding, reused between sends.
    out: Vec<u8>,
}

/// Scratch buffers above this size are released after use rather than kept.
const KEEP_SCRATCH: usize = 1 << 16;

impl RawSocket {
    fn check_send(&self, py: Python<'_>, length: usize) -> PyResult<()> {
        if length > self.max_send {
            return Err(errors::protocol_error(
                py,
                format!(
                    "RawSocket message of {length} octets exceeds the peer's maximum of {} octets",
                    self.max_send
                ),
            ));
        }
        Ok(())
    }

    fn framed<'py>(
        &self,
        py: Python<'py>,
        kind: FrameKind,
        payload: &[u8],
    ) -> PyResult<Bound<'py, PyBytes>> {
        self.check_send(py, payload.len())?;
        let header = rawsocket::frame_header(kind, payload.len()).map_err(value_error)?;
        PyBytes::new_with(py, rawsocket::HEADER_LEN + payload.len(), |buf| {
            let (head, body) = buf.split_at_mut(rawsocket::HEADER_LEN);
            head.copy_from_slice(&header);
            body.copy_from_slice(payload);
            Ok(())
        })
    }
}

#[pymethods]
impl RawSocket {
    #[new]
    #[pyo3(signature = (serializer, *, max_receive = MAX_LENGTH, max_send = MAX_LENGTH))]
    fn new(serializer: &str, max_receive: usize, max_send: usize) -> PyResult<Self> {
        Ok(Self {
            serializer: serializer_from_name(serializer)?,
            max_send: limit("max_send", max_send)?,
            decoder: Decoder::new(limit("max_receive", max_receive)?),
            out: Vec::new(),
        })
    }

    #[getter]
    fn serializer(&self) -> &'static str {
        self.serializer.name()
    }

    #[getter]
    fn max_receive(&self) -> usize {
        self.decoder.max_length()
    }

    #[getter]
    fn max_send(&self) -> usize {
        self.max_send
    }

    /// Every complete item in the bytes received so far (any chunking works).
    fn feed<'py>(&mut self, py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyList>> {
        let mut items: Vec<Bound<'py, PyAny>> = Vec::new();
        let mut input = data;
        loop {
            let item = match self.decoder.next_frame(&mut input) {
                Ok(None) => break,
                Ok(Some(frame)) => match frame.kind {
                    FrameKind::Message => codec::decode_message(py, self.serializer, frame.payload),
                    FrameKind::Ping => Ping::create(py, frame.payload),
                    FrameKind::Pong => Pong::create(py, frame.payload),
                },
                Err(e) => Err(errors::transport_error(py, e.to_string(), None)),
            };
            match item {
                Ok(item) => items.push(item),
                Err(err) => return Err(fail_with(py, err, items)),
            }
        }
        PyList::new(py, items)
    }

    /// Encode and frame one message.
    fn send<'py>(
        &mut self,
        py: Python<'py>,
        message: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        out.extend_from_slice(&[0; rawsocket::HEADER_LEN]);
        let result =
            codec::encode_message_into(py, self.serializer, message, &mut out).and_then(|()| {
                let length = out.len() - rawsocket::HEADER_LEN;
                self.check_send(py, length)?;
                let header =
                    rawsocket::frame_header(FrameKind::Message, length).map_err(value_error)?;
                if let Some(head) = out.get_mut(..rawsocket::HEADER_LEN) {
                    head.copy_from_slice(&header);
                }
                Ok(PyBytes::new(py, &out))
            });
        if out.capacity() <= KEEP_SCRATCH {
            self.out = out;
        }
        result
    }

    /// Frame an already-encoded message of this serializer.
    fn frame<'py>(&self, py: Python<'py>, payload: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        self.framed(py, FrameKind::Message, payload)
    }

    #[pyo3(signature = (payload = b"".as_slice()), text_signature = "($self, payload=b'')")]
    fn ping<'py>(&self, py: Python<'py>, payload: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        self.framed(py, FrameKind::Ping, payload)
    }

    fn pong<'py>(&self, py: Python<'py>, payload: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        self.framed(py, FrameKind::Pong, payload)
    }

    fn __repr__(&self) -> String {
        format!(
            "RawSocket({:?}, max_receive={}, max_send={})",
            self.serializer.name(),
            self.decoder.max_length(),
            self.max_send
        )
    }
}
