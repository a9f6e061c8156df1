//! WAMP-over-RawSocket: the 4-byte opening handshake and the 4-byte frame header.
//!
//! Spec: wamp-proto `rfc/text/advanced/transport_rawsocket.md`. A handshake is `0x7F`,
//! `LLLL SSSS` (max receive length 2^(9+L), serializer id) and two zero octets; an error
//! reply carries the error code in the upper nibble and zero as serializer. A frame is
//! `RRRR XTTT` + a 24-bit big-endian length (X is a 25th bit, set only for exactly 16 MiB)
//! followed by the payload.

use std::fmt;

use crate::Serializer;

/// The first octet of every RawSocket handshake; it can never start an HTTP request.
pub const MAGIC: u8 = 0x7F;
/// The smallest maximum length a handshake can announce (L = 0).
pub const MIN_LENGTH: usize = 1 << 9;
/// The largest maximum length a handshake can announce (L = 15), and the largest frame.
pub const MAX_LENGTH: usize = 1 << 24;
/// Frame buffers above this capacity are released once their frame is handed out.
const KEEP_BUFFER: usize = 1 << 20;
/// Size of a handshake and of a frame header.
pub const HEADER_LEN: usize = 4;

/// Error codes of a router's handshake error reply.
pub mod error_code {
    /// The router does not speak the requested serializer.
    pub const SERIALIZER_UNSUPPORTED: u8 = 1;
    /// The announced maximum message length is not acceptable.
    pub const MAX_LENGTH_UNACCEPTABLE: u8 = 2;
    /// The handshake uses reserved bits (an unsupported feature).
    pub const RESERVED_BITS: u8 = 3;
    /// The router has reached its maximum connection count.
    pub const MAX_CONNECTIONS: u8 = 4;
}

/// What went wrong with a RawSocket handshake or frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawSocketError {
    /// A handshake must be exactly 4 octets.
    HandshakeLength(usize),
    /// The first octet of a handshake was not 0x7F.
    BadMagic(u8),
    /// The reserved octets of a handshake were not zero.
    HandshakeReservedBits,
    /// The peer answered with an error reply carrying this code (1..=15).
    PeerError(u8),
    /// An error reply with code 0, which the spec forbids.
    IllegalErrorCode,
    /// A serializer id outside 1..=15 was asked for.
    InvalidSerializerId(u8),
    /// An error code outside 1..=15 was asked for.
    InvalidErrorCode(u8),
    /// The reserved bits RRRR of a frame header were set.
    FrameReservedBits(u8),
    /// The frame type TTT was 3..=7 (reserved).
    ReservedFrameType(u8),
    /// The X bit was set together with a non-zero 24-bit length.
    BadLengthBit(u32),
    /// A frame longer than the receiver accepts, refused from its header.
    FrameTooLong { length: usize, max: usize },
    /// The decoder already failed; the connection must be dropped.
    Failed,
}

impl RawSocketError {
    /// The handshake error code a router answers this problem with, if there is one.
    pub fn handshake_code(&self) -> Option<u8> {
        match self {
            Self::PeerError(code) => Some(*code),
            Self::HandshakeReservedBits => Some(error_code::RESERVED_BITS),
            _ => None,
        }
    }
}

impl fmt::Display for RawSocketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HandshakeLength(n) => {
                write!(f, "RawSocket handshake must be 4 octets, got {n}")
            }
            Self::BadMagic(b) => {
                write!(f, "RawSocket handshake must start with 0x7f, got 0x{b:02x}")
            }
            Self::HandshakeReservedBits => {
                write!(
                    f,
                    "RawSocket handshake uses reserved bits (octets 3 and 4 must be zero)"
                )
            }
            Self::PeerError(code) => write!(
                f,
                "RawSocket peer refused the handshake: error {code} ({})",
                error_name(*code)
            ),
            Self::IllegalErrorCode => {
                write!(
                    f,
                    "RawSocket peer sent an error reply with the illegal code 0"
                )
            }
            Self::InvalidSerializerId(id) => {
                write!(f, "RawSocket serializer id must be in 1..=15, got {id}")
            }
            Self::InvalidErrorCode(code) => {
                write!(f, "RawSocket error code must be in 1..=15, got {code}")
            }
            Self::FrameReservedBits(b) => {
                write!(
                    f,
                    "RawSocket frame header uses reserved bits (first octet 0x{b:02x})"
                )
            }
            Self::ReservedFrameType(t) => write!(f, "RawSocket frame type {t} is reserved"),
            Self::BadLengthBit(len) => write!(
                f,
                "RawSocket frame sets the 25th length bit with a non-zero length {len}"
            ),
            Self::FrameTooLong { length, max } => write!(
                f,
                "RawSocket frame of {length} octets exceeds the maximum of {max} octets"
            ),
            Self::Failed => write!(f, "RawSocket stream already failed"),
        }
    }
}

