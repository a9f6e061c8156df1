//! CBOR (RFC 8949): definite and indefinite lengths, half/single/double floats.
//!
//! Tags are skipped (the tagged item is read as is), except bignums (tags 2 and 3), which
//! are refused like any other integer out of range. `undefined` and simple values other
//! than false/true/null are refused: WAMP values have no counterpart for them.

use super::error::Error;
use super::out::extend_short;
use super::value::{Builder, Writer, MAX_DEPTH};
use super::{Decoder, Seq};

const FORMAT: &str = "cbor";
const BREAK: u8 = 0xff;

/// A CBOR reader over one complete data item.
pub struct CborDecoder<'a> {
    input: &'a [u8],
    pos: usize,
    scratch: Vec<u8>,
}

/// The argument of an item head: a definite value, or indefinite length.
enum Arg {
    Definite(u64),
    Indefinite,
}

impl<'a> CborDecoder<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        CborDecoder {
            input,
            pos: 0,
            scratch: Vec::new(),
        }
    }

    fn byte(&mut self) -> Result<u8, Error> {
        let b = *self
            .input
            .get(self.pos)
            .ok_or(Error::Truncated { format: FORMAT })?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], Error> {
        let end = usize::try_from(n)
            .ok()
            .and_then(|n| self.pos.checked_add(n))
            .ok_or(Error::Truncated { format: FORMAT })?;
        let s = self
            .input
            .get(self.pos..end)
            .ok_or(Error::Truncated { format: FORMAT })?;
        self.pos = end;
        Ok(s)
    }

    fn array_n<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let s = self.take(N as u64)?;
        s.try_into()
            .map_err(|_| Error::Truncated { format: FORMAT })
    }

    fn remaining(&self) -> u64 {
        self.input.len().saturating_sub(self.pos) as u64
    }

    fn syntax(&self, offset: usize, reason: &'static str) -> Error {
        Error::Syntax {
            format: FORMAT,
            offset,
            reason,
        }
    }

    /// Read the argument that follows an initial byte with additional information `info`.
    fn arg(&mut self, info: u8, start: usize) -> Result<Arg, Error> {
        Ok(Arg::Definite(match info {
            0..=23 => u64::from(info),
            24 => u64::from(self.byte()?),
            25 => u64::from(u16::from_be_bytes(self.array_n()?)),
            26 => u64::from(u32::from_be_bytes(self.array_n()?)),
            27 => u64::from_be_bytes(self.array_n()?),
            31 => return Ok(Arg::Indefinite),
            _ => return Err(self.syntax(start, "reserved additional information")),
        }))
    }

    /// Whether the next byte is a break (consumed) ending an indefinite-length item.
    fn at_break(&mut self) -> Result<bool, Error> {
        match self.input.get(self.pos) {
            None => Err(Error::Truncated { format: FORMAT }),
            Some(&BREAK) => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) => Ok(false),
        }
    }

    /// Read a byte (major 2) or text (major 3) string whose head is already read.
    /// Definite strings are borrowed; indefinite ones are joined in `scratch` (None).
    fn string(&mut self, major: u8, arg: Arg) -> Result<Option<&'a [u8]>, Error> {
        match arg {
            Arg::Definite(n) => {
                // Definite text is checked for UTF-8 by the caller, once.
                self.take(n).map(Some)
            }
            Arg::Indefinite => {
                let mut joined = std::mem::take(&mut self.scratch);
                joined.clear();
                while !self.at_break()? {
                    let start = self.pos;
                    let ib = self.byte()?;
                    if ib >> 5 != major {
                        return Err(self.syntax(start, "chunk of another type in a string"));
                    }
                    let Arg::Definite(n) = self.arg(ib & 0x1f, start)? else {
                        return Err(self.syntax(start, "nested indefinite-length string"));
                    };
                    let offset = self.pos;
                    let chunk = self.take(n)?;
                    if major == 3 {
                        check_utf8(chunk, offset)?;
                    }
                    joined.extend_from_slice(chunk);
                }
                self.scratch = joined;
                Ok(None)
            }
        }
    }

    fn value<B: Builder>(&mut self, b: &mut B, depth: usize) -> Result<B::Value, Error> {
        let start = self.pos;
        let ib = self.byte()?;
        let (major, info) = (ib >> 5, ib & 0x1f);
        if major == 7 {
            return self.simple(b, info, start);
        }
        if major == 3 && info < 24 {
            return self.short_text(b, info, start);
        }
        let arg = self.arg(info, start)?;
        match (major, arg) {
            (0, Arg::Definite(n)) => b.uint(n),
            (1, Arg::Definite(n)) => match i64::try_from(n) {
                // -1 - n, computed without overflow: !n as i64 == -1 - n.
                Ok(n) => b.int(!n),
                Err(_) => Err(Error::IntegerOutOfRange {
                    format: FORMAT,
                    offset: start,
                }),
            },
            (0 | 1, Arg::Indefinite) => Err(self.syntax(start, "indefinite-length integer")),
            (2, arg) => match self.string(2, arg)? {
                Some(data) => b.bytes(data),
                None => b.bytes(&self.scratch),
            },
            (3, arg) => match self.string(3, arg)? {
                Some(data) => b.str(check_utf8(data, start)?),
                None => b.str(check_utf8(&self.scratch, start)?),
            },
            (4, arg) => self.array(b, arg, depth, start),
            (5, arg) => self.map(b, arg, depth, start),
            (6, Arg::Definite(2 | 3)) => Err(Error::IntegerOutOfRange {
                format: FORMAT,
                offset: start,
            }),
            (6, Arg::Definite(_)) => {
                // A tag annotates the next item; read that item. Tags count toward depth so
                // that a long chain of tags cannot recurse without bound.
                if depth > MAX_DEPTH {
                    return Err(Error::TooDeep {
                        format: FORMAT,
                        offset: start,
                    });
                }
                self.value(b, depth + 1)
            }
            _ => Err(self.syntax(start, "indefinite-length tag")),
        }
    }

    /// Short text, the most common item: its length (`info`) is in the head at `start`.
    #[inline(always)]
    fn short_text<B: Builder>(
        &mut self,
        b: &mut B,
        info: u8,
        start: usize,
    ) -> Result<B::Value, Error> {
        let data = self.take(u64::from(info))?;
        if let Some(v) = b.known_str(data) {
            return Ok(v);
        }
        b.str(check_utf8(data, start)?)
    }

    /// An item of an array or map: small unsigned ints, short text and simple values
    /// (bools, null, floats) are read in the loop, anything else by `value`.
    #[inline(always)]
    fn item<B: Builder>(&mut self, b: &mut B, depth: usize) -> Result<B::Value, Error> {
        let start = self.pos;
        match self.input.get(start) {
            Some(&ib) if ib < 24 => {
                self.pos += 1;
                b.uint(u64::from(ib))
            }
            Some(&ib) if ib >> 5 == 3 && ib & 0x1f < 24 => {
                self.pos += 1;
                self.short_text(b, ib & 0x1f, start)
            }
            Some(&ib) if ib >> 5 == 7 => {
                self.pos += 1;
                self.simple(b, ib & 0x1f, start)
            }
            _ => self.value(b, depth),
        }
    }

    #[inline(always)]
    fn simple<B: Builder>(&mut self, b: &mut B, info: u8, start: usize) -> Result<B::Value, Error> {
        match info {
            20 => b.bool(false),
            21 => b.bool(true),
            22 => b.null(),
            23 => Err(Error::Unsupported {
                format: FORMAT,
                offset: start,
                what: "undefined",
            }),
            25 => b.float(half_to_f64(u16::from_be_bytes(self.array_n()?))),
            26 => b.float(f64::from(f32::from_be_bytes(self.array_n()?))),
            27 => b.float(f64::from_be_bytes(self.array_n()?)),
            28..=30 => Err(self.syntax(start, "reserved additional information")),
            31 => Err(self.syntax(start, "unexpected break")),
            _ => Err(Error::Unsupported {
                format: FORMAT,
                offset: start,
                what: "simple value",
            }),
        }
    }

    fn array<B: Builder>(
        &mut self,
        b: &mut B,
        arg: Arg,
        depth: usize,
        start: usize,
    ) -> Result<B::Value, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::TooDeep {
                format: FORMAT,
                offset: start,
            });
        }
        let mut seq = self.seq(arg)?;
        let hint = match seq {
            Seq::Count(n) => n,
            _ => 0,
        };
        let mut list = b.list_begin(hint)?;
        while self.next_element(&mut seq)? {
            let v = self.item(b, depth + 1)?;
            b.list_push(&mut list, v)?;
        }
        b.list_end(list)
    }

    fn map<B: Builder>(
        &mut self,
        b: &mut B,
        arg: Arg,
        depth: usize,
        start: usize,
    ) -> Result<B::Value, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::TooDeep {
                format: FORMAT,
                offset: start,
            });
        }
        let mut seq = match arg {
            // Every entry takes at least two bytes.
            Arg::Definite(n) if n > self.remaining() / 2 => {
                return Err(Error::Truncated { format: FORMAT })
            }
            arg => self.seq(arg)?,
        };
        let hint = match seq {
            Seq::Count(n) => n,
            _ => 0,
        };
        let mut map = b.map_begin(hint)?;
        while self.next_element(&mut seq)? {
            let key_start = self.pos;
            let ib = self.byte()?;
            if ib >> 5 != 3 {
                return Err(Error::NonStringKey {
                    format: FORMAT,
                    offset: key_start,
                });
            }
            // Keys shorter than 24 bytes (nearly all) carry their length in the head and
            // lie in the input as they are.
            let text = match ib & 0x1f {
                n @ 0..=23 => Some(self.take(u64::from(n))?),
                info => {
                    let arg = self.arg(info, key_start)?;
                    self.string(3, arg)?
                }
            };
            let key = match text {
                Some(data) => {
                    if let Some(key) = b.known_key(data) {
                        let v = self.item(b, depth + 1)?;
                        b.map_insert_known(&mut map, key, v)?;
                        continue;
                    }
                    KeyText::Input(check_utf8(data, key_start)?)
                }
                None => KeyText::Owned(check_utf8(&self.scratch, key_start)?.to_owned()),
            };
            let v = self.item(b, depth + 1)?;
            let key = match &key {
                KeyText::Input(s) => s,
                KeyText::Owned(s) => s.as_str(),
            };
            b.map_insert(&mut map, key, v)?;
        }
        b.map_end(map)
    }

    fn seq(&self, arg: Arg) -> Result<Seq, Error> {
        match arg {
            Arg::Definite(n) if n > self.remaining() => Err(Error::Truncated { format: FORMAT }),
            Arg::Definite(n) => Ok(Seq::Count(
                usize::try_from(n).map_err(|_| Error::Truncated { format: FORMAT })?,
            )),
            Arg::Indefinite => Ok(Seq::Indefinite),
        }
    }
}

