//! WebSocket frames (RFC 6455 section 5): header parsing and building, and masking.

use super::{WsError, MAX_CONTROL_PAYLOAD};

/// A frame opcode defined by RFC 6455.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opcode {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}

impl Opcode {
    /// The opcode with value `value`, if RFC 6455 defines it.
    pub fn from_u8(value: u8) -> Option<Self> {
        match value {
            0x0 => Some(Self::Continuation),
            0x1 => Some(Self::Text),
            0x2 => Some(Self::Binary),
            0x8 => Some(Self::Close),
            0x9 => Some(Self::Ping),
            0xA => Some(Self::Pong),
            _ => None,
        }
    }

    /// Whether this is a control frame (close, ping, pong).
    pub fn is_control(self) -> bool {
        (self as u8) & 0x8 != 0
    }
}

/// The largest header: 2 octets, a 64-bit length and a masking key.
pub const MAX_HEADER_LEN: usize = 14;

/// A parsed frame header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    pub fin: bool,
    pub opcode: Opcode,
    pub mask: Option<[u8; 4]>,
    pub length: u64,
}

/// Parse the frame header at the start of `data`: `Ok(None)` while incomplete, else the
/// header and its size. Checks what the header alone can tell (RSV bits, opcode, control
/// frame rules, length MSB); masking rules depend on the role and live in the stream.
pub fn parse_header(data: &[u8]) -> Result<Option<(FrameHeader, usize)>, WsError> {
    let (Some(&b0), Some(&b1)) = (data.first(), data.get(1)) else {
        return Ok(None);
    };
    if b0 & 0x70 != 0 {
        return Err(WsError::ReservedBits(b0));
    }
    let fin = b0 & 0x80 != 0;
    let opcode = Opcode::from_u8(b0 & 0x0F).ok_or(WsError::UnknownOpcode(b0 & 0x0F))?;
    let masked = b1 & 0x80 != 0;
    let short = b1 & 0x7F;
    if opcode.is_control() {
        if !fin {
            return Err(WsError::FragmentedControl(opcode));
        }
        if usize::from(short) > MAX_CONTROL_PAYLOAD {
            return Err(WsError::ControlTooLong(u64::from(short)));
        }
    }
    let (length, mut pos) = match short {
        126 => match data.get(2..4) {
            Some(&[a, b]) => (u64::from(u16::from_be_bytes([a, b])), 4),
            _ => return Ok(None),
        },
        127 => match data.get(2..10).and_then(|s| <[u8; 8]>::try_from(s).ok()) {
            Some(bytes) => {
                let length = u64::from_be_bytes(bytes);
                if length >> 63 != 0 {
                    return Err(WsError::LengthOverflow(length));
                }
                (length, 10)
            }
            None => return Ok(None),
        },
        n => (u64::from(n), 2),
    };
    let mask = if masked {
        match data
            .get(pos..pos + 4)
            .and_then(|s| <[u8; 4]>::try_from(s).ok())
        {
            Some(key) => {
                pos += 4;
                Some(key)
            }
            None => return Ok(None),
        }
    } else {
        None
    };
    Ok(Some((
        FrameHeader {
            fin,
            opcode,
            mask,
            length,
        },
        pos,
    )))
}

/// The header of a frame (the shortest length encoding) and its size.
pub fn header_bytes(
    fin: bool,
    opcode: Opcode,
    length: usize,
    mask: Option<[u8; 4]>,
) -> ([u8; MAX_HEADER_LEN], usize) {
    let mut h = [0u8; MAX_HEADER_LEN];
    let b0 = if fin { 0x80 } else { 0 } | opcode as u8;
    let m = if mask.is_some() { 0x80 } else { 0 };
    let mut n = 2;
    let len_field = if length < 126 {
        length as u8
    } else if let Ok(short) = u16::try_from(length) {
        if let Some(dst) = h.get_mut(2..4) {
            dst.copy_from_slice(&short.to_be_bytes());
        }
        n = 4;
        126
    } else {
        if let Some(dst) = h.get_mut(2..10) {
            dst.copy_from_slice(&(length as u64).to_be_bytes());
        }
        n = 10;
        127
    };
    if let Some(dst) = h.get_mut(..2) {
        dst.copy_from_slice(&[b0, m | len_field]);
    }
    if let (Some(key), Some(dst)) = (mask, h.get_mut(n..n + 4)) {
        dst.copy_from_slice(&key);
        n += 4;
    }
    (h, n)
}

/// Append a frame header to `out` (the shortest length encoding).
pub fn write_header(
    out: &mut Vec<u8>,
    fin: bool,
    opcode: Opcode,
    length: usize,
    mask: Option<[u8; 4]>,
) {
    let (h, n) = header_bytes(fin, opcode, length, mask);
    out.extend_from_slice(h.get(..n).unwrap_or_default());
}

/// Frame a payload that was written after [`MAX_HEADER_LEN`] reserved octets at the start
/// of `buf`: write the header just before the payload and mask it. Returns the offset at
/// which the frame starts, so encoding a message needs no second copy.
pub fn frame_reserved(buf: &mut [u8], opcode: Opcode, mask: Option<[u8; 4]>) -> usize {
    let length = buf.len().saturating_sub(MAX_HEADER_LEN);
    let (h, n) = header_bytes(true, opcode, length, mask);
    let start = MAX_HEADER_LEN - n;
    if let (Some(dst), Some(src)) = (buf.get_mut(start..MAX_HEADER_LEN), h.get(..n)) {
        dst.copy_from_slice(src);
    }
    if let (Some(key), Some(payload)) = (mask, buf.get_mut(MAX_HEADER_LEN..)) {
        apply_mask(payload, key, 0);
    }
    start
}

