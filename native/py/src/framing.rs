//! RawSocket and WebSocket framing for Python: the item classes returned by `feed()` next
//! to messages, and what both transports share (serializer names, masking randomness).

use std::cell::RefCell;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};
use pywamp_core::Serializer;

use crate::errors;

mod rawsocket;
mod websocket;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Ping>()?;
    m.add_class::<Pong>()?;
    m.add_class::<Close>()?;
    rawsocket::register(m)?;
    websocket::register(m)?;
    Ok(())
}

/// The serializer called `name`, or ValueError naming the choices.
fn serializer_from_name(name: &str) -> PyResult<Serializer> {
    Serializer::from_name(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "serializer must be 'json', 'msgpack' or 'cbor', got {name:?}"
        ))
    })
}

/// The peer pinged; answer with the stream's pong(payload).
#[pyclass(frozen, module = "pywamp._native")]
pub(crate) struct Ping {
    payload: Py<PyBytes>,
}

/// The peer answered a ping.
#[pyclass(frozen, module = "pywamp._native")]
pub(crate) struct Pong {
    payload: Py<PyBytes>,
}

macro_rules! payload_event {
    ($cls:ident, $name:literal) => {
        impl $cls {
            fn create<'py>(py: Python<'py>, payload: &[u8]) -> PyResult<Bound<'py, PyAny>> {
                let payload = PyBytes::new(py, payload).unbind();
                Ok(Bound::new(py, $cls { payload })?.into_any())
            }
        }

        #[pymethods]
        impl $cls {
            #[getter]
            fn payload(&self, py: Python<'_>) -> Py<PyBytes> {
                self.payload.clone_ref(py)
            }

            fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<$cls>()
                    .is_ok_and(|o| o.get().payload.as_bytes(py) == self.payload.as_bytes(py))
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let payload = self.payload.bind(py).repr()?;
                Ok(format!(concat!($name, "(payload={})"), payload))
            }
        }
    };
}

payload_event!(Ping, "Ping");
payload_event!(Pong, "Pong");

/// The peer started or answered the WebSocket closing handshake.
#[pyclass(frozen, eq, module = "pywamp._native")]
#[derive(PartialEq)]
pub(crate) struct Close {
    #[pyo3(get)]
    code: Option<u16>,
    #[pyo3(get)]
    reason: String,
}

#[pymethods]
impl Close {
    fn __repr__(&self) -> String {
        match self.code {
            Some(code) => format!("Close(code={code}, reason={:?})", self.reason),
            None => format!("Close(code=None, reason={:?})", self.reason),
        }
    }
}

/// The list of items decoded so far, attached to a failure so none is lost.
fn fail_with(py: Python<'_>, err: PyErr, items: Vec<Bound<'_, PyAny>>) -> PyErr {
    match PyList::new(py, items) {
        Ok(list) => errors::with_messages(py, err, &list),
        Err(e) => e,
    }
}

/// Randomness drawn from the OS in blocks, so that masking a frame costs no system call.
struct Entropy {
    block: [u8; 512],
    used: usize,
}

thread_local! {
    static ENTROPY: RefCell<Entropy> = const {
        RefCell::new(Entropy { block: [0; 512], used: 512 })
    };
}

/// `N` unpredictable octets (WebSocket masking keys and handshake nonces).
fn random_bytes<const N: usize>() -> PyResult<[u8; N]> {
    ENTROPY.with(|cell| {
        let mut entropy = cell.borrow_mut();
        if entropy.used + N > entropy.block.len() {
            getrandom::fill(&mut entropy.block)
                .map_err(|e| PyOSError::new_err(format!("no randomness from the OS: {e}")))?;
            entropy.used = 0;
        }
        let mut out = [0u8; N];
        let start = entropy.used;
        if let Some(src) = entropy.block.get(start..start + N) {
            out.copy_from_slice(src);
        }
        entropy.used += N;
        Ok(out)
    })
}
