//! JSON (RFC 8259) with the WAMP binary convention: a string whose first character is
//! U+0000 carries base64 of bytes, in both directions.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::error::Error;
use super::out::extend_short;
use super::value::{Builder, Writer, MAX_DEPTH};
use super::{Decoder, Seq};

const FORMAT: &str = "json";

/// A JSON reader over one complete document.
pub struct JsonDecoder<'a> {
    input: &'a [u8],
    pos: usize,
    scratch: Vec<u8>,
}

/// A string as read: its bytes in the input (UTF-8 not yet checked) when it has no
/// escapes, else in `scratch`.
enum Text<'a> {
    Input(&'a [u8]),
    Scratch,
}

/// The text of a string read from the input at `start` (its opening quote).
fn input_str(raw: &[u8], start: usize) -> Result<&str, Error> {
    std::str::from_utf8(raw).map_err(|e| Error::InvalidUtf8 {
        format: FORMAT,
        offset: start + 1 + e.valid_up_to(),
    })
}

enum Key<'a> {
    Input(&'a str),
    Owned(String),
}

impl<'a> JsonDecoder<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        JsonDecoder {
            input,
            pos: 0,
            scratch: Vec::new(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn syntax(&self, reason: &'static str) -> Error {
        if self.pos >= self.input.len() {
            return Error::Truncated { format: FORMAT };
        }
        Error::Syntax {
            format: FORMAT,
            offset: self.pos,
            reason,
        }
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), Error> {
        let end = self.pos + word.len();
        match self.input.get(self.pos..end) {
            Some(s) if s == word => {
                self.pos = end;
                Ok(())
            }
            None if self
                .input
                .get(self.pos..)
                .is_some_and(|rest| word.starts_with(rest)) =>
            {
                Err(Error::Truncated { format: FORMAT })
            }
            _ => Err(self.syntax("expected a value")),
        }
    }

    fn value<B: Builder>(&mut self, b: &mut B, depth: usize) -> Result<B::Value, Error> {
        self.skip_ws();
        match self.peek() {
            None => Err(Error::Truncated { format: FORMAT }),
            Some(b'[') => self.array(b, depth),
            Some(b'{') => self.object(b, depth),
            Some(b'"') => {
                let start = self.pos;
                match self.string()? {
                    // A str the builder has from an earlier decode needs no UTF-8 check.
                    Text::Input(raw) => match b.known_str(raw) {
                        Some(v) => Ok(v),
                        None => b.str(input_str(raw, start)?),
                    },
                    Text::Scratch => match self.scratch.split_first() {
                        Some((0, rest)) => {
                            let data = STANDARD
                                .decode(rest)
                                .map_err(|_| Error::InvalidBase64 { offset: start })?;
                            b.bytes(&data)
                        }
                        _ => b.str(scratch_str(&self.scratch, start)?),
                    },
                }
            }
            Some(b't') => self.literal(b"true").and_then(|()| b.bool(true)),
            Some(b'f') => self.literal(b"false").and_then(|()| b.bool(false)),
            Some(b'n') => self.literal(b"null").and_then(|()| b.null()),
            Some(b'-' | b'0'..=b'9') => self.number(b),
            Some(_) => Err(self.syntax("expected a value")),
        }
    }

    fn array<B: Builder>(&mut self, b: &mut B, depth: usize) -> Result<B::Value, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::TooDeep {
                format: FORMAT,
                offset: self.pos,
            });
        }
        self.pos += 1;
        let mut list = b.list_begin(0)?;
        let mut seq = Seq::Json { first: true };
        while self.next_element(&mut seq)? {
            let v = self.value(b, depth + 1)?;
            b.list_push(&mut list, v)?;
        }
        b.list_end(list)
    }

    fn object<B: Builder>(&mut self, b: &mut B, depth: usize) -> Result<B::Value, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::TooDeep {
                format: FORMAT,
                offset: self.pos,
            });
        }
        self.pos += 1;
        let mut map = b.map_begin(0)?;
        let mut first = true;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    return b.map_end(map);
                }
                Some(b',') if !first => {
                    self.pos += 1;
                    self.skip_ws();
                }
                _ if first => {}
                _ => return Err(self.syntax("expected ',' or '}'")),
            }
            first = false;
            if self.peek() != Some(b'"') {
                return Err(self.syntax("expected a string key"));
            }
            let start = self.pos;
            let key = match self.string()? {
                Text::Input(raw) => match b.known_key(raw) {
                    Some(key) => {
                        self.colon()?;
                        let v = self.value(b, depth + 1)?;
                        b.map_insert_known(&mut map, key, v)?;
                        continue;
                    }
                    None => Key::Input(input_str(raw, start)?),
                },
                Text::Scratch => Key::Owned(scratch_str(&self.scratch, start)?.to_owned()),
            };
            self.colon()?;
            let v = self.value(b, depth + 1)?;
            let key = match &key {
                Key::Input(s) => s,
                Key::Owned(s) => s.as_str(),
            };
            b.map_insert(&mut map, key, v)?;
        }
    }

    /// Skip the ':' after an object key.
    fn colon(&mut self) -> Result<(), Error> {
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.syntax("expected ':'"));
        }
        self.pos += 1;
        Ok(())
    }

    /// Read a string starting at the opening quote.
    #[inline(always)]
    fn string(&mut self) -> Result<Text<'a>, Error> {
        let input = self.input;
        let start = self.pos + 1;
        let mut i = start;
        // Fast path: no escapes, the string is a slice of the input. Skip 8 bytes at a
        // time while none of them ends the string, escapes or is a control character.
        // The word that stops the scan also says where: the byte loop below starts there.
        while let Some(chunk) = input.get(i..i + 8) {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            if let Some(at) = first_stop(word) {
                i += at;
                break;
            }
            i += 8;
        }
        loop {
            match input.get(i) {
                None => return Err(Error::Truncated { format: FORMAT }),
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(Text::Input(input.get(start..i).unwrap_or_default()));
                }
                Some(b'\\') => break,
                Some(&c) if c < 0x20 => {
                    self.pos = i;
                    return Err(self.syntax("control character in string"));
                }
                Some(_) => i += 1,
            }
        }
        self.scratch.clear();
        self.scratch
            .extend_from_slice(input.get(start..i).unwrap_or_default());
        loop {
            match input.get(i) {
                None => return Err(Error::Truncated { format: FORMAT }),
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(Text::Scratch);
                }
                Some(b'\\') => {
                    self.pos = i;
                    let esc = input
                        .get(i + 1)
                        .ok_or(Error::Truncated { format: FORMAT })?;
                    i += 2;
                    let c = match esc {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let (c, next) = self.unicode_escape(i)?;
                            i = next;
                            c
                        }
                        _ => return Err(self.syntax("invalid escape")),
                    };
                    let mut buf = [0u8; 4];
                    self.scratch
                        .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                Some(&c) if c < 0x20 => {
                    self.pos = i;
                    return Err(self.syntax("control character in string"));
                }
                Some(&c) => {
                    self.scratch.push(c);
                    i += 1;
                }
            }
        }
    }

    /// Decode the 4 hex digits at `i` (after "\u"), joining a surrogate pair.
    fn unicode_escape(&self, i: usize) -> Result<(char, usize), Error> {
        let hi = self.hex4(i)?;
        let (code, next) = if (0xD800..0xDC00).contains(&hi) {
            if self.input.get(i + 4..i + 6) != Some(b"\\u") {
                return Err(Error::InvalidUtf8 {
                    format: FORMAT,
                    offset: i,
                });
            }
            let lo = self.hex4(i + 6)?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(Error::InvalidUtf8 {
                    format: FORMAT,
                    offset: i,
                });
            }
            (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), i + 10)
        } else {
            (hi, i + 4)
        };
        let c = char::from_u32(code).ok_or(Error::InvalidUtf8 {
            format: FORMAT,
            offset: i,
        })?;
        Ok((c, next))
    }

    fn hex4(&self, i: usize) -> Result<u32, Error> {
        let digits = self
            .input
            .get(i..i + 4)
            .ok_or(Error::Truncated { format: FORMAT })?;
        digits.iter().try_fold(0u32, |acc, &d| {
            let v = (d as char).to_digit(16).ok_or(Error::Syntax {
                format: FORMAT,
                offset: i,
                reason: "invalid \\u escape",
            })?;
            Ok(acc * 16 + v)
        })
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number<B: Builder>(&mut self, b: &mut B) -> Result<B::Value, Error> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.syntax("expected a digit")),
        }
        let int_end = self.pos;
        let mut is_float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.syntax("expected a digit after '.'"));
            }
            is_float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.syntax("expected a digit in the exponent"));
            }
            is_float = true;
        }
        if is_float {
            let text = self.input.get(start..self.pos).unwrap_or_default();
            let v: f64 = std::str::from_utf8(text)
                .ok()
                .and_then(|t| t.parse().ok())
                .ok_or(Error::Syntax {
                    format: FORMAT,
                    offset: start,
                    reason: "invalid number",
                })?;
            if !v.is_finite() {
                return Err(Error::Syntax {
                    format: FORMAT,
                    offset: start,
                    reason: "number out of range",
                });
            }
            return b.float(v);
        }
        let out_of_range = || Error::IntegerOutOfRange {
            format: FORMAT,
            offset: start,
        };
        let magnitude = self
            .input
            .get(int_start..int_end)
            .unwrap_or_default()
            .iter()
            .try_fold(0u64, |acc, &d| {
                acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
            })
            .ok_or_else(out_of_range)?;
        if !negative || magnitude == 0 {
            b.uint(magnitude)
        } else if magnitude <= 1 << 63 {
            // -magnitude fits i64 (magnitude 2^63 wraps to i64::MIN exactly).
            b.int(0i64.wrapping_sub_unsigned(magnitude))
        } else {
            Err(out_of_range())
        }
    }
}

