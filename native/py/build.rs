//! Sets the `Py_3_*`/`PyPy`/`GraalPy` cfgs of the target interpreter, so `src/ffi.rs` reads
//! a str's bytes in place only where its layout is the one it was written for.

fn main() {
    pyo3_build_config::use_pyo3_cfgs();
}
