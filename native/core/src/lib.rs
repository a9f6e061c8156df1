//! pywamp-core: everything in WAMP that touches every byte or every URI.
//!
//! Pure Rust with no I/O, no threads, no clock and no Python: the same code is driven by
//! the PyO3 binding (`native/py`), by `cargo test` and by the fuzz targets.

pub mod codec;
pub mod matcher;
pub mod pattern;
pub mod rawsocket;
pub mod serializer;
pub mod uri;
pub mod websocket;

pub use serializer::Serializer;
