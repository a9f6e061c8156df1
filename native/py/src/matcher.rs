//! URIs: `is_valid_uri`, the `Matcher` of subscriptions/registrations, `UriPattern`.
//!
//! Python strings reach the core as their UTF-8; a string with a lone surrogate (which
//! has none) is passed as its `surrogatepass` bytes to lookups, so it matches by code
//! points, and is refused as a key or a pattern.

use std::borrow::Cow;

use pyo3::exceptions::{PyKeyError, PyMemoryError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyInt, PyList, PyString, PyTuple};
use pyo3::{PyTraverseError, PyVisit};

use pywamp_core::matcher::{Matcher as CoreMatcher, MatcherError, Policy};
use pywamp_core::pattern::{UriPattern as CorePattern, Value};
use pywamp_core::uri::{self, UriRules};

use crate::errors::invalid_uri;
use crate::ffi;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(is_valid_uri, m)?)?;
    m.add_class::<Matcher>()?;
    m.add_class::<UriPattern>()?;
    Ok(())
}

/// The bytes a lookup works on: the UTF-8 of `s`, or its `surrogatepass` encoding.
fn lookup_bytes<'a>(s: &'a Bound<'_, PyString>) -> PyResult<Cow<'a, [u8]>> {
    match ffi::str_utf8(s) {
        Some(text) => Ok(Cow::Borrowed(text.as_bytes())),
        None => {
            let encoded = s.call_method1("encode", ("utf-8", "surrogatepass"))?;
            Ok(Cow::Owned(encoded.cast::<PyBytes>()?.as_bytes().to_vec()))
        }
    }
}

/// The text of a key or pattern; a lone surrogate makes it an invalid URI.
fn key_text<'a>(s: &'a Bound<'_, PyString>, what: &str) -> PyResult<&'a str> {
    s.to_str().map_err(|_| {
        invalid_uri(
            s.py(),
            format!("invalid {what} {s}: it contains a lone surrogate"),
        )
    })
}

fn policy(name: &Bound<'_, PyString>) -> PyResult<Policy> {
    name.to_str()
        .ok()
        .and_then(Policy::from_name)
        .ok_or_else(|| {
            let shown = name
                .repr()
                .map_or_else(|_| "?".to_owned(), |r| r.to_string());
            PyValueError::new_err(format!(
                "unknown match policy {shown} (expected 'exact', 'prefix' or 'wildcard')"
            ))
        })
}

/// Check a URI against the spec's rules (loose or strict; empty components for patterns).
#[pyfunction]
#[pyo3(signature = (uri, *, strict = false, allow_empty = false))]
fn is_valid_uri(uri: &Bound<'_, PyString>, strict: bool, allow_empty: bool) -> bool {
    // A lone surrogate becomes U+FFFD: neither is whitespace, '.', '#' or [0-9a-z_], so
    // the answer is the one for the original string.
    let text = uri.to_string_lossy();
    uri::is_valid_uri(
        &text,
        UriRules {
            strict,
            allow_empty,
        },
    )
}

/// Subscriptions or registrations keyed by (uri, match policy).
#[pyclass(module = "pywamp._native", name = "Matcher", generic)]
pub(crate) struct Matcher {
    inner: CoreMatcher<Py<PyAny>>,
}

