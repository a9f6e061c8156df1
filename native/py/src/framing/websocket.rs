//! WebSocket for Python: the upgrade handshake for both ends and the `WebSocket` stream.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use pywamp_core::websocket::frame::{self, MAX_HEADER_LEN};
use pywamp_core::websocket::handshake::{self, HandshakeError, InvalidArgument, Request};
use pywamp_core::websocket::{Event, Role, Stream, WsError};
use pywamp_core::Serializer;

use super::{fail_with, random_bytes, serializer_from_name, Close, Ping, Pong};
use crate::{codec, errors};

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<WebSocketRequest>()?;
    m.add_function(wrap_pyfunction!(websocket_parse_request, m)?)?;
    m.add_function(wrap_pyfunction!(websocket_accept, m)?)?;
    m.add_function(wrap_pyfunction!(websocket_reject, m)?)?;
    m.add_function(wrap_pyfunction!(websocket_request, m)?)?;
    m.add_function(wrap_pyfunction!(websocket_parse_response, m)?)?;
    m.add_class::<WebSocket>()?;
    Ok(())
}

/// The default limit on a received message.
const DEFAULT_MAX_MESSAGE_SIZE: usize = 16 * 1024 * 1024;

fn handshake_err(py: Python<'_>, e: HandshakeError) -> PyErr {
    errors::handshake_error(py, e.message, e.status)
}

fn invalid(e: InvalidArgument) -> PyErr {
    PyValueError::new_err(e.0)
}

fn pairs(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

/// A parsed HTTP/1.1 upgrade request (router side).
#[pyclass(frozen, module = "pywamp._native")]
pub(crate) struct WebSocketRequest {
    request: Request,
}

#[pymethods]
impl WebSocketRequest {
    #[getter]
    fn method(&self) -> &str {
        &self.request.method
    }

    #[getter]
    fn path(&self) -> &str {
        &self.request.path
    }

    /// Lower-case header names; repeated headers joined with ", ".
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (name, value) in &self.request.headers {
            dict.set_item(name, value)?;
        }
        Ok(dict)
    }

    #[getter]
    fn protocols(&self) -> Vec<String> {
        self.request.protocols.clone()
    }

    #[getter]
    fn key(&self) -> &str {
        &self.request.key
    }

    fn __repr__(&self) -> String {
        format!(
            "WebSocketRequest(method={:?}, path={:?}, protocols={:?})",
            self.request.method, self.request.path, self.request.protocols
        )
    }
}

/// Parse an upgrade request: (request, bytes consumed), or None while incomplete.
#[pyfunction]
fn websocket_parse_request(
    py: Python<'_>,
    data: &[u8],
) -> PyResult<Option<(WebSocketRequest, usize)>> {
    match handshake::parse_request(data) {
        Ok(found) => Ok(found.map(|(request, n)| (WebSocketRequest { request }, n))),
        Err(e) => Err(handshake_err(py, e)),
    }
}

/// The 101 Switching Protocols response to a request.
#[pyfunction]
#[pyo3(signature = (request, protocol, headers = Vec::new()), text_signature = "(request, protocol, headers=())")]
fn websocket_accept<'py>(
    py: Python<'py>,
    request: &WebSocketRequest,
    protocol: Option<&str>,
    headers: Vec<(String, String)>,
) -> PyResult<Bound<'py, PyBytes>> {
    let bytes =
        handshake::build_accept(&request.request, protocol, &pairs(&headers)).map_err(invalid)?;
    Ok(PyBytes::new(py, &bytes))
}

/// An HTTP error response that refuses an upgrade.
#[pyfunction]
#[pyo3(signature = (status, reason, headers = Vec::new()), text_signature = "(status, reason, headers=())")]
fn websocket_reject<'py>(
    py: Python<'py>,
    status: u16,
    reason: &str,
    headers: Vec<(String, String)>,
) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = handshake::build_reject(status, reason, &pairs(&headers)).map_err(invalid)?;
    Ok(PyBytes::new(py, &bytes))
}

/// A client upgrade request and the Sec-WebSocket-Key it carries (random if None).
#[pyfunction]
#[pyo3(signature = (host, path, protocols, *, key = None, headers = Vec::new()), text_signature = "(host, path, protocols, *, key=None, headers=())")]
fn websocket_request<'py>(
    py: Python<'py>,
    host: &str,
    path: &str,
    protocols: Vec<String>,
    key: Option<String>,
    headers: Vec<(String, String)>,
) -> PyResult<(Bound<'py, PyBytes>, String)> {
    let key = match key {
        Some(key) => key,
        None => handshake::key_from_nonce(random_bytes::<16>()?),
    };
    let protocols: Vec<&str> = protocols.iter().map(String::as_str).collect();
    let bytes = handshake::build_request(host, path, &protocols, &key, &pairs(&headers))
        .map_err(invalid)?;
    Ok((PyBytes::new(py, &bytes), key))
}

/// Check the router's answer: (chosen subprotocol, bytes consumed), None while incomplete.
#[pyfunction]
fn websocket_parse_response(
    py: Python<'_>,
    data: &[u8],
    key: &str,
    protocols: Vec<String>,
) -> PyResult<Option<(Option<String>, usize)>> {
    let protocols: Vec<&str> = protocols.iter().map(String::as_str).collect();
    handshake::parse_response(data, key, &protocols).map_err(|e| handshake_err(py, e))
}