/// The size of the header of a frame with `length` payload octets.
pub fn header_len(length: usize, masked: bool) -> usize {
    let base = match length {
        0..=125 => 2,
        126..=0xFFFF => 4,
        _ => 10,
    };
    base + if masked { 4 } else { 0 }
}

/// Append a whole frame to `out`, masking the payload with `mask` when given.
pub fn encode_frame(
    out: &mut Vec<u8>,
    fin: bool,
    opcode: Opcode,
    payload: &[u8],
    mask: Option<[u8; 4]>,
) {
    out.reserve(header_len(payload.len(), mask.is_some()) + payload.len());
    write_header(out, fin, opcode, payload.len(), mask);
    let start = out.len();
    out.extend_from_slice(payload);
    if let (Some(key), Some(tail)) = (mask, out.get_mut(start..)) {
        apply_mask(tail, key, 0);
    }
}

/// XOR `data` with the masking `key`, where `data` starts `offset` octets into the
/// payload. Masking and unmasking are the same operation. Works 8 octets at a time.
pub fn apply_mask(data: &mut [u8], key: [u8; 4], offset: usize) {
    let mut key = key;
    key.rotate_left(offset % 4);
    let [k0, k1, k2, k3] = key;
    let wide = u64::from_ne_bytes([k0, k1, k2, k3, k0, k1, k2, k3]);
    let mut chunks = data.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u64::from_ne_bytes(word) ^ wide).to_ne_bytes());
    }
    // The remainder starts at a multiple of 8, so the key phase is unchanged.
    for (byte, k) in chunks.into_remainder().iter_mut().zip(key.iter().cycle()) {
        *byte ^= k;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn naive_mask(data: &[u8], key: [u8; 4], offset: usize) -> Vec<u8> {
        data.iter()
            .enumerate()
            .map(|(i, b)| b ^ key[(i + offset) % 4])
            .collect()
    }

    #[test]
    fn mask_matches_the_rfc_definition() {
        let key = [0x37, 0xfa, 0x21, 0x3d];
        let data: Vec<u8> = (0..=255u8).collect();
        for len in [0, 1, 3, 7, 8, 9, 15, 16, 17, 100, 256] {
            for offset in 0..6 {
                let mut got = data[..len].to_vec();
                apply_mask(&mut got, key, offset);
                assert_eq!(
                    got,
                    naive_mask(&data[..len], key, offset),
                    "len {len} offset {offset}"
                );
            }
        }
    }

    #[test]
    fn rfc_examples() {
        // RFC 6455 section 5.7: a single-frame unmasked and masked text message "Hello".
        let mut out = Vec::new();
        encode_frame(&mut out, true, Opcode::Text, b"Hello", None);
        assert_eq!(out, [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
        out.clear();
        encode_frame(
            &mut out,
            true,
            Opcode::Text,
            b"Hello",
            Some([0x37, 0xfa, 0x21, 0x3d]),
        );
        assert_eq!(
            out,
            [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        );
        let (header, n) = parse_header(&out).unwrap().unwrap();
        assert_eq!(n, 6);
        assert_eq!(
            header,
            FrameHeader {
                fin: true,
                opcode: Opcode::Text,
                mask: Some([0x37, 0xfa, 0x21, 0x3d]),
                length: 5
            }
        );
        // 256 bytes binary message in a single unmasked frame, and 64 KiB.
        out.clear();
        write_header(&mut out, true, Opcode::Binary, 256, None);
        assert_eq!(out, [0x82, 0x7E, 0x01, 0x00]);
        out.clear();
        write_header(&mut out, true, Opcode::Binary, 65536, None);
        assert_eq!(out, [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0]);
        assert_eq!(parse_header(&out).unwrap().unwrap().0.length, 65536);
    }

    #[test]
    fn frame_reserved_matches_encode_frame() {
        for len in [0usize, 5, 125, 126, 65535, 65536] {
            for mask in [None, Some([9, 8, 7, 6])] {
                let payload: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let mut expected = Vec::new();
                encode_frame(&mut expected, true, Opcode::Binary, &payload, mask);
                let mut buf = vec![0u8; MAX_HEADER_LEN];
                buf.extend_from_slice(&payload);
                let start = frame_reserved(&mut buf, Opcode::Binary, mask);
                assert_eq!(&buf[start..], &expected[..]);
            }
        }
    }

    #[test]
    fn header_lengths() {
        for len in [0usize, 125, 126, 65535, 65536, 1 << 40] {
            for mask in [None, Some([1, 2, 3, 4])] {
                let mut out = Vec::new();
                write_header(&mut out, false, Opcode::Binary, len, mask);
                assert_eq!(out.len(), header_len(len, mask.is_some()));
                for cut in 0..out.len() {
                    assert_eq!(parse_header(&out[..cut]), Ok(None));
                }
                let (h, n) = parse_header(&out).unwrap().unwrap();
                assert_eq!(
                    (h.length, h.mask, h.fin, n),
                    (len as u64, mask, false, out.len())
                );
            }
        }
    }

    #[test]
    fn header_violations() {
        assert_eq!(parse_header(&[0xC1, 0]), Err(WsError::ReservedBits(0xC1)));
        assert_eq!(parse_header(&[0x83, 0]), Err(WsError::UnknownOpcode(3)));
        assert_eq!(parse_header(&[0x8B, 0]), Err(WsError::UnknownOpcode(0xB)));
        assert_eq!(
            parse_header(&[0x09, 0]),
            Err(WsError::FragmentedControl(Opcode::Ping))
        );
        assert_eq!(
            parse_header(&[0x89, 126, 0, 126]),
            Err(WsError::ControlTooLong(126))
        );
        assert_eq!(
            parse_header(&[0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0]),
            Err(WsError::LengthOverflow(1 << 63))
        );
    }
}
