//! MessagePack (spec v5: str and bin are distinct; extension types are refused).

use super::error::Error;
use super::out::extend_short;
use super::value::{Builder, Writer, MAX_DEPTH};
use super::{Decoder, Seq};

const FORMAT: &str = "msgpack";

/// A MessagePack reader over one complete value.
pub struct MsgpackDecoder<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> MsgpackDecoder<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        MsgpackDecoder { input, pos: 0 }
    }

    fn byte(&mut self) -> Result<u8, Error> {
        let b = *self
            .input
            .get(self.pos)
            .ok_or(Error::Truncated { format: FORMAT })?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(Error::Truncated { format: FORMAT })?;
        let s = self
            .input
            .get(self.pos..end)
            .ok_or(Error::Truncated { format: FORMAT })?;
        self.pos = end;
        Ok(s)
    }

    fn array_n<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let s = self.take(N)?;
        s.try_into()
            .map_err(|_| Error::Truncated { format: FORMAT })
    }

    fn u8(&mut self) -> Result<usize, Error> {
        self.byte().map(usize::from)
    }
    fn u16(&mut self) -> Result<usize, Error> {
        self.array_n().map(|b| usize::from(u16::from_be_bytes(b)))
    }
    fn u32(&mut self) -> Result<usize, Error> {
        let v = u32::from_be_bytes(self.array_n()?);
        usize::try_from(v).map_err(|_| Error::Truncated { format: FORMAT })
    }

    fn remaining(&self) -> usize {
        self.input.len().saturating_sub(self.pos)
    }

    fn text(&mut self, len: usize, offset: usize) -> Result<&'a str, Error> {
        let raw = self.take(len)?;
        std::str::from_utf8(raw).map_err(|e| Error::InvalidUtf8 {
            format: FORMAT,
            offset: offset + e.valid_up_to(),
        })
    }

    fn value<B: Builder>(&mut self, b: &mut B, depth: usize) -> Result<B::Value, Error> {
        let start = self.pos;
        let t = self.byte()?;
        match t {
            0x80..=0x8f => self.map(b, usize::from(t & 0x0f), depth, start),
            0x90..=0x9f => self.array(b, usize::from(t & 0x0f), depth, start),
            0xdc => {
                let n = self.u16()?;
                self.array(b, n, depth, start)
            }
            0xdd => {
                let n = self.u32()?;
                self.array(b, n, depth, start)
            }
            0xde => {
                let n = self.u16()?;
                self.map(b, n, depth, start)
            }
            0xdf => {
                let n = self.u32()?;
                self.map(b, n, depth, start)
            }
            _ => self.scalar(b, t, start),
        }
    }

    /// An item of an array or map: a scalar is read in the loop, a container by `value`.
    #[inline(always)]
    fn item<B: Builder>(&mut self, b: &mut B, depth: usize) -> Result<B::Value, Error> {
        match self.input.get(self.pos) {
            Some(&t) if !matches!(t, 0x80..=0x9f | 0xdc..=0xdf) => {
                let start = self.pos;
                self.pos += 1;
                self.scalar(b, t, start)
            }
            _ => self.value(b, depth),
        }
    }

    /// Read a value that is not a container, whose type byte `t` is read.
    #[inline(always)]
    fn scalar<B: Builder>(&mut self, b: &mut B, t: u8, start: usize) -> Result<B::Value, Error> {
        match t {
            0x00..=0x7f => b.uint(u64::from(t)),
            0xa0..=0xbf => {
                let offset = self.pos;
                let raw = self.take(usize::from(t & 0x1f))?;
                if let Some(v) = b.known_str(raw) {
                    return Ok(v);
                }
                let s = std::str::from_utf8(raw).map_err(|e| Error::InvalidUtf8 {
                    format: FORMAT,
                    offset: offset + e.valid_up_to(),
                })?;
                b.str(s)
            }
            0xc0 => b.null(),
            0xc1 => Err(Error::Syntax {
                format: FORMAT,
                offset: start,
                reason: "reserved byte 0xc1",
            }),
            0xc2 => b.bool(false),
            0xc3 => b.bool(true),
            0xc4..=0xc6 => {
                let n = match t {
                    0xc4 => self.u8()?,
                    0xc5 => self.u16()?,
                    _ => self.u32()?,
                };
                let data = self.take(n)?;
                b.bytes(data)
            }
            0xc7..=0xc9 | 0xd4..=0xd8 => Err(Error::Unsupported {
                format: FORMAT,
                offset: start,
                what: "extension types are not WAMP values",
            }),
            0xca => b.float(f64::from(f32::from_be_bytes(self.array_n()?))),
            0xcb => b.float(f64::from_be_bytes(self.array_n()?)),
            0xcc => b.uint(u64::from(self.byte()?)),
            0xcd => b.uint(u64::from(u16::from_be_bytes(self.array_n()?))),
            0xce => b.uint(u64::from(u32::from_be_bytes(self.array_n()?))),
            0xcf => b.uint(u64::from_be_bytes(self.array_n()?)),
            0xd0..=0xd3 => {
                let v = match t {
                    0xd0 => i64::from(i8::from_be_bytes(self.array_n()?)),
                    0xd1 => i64::from(i16::from_be_bytes(self.array_n()?)),
                    0xd2 => i64::from(i32::from_be_bytes(self.array_n()?)),
                    _ => i64::from_be_bytes(self.array_n()?),
                };
                int(b, v)
            }
            0xd9..=0xdb => {
                let n = match t {
                    0xd9 => self.u8()?,
                    0xda => self.u16()?,
                    _ => self.u32()?,
                };
                let s = self.text(n, self.pos)?;
                b.str(s)
            }
            0xe0..=0xff => b.int(i64::from(t as i8)),
            // Containers are read by `value` and never reach here.
            0x80..=0x9f | 0xdc..=0xdf => Err(Error::Syntax {
                format: FORMAT,
                offset: start,
                reason: "a container read as a scalar",
            }),
        }
    }

    fn array<B: Builder>(
        &mut self,
        b: &mut B,
        n: usize,
        depth: usize,
        start: usize,
    ) -> Result<B::Value, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::TooDeep {
                format: FORMAT,
                offset: start,
            });
        }
        // Every item takes at least one byte: refuse impossible lengths before any work.
        if n > self.remaining() {
            return Err(Error::Truncated { format: FORMAT });
        }
        let mut list = b.list_begin(n)?;
        for _ in 0..n {
            let v = self.item(b, depth + 1)?;
            b.list_push(&mut list, v)?;
        }
        b.list_end(list)
    }

    fn map<B: Builder>(
        &mut self,
        b: &mut B,
        n: usize,
        depth: usize,
        start: usize,
    ) -> Result<B::Value, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::TooDeep {
                format: FORMAT,
                offset: start,
            });
        }
        if n > self.remaining() / 2 {
            return Err(Error::Truncated { format: FORMAT });
        }
        let mut map = b.map_begin(n)?;
        for _ in 0..n {
            let key_start = self.pos;
            let len = match self.byte()? {
                t @ 0xa0..=0xbf => usize::from(t & 0x1f),
                0xd9 => self.u8()?,
                0xda => self.u16()?,
                0xdb => self.u32()?,
                _ => {
                    return Err(Error::NonStringKey {
                        format: FORMAT,
                        offset: key_start,
                    })
                }
            };
            let offset = self.pos;
            let raw = self.take(len)?;
            if let Some(key) = b.known_key(raw) {
                let v = self.item(b, depth + 1)?;
                b.map_insert_known(&mut map, key, v)?;
                continue;
            }
            let key = std::str::from_utf8(raw).map_err(|e| Error::InvalidUtf8 {
                format: FORMAT,
                offset: offset + e.valid_up_to(),
            })?;
            let v = self.item(b, depth + 1)?;
            b.map_insert(&mut map, key, v)?;
        }
        b.map_end(map)
    }
}