/// A WebSocket connection after its handshake: frames in, WAMP messages out.
#[pyclass(module = "pywamp._native")]
pub(crate) struct WebSocket {
    serializer: Serializer,
    stream: Stream,
    /// Scratch buffer for encoding, reused between sends.
    out: Vec<u8>,
}

/// Scratch buffers above this size are released after use rather than kept.
const KEEP_SCRATCH: usize = 1 << 16;

impl WebSocket {
    /// The masking key of the next frame: random for a client, unused by a server.
    fn key(&self) -> PyResult<[u8; 4]> {
        match self.stream.role() {
            Role::Client => random_bytes::<4>(),
            Role::Server => Ok([0; 4]),
        }
    }

    fn control<'py>(
        &self,
        py: Python<'py>,
        build: impl FnOnce(&Stream, [u8; 4], &mut Vec<u8>) -> Result<(), WsError>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let mut out = Vec::with_capacity(2 + 4 + 125);
        build(&self.stream, self.key()?, &mut out)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(PyBytes::new(py, &out))
    }
}

#[pymethods]
impl WebSocket {
    #[new]
    #[pyo3(signature = (serializer, *, client, max_message_size = DEFAULT_MAX_MESSAGE_SIZE))]
    fn new(serializer: &str, client: bool, max_message_size: usize) -> PyResult<Self> {
        let role = if client { Role::Client } else { Role::Server };
        Ok(Self {
            serializer: serializer_from_name(serializer)?,
            stream: Stream::new(role, max_message_size),
            out: Vec::new(),
        })
    }

    #[getter]
    fn serializer(&self) -> &'static str {
        self.serializer.name()
    }

    #[getter]
    fn client(&self) -> bool {
        self.stream.role() == Role::Client
    }

    #[getter]
    fn max_message_size(&self) -> usize {
        self.stream.max_message_size()
    }

    /// Every complete item in the bytes received so far.
    fn feed<'py>(&mut self, py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyList>> {
        let mut items: Vec<Bound<'py, PyAny>> = Vec::new();
        let mut input = data;
        loop {
            let item = match self.stream.next_event(&mut input) {
                Ok(None) => break,
                Ok(Some(event)) => match event {
                    Event::Message { payload, .. } => {
                        codec::decode_message(py, self.serializer, payload)
                    }
                    Event::Ping(payload) => Ping::create(py, payload),
                    Event::Pong(payload) => Pong::create(py, payload),
                    Event::Close(close) => Bound::new(
                        py,
                        Close {
                            code: close.code,
                            reason: close.reason.to_owned(),
                        },
                    )
                    .map(Bound::into_any),
                },
                Err(e) => Err(errors::transport_error(
                    py,
                    e.to_string(),
                    Some(e.close_code()),
                )),
            };
            match item {
                Ok(item) => items.push(item),
                Err(err) => return Err(fail_with(py, err, items)),
            }
        }
        PyList::new(py, items)
    }

    /// Encode and frame one message (text for json, binary otherwise; masked by clients).
    fn send<'py>(
        &mut self,
        py: Python<'py>,
        message: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let key = self.key()?;
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        out.extend_from_slice(&[0; MAX_HEADER_LEN]);
        let result = codec::encode_message_into(py, self.serializer, message, &mut out).map(|()| {
            let start = self
                .stream
                .frame_reserved(self.serializer.is_text(), &mut out, key);
            PyBytes::new(py, out.get(start..).unwrap_or_default())
        });
        if out.capacity() <= KEEP_SCRATCH {
            self.out = out;
        }
        result
    }

    /// Frame an already-encoded message of this serializer.
    fn frame<'py>(&self, py: Python<'py>, payload: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        let key = self.key()?;
        let opcode = if self.serializer.is_text() {
            frame::Opcode::Text
        } else {
            frame::Opcode::Binary
        };
        let mask = (self.stream.role() == Role::Client).then_some(key);
        let (header, n) = frame::header_bytes(true, opcode, payload.len(), mask);
        PyBytes::new_with(py, n + payload.len(), |buf| {
            let (head, body) = buf.split_at_mut(n);
            head.copy_from_slice(header.get(..n).unwrap_or_default());
            body.copy_from_slice(payload);
            if let Some(key) = mask {
                frame::apply_mask(body, key, 0);
            }
            Ok(())
        })
    }

    #[pyo3(signature = (payload = b"".as_slice()), text_signature = "($self, payload=b'')")]
    fn ping<'py>(&self, py: Python<'py>, payload: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        self.control(py, |s, key, out| s.encode_ping(payload, key, out))
    }

    fn pong<'py>(&self, py: Python<'py>, payload: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        self.control(py, |s, key, out| s.encode_pong(payload, key, out))
    }

    #[pyo3(signature = (code = Some(1000), reason = ""), text_signature = "($self, code=1000, reason='')")]
    fn close<'py>(
        &self,
        py: Python<'py>,
        code: Option<u16>,
        reason: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        self.control(py, |s, key, out| s.encode_close(code, reason, key, out))
    }

    fn __repr__(&self) -> String {
        format!(
            "WebSocket({:?}, client={}, max_message_size={})",
            self.serializer.name(),
            if self.client() { "True" } else { "False" },
            self.stream.max_message_size()
        )
    }
}