impl std::error::Error for RawSocketError {}

/// A human name for a handshake error code.
pub fn error_name(code: u8) -> &'static str {
    match code {
        0 => "illegal",
        error_code::SERIALIZER_UNSUPPORTED => "serializer unsupported",
        error_code::MAX_LENGTH_UNACCEPTABLE => "maximum message length unacceptable",
        error_code::RESERVED_BITS => "use of reserved bits",
        error_code::MAX_CONNECTIONS => "maximum connection count reached",
        _ => "reserved error code",
    }
}

/// The length exponent L for a wish to receive up to `max_receive` octets: 2^(9+L) is
/// the smallest power of two >= `max_receive`, clamped to 512 B .. 16 MiB.
pub fn length_exponent(max_receive: usize) -> u8 {
    let wanted = max_receive.clamp(MIN_LENGTH, MAX_LENGTH);
    let rounded = wanted.next_power_of_two();
    // rounded is in 2^9..=2^24, so the exponent fits in 0..=15.
    (rounded.trailing_zeros().saturating_sub(9)).min(15) as u8
}

/// The length announced by exponent `exponent` (0..=15).
pub fn length_for_exponent(exponent: u8) -> usize {
    MIN_LENGTH << exponent.min(15)
}

/// A successful handshake (client request or router reply).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handshake {
    /// The serializer id, 1..=15 (pywamp speaks 1 json, 2 msgpack, 3 cbor).
    pub serializer_id: u8,
    /// The largest message the sender of this handshake accepts.
    pub max_length: usize,
}

impl Handshake {
    /// The serializer, when pywamp speaks it.
    pub fn serializer(&self) -> Option<Serializer> {
        Serializer::from_rawsocket_id(self.serializer_id)
    }
}

/// The 4 octets of a handshake with serializer id `serializer_id` (1..=15) that asks
/// the peer to send at most `max_receive` octets per message (rounded up).
pub fn build_handshake_id(
    serializer_id: u8,
    max_receive: usize,
) -> Result<[u8; 4], RawSocketError> {
    if !(1..=15).contains(&serializer_id) {
        return Err(RawSocketError::InvalidSerializerId(serializer_id));
    }
    Ok([
        MAGIC,
        (length_exponent(max_receive) << 4) | serializer_id,
        0,
        0,
    ])
}

/// The 4 octets of a handshake for `serializer` (see [`build_handshake_id`]).
pub fn build_handshake(serializer: Serializer, max_receive: usize) -> [u8; 4] {
    [
        MAGIC,
        (length_exponent(max_receive) << 4) | serializer.rawsocket_id(),
        0,
        0,
    ]
}

/// The 4 octets of an error reply with `code` (1..=15).
pub fn build_error(code: u8) -> Result<[u8; 4], RawSocketError> {
    if !(1..=15).contains(&code) {
        return Err(RawSocketError::InvalidErrorCode(code));
    }
    Ok([MAGIC, code << 4, 0, 0])
}

/// Parse the 4 octets of a handshake. An error reply becomes
/// [`RawSocketError::PeerError`] with its code.
pub fn parse_handshake(data: &[u8]) -> Result<Handshake, RawSocketError> {
    let &[magic, second, r1, r2] = data else {
        return Err(RawSocketError::HandshakeLength(data.len()));
    };
    if magic != MAGIC {
        return Err(RawSocketError::BadMagic(magic));
    }
    if r1 != 0 || r2 != 0 {
        return Err(RawSocketError::HandshakeReservedBits);
    }
    let serializer_id = second & 0x0F;
    let upper = second >> 4;
    if serializer_id == 0 {
        return Err(if upper == 0 {
            RawSocketError::IllegalErrorCode
        } else {
            RawSocketError::PeerError(upper)
        });
    }
    Ok(Handshake {
        serializer_id,
        max_length: length_for_exponent(upper),
    })
}