fn scratch_str(scratch: &[u8], offset: usize) -> Result<&str, Error> {
    std::str::from_utf8(scratch).map_err(|_| Error::InvalidUtf8 {
        format: FORMAT,
        offset,
    })
}

impl Decoder for JsonDecoder<'_> {
    fn value<B: Builder>(&mut self, b: &mut B, depth: usize) -> Result<B::Value, Error> {
        JsonDecoder::value(self, b, depth)
    }

    fn array_start(&mut self) -> Result<Option<Seq>, Error> {
        self.skip_ws();
        if self.peek() != Some(b'[') {
            return Ok(None);
        }
        self.pos += 1;
        Ok(Some(Seq::Json { first: true }))
    }

    fn next_element(&mut self, seq: &mut Seq) -> Result<bool, Error> {
        self.skip_ws();
        let first = matches!(seq, Seq::Json { first: true });
        *seq = Seq::Json { first: false };
        match self.peek() {
            Some(b']') => {
                self.pos += 1;
                Ok(false)
            }
            Some(b',') if !first => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) if first => Ok(true),
            _ => Err(self.syntax("expected ',' or ']'")),
        }
    }

    fn finish(&mut self) -> Result<(), Error> {
        self.skip_ws();
        if self.pos < self.input.len() {
            return Err(Error::TrailingBytes {
                format: FORMAT,
                offset: self.pos,
            });
        }
        Ok(())
    }
}

