//! TEMPORARY stand-in for the codec binding, only so that framing builds and is tested
//! with raw payloads: decoding returns the payload as `bytes`, encoding accepts `bytes`.
//! The real codec (same two signatures) replaces this file when both are merged.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

pub(crate) fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}

/// Stand-in: the payload itself, as `bytes`.
pub(crate) fn decode_message<'py>(
    py: Python<'py>,
    _serializer: pywamp_core::Serializer,
    data: &[u8],
) -> PyResult<Bound<'py, PyAny>> {
    Ok(PyBytes::new(py, data).into_any())
}

/// Stand-in: append `message`, which must be `bytes`.
pub(crate) fn encode_message_into(
    _py: Python<'_>,
    _serializer: pywamp_core::Serializer,
    message: &Bound<'_, PyAny>,
    out: &mut Vec<u8>,
) -> PyResult<()> {
    out.extend_from_slice(message.cast::<PyBytes>()?.as_bytes());
    Ok(())
}