/// The router's answer to a client's opening handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Negotiation {
    /// Accepted: send `reply`, then speak `serializer` and send at most `max_send`.
    Accept {
        serializer: Serializer,
        max_send: usize,
        reply: [u8; 4],
    },
    /// Refused: send `reply` (an error reply with `code`) and close.
    Refuse { code: u8, reply: [u8; 4] },
    /// Not a RawSocket handshake (bad magic): fail the connection without a reply.
    NotRawSocket,
}

/// Negotiate a client's handshake `hello` on the router side: accept one of `accepted`
/// serializers, announce `max_receive`, and refuse clients that cannot receive at least
/// `min_send` octets (0 accepts every length).
pub fn negotiate(
    hello: &[u8],
    accepted: &[Serializer],
    max_receive: usize,
    min_send: usize,
) -> Negotiation {
    let refuse = |code: u8| Negotiation::Refuse {
        code,
        reply: [MAGIC, code << 4, 0, 0],
    };
    match parse_handshake(hello) {
        Ok(hs) => match hs.serializer().filter(|s| accepted.contains(s)) {
            None => refuse(error_code::SERIALIZER_UNSUPPORTED),
            Some(_) if hs.max_length < min_send => refuse(error_code::MAX_LENGTH_UNACCEPTABLE),
            Some(serializer) => Negotiation::Accept {
                serializer,
                max_send: hs.max_length,
                reply: build_handshake(serializer, max_receive),
            },
        },
        Err(RawSocketError::BadMagic(_) | RawSocketError::HandshakeLength(_)) => {
            Negotiation::NotRawSocket
        }
        // An error reply (or code 0) in a client hello means no serializer was asked for.
        Err(RawSocketError::PeerError(_) | RawSocketError::IllegalErrorCode) => {
            refuse(error_code::SERIALIZER_UNSUPPORTED)
        }
        Err(_) => refuse(error_code::RESERVED_BITS),
    }
}

/// The transport-level type of a frame (TTT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    /// A serialized WAMP message.
    Message = 0,
    /// A ping: the peer must answer with exactly one pong echoing the payload.
    Ping = 1,
    /// The answer to a ping.
    Pong = 2,
}

/// The 4-octet header of a frame of `kind` with a payload of `length` octets.
pub fn frame_header(kind: FrameKind, length: usize) -> Result<[u8; 4], RawSocketError> {
    if length > MAX_LENGTH {
        return Err(RawSocketError::FrameTooLong {
            length,
            max: MAX_LENGTH,
        });
    }
    let x = if length == MAX_LENGTH { 0x08 } else { 0 };
    let [_, b1, b2, b3] = ((length as u32) & 0x00FF_FFFF).to_be_bytes();
    Ok([x | kind as u8, b1, b2, b3])
}

/// Append a whole frame (header + payload) to `out`.
pub fn encode_frame(
    kind: FrameKind,
    payload: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), RawSocketError> {
    let header = frame_header(kind, payload.len())?;
    out.reserve(HEADER_LEN + payload.len());
    out.extend_from_slice(&header);
    out.extend_from_slice(payload);
    Ok(())
}

/// Parse a frame header into its kind and payload length, refusing lengths over `max`.
pub fn parse_frame_header(
    header: [u8; 4],
    max: usize,
) -> Result<(FrameKind, usize), RawSocketError> {
    let [first, b1, b2, b3] = header;
    if first & 0xF0 != 0 {
        return Err(RawSocketError::FrameReservedBits(first));
    }
    let kind = match first & 0x07 {
        0 => FrameKind::Message,
        1 => FrameKind::Ping,
        2 => FrameKind::Pong,
        t => return Err(RawSocketError::ReservedFrameType(t)),
    };
    let low = u32::from_be_bytes([0, b1, b2, b3]);
    let length = if first & 0x08 != 0 {
        if low != 0 {
            return Err(RawSocketError::BadLengthBit(low));
        }
        MAX_LENGTH
    } else {
        low as usize
    };
    if length > max {
        return Err(RawSocketError::FrameTooLong { length, max });
    }
    Ok((kind, length))
}

/// A complete frame: its kind and payload (borrowed from the input or the decoder).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    pub kind: FrameKind,
    pub payload: &'a [u8],
}