fn int<B: Builder>(b: &mut B, v: i64) -> Result<B::Value, Error> {
    match u64::try_from(v) {
        Ok(u) => b.uint(u),
        Err(_) => b.int(v),
    }
}

impl Decoder for MsgpackDecoder<'_> {
    fn value<B: Builder>(&mut self, b: &mut B, depth: usize) -> Result<B::Value, Error> {
        MsgpackDecoder::value(self, b, depth)
    }

    fn array_start(&mut self) -> Result<Option<Seq>, Error> {
        let t = *self
            .input
            .get(self.pos)
            .ok_or(Error::Truncated { format: FORMAT })?;
        let n = match t {
            0x90..=0x9f => {
                self.pos += 1;
                usize::from(t & 0x0f)
            }
            0xdc => {
                self.pos += 1;
                self.u16()?
            }
            0xdd => {
                self.pos += 1;
                self.u32()?
            }
            _ => return Ok(None),
        };
        if n > self.remaining() {
            return Err(Error::Truncated { format: FORMAT });
        }
        Ok(Some(Seq::Count(n)))
    }

    fn next_element(&mut self, seq: &mut Seq) -> Result<bool, Error> {
        match seq {
            Seq::Count(0) => Ok(false),
            Seq::Count(n) => {
                *n -= 1;
                Ok(true)
            }
            _ => Ok(false),
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

/// A MessagePack writer appending to a buffer, always in the shortest form.
pub struct MsgpackWriter<'a> {
    out: &'a mut Vec<u8>,
}

impl<'a> MsgpackWriter<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        MsgpackWriter { out }
    }

    /// A length-prefixed header: `fix | len` below `fix_max`, else the 8-bit form `c8`
    /// (when `c8` is not 0), then `c16`, then `c32`. Plain byte arguments (not an array)
    /// keep this call free of stack round trips on the hot path.
    #[inline(always)]
    fn header(&mut self, len: usize, fix: u8, fix_max: usize, c8: u8, c16: u8, c32: u8) -> bool {
        if len < fix_max {
            self.out.push(fix | len as u8);
        } else if c8 != 0 && len <= 0xff {
            self.out.extend_from_slice(&[c8, len as u8]);
        } else if len <= 0xffff {
            let [hi, lo] = (len as u16).to_be_bytes();
            self.out.extend_from_slice(&[c16, hi, lo]);
        } else if let Ok(n) = u32::try_from(len) {
            let [a, b, c, d] = n.to_be_bytes();
            self.out.extend_from_slice(&[c32, a, b, c, d]);
        } else {
            return false;
        }
        true
    }
}

