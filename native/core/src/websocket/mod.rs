//! WebSocket (RFC 6455) for WAMP: the HTTP/1.1 upgrade handshake, the frame codec and a
//! stream that turns received bytes into whole messages and control events.
//!
//! The core has no randomness: a client passes the 4 masking-key octets of each frame it
//! sends, and the 16 key octets of its upgrade request.

pub mod frame;
pub mod handshake;
pub mod stream;

use std::fmt;

pub use frame::{apply_mask, encode_frame, FrameHeader, Opcode};
pub use handshake::{HandshakeError, InvalidArgument, Request};
pub use stream::{CloseFrame, Event, Role, Stream};

/// Normal closure.
pub const CLOSE_NORMAL: u16 = 1000;
/// A frame or message broke the protocol.
pub const CLOSE_PROTOCOL_ERROR: u16 = 1002;
/// A text message (or close reason) was not valid UTF-8.
pub const CLOSE_INVALID_DATA: u16 = 1007;
/// A message exceeded the receiver's size limit.
pub const CLOSE_TOO_BIG: u16 = 1009;

/// The largest payload of a control frame (ping, pong, close).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// Whether `code` may appear in a close frame on the wire (RFC 6455 section 7.4 and the
/// IANA registry: 1000-1003, 1007-1014, 3000-4999; never 1004-1006 or 1015).
pub fn is_valid_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// A violation of RFC 6455 by the peer, or a frame that cannot be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WsError {
    /// RSV1-3 set without a negotiated extension.
    ReservedBits(u8),
    /// An opcode RFC 6455 does not define.
    UnknownOpcode(u8),
    /// A control frame without FIN.
    FragmentedControl(Opcode),
    /// A control frame payload over 125 octets.
    ControlTooLong(u64),
    /// A 64-bit length with its most significant bit set.
    LengthOverflow(u64),
    /// A server received an unmasked frame.
    UnmaskedClientFrame,
    /// A client received a masked frame.
    MaskedServerFrame,
    /// A continuation frame with no fragmented message in progress.
    UnexpectedContinuation,
    /// A new text or binary frame while a fragmented message is in progress.
    ExpectedContinuation(Opcode),
    /// A message larger than the receiver accepts.
    MessageTooBig { size: u64, max: usize },
    /// A text message that is not valid UTF-8.
    InvalidUtf8,
    /// A close frame with a 1-octet payload.
    CloseFrameTooShort,
    /// A close code that must not appear on the wire.
    InvalidCloseCode(u16),
    /// A close reason that is not valid UTF-8.
    InvalidCloseReason,
    /// A close reason too long for a control frame (at most 123 octets).
    CloseReasonTooLong(usize),
    /// A close reason given without a close code.
    ReasonWithoutCode,
    /// The stream already failed; the connection must be closed.
    Failed,
}

impl WsError {
    /// The close code to answer this violation with.
    pub fn close_code(&self) -> u16 {
        match self {
            Self::MessageTooBig { .. } => CLOSE_TOO_BIG,
            Self::InvalidUtf8 | Self::InvalidCloseReason => CLOSE_INVALID_DATA,
            _ => CLOSE_PROTOCOL_ERROR,
        }
    }
}

impl fmt::Display for WsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ReservedBits(b) => write!(
                f,
                "WebSocket frame sets reserved bits RSV1-3 (first octet 0x{b:02x}) but no extension was negotiated"
            ),
            Self::UnknownOpcode(op) => write!(f, "WebSocket opcode 0x{op:x} is reserved"),
            Self::FragmentedControl(op) => {
                write!(f, "WebSocket {op:?} frame must not be fragmented")
            }
            Self::ControlTooLong(len) => write!(
                f,
                "WebSocket control frame payload of {len} octets exceeds 125 octets"
            ),
            Self::LengthOverflow(len) => write!(
                f,
                "WebSocket 64-bit payload length {len:#x} has its most significant bit set"
            ),
            Self::UnmaskedClientFrame => write!(f, "WebSocket client frame is not masked"),
            Self::MaskedServerFrame => write!(f, "WebSocket server frame must not be masked"),
            Self::UnexpectedContinuation => write!(
                f,
                "WebSocket continuation frame without a fragmented message in progress"
            ),
            Self::ExpectedContinuation(op) => write!(
                f,
                "WebSocket {op:?} frame while a fragmented message is in progress (expected a continuation)"
            ),
            Self::MessageTooBig { size, max } => write!(
                f,
                "WebSocket message of at least {size} octets exceeds the maximum of {max} octets"
            ),
            Self::InvalidUtf8 => write!(f, "WebSocket text message is not valid UTF-8"),
            Self::CloseFrameTooShort => {
                write!(f, "WebSocket close frame payload of 1 octet (a code needs 2)")
            }
            Self::InvalidCloseCode(code) => {
                write!(f, "WebSocket close code {code} is not allowed on the wire")
            }
            Self::InvalidCloseReason => write!(f, "WebSocket close reason is not valid UTF-8"),
            Self::CloseReasonTooLong(len) => write!(
                f,
                "WebSocket close reason of {len} octets exceeds 123 octets"
            ),
            Self::ReasonWithoutCode => {
                write!(f, "WebSocket close reason needs a close code")
            }
            Self::Failed => write!(f, "WebSocket stream already failed"),
        }
    }
}

impl std::error::Error for WsError {}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn close_codes() {
        for code in [
            1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999,
        ] {
            assert!(is_valid_close_code(code), "{code}");
        }
        for code in [
            0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
        ] {
            assert!(!is_valid_close_code(code), "{code}");
        }
    }

    #[test]
    fn errors_map_to_close_codes() {
        assert_eq!(
            WsError::MessageTooBig { size: 2, max: 1 }.close_code(),
            1009
        );
        assert_eq!(WsError::InvalidUtf8.close_code(), 1007);
        assert_eq!(WsError::InvalidCloseReason.close_code(), 1007);
        assert_eq!(WsError::ReservedBits(0x40).close_code(), 1002);
    }
}