/// An incremental frame decoder: feed it any chunks, take out complete frames.
///
/// A frame that lies whole inside one chunk is handed out as a slice of that chunk
/// (no copy); only frames split across chunks are gathered in an internal buffer.
#[derive(Debug)]
pub struct Decoder {
    max_length: usize,
    header: [u8; 4],
    header_len: usize,
    /// Kind and length of the frame whose payload is being gathered.
    current: Option<(FrameKind, usize)>,
    buffer: Vec<u8>,
    /// The buffer holds a frame handed out last time: clear it on the next call.
    handed_out: bool,
    failed: bool,
}

impl Decoder {
    /// A decoder that refuses frames longer than `max_length` (at most 16 MiB).
    pub fn new(max_length: usize) -> Self {
        Self {
            max_length: max_length.min(MAX_LENGTH),
            header: [0; 4],
            header_len: 0,
            current: None,
            buffer: Vec::new(),
            handed_out: false,
            failed: false,
        }
    }

    /// The largest frame payload this decoder accepts.
    pub fn max_length(&self) -> usize {
        self.max_length
    }

    /// Octets held for an incomplete frame (header and payload).
    pub fn buffered(&self) -> usize {
        if self.handed_out {
            0
        } else {
            self.header_len + self.buffer.len()
        }
    }