fn too_long(what: &str) -> Error {
    Error::unencodable(format!("{what} too long for msgpack"))
}

impl Writer for MsgpackWriter<'_> {
    fn null(&mut self) -> Result<(), Error> {
        self.out.push(0xc0);
        Ok(())
    }
    fn bool(&mut self, v: bool) -> Result<(), Error> {
        self.out.push(if v { 0xc3 } else { 0xc2 });
        Ok(())
    }
    #[inline(always)]
    fn int(&mut self, v: i64) -> Result<(), Error> {
        if let Ok(u) = u64::try_from(v) {
            return self.uint(u);
        }
        if v >= -32 {
            self.out.push(v as u8);
        } else if let Ok(x) = i8::try_from(v) {
            self.out.push(0xd0);
            self.out.extend_from_slice(&x.to_be_bytes());
        } else if let Ok(x) = i16::try_from(v) {
            self.out.push(0xd1);
            self.out.extend_from_slice(&x.to_be_bytes());
        } else if let Ok(x) = i32::try_from(v) {
            self.out.push(0xd2);
            self.out.extend_from_slice(&x.to_be_bytes());
        } else {
            self.out.push(0xd3);
            self.out.extend_from_slice(&v.to_be_bytes());
        }
        Ok(())
    }
    #[inline(always)]
    fn uint(&mut self, v: u64) -> Result<(), Error> {
        if v < 0x80 {
            self.out.push(v as u8);
        } else if let Ok(x) = u8::try_from(v) {
            self.out.extend_from_slice(&[0xcc, x]);
        } else if let Ok(x) = u16::try_from(v) {
            self.out.push(0xcd);
            self.out.extend_from_slice(&x.to_be_bytes());
        } else if let Ok(x) = u32::try_from(v) {
            self.out.push(0xce);
            self.out.extend_from_slice(&x.to_be_bytes());
        } else {
            self.out.push(0xcf);
            self.out.extend_from_slice(&v.to_be_bytes());
        }
        Ok(())
    }
    fn float(&mut self, v: f64) -> Result<(), Error> {
        self.out.push(0xcb);
        self.out.extend_from_slice(&v.to_be_bytes());
        Ok(())
    }
    #[inline(always)]
    fn str(&mut self, v: &str) -> Result<(), Error> {
        if !self.header(v.len(), 0xa0, 32, 0xd9, 0xda, 0xdb) {
            return Err(too_long("str"));
        }
        extend_short(self.out, v.as_bytes());
        Ok(())
    }
    fn bytes(&mut self, v: &[u8]) -> Result<(), Error> {
        // bin has no fix form: fix_max 0 skips it.
        if !self.header(v.len(), 0, 0, 0xc4, 0xc5, 0xc6) {
            return Err(too_long("bytes"));
        }
        self.out.extend_from_slice(v);
        Ok(())
    }
    #[inline(always)]
    fn array_begin(&mut self, len: usize) -> Result<(), Error> {
        if !self.header(len, 0x90, 16, 0, 0xdc, 0xdd) {
            return Err(too_long("list"));
        }
        Ok(())
    }
    fn array_end(&mut self) -> Result<(), Error> {
        Ok(())
    }
    #[inline(always)]
    fn map_begin(&mut self, len: usize) -> Result<(), Error> {
        if !self.header(len, 0x80, 16, 0, 0xde, 0xdf) {
            return Err(too_long("dict"));
        }
        Ok(())
    }
    fn map_key(&mut self, key: &str) -> Result<(), Error> {
        self.str(key)
    }
    fn map_end(&mut self) -> Result<(), Error> {
        Ok(())
    }
}
