//! `pywamp._native`: the PyO3 face of pywamp-core.
//!
//! Conversion between Python objects and the core, the GIL policy, and the mapping of
//! core errors to `pywamp.exception`; no protocol logic lives here.

use pyo3::prelude::*;

mod codec;
mod errors;
mod ffi;
mod framing;
mod keys;
mod matcher;
mod messages;
mod values;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    codec::register(m)?;
    framing::register(m)?;
    matcher::register(m)?;
    messages::register_router_constructors(m)?;
    Ok(())
}