enum KeyText<'a> {
    Input(&'a str),
    Owned(String),
}

fn check_utf8(data: &[u8], offset: usize) -> Result<&str, Error> {
    std::str::from_utf8(data).map_err(|e| Error::InvalidUtf8 {
        format: FORMAT,
        offset: offset + e.valid_up_to(),
    })
}

/// IEEE 754 binary16 to f64.
fn half_to_f64(h: u16) -> f64 {
    let exponent = i32::from((h >> 10) & 0x1f);
    let mantissa = f64::from(h & 0x3ff);
    let magnitude = match exponent {
        0 => mantissa * 2f64.powi(-24),
        31 if mantissa == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (mantissa + 1024.0) * 2f64.powi(e - 25),
    };
    if h & 0x8000 != 0 {
        -magnitude
    } else {
        magnitude
    }
}

impl Decoder for CborDecoder<'_> {
    fn value<B: Builder>(&mut self, b: &mut B, depth: usize) -> Result<B::Value, Error> {
        CborDecoder::value(self, b, depth)
    }

    fn array_start(&mut self) -> Result<Option<Seq>, Error> {
        let start = self.pos;
        let ib = *self
            .input
            .get(start)
            .ok_or(Error::Truncated { format: FORMAT })?;
        if ib >> 5 != 4 {
            return Ok(None);
        }
        self.pos += 1;
        let arg = self.arg(ib & 0x1f, start)?;
        self.seq(arg).map(Some)
    }

    fn next_element(&mut self, seq: &mut Seq) -> Result<bool, Error> {
        match seq {
            Seq::Count(0) => Ok(false),
            Seq::Count(n) => {
                *n -= 1;
                Ok(true)
            }
            Seq::Indefinite => Ok(!self.at_break()?),
            Seq::Json { .. } => Ok(false),
        }
    }

    fn finish(&mut self) -> Result<(), Error> {
        if self.pos < self.input.len() {
            return Err(Error::TrailingBytes {
                format: FORMAT,
                offset: self.pos,
            });
        }
        Ok(())
    }
}

