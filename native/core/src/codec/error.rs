//! Codec errors: every failure is typed and says where and what.

use std::fmt;

use super::value::MAX_DEPTH;

/// Why bytes could not be decoded, a message is invalid, or a value cannot be encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The input ends inside a value.
    Truncated { format: &'static str },
    /// Bytes follow the end of the top-level value.
    TrailingBytes { format: &'static str, offset: usize },
    /// Bytes that the format does not allow here.
    Syntax {
        format: &'static str,
        offset: usize,
        reason: &'static str,
    },
    /// An integer outside [-2^63, 2^64).
    IntegerOutOfRange { format: &'static str, offset: usize },
    /// A text string that is not valid UTF-8 (or a JSON escape that is not a scalar value).
    InvalidUtf8 { format: &'static str, offset: usize },
    /// Containers nested deeper than [`MAX_DEPTH`].
    TooDeep { format: &'static str, offset: usize },
    /// A map key that is not a string.
    NonStringKey { format: &'static str, offset: usize },
    /// A well-formed item that WAMP values cannot hold (msgpack ext, CBOR bignum, ...).
    Unsupported {
        format: &'static str,
        offset: usize,
        what: &'static str,
    },
    /// A JSON string marked as binary ("\0" prefix) whose rest is not base64.
    InvalidBase64 { offset: usize },
    /// The bytes decode, but not to a valid WAMP message.
    InvalidMessage(String),
    /// A value that cannot be encoded; `path` locates it ("CALL.args[0]").
    Unencodable { path: String, reason: String },
    /// The value builder failed (for example, Python ran out of memory).
    Builder(String),
}

impl Error {
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidMessage(msg.into())
    }

    pub(crate) fn unencodable(reason: impl Into<String>) -> Self {
        Error::Unencodable {
            path: String::new(),
            reason: reason.into(),
        }
    }

    pub(crate) fn too_deep_to_encode() -> Self {
        Error::unencodable(format!("nesting deeper than {MAX_DEPTH} levels (a cycle?)"))
    }

    /// Prefix the location of an unencodable value with a list index.
    pub fn at_index(self, i: usize) -> Self {
        self.prefix_path(&format!("[{i}]"))
    }

    /// Prefix the location of an unencodable value with a map key.
    pub fn at_key(self, key: &str) -> Self {
        self.prefix_path(&format!("[{}]", quoted(key)))
    }

    /// Prefix the location of an unencodable value with a name ("CALL.args").
    pub fn prefix_path(self, prefix: &str) -> Self {
        match self {
            Error::Unencodable { path, reason } => Error::Unencodable {
                path: format!("{prefix}{path}"),
                reason,
            },
            other => other,
        }
    }

    /// Whether this error is about a value that cannot be encoded (vs. bad input bytes).
    pub fn is_unencodable(&self) -> bool {
        matches!(self, Error::Unencodable { .. })
    }
}

/// A string quoted as Python's repr would show it ('a', 'it\'s').
pub(crate) fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if c.is_control() => out.push_str(&c.escape_default().to_string()),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Truncated { format } => write!(f, "invalid {format}: input ends inside a value"),
            Error::TrailingBytes { format, offset } => {
                write!(
                    f,
                    "invalid {format}: unexpected bytes after the value at offset {offset}"
                )
            }
            Error::Syntax {
                format,
                offset,
                reason,
            } => {
                write!(f, "invalid {format} at offset {offset}: {reason}")
            }
            Error::IntegerOutOfRange { format, offset } => write!(
                f,
                "invalid {format} at offset {offset}: integer out of range [-2^63, 2^64)"
            ),
            Error::InvalidUtf8 { format, offset } => {
                write!(
                    f,
                    "invalid {format} at offset {offset}: string is not valid UTF-8"
                )
            }
            Error::TooDeep { format, offset } => write!(
                f,
                "invalid {format} at offset {offset}: nesting deeper than {MAX_DEPTH} levels"
            ),
            Error::NonStringKey { format, offset } => {
                write!(
                    f,
                    "invalid {format} at offset {offset}: map key is not a string"
                )
            }
            Error::Unsupported {
                format,
                offset,
                what,
            } => {
                write!(f, "unsupported {format} at offset {offset}: {what}")
            }
            Error::InvalidBase64 { offset } => write!(
                f,
                "invalid json at offset {offset}: binary string (\"\\u0000\" prefix) is not base64"
            ),
            Error::InvalidMessage(msg) => f.write_str(msg),
            Error::Unencodable { path, reason } if path.is_empty() => {
                write!(f, "cannot serialize value: {reason}")
            }
            Error::Unencodable { path, reason } => write!(f, "cannot serialize {path}: {reason}"),
            Error::Builder(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for Error {}