#[pymethods]
impl Matcher {
    #[new]
    fn new() -> Self {
        Matcher {
            inner: CoreMatcher::new(),
        }
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __contains__(&self, key: &Bound<'_, PyTuple>) -> PyResult<bool> {
        let (uri, name): (Bound<'_, PyString>, Bound<'_, PyString>) = key.extract()?;
        let policy = policy(&name)?;
        Ok(uri
            .to_str()
            .is_ok_and(|uri| self.inner.contains(uri, policy)))
    }

    /// Store `value` under (uri, match); KeyError if that key is taken.
    fn add(
        &mut self,
        py: Python<'_>,
        uri: &Bound<'_, PyString>,
        r#match: &Bound<'_, PyString>,
        value: Py<PyAny>,
    ) -> PyResult<()> {
        let policy = policy(r#match)?;
        let text = key_text(uri, &format!("{policy} URI"))?;
        self.inner
            .add(text, policy, value)
            .map_err(|err| match err {
                MatcherError::InvalidUri { .. } => invalid_uri(py, err.to_string()),
                MatcherError::Taken { .. } => {
                    let key = (uri, policy.name())
                        .into_pyobject(py)
                        .and_then(|k| k.repr());
                    let shown = key.map_or_else(|_| "the key".to_owned(), |r| r.to_string());
                    PyKeyError::new_err(format!("{shown} is already taken"))
                }
                MatcherError::Full { .. } => PyMemoryError::new_err(err.to_string()),
            })
    }

    /// Remove and return the value under (uri, match); KeyError if absent.
    fn remove(
        &mut self,
        uri: &Bound<'_, PyString>,
        r#match: &Bound<'_, PyString>,
    ) -> PyResult<Py<PyAny>> {
        let policy = policy(r#match)?;
        uri.to_str()
            .ok()
            .and_then(|text| self.inner.remove(text, policy))
            .ok_or_else(|| PyKeyError::new_err(((uri.clone().unbind(), policy.name()),)))
    }

    fn get(
        &self,
        py: Python<'_>,
        uri: &Bound<'_, PyString>,
        r#match: &Bound<'_, PyString>,
    ) -> PyResult<Option<Py<PyAny>>> {
        let policy = policy(r#match)?;
        Ok(uri
            .to_str()
            .ok()
            .and_then(|text| self.inner.get(text, policy))
            .map(|value| value.clone_ref(py)))
    }

    /// Every value whose pattern matches `uri` (exact, then prefix, then wildcard).
    #[pyo3(name = "match")]
    fn match_all<'py>(
        &self,
        py: Python<'py>,
        uri: &Bound<'py, PyString>,
    ) -> PyResult<Bound<'py, PyList>> {
        let bytes = lookup_bytes(uri)?;
        // Few URIs match more than a handful of keys: keep those on the stack.
        let mut inline: [Option<&Py<PyAny>>; 8] = [None; 8];
        let mut spill: Vec<&Py<PyAny>> = Vec::new();
        let mut count = 0;
        self.inner.for_each_match(&bytes, |value| {
            match inline.get_mut(count) {
                Some(slot) => *slot = Some(value),
                None => spill.push(value),
            }
            count += 1;
        });
        // An iterator of known length lets the list be allocated once.
        let found = (0..count).map(|at| match inline.get(at) {
            Some(slot) => *slot,
            None => at
                .checked_sub(inline.len())
                .and_then(|at| spill.get(at).copied()),
        });
        PyList::new(py, found.map(|value| value.map(|value| value.bind(py))))
    }

    /// The one value that wins for `uri` by the registration precedence.
    fn best(&self, py: Python<'_>, uri: &Bound<'_, PyString>) -> PyResult<Option<Py<PyAny>>> {
        let bytes = lookup_bytes(uri)?;
        Ok(self.inner.best(&bytes).map(|value| value.clone_ref(py)))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for value in self.inner.values() {
            visit.call(value)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.inner.clear();
    }
}

/// A decorator URI such as `com.myapp.<country>.<city:int>.on_concert`.
#[pyclass(module = "pywamp._native", name = "UriPattern", frozen)]
pub(crate) struct UriPattern {
    inner: CorePattern,
}

#[pymethods]
impl UriPattern {
    #[new]
    fn new(py: Python<'_>, pattern: &Bound<'_, PyString>) -> PyResult<Self> {
        let text = key_text(pattern, "URI pattern")?;
        CorePattern::parse(text)
            .map(|inner| UriPattern { inner })
            .map_err(|err| invalid_uri(py, err.to_string()))
    }

    #[getter]
    fn pattern(&self) -> &str {
        self.inner.pattern()
    }

    #[getter]
    fn uri(&self) -> &str {
        self.inner.uri()
    }

    #[getter]
    fn r#match(&self) -> &'static str {
        self.inner.policy().name()
    }

    #[getter]
    fn names<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.inner.names())
    }

    /// The named components of a concrete URI, or None when it does not match.
    fn bind<'py>(
        &self,
        py: Python<'py>,
        uri: &Bound<'py, PyString>,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let bytes = lookup_bytes(uri)?;
        let Some(values) = self.inner.bind(&bytes) else {
            return Ok(None);
        };
        let out = PyDict::new(py);
        for (name, value) in values {
            let value = match value {
                Value::Str(raw) => text(py, raw)?,
                Value::Int(digits) => match digits.parse::<i64>() {
                    Ok(small) => small.into_pyobject(py)?.into_any(),
                    Err(_) => py.get_type::<PyInt>().call1((digits,))?,
                },
            };
            out.set_item(name, value)?;
        }
        Ok(Some(out))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let pattern = PyString::new(py, self.inner.pattern()).repr()?;
        Ok(format!("UriPattern({pattern})"))
    }
}

/// A slice of a looked-up URI back as a Python str (undoing `surrogatepass` if needed).
fn text<'py>(py: Python<'py>, raw: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    match std::str::from_utf8(raw) {
        Ok(s) => Ok(PyString::new(py, s).into_any()),
        Err(_) => PyBytes::new(py, raw).call_method1("decode", ("utf-8", "surrogatepass")),
    }
}