    /// Take the next complete frame from `input`, advancing it past what was consumed.
    ///
    /// Returns `Ok(None)` when `input` is used up without completing a frame (its bytes
    /// are kept for the next call). After an error every later call fails too.
    pub fn next_frame<'s, 'd: 's>(
        &'s mut self,
        input: &mut &'d [u8],
    ) -> Result<Option<Frame<'s>>, RawSocketError> {
        if self.failed {
            return Err(RawSocketError::Failed);
        }
        if self.handed_out {
            if self.buffer.capacity() > KEEP_BUFFER {
                // Do not hold on to the memory of one large frame.
                self.buffer = Vec::new();
            } else {
                self.buffer.clear();
            }
            self.handed_out = false;
        }
        let (kind, length) = match self.current {
            Some(current) => current,
            None => {
                let data: &'d [u8] = input;
                let take = (HEADER_LEN - self.header_len).min(data.len());
                let (head, rest) = data.split_at(take);
                if let Some(dst) = self.header.get_mut(self.header_len..self.header_len + take) {
                    dst.copy_from_slice(head);
                }
                self.header_len += take;
                *input = rest;
                if self.header_len < HEADER_LEN {
                    return Ok(None);
                }
                self.header_len = 0;
                match parse_frame_header(self.header, self.max_length) {
                    Ok(parsed) => parsed,
                    Err(e) => {
                        self.failed = true;
                        return Err(e);
                    }
                }
            }
        };
        let data: &'d [u8] = input;
        if self.buffer.is_empty() {
            if let (Some(payload), Some(rest)) = (data.get(..length), data.get(length..)) {
                self.current = None;
                *input = rest;
                return Ok(Some(Frame { kind, payload }));
            }
        }
        let missing = length - self.buffer.len();
        let take = missing.min(data.len());
        let (part, rest) = data.split_at(take);
        self.buffer.extend_from_slice(part);
        *input = rest;
        if take < missing {
            self.current = Some((kind, length));
            return Ok(None);
        }
        self.current = None;
        self.handed_out = true;
        Ok(Some(Frame {
            kind,
            payload: &self.buffer,
        }))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn decode_all(
        decoder: &mut Decoder,
        mut data: &[u8],
    ) -> Result<Vec<(FrameKind, Vec<u8>)>, RawSocketError> {
        let mut out = Vec::new();
        while let Some(frame) = decoder.next_frame(&mut data)? {
            out.push((frame.kind, frame.payload.to_vec()));
        }
        assert!(data.is_empty());
        Ok(out)
    }

    #[test]
    fn handshake_bytes_follow_the_spec_table() {
        assert_eq!(build_handshake(Serializer::Json, 512), [0x7F, 0x01, 0, 0]);
        assert_eq!(
            build_handshake(Serializer::Msgpack, 1024),
            [0x7F, 0x12, 0, 0]
        );
        assert_eq!(
            build_handshake(Serializer::Cbor, 1 << 24),
            [0x7F, 0xF3, 0, 0]
        );
        assert_eq!(build_handshake(Serializer::Json, 513), [0x7F, 0x11, 0, 0]);
        assert_eq!(build_handshake(Serializer::Json, 0), [0x7F, 0x01, 0, 0]);
        assert_eq!(
            build_handshake(Serializer::Json, usize::MAX),
            [0x7F, 0xF1, 0, 0]
        );
        assert_eq!(build_handshake_id(4, 65536), Ok([0x7F, 0x74, 0, 0]));
        assert_eq!(
            build_handshake_id(0, 512),
            Err(RawSocketError::InvalidSerializerId(0))
        );
        assert_eq!(
            build_handshake_id(16, 512),
            Err(RawSocketError::InvalidSerializerId(16))
        );
        for l in 0..16u8 {
            assert_eq!(length_exponent(length_for_exponent(l)), l);
            let hs = parse_handshake(&[0x7F, (l << 4) | 2, 0, 0]);
            assert_eq!(
                hs,
                Ok(Handshake {
                    serializer_id: 2,
                    max_length: 1 << (9 + l)
                })
            );
        }
    }

    #[test]
    fn handshake_errors() {
        assert_eq!(build_error(1), Ok([0x7F, 0x10, 0, 0]));
        assert_eq!(build_error(4), Ok([0x7F, 0x40, 0, 0]));
        assert_eq!(build_error(0), Err(RawSocketError::InvalidErrorCode(0)));
        assert_eq!(
            parse_handshake(&[0x7F, 0x20, 0, 0]),
            Err(RawSocketError::PeerError(2))
        );
        assert_eq!(
            parse_handshake(&[0x7F, 0x00, 0, 0]),
            Err(RawSocketError::IllegalErrorCode)
        );
        assert_eq!(
            parse_handshake(&[0x47, 0x45, 0x54, 0x20]),
            Err(RawSocketError::BadMagic(0x47))
        );
        assert_eq!(
            parse_handshake(&[0x7F, 0x21, 0, 1]),
            Err(RawSocketError::HandshakeReservedBits)
        );
        assert_eq!(
            parse_handshake(&[0x7F, 0x21, 0]),
            Err(RawSocketError::HandshakeLength(3))
        );
        assert_eq!(
            RawSocketError::HandshakeReservedBits.handshake_code(),
            Some(3)
        );
    }

    #[test]
    fn negotiation() {
        let all = &Serializer::ALL[..];
        assert_eq!(
            negotiate(&[0x7F, 0xF2, 0, 0], all, 1 << 20, 0),
            Negotiation::Accept {
                serializer: Serializer::Msgpack,
                max_send: 1 << 24,
                reply: [0x7F, 0xB2, 0, 0]
            }
        );
        assert_eq!(
            negotiate(&[0x7F, 0xF4, 0, 0], all, 1 << 20, 0),
            Negotiation::Refuse {
                code: 1,
                reply: [0x7F, 0x10, 0, 0]
            }
        );
        assert_eq!(
            negotiate(&[0x7F, 0xF1, 0, 0], &[Serializer::Cbor], 1 << 20, 0),
            Negotiation::Refuse {
                code: 1,
                reply: [0x7F, 0x10, 0, 0]
            }
        );
        assert_eq!(
            negotiate(&[0x7F, 0x01, 0, 0], all, 1 << 20, 4096),
            Negotiation::Refuse {
                code: 2,
                reply: [0x7F, 0x20, 0, 0]
            }
        );
        assert_eq!(
            negotiate(&[0x7F, 0x01, 1, 0], all, 1 << 20, 0),
            Negotiation::Refuse {
                code: 3,
                reply: [0x7F, 0x30, 0, 0]
            }
        );
        assert_eq!(
            negotiate(b"GET ", all, 1 << 20, 0),
            Negotiation::NotRawSocket
        );
    }

    #[test]
    fn frame_headers() {
        assert_eq!(frame_header(FrameKind::Message, 5), Ok([0, 0, 0, 5]));
        assert_eq!(frame_header(FrameKind::Ping, 0x010203), Ok([1, 1, 2, 3]));
        assert_eq!(
            frame_header(FrameKind::Pong, MAX_LENGTH - 1),
            Ok([2, 0xFF, 0xFF, 0xFF])
        );
        assert_eq!(
            frame_header(FrameKind::Message, MAX_LENGTH),
            Ok([0x08, 0, 0, 0])
        );
        assert!(frame_header(FrameKind::Message, MAX_LENGTH + 1).is_err());
        assert_eq!(
            parse_frame_header([0x08, 0, 0, 0], MAX_LENGTH),
            Ok((FrameKind::Message, MAX_LENGTH))
        );
        assert_eq!(
            parse_frame_header([0x08, 0, 0, 1], MAX_LENGTH),
            Err(RawSocketError::BadLengthBit(1))
        );
        assert_eq!(
            parse_frame_header([0x03, 0, 0, 1], MAX_LENGTH),
            Err(RawSocketError::ReservedFrameType(3))
        );
        assert_eq!(
            parse_frame_header([0x10, 0, 0, 1], MAX_LENGTH),
            Err(RawSocketError::FrameReservedBits(0x10))
        );
        assert_eq!(
            parse_frame_header([0x08, 0, 0, 0], MAX_LENGTH - 1),
            Err(RawSocketError::FrameTooLong {
                length: MAX_LENGTH,
                max: MAX_LENGTH - 1
            })
        );
    }

    fn stream() -> Vec<u8> {
        let mut out = Vec::new();
        encode_frame(FrameKind::Message, b"[1,\"realm\",{}]", &mut out).unwrap();
        encode_frame(FrameKind::Ping, b"", &mut out).unwrap();
        encode_frame(FrameKind::Pong, b"abc", &mut out).unwrap();
        encode_frame(FrameKind::Message, &[7; 1000], &mut out).unwrap();
        out
    }

    fn expected() -> Vec<(FrameKind, Vec<u8>)> {
        vec![
            (FrameKind::Message, b"[1,\"realm\",{}]".to_vec()),
            (FrameKind::Ping, vec![]),
            (FrameKind::Pong, b"abc".to_vec()),
            (FrameKind::Message, vec![7; 1000]),
        ]
    }

    #[test]
    fn decodes_one_chunk_without_copy() {
        let data = stream();
        let mut decoder = Decoder::new(MAX_LENGTH);
        let mut input = &data[..];
        let first = decoder.next_frame(&mut input).unwrap().unwrap();
        // The payload is a slice of the input itself.
        assert_eq!(first.payload.as_ptr(), data[4..].as_ptr());
        assert_eq!(
            decode_all(&mut decoder, input).unwrap(),
            expected()[1..].to_vec()
        );
        assert_eq!(decoder.buffered(), 0);
    }

    #[test]
    fn decodes_any_chunking() {
        let data = stream();
        for size in [1, 2, 3, 4, 5, 7, 13, 100, 999, 5000] {
            let mut decoder = Decoder::new(MAX_LENGTH);
            let mut got = Vec::new();
            for chunk in data.chunks(size) {
                got.extend(decode_all(&mut decoder, chunk).unwrap());
            }
            assert_eq!(got, expected(), "chunk size {size}");
            assert_eq!(decoder.buffered(), 0);
        }
    }

    #[test]
    fn refuses_oversize_from_the_header() {
        let mut decoder = Decoder::new(1000);
        let mut input: &[u8] = &[0, 0, 0x03, 0xE9];
        assert_eq!(
            decoder.next_frame(&mut input),
            Err(RawSocketError::FrameTooLong {
                length: 1001,
                max: 1000
            })
        );
        assert_eq!(decoder.buffered(), 0);
        let mut more: &[u8] = &[0, 0, 0, 0];
        assert_eq!(decoder.next_frame(&mut more), Err(RawSocketError::Failed));
    }

    #[test]
    fn sixteen_mib_frame() {
        let payload = vec![1u8; MAX_LENGTH];
        let mut data = Vec::new();
        encode_frame(FrameKind::Message, &payload, &mut data).unwrap();
        assert_eq!(&data[..4], &[0x08, 0, 0, 0]);
        let mut decoder = Decoder::new(MAX_LENGTH);
        let mut got = Vec::new();
        for chunk in data.chunks(1 << 20) {
            got.extend(decode_all(&mut decoder, chunk).unwrap());
        }
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1.len(), MAX_LENGTH);
    }

    #[test]
    fn reserved_frame_types_fail() {
        for first in [3u8, 4, 5, 6, 7, 0x80] {
            let mut decoder = Decoder::new(MAX_LENGTH);
            assert!(decode_all(&mut decoder, &[first, 0, 0, 0]).is_err());
        }
    }
}