/// A CBOR writer appending to a buffer: shortest heads, definite lengths, double floats.
pub struct CborWriter<'a> {
    out: &'a mut Vec<u8>,
}

impl<'a> CborWriter<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        CborWriter { out }
    }

    #[inline(always)]
    fn head(&mut self, major: u8, n: u64) {
        let m = major << 5;
        if n < 24 {
            self.out.push(m | n as u8);
        } else if let Ok(x) = u8::try_from(n) {
            self.out.extend_from_slice(&[m | 24, x]);
        } else if let Ok(x) = u16::try_from(n) {
            self.out.push(m | 25);
            self.out.extend_from_slice(&x.to_be_bytes());
        } else if let Ok(x) = u32::try_from(n) {
            self.out.push(m | 26);
            self.out.extend_from_slice(&x.to_be_bytes());
        } else {
            self.out.push(m | 27);
            self.out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

impl Writer for CborWriter<'_> {
    fn null(&mut self) -> Result<(), Error> {
        self.out.push(0xf6);
        Ok(())
    }
    fn bool(&mut self, v: bool) -> Result<(), Error> {
        self.out.push(if v { 0xf5 } else { 0xf4 });
        Ok(())
    }
    fn int(&mut self, v: i64) -> Result<(), Error> {
        match u64::try_from(v) {
            Ok(u) => self.head(0, u),
            // -1 - v == !v for negative v, and it is non-negative.
            Err(_) => self.head(1, (!v) as u64),
        }
        Ok(())
    }
    fn uint(&mut self, v: u64) -> Result<(), Error> {
        self.head(0, v);
        Ok(())
    }
    fn float(&mut self, v: f64) -> Result<(), Error> {
        self.out.push(0xfb);
        self.out.extend_from_slice(&v.to_be_bytes());
        Ok(())
    }
    #[inline(always)]
    fn str(&mut self, v: &str) -> Result<(), Error> {
        let bytes = v.as_bytes();
        match u8::try_from(bytes.len()) {
            // Short text, the most common item: its length fits in the head.
            Ok(n) if n < 24 => self.out.push(0x60 | n),
            _ => self.head(3, bytes.len() as u64),
        }
        extend_short(self.out, bytes);
        Ok(())
    }
    fn bytes(&mut self, v: &[u8]) -> Result<(), Error> {
        self.head(2, v.len() as u64);
        self.out.extend_from_slice(v);
        Ok(())
    }
    fn array_begin(&mut self, len: usize) -> Result<(), Error> {
        self.head(4, len as u64);
        Ok(())
    }
    fn array_end(&mut self) -> Result<(), Error> {
        Ok(())
    }
    fn map_begin(&mut self, len: usize) -> Result<(), Error> {
        self.head(5, len as u64);
        Ok(())
    }
    fn map_key(&mut self, key: &str) -> Result<(), Error> {
        self.str(key)
    }
    fn map_end(&mut self) -> Result<(), Error> {
        Ok(())
    }
}
