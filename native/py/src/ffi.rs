//! The raw CPython calls of the codec's hot paths, behind safe functions.
//!
//! This is the only module of the workspace allowed `unsafe` (see docs/architecture.md,
//! "Unsafe code"). Each function does one thing PyO3's safe API does with more work (a
//! clone or a generic conversion per object): read a str's UTF-8, read an int, walk a
//! list or dict, fill a new list, insert into a dict. Rules kept by every function here:
//! the GIL is held (a `Python` token or a `Bound` proves it); every object handed out is
//! an owned reference (a `Bound`), so no Python code run later by a caller can free it;
//! no function panics; failures come back as `PyErr` or `None` with no exception left set.

#![allow(unsafe_code)]

use std::os::raw::c_int;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyList, PyString};

/// The UTF-8 text of a str; None (and no exception set) when it has unpaired surrogates.
pub(crate) fn str_utf8<'a>(s: &'a Bound<'_, PyString>) -> Option<&'a str> {
    if let Some(text) = ascii_in_place(s) {
        return Some(text);
    }
    let mut size: ffi::Py_ssize_t = 0;
    // SAFETY: `s` is a live str (the Bound holds a reference) and the GIL is held. The
    // returned buffer belongs to the str (CPython caches the UTF-8 form in the object) and
    // lives as long as it, which the borrow `'a` of `s` outlives.
    let data = unsafe { ffi::PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut size) };
    if data.is_null() {
        // SAFETY: GIL held; drops the UnicodeEncodeError the call set.
        unsafe { ffi::PyErr_Clear() };
        return None;
    }
    let len = usize::try_from(size).ok()?;
    // SAFETY: CPython returned `len` initialized bytes at `data`, valid for `'a` (above).
    let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) };
    // SAFETY: CPython's UTF-8 form of a str without surrogates is valid UTF-8 (it fails,
    // handled above, for the only strs that have no such form).
    Some(unsafe { std::str::from_utf8_unchecked(bytes) })
}

/// The text of a compact ASCII str (most strs), read where it lies, without a call.
#[cfg(not(any(Py_3_14, PyPy, GraalPy, Py_LIMITED_API)))]
fn ascii_in_place<'a>(s: &'a Bound<'_, PyString>) -> Option<&'a str> {
    let p = s.as_ptr();
    // SAFETY: `p` is a live str (held by `s`), GIL held. Up to 3.13 a str starts with a
    // PyASCIIObject whose state bits say compact and ASCII; such a str keeps its `length`
    // characters, one byte each, right after that header (CPython's own
    // `_PyUnicode_COMPACT_DATA`), for as long as the str lives, which `'a` outlives.
    unsafe {
        if ffi::PyUnicode_IS_COMPACT_ASCII(p) == 0 {
            return None;
        }
        let len = usize::try_from(ffi::PyUnicode_GET_LENGTH(p)).ok()?;
        let data = p.cast::<ffi::PyASCIIObject>().add(1).cast::<u8>();
        let bytes = std::slice::from_raw_parts(data, len);
        // SAFETY: ASCII bytes are valid UTF-8.
        Some(std::str::from_utf8_unchecked(bytes))
    }
}

/// Newer layouts go through `PyUnicode_AsUTF8AndSize`.
#[cfg(any(Py_3_14, PyPy, GraalPy, Py_LIMITED_API))]
fn ascii_in_place<'a>(_s: &'a Bound<'_, PyString>) -> Option<&'a str> {
    None
}

/// The value of an int as the codec writes it.
pub(crate) enum IntValue {
    I64(i64),
    /// Above i64::MAX, up to u64::MAX.
    U64(u64),
    /// Below -2^63 or above 2^64 - 1.
    OutOfRange,
}

/// Read an int (or int subclass: its own value, no `__index__` call).
pub(crate) fn int_value(i: &Bound<'_, PyInt>) -> IntValue {
    let mut overflow: c_int = 0;
    // SAFETY: `i` is a live int and the GIL is held; for an int this call reads the digits
    // and reports overflow through `overflow` without setting an exception.
    let v = unsafe { ffi::PyLong_AsLongLongAndOverflow(i.as_ptr(), &mut overflow) };
    if overflow == 0 {
        if v == -1 && error_pending() {
            return IntValue::OutOfRange;
        }
        return IntValue::I64(v);
    }
    if overflow < 0 {
        return IntValue::OutOfRange;
    }
    // SAFETY: as above; above 2^64 - 1 this sets OverflowError, cleared below.
    let u = unsafe { ffi::PyLong_AsUnsignedLongLong(i.as_ptr()) };
    if u == u64::MAX && error_pending() {
        return IntValue::OutOfRange;
    }
    IntValue::U64(u)
}

