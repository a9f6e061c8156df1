//! The one place where core failures become Python exceptions.
//!
//! Every class raised here lives in `pywamp.exception`, so Python code catches the same
//! hierarchy whether an error came from Rust or from Python.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyType};

macro_rules! exception_class {
    ($fn_name:ident, $name:literal) => {
        fn $fn_name(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
            static CELL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
            CELL.import(py, "pywamp.exception", $name)
        }
    };
}

exception_class!(protocol_error_class, "ProtocolError");
exception_class!(serialization_error_class, "SerializationError");
exception_class!(transport_error_class, "TransportError");
exception_class!(handshake_error_class, "HandshakeError");
exception_class!(invalid_uri_class, "InvalidUri");

fn build(class: PyResult<&Bound<'_, PyType>>, msg: String) -> PyErr {
    match class.and_then(|c| c.call1((msg,))) {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

/// Bytes or a message that break the WAMP protocol (`ProtocolError`).
pub(crate) fn protocol_error(py: Python<'_>, msg: impl Into<String>) -> PyErr {
    build(protocol_error_class(py), msg.into())
}

/// A Python value that the serializer cannot encode (`SerializationError`).
pub(crate) fn serialization_error(py: Python<'_>, msg: impl Into<String>) -> PyErr {
    build(serialization_error_class(py), msg.into())
}

/// A malformed URI or URI pattern (`InvalidUri`).
pub(crate) fn invalid_uri(py: Python<'_>, msg: impl Into<String>) -> PyErr {
    build(invalid_uri_class(py), msg.into())
}

/// A framing violation; `close_code` is the WebSocket close code to answer with.
pub(crate) fn transport_error(
    py: Python<'_>,
    msg: impl Into<String>,
    close_code: Option<u16>,
) -> PyErr {
    let err = build(transport_error_class(py), msg.into());
    set_attr(py, err, "close_code", close_code)
}

/// A refused or malformed opening handshake; `code` is the RawSocket error code or HTTP status.
pub(crate) fn handshake_error(py: Python<'_>, msg: impl Into<String>, code: Option<u16>) -> PyErr {
    let err = build(handshake_error_class(py), msg.into());
    set_attr(py, err, "code", code)
}

/// Attach the items decoded before a failure, so a caller loses none of them.
pub(crate) fn with_messages(py: Python<'_>, err: PyErr, messages: &Bound<'_, PyList>) -> PyErr {
    set_attr(py, err, "messages", messages)
}

fn set_attr<'py, T: IntoPyObject<'py>>(py: Python<'py>, err: PyErr, name: &str, value: T) -> PyErr {
    match err.value(py).setattr(name, value) {
        Ok(()) => err,
        Err(e) => e,
    }
}