/// A JSON writer appending to a buffer (UTF-8 as is, bytes as "\u0000" + base64).
pub struct JsonWriter<'a> {
    out: &'a mut Vec<u8>,
    /// Whether the next item needs a ',' before it.
    comma: bool,
}

impl<'a> JsonWriter<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        JsonWriter { out, comma: false }
    }

    fn item(&mut self) {
        if self.comma {
            self.out.push(b',');
        }
        self.comma = true;
    }
}

/// The high bit of each byte of `word` (read little-endian) that is `"`, `\\` or below
/// 0x20, by the classic "has a zero byte" and "has a byte less than n" tests. A set bit
/// can be wrong only above a right one (a borrow runs upwards), so the mask is non-zero
/// exactly when such a byte is there, and its lowest set bit is the first such byte.
fn stop_mask(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let quote = has_zero(word ^ (ONES * u64::from(b'"')));
    let backslash = has_zero(word ^ (ONES * u64::from(b'\\')));
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    quote | backslash | control
}

/// Whether any byte of `word` is `"`, `\\` or below 0x20.
fn stops_string(word: u64) -> bool {
    stop_mask(word) != 0
}

/// The index of the first byte of `word` (in memory order) that is `"`, `\\` or below
/// 0x20, if any.
fn first_stop(word: u64) -> Option<usize> {
    match stop_mask(word) {
        0 => None,
        m => Some((m.trailing_zeros() / 8) as usize),
    }
}

fn needs_escape(c: u8) -> bool {
    c < 0x20 || c == b'"' || c == b'\\'
}

/// Whether any byte of `bytes` needs an escape: whole words by `stops_string`, then the
/// last few bytes one by one (short strings, most keys, have only those).
fn any_needs_escape(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        if stops_string(u64::from_le_bytes(w)) {
            return true;
        }
    }
    words.remainder().iter().any(|&c| needs_escape(c))
}

fn write_string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Most strings need no escape: a pass 8 bytes at a time decides.
    if !any_needs_escape(bytes) {
        extend_short(out, bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        if !needs_escape(c) {
            continue;
        }
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        start = i + 1;
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let hex = |n: u8| HEX.get(usize::from(n & 0xf)).copied().unwrap_or(b'0');
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(c >> 4), hex(c)]);
            }
        }
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