/// Whether a call left an exception; clears it (the callers report their own error).
fn error_pending() -> bool {
    // SAFETY: GIL held by every caller (they hold a Bound).
    unsafe {
        if ffi::PyErr_Occurred().is_null() {
            false
        } else {
            ffi::PyErr_Clear();
            true
        }
    }
}

/// Call `f` with each item of a list and its index, in order. The length is read again
/// at each step, so a list changed meanwhile ends the walk early rather than reading
/// freed memory.
pub(crate) fn try_for_each_item<'py, E>(
    list: &Bound<'py, PyList>,
    mut f: impl FnMut(usize, &Bound<'py, PyAny>) -> Result<(), E>,
) -> Result<(), E> {
    let py = list.py();
    let mut i: ffi::Py_ssize_t = 0;
    loop {
        // SAFETY: `list` is a live list (its Bound holds a reference), GIL held.
        if i >= unsafe { ffi::PyList_GET_SIZE(list.as_ptr()) } {
            return Ok(());
        }
        // SAFETY: 0 <= i < the current size, so the slot holds a live object (a list's
        // slots below its size are never NULL); `from_borrowed_ptr` takes a new reference,
        // so the item outlives any change to the list made while `f` runs.
        let item = unsafe { Bound::from_borrowed_ptr(py, ffi::PyList_GET_ITEM(list.as_ptr(), i)) };
        f(i.unsigned_abs(), &item)?;
        i += 1;
    }
}

/// Call `f` with each key and value of a dict (or dict subclass: its own storage, no
/// overridden method is called), in order.
pub(crate) fn try_for_each_entry<'py, E>(
    dict: &Bound<'py, PyDict>,
    mut f: impl FnMut(&Bound<'py, PyAny>, &Bound<'py, PyAny>) -> Result<(), E>,
) -> Result<(), E> {
    let py = dict.py();
    let mut pos: ffi::Py_ssize_t = 0;
    let mut key: *mut ffi::PyObject = std::ptr::null_mut();
    let mut value: *mut ffi::PyObject = std::ptr::null_mut();
    // SAFETY: `dict` is a live dict, GIL held; PyDict_Next checks `pos` against the
    // dict's current table, so a dict changed while `f` runs is still read in bounds.
    while unsafe { ffi::PyDict_Next(dict.as_ptr(), &mut pos, &mut key, &mut value) } != 0 {
        // SAFETY: on success both pointers are live borrowed references; new references
        // are taken at once, before any other code runs.
        let (k, v) = unsafe {
            (
                Bound::from_borrowed_ptr(py, key),
                Bound::from_borrowed_ptr(py, value),
            )
        };
        f(&k, &v)?;
    }
    Ok(())
}

/// A list of the items `stack[start..]`, moved out of the stack (which keeps the rest).
pub(crate) fn list_from_tail<'py>(
    py: Python<'py>,
    stack: &mut Vec<Py<PyAny>>,
    start: usize,
) -> PyResult<Bound<'py, PyList>> {
    let start = start.min(stack.len());
    let n = stack.len() - start;
    let size = ffi::Py_ssize_t::try_from(n)
        .map_err(|_| pyo3::exceptions::PyOverflowError::new_err("list too long"))?;
    // SAFETY: GIL held (`py`). A NULL result has set the exception fetched here; the
    // items stay in the stack, released by its owner.
    let list = unsafe { ffi::PyList_New(size) };
    if list.is_null() {
        return Err(PyErr::fetch(py));
    }
    // SAFETY: `list` is a new reference that we own, to an object of type list.
    let list = unsafe { Bound::from_owned_ptr(py, list).cast_into_unchecked::<PyList>() };
    for (i, item) in (0..size).zip(stack.drain(start..)) {
        // SAFETY: the new list has `size` empty slots and the drain yields exactly `n ==
        // size` items, so each slot 0..size is set once; SET_ITEM takes over the item's
        // reference (`into_ptr` gives it up), as a fresh list's empty slot needs.
        unsafe { ffi::PyList_SET_ITEM(list.as_ptr(), i, item.into_ptr()) };
    }
    Ok(list)
}

/// `dict[key] = value` without a generic conversion.
#[inline(always)]
pub(crate) fn dict_set(
    dict: &Bound<'_, PyDict>,
    key: &Bound<'_, PyString>,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    // SAFETY: all three are live objects held by their Bounds, GIL held; PyDict_SetItem
    // takes its own references to key and value. A str key hashes without running code.
    if unsafe { ffi::PyDict_SetItem(dict.as_ptr(), key.as_ptr(), value.as_ptr()) } == 0 {
        Ok(())
    } else {
        Err(PyErr::fetch(dict.py()))
    }
}
