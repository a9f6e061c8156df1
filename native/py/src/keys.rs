//! Interned Python strings for the dict keys WAMP peers send most, so decoding them costs
//! a lookup instead of a new string (whose hash must also be computed on insert).

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyTuple};

/// The keys worth caching: options/details keys of the hot messages.
const KEYS: &[&str] = &[
    "acknowledge",
    "authid",
    "authmethod",
    "authrole",
    "caller",
    "caller_authid",
    "caller_authrole",
    "disclose_me",
    "exclude_me",
    "features",
    "match",
    "procedure",
    "progress",
    "publisher",
    "publisher_authid",
    "publisher_authrole",
    "receive_progress",
    "roles",
    "timeout",
    "topic",
];

static CACHE: PyOnceLock<Py<PyTuple>> = PyOnceLock::new();

/// The Python str for a dict key: a cached interned one for common keys.
pub(crate) fn key<'py>(py: Python<'py>, key: &str) -> Bound<'py, PyString> {
    if let Ok(i) = KEYS.binary_search(&key) {
        let cached = CACHE.get_or_init(py, || {
            let strings = KEYS.iter().map(|k| PyString::intern(py, k));
            PyTuple::new(py, strings).map(Bound::unbind).unwrap_or_else(|_| PyTuple::empty(py).unbind())
        });
        if let Ok(item) = cached.bind(py).get_item(i) {
            if let Ok(s) = item.cast_into::<PyString>() {
                return s;
            }
        }
    }
    PyString::new(py, key)
}