impl Writer for JsonWriter<'_> {
    const INLINE_SCALARS: bool = false;

    fn null(&mut self) -> Result<(), Error> {
        self.item();
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn bool(&mut self, v: bool) -> Result<(), Error> {
        self.item();
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn int(&mut self, v: i64) -> Result<(), Error> {
        self.item();
        self.out
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        Ok(())
    }
    fn uint(&mut self, v: u64) -> Result<(), Error> {
        self.item();
        self.out
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        Ok(())
    }
    fn float(&mut self, v: f64) -> Result<(), Error> {
        if !v.is_finite() {
            return Err(Error::unencodable(format!(
                "JSON cannot represent the float {v}"
            )));
        }
        self.item();
        self.out
            .extend_from_slice(zmij::Buffer::new().format_finite(v).as_bytes());
        Ok(())
    }
    fn str(&mut self, v: &str) -> Result<(), Error> {
        if v.starts_with('\0') {
            // The binary convention reserves that prefix: the peer would read bytes.
            return Err(Error::unencodable(
                "a str starting with U+0000 reads as binary in JSON (send bytes instead)",
            ));
        }
        self.item();
        write_string(self.out, v);
        Ok(())
    }
    fn bytes(&mut self, v: &[u8]) -> Result<(), Error> {
        self.item();
        self.out.extend_from_slice(b"\"\\u0000");
        let start = self.out.len();
        self.out
            .resize(start + base64::encoded_len(v.len(), true).unwrap_or(0), 0);
        let tail = self.out.get_mut(start..).unwrap_or_default();
        let n = STANDARD
            .encode_slice(v, tail)
            .map_err(|_| Error::unencodable("bytes too long for base64"))?;
        self.out.truncate(start + n);
        self.out.push(b'"');
        Ok(())
    }
    fn array_begin(&mut self, _len: usize) -> Result<(), Error> {
        self.item();
        self.out.push(b'[');
        self.comma = false;
        Ok(())
    }
    fn array_end(&mut self) -> Result<(), Error> {
        self.out.push(b']');
        self.comma = true;
        Ok(())
    }
    fn map_begin(&mut self, _len: usize) -> Result<(), Error> {
        self.item();
        self.out.push(b'{');
        self.comma = false;
        Ok(())
    }
    fn map_key(&mut self, key: &str) -> Result<(), Error> {
        if self.comma {
            self.out.push(b',');
        }
        write_string(self.out, key);
        self.out.push(b':');
        self.comma = false;
        Ok(())
    }
    fn map_end(&mut self) -> Result<(), Error> {
        self.out.push(b'}');
        self.comma = true;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stops_bytewise(word: u64) -> bool {
        word.to_le_bytes()
            .iter()
            .any(|&c| c < 0x20 || c == b'"' || c == b'\\')
    }

    #[test]
    fn every_stopping_byte_at_every_position_stops_a_word() {
        for at in 0..8 {
            for c in (0u8..0x20).chain([b'"', b'\\']) {
                let mut bytes = *b"abcdefgh";
                bytes[at] = c;
                assert!(stops_string(u64::from_le_bytes(bytes)), "{c:#x} at {at}");
            }
        }
        assert!(!stops_string(u64::from_le_bytes(*b"a.b-c~\x7f\xff")));
    }

    proptest! {
        #[test]
        fn the_word_test_agrees_with_the_byte_test(word: u64) {
            prop_assert_eq!(stops_string(word), stops_bytewise(word));
        }

        #[test]
        fn the_first_stop_is_the_first_stopping_byte(word: u64, at in 0usize..8, c in 0u8..0x24) {
            // Random words rarely hold a stopping byte: plant one (or a near miss) at `at`.
            let mut bytes = word.to_le_bytes();
            bytes[at] = if c >= 0x20 { [b'"', b'\\', b'!', b'#'][usize::from(c - 0x20)] } else { c };
            let planted = u64::from_le_bytes(bytes);
            let expected = bytes.iter().position(|&c| c < 0x20 || c == b'"' || c == b'\\');
            prop_assert_eq!(first_stop(planted), expected);
            prop_assert_eq!(first_stop(word), word.to_le_bytes().iter().position(|&c| c < 0x20 || c == b'"' || c == b'\\'));
        }

        #[test]
        fn strings_decode_to_their_text(text in "[ -~\u{80}-\u{10ffff}]{0,40}") {
            let json = serde_json::to_string(&text).unwrap_or_default();
            let mut b = crate::codec::value::ValueBuilder;
            let value = crate::codec::decode_value(crate::Serializer::Json, json.as_bytes(), &mut b);
            prop_assert_eq!(value.ok(), Some(crate::codec::Value::Str(text)));
        }
    }
}
