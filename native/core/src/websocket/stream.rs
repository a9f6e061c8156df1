//! A WebSocket connection after its handshake: bytes in, whole messages and control
//! events out, and the frames to send.
//!
//! Fragmented messages are reassembled (control frames may arrive between fragments),
//! text is validated as UTF-8 while it arrives (so a bad message fails at its first bad
//! octet), and the size limit is enforced from each frame header before buffering.
//! A client receives unmasked frames, so a frame lying whole in one chunk is handed out
//! as a slice of that chunk without a copy.

use super::frame::{self, FrameHeader, Opcode, MAX_HEADER_LEN};
use super::{is_valid_close_code, WsError, MAX_CONTROL_PAYLOAD};

/// Reassembly buffers above this capacity are released once their message is handed out.
const KEEP_BUFFER: usize = 1 << 20;

/// Which end of the connection this stream is: it decides masking in both directions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Masks what it sends; refuses masked frames.
    Client,
    /// Sends unmasked frames; refuses unmasked ones.
    Server,
}

/// A close frame's content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CloseFrame<'a> {
    /// The status code, None when the frame had no payload (1005 "no status" locally).
    pub code: Option<u16>,
    pub reason: &'a str,
}

/// What the peer sent: a whole message or a control frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// A complete message; `text` is true for a text message (already valid UTF-8).
    Message {
        text: bool,
        payload: &'a [u8],
    },
    Ping(&'a [u8]),
    Pong(&'a [u8]),
    Close(CloseFrame<'a>),
}

/// The frame whose payload is being received.
#[derive(Clone, Copy, Debug)]
struct Current {
    header: FrameHeader,
    /// Payload octets received so far.
    done: u64,
}

/// Which buffer holds what the previous call handed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HandedOut {
    Nothing,
    Message,
    Control,
}

/// The receiving and sending state of one WebSocket connection.
#[derive(Debug)]
pub struct Stream {
    role: Role,
    max_message_size: usize,
    header: [u8; MAX_HEADER_LEN],
    header_len: usize,
    current: Option<Current>,
    /// Text (true) or binary (false) while a message is being received.
    message_text: Option<bool>,
    message: Vec<u8>,
    /// Octets of `message` known to be valid UTF-8.
    utf8_checked: usize,
    control: Vec<u8>,
    handed_out: HandedOut,
    close_received: bool,
    failed: bool,
}

impl Stream {
    /// A stream for `role` that refuses messages over `max_message_size` octets.
    pub fn new(role: Role, max_message_size: usize) -> Self {
        Self {
            role,
            max_message_size,
            header: [0; MAX_HEADER_LEN],
            header_len: 0,
            current: None,
            message_text: None,
            message: Vec::new(),
            utf8_checked: 0,
            control: Vec::new(),
            handed_out: HandedOut::Nothing,
            close_received: false,
            failed: false,
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn max_message_size(&self) -> usize {
        self.max_message_size
    }

    /// Whether the peer's close frame was received (later input is ignored).
    pub fn close_received(&self) -> bool {
        self.close_received
    }

    /// Take the next event from `input`, advancing it past what was consumed.
    ///
    /// Returns `Ok(None)` when `input` is used up without completing an event (partial
    /// data is kept for the next call). After a close frame all input is ignored; after
    /// an error every later call fails.
    pub fn next_event<'s, 'd: 's>(
        &'s mut self,
        input: &mut &'d [u8],
    ) -> Result<Option<Event<'s>>, WsError> {
        if self.failed {
            return Err(WsError::Failed);
        }
        match self.step(input) {
            Ok(Some(found)) => Ok(Some(self.event(found))),
            Ok(None) => Ok(None),
            Err(e) => {
                self.failed = true;
                Err(e)
            }
        }
    }

    /// The event for what [`Self::step`] found, borrowing the input or a buffer.
    fn event<'s, 'd: 's>(&'s self, found: Found<'d>) -> Event<'s> {
        match found {
            Found::Input(opcode, payload) => control_or_message(opcode, payload),
            Found::Message(text) => Event::Message {
                text,
                payload: &self.message,
            },
            Found::Control(opcode) => control_or_message(opcode, &self.control),
        }
    }

    /// Consume input up to the next complete event, checking every rule on the way.
    fn step<'d>(&mut self, input: &mut &'d [u8]) -> Result<Option<Found<'d>>, WsError> {
        if self.close_received {
            *input = &[];
            return Ok(None);
        }
        match std::mem::replace(&mut self.handed_out, HandedOut::Nothing) {
            HandedOut::Message => {
                if self.message.capacity() > KEEP_BUFFER {
                    // Do not hold on to the memory of one large message.
                    self.message = Vec::new();
                } else {
                    self.message.clear();
                }
                self.utf8_checked = 0;
            }
            HandedOut::Control => self.control.clear(),
            HandedOut::Nothing => {}
        }
        loop {
            let Current { header, done } = match self.current {
                Some(current) => current,
                None => match self.read_header(input)? {
                    Some(header) => {
                        self.on_header(&header)?;
                        Current { header, done: 0 }
                    }
                    None => return Ok(None),
                },
            };
            let data: &'d [u8] = input;
            // Payload octets still to come; bounded by max_message_size or 125 by now.
            let remaining = usize::try_from(header.length - done).unwrap_or(usize::MAX);
            let whole = done == 0 && header.mask.is_none() && data.len() >= remaining;
            if header.opcode.is_control() {
                if whole && self.control.is_empty() {
                    let (payload, rest) = data.split_at(remaining);
                    *input = rest;
                    self.current = None;
                    self.on_control(header.opcode, payload)?;
                    return Ok(Some(Found::Input(header.opcode, payload)));
                }
                let take = remaining.min(data.len());
                let (part, rest) = data.split_at(take);
                *input = rest;
                append_unmasked(&mut self.control, part, header.mask, done);
                if take < remaining {
                    self.current = Some(Current {
                        header,
                        done: done + take as u64,
                    });
                    return Ok(None);
                }
                self.current = None;
                let control = std::mem::take(&mut self.control);
                let checked = self.on_control(header.opcode, &control);
                self.control = control;
                checked?;
                self.handed_out = HandedOut::Control;
                return Ok(Some(Found::Control(header.opcode)));
            }
            let text = self.message_text == Some(true);
            if whole && header.fin && header.opcode != Opcode::Continuation {
                let (payload, rest) = data.split_at(remaining);
                *input = rest;
                self.current = None;
                self.message_text = None;
                if text && std::str::from_utf8(payload).is_err() {
                    return Err(WsError::InvalidUtf8);
                }
                return Ok(Some(Found::Input(header.opcode, payload)));
            }
            let take = remaining.min(data.len());
            let (part, rest) = data.split_at(take);
            *input = rest;
            append_unmasked(&mut self.message, part, header.mask, done);
            if text {
                self.check_utf8(false)?;
            }
            if take < remaining {
                self.current = Some(Current {
                    header,
                    done: done + take as u64,
                });
                return Ok(None);
            }
            self.current = None;
            if header.fin {
                if text {
                    self.check_utf8(true)?;
                }
                self.message_text = None;
                self.handed_out = HandedOut::Message;
                return Ok(Some(Found::Message(text)));
            }
        }
    }

    /// Read the next frame header, gathering it across calls when it is split.
    fn read_header(&mut self, input: &mut &[u8]) -> Result<Option<FrameHeader>, WsError> {
        let data: &[u8] = input;
        if self.header_len == 0 {
            if let Some((header, n)) = frame::parse_header(data)? {
                *input = data.get(n..).unwrap_or_default();
                return Ok(Some(header));
            }
        }
        let take = (MAX_HEADER_LEN - self.header_len).min(data.len());
        let start = self.header_len;
        if let (Some(dst), Some(src)) = (self.header.get_mut(start..start + take), data.get(..take))
        {
            dst.copy_from_slice(src);
        }
        let gathered = self.header.get(..start + take).unwrap_or_default();
        match frame::parse_header(gathered)? {
            Some((header, n)) => {
                // n > start: the first `start` octets alone did not make a header.
                *input = data.get(n.saturating_sub(start)..).unwrap_or_default();
                self.header_len = 0;
                Ok(Some(header))
            }
            None => {
                *input = data.get(take..).unwrap_or_default();
                self.header_len = start + take;
                Ok(None)
            }
        }
    }

    /// Check a new frame header against the role and the message in progress.
    fn on_header(&mut self, header: &FrameHeader) -> Result<(), WsError> {
        match (self.role, header.mask) {
            (Role::Server, None) => return Err(WsError::UnmaskedClientFrame),
            (Role::Client, Some(_)) => return Err(WsError::MaskedServerFrame),
            _ => {}
        }
        if header.opcode.is_control() {
            return Ok(());
        }
        match (header.opcode, self.message_text) {
            (Opcode::Continuation, None) => return Err(WsError::UnexpectedContinuation),
            (Opcode::Continuation, Some(_)) => {}
            (opcode, Some(_)) => return Err(WsError::ExpectedContinuation(opcode)),
            (opcode, None) => self.message_text = Some(opcode == Opcode::Text),
        }
        let size = (self.message.len() as u64).saturating_add(header.length);
        if size > self.max_message_size as u64 {
            return Err(WsError::MessageTooBig {
                size,
                max: self.max_message_size,
            });
        }
        Ok(())
    }

    /// Check a complete control frame; a close frame ends the receiving side.
    fn on_control(&mut self, opcode: Opcode, payload: &[u8]) -> Result<(), WsError> {
        if opcode == Opcode::Close {
            parse_close(payload)?;
            self.close_received = true;
        }
        Ok(())
    }

    /// Validate the text received so far; `fin` when the message is complete.
    fn check_utf8(&mut self, fin: bool) -> Result<(), WsError> {
        let tail = self.message.get(self.utf8_checked..).unwrap_or_default();
        match std::str::from_utf8(tail) {
            Ok(_) => self.utf8_checked = self.message.len(),
            // A sequence cut at the end of the data so far may still complete.
            Err(e) if e.error_len().is_none() && !fin => self.utf8_checked += e.valid_up_to(),
            Err(_) => return Err(WsError::InvalidUtf8),
        }
        Ok(())
    }

    /// The masking key of a frame this end sends: clients mask with `key`, servers not.
    fn mask(&self, key: [u8; 4]) -> Option<[u8; 4]> {
        match self.role {
            Role::Client => Some(key),
            Role::Server => None,
        }
    }

    /// Append a single-frame message (text or binary) to `out`; `key` masks it for a client.
    pub fn encode_message(&self, text: bool, payload: &[u8], key: [u8; 4], out: &mut Vec<u8>) {
        let opcode = if text { Opcode::Text } else { Opcode::Binary };
        frame::encode_frame(out, true, opcode, payload, self.mask(key));
    }

    /// Frame a message whose payload was written after [`frame::MAX_HEADER_LEN`] reserved
    /// octets of `buf`: write the header just before it and mask it. Returns where the
    /// frame starts in `buf`.
    pub fn frame_reserved(&self, text: bool, buf: &mut [u8], key: [u8; 4]) -> usize {
        let opcode = if text { Opcode::Text } else { Opcode::Binary };
        frame::frame_reserved(buf, opcode, self.mask(key))
    }

    /// Append a ping frame (payload at most 125 octets).
    pub fn encode_ping(
        &self,
        payload: &[u8],
        key: [u8; 4],
        out: &mut Vec<u8>,
    ) -> Result<(), WsError> {
        self.encode_control(Opcode::Ping, payload, key, out)
    }

    /// Append a pong frame (payload at most 125 octets).
    pub fn encode_pong(
        &self,
        payload: &[u8],
        key: [u8; 4],
        out: &mut Vec<u8>,
    ) -> Result<(), WsError> {
        self.encode_control(Opcode::Pong, payload, key, out)
    }

    /// Append a close frame: no payload for `code` None, else the code and UTF-8 reason.
    pub fn encode_close(
        &self,
        code: Option<u16>,
        reason: &str,
        key: [u8; 4],
        out: &mut Vec<u8>,
    ) -> Result<(), WsError> {
        let Some(code) = code else {
            if !reason.is_empty() {
                return Err(WsError::ReasonWithoutCode);
            }
            return self.encode_control(Opcode::Close, &[], key, out);
        };
        if !is_valid_close_code(code) {
            return Err(WsError::InvalidCloseCode(code));
        }
        if reason.len() > MAX_CONTROL_PAYLOAD - 2 {
            return Err(WsError::CloseReasonTooLong(reason.len()));
        }
        let mut payload = [0u8; MAX_CONTROL_PAYLOAD];
        let len = 2 + reason.len();
        if let Some(dst) = payload.get_mut(..len) {
            let (code_part, reason_part) = dst.split_at_mut(2);
            code_part.copy_from_slice(&code.to_be_bytes());
            reason_part.copy_from_slice(reason.as_bytes());
        }
        self.encode_control(
            Opcode::Close,
            payload.get(..len).unwrap_or_default(),
            key,
            out,
        )
    }

    fn encode_control(
        &self,
        opcode: Opcode,
        payload: &[u8],
        key: [u8; 4],
        out: &mut Vec<u8>,
    ) -> Result<(), WsError> {
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(WsError::ControlTooLong(payload.len() as u64));
        }
        frame::encode_frame(out, true, opcode, payload, self.mask(key));
        Ok(())
    }
}

/// Where a completed event's payload is.
enum Found<'d> {
    /// A frame lying whole in the input (unmasked).
    Input(Opcode, &'d [u8]),
    /// The reassembled message buffer; text or not.
    Message(bool),
    /// The control frame buffer.
    Control(Opcode),
}

/// Append `part` to `buf`, unmasking it as payload octets from `offset` on.
fn append_unmasked(buf: &mut Vec<u8>, part: &[u8], mask: Option<[u8; 4]>, offset: u64) {
    let start = buf.len();
    buf.extend_from_slice(part);
    if let (Some(key), Some(tail)) = (mask, buf.get_mut(start..)) {
        frame::apply_mask(tail, key, (offset % 4) as usize);
    }
}

/// Parse and check a close frame payload.
pub fn parse_close(payload: &[u8]) -> Result<CloseFrame<'_>, WsError> {
    match payload {
        [] => Ok(CloseFrame {
            code: None,
            reason: "",
        }),
        [_] => Err(WsError::CloseFrameTooShort),
        [hi, lo, reason @ ..] => {
            let code = u16::from_be_bytes([*hi, *lo]);
            if !is_valid_close_code(code) {
                return Err(WsError::InvalidCloseCode(code));
            }
            let reason = std::str::from_utf8(reason).map_err(|_| WsError::InvalidCloseReason)?;
            Ok(CloseFrame {
                code: Some(code),
                reason,
            })
        }
    }
}

/// The event for a complete, already checked frame payload.
fn control_or_message(opcode: Opcode, payload: &[u8]) -> Event<'_> {
    match opcode {
        Opcode::Ping => Event::Ping(payload),
        Opcode::Pong => Event::Pong(payload),
        Opcode::Close => Event::Close(parse_close(payload).unwrap_or(CloseFrame {
            code: None,
            reason: "",
        })),
        Opcode::Text => Event::Message {
            text: true,
            payload,
        },
        Opcode::Binary | Opcode::Continuation => Event::Message {
            text: false,
            payload,
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::websocket::frame::encode_frame;

    const KEY: [u8; 4] = [0xA1, 0xB2, 0xC3, 0xD4];

    #[derive(Debug, PartialEq, Eq, Clone)]
    enum Owned {
        Text(String),
        Binary(Vec<u8>),
        Ping(Vec<u8>),
        Pong(Vec<u8>),
        Close(Option<u16>, String),
    }

    fn own(event: Event<'_>) -> Owned {
        match event {
            Event::Message {
                text: true,
                payload,
            } => Owned::Text(String::from_utf8(payload.to_vec()).unwrap()),
            Event::Message {
                text: false,
                payload,
            } => Owned::Binary(payload.to_vec()),
            Event::Ping(p) => Owned::Ping(p.to_vec()),
            Event::Pong(p) => Owned::Pong(p.to_vec()),
            Event::Close(c) => Owned::Close(c.code, c.reason.to_owned()),
        }
    }

    fn feed(stream: &mut Stream, mut data: &[u8]) -> Result<Vec<Owned>, WsError> {
        let mut out = Vec::new();
        while let Some(event) = stream.next_event(&mut data)? {
            out.push(own(event));
        }
        assert!(data.is_empty());
        Ok(out)
    }

    fn feed_chunked(role: Role, data: &[u8], size: usize) -> Result<Vec<Owned>, WsError> {
        let mut stream = Stream::new(role, 1 << 20);
        let mut out = Vec::new();
        for chunk in data.chunks(size) {
            out.extend(feed(&mut stream, chunk)?);
        }
        Ok(out)
    }

    /// Frames as the peer of `role` sends them (masked towards a server).
    fn frames(role: Role, list: &[(bool, Opcode, &[u8])]) -> Vec<u8> {
        let mask = (role == Role::Server).then_some(KEY);
        let mut out = Vec::new();
        for (fin, opcode, payload) in list {
            encode_frame(&mut out, *fin, *opcode, payload, mask);
        }
        out
    }

    fn conversation(role: Role) -> Vec<u8> {
        frames(
            role,
            &[
                (true, Opcode::Text, "[1,\"réalm\",{}]".as_bytes()),
                (false, Opcode::Binary, b"\x01\x02"),
                (true, Opcode::Ping, b"are you there"),
                (false, Opcode::Continuation, b""),
                (true, Opcode::Continuation, &[3; 300]),
                (false, Opcode::Text, b"\xe2\x82"),
                (true, Opcode::Pong, b""),
                (true, Opcode::Continuation, b"\xac!"),
                (true, Opcode::Binary, &[9; 70000]),
                (true, Opcode::Close, b"\x03\xe8bye"),
                (true, Opcode::Text, b"ignored after close"),
            ],
        )
    }

    fn expected() -> Vec<Owned> {
        let mut binary = vec![1, 2];
        binary.extend_from_slice(&[3; 300]);
        vec![
            Owned::Text("[1,\"réalm\",{}]".into()),
            Owned::Ping(b"are you there".to_vec()),
            Owned::Binary(binary),
            Owned::Pong(vec![]),
            Owned::Text("€!".into()),
            Owned::Binary(vec![9; 70000]),
            Owned::Close(Some(1000), "bye".into()),
        ]
    }

    #[test]
    fn any_chunking_gives_the_same_events() {
        for role in [Role::Client, Role::Server] {
            let data = conversation(role);
            for size in [1, 2, 3, 5, 14, 100, 4096, data.len()] {
                assert_eq!(
                    feed_chunked(role, &data, size),
                    Ok(expected()),
                    "{role:?} {size}"
                );
            }
        }
    }

    #[test]
    fn client_hands_out_whole_frames_without_copy() {
        let data = frames(
            Role::Client,
            &[(true, Opcode::Binary, b"abc"), (true, Opcode::Ping, b"p")],
        );
        let mut stream = Stream::new(Role::Client, 100);
        let mut input = &data[..];
        let Some(Event::Message { payload, .. }) = stream.next_event(&mut input).unwrap() else {
            panic!("expected a message");
        };
        assert_eq!(payload.as_ptr(), data[2..].as_ptr());
        let Some(Event::Ping(p)) = stream.next_event(&mut input).unwrap() else {
            panic!("expected a ping");
        };
        assert_eq!(p.as_ptr(), data[7..].as_ptr());
    }

    #[test]
    fn masking_rules() {
        let masked = frames(Role::Server, &[(true, Opcode::Text, b"hi")]);
        let unmasked = frames(Role::Client, &[(true, Opcode::Text, b"hi")]);
        assert_eq!(
            feed_chunked(Role::Client, &masked, 100),
            Err(WsError::MaskedServerFrame)
        );
        assert_eq!(
            feed_chunked(Role::Server, &unmasked, 100),
            Err(WsError::UnmaskedClientFrame)
        );
    }

    #[test]
    fn fragmentation_errors() {
        let role = Role::Client;
        let lone = frames(role, &[(true, Opcode::Continuation, b"x")]);
        assert_eq!(
            feed_chunked(role, &lone, 100),
            Err(WsError::UnexpectedContinuation)
        );
        let interrupted = frames(
            role,
            &[(false, Opcode::Text, b"x"), (true, Opcode::Binary, b"y")],
        );
        assert_eq!(
            feed_chunked(role, &interrupted, 100),
            Err(WsError::ExpectedContinuation(Opcode::Binary))
        );
        assert_eq!(
            feed_chunked(role, &[0x91, 0], 100),
            Err(WsError::ReservedBits(0x91))
        );
    }

    #[test]
    fn invalid_utf8_fails_fast_across_fragments() {
        let role = Role::Server;
        // The first fragment ends inside a 3-octet sequence; the second breaks it.
        let data = frames(
            role,
            &[
                (false, Opcode::Text, b"ok\xe2\x82"),
                (false, Opcode::Continuation, b"A"),
            ],
        );
        let err = feed_chunked(role, &data, 100).unwrap_err();
        assert_eq!(
            (err.clone(), err.close_code()),
            (WsError::InvalidUtf8, 1007)
        );
        // A message that ends in the middle of a sequence.
        let data = frames(
            role,
            &[
                (false, Opcode::Text, b"ok"),
                (true, Opcode::Continuation, b"\xe2\x82"),
            ],
        );
        assert_eq!(feed_chunked(role, &data, 1), Err(WsError::InvalidUtf8));
        // Binary messages are not checked.
        let data = frames(role, &[(true, Opcode::Binary, b"\xff")]);
        assert_eq!(
            feed_chunked(role, &data, 1),
            Ok(vec![Owned::Binary(vec![0xff])])
        );
        let data = frames(Role::Client, &[(true, Opcode::Text, b"\xff")]);
        assert_eq!(
            feed_chunked(Role::Client, &data, 100),
            Err(WsError::InvalidUtf8)
        );
    }

    #[test]
    fn size_limit_is_checked_from_headers() {
        let mut stream = Stream::new(Role::Client, 10);
        let data = frames(
            Role::Client,
            &[
                (false, Opcode::Binary, &[0; 6]),
                (true, Opcode::Continuation, &[0; 5]),
            ],
        );
        // Only the header of the second frame is needed to refuse it.
        let err = feed(&mut stream, &data[..8 + 2]).unwrap_err();
        assert_eq!(err, WsError::MessageTooBig { size: 11, max: 10 });
        assert_eq!(err.close_code(), 1009);
        assert_eq!(feed(&mut stream, b""), Err(WsError::Failed));
        let mut stream = Stream::new(Role::Client, 10);
        let header = [0x82, 127, 0x7F, 0, 0, 0, 0, 0, 0, 0];
        assert!(matches!(
            feed(&mut stream, &header),
            Err(WsError::MessageTooBig { .. })
        ));
    }

    #[test]
    fn close_frames() {
        let role = Role::Client;
        let close = |payload: &[u8]| {
            feed_chunked(role, &frames(role, &[(true, Opcode::Close, payload)]), 100)
        };
        assert_eq!(close(b""), Ok(vec![Owned::Close(None, String::new())]));
        assert_eq!(
            close(b"\x0b\xb8x"),
            Ok(vec![Owned::Close(Some(3000), "x".into())])
        );
        assert_eq!(close(b"\x03"), Err(WsError::CloseFrameTooShort));
        for code in [0u16, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
            assert_eq!(
                close(&code.to_be_bytes()),
                Err(WsError::InvalidCloseCode(code))
            );
        }
        let err = close(b"\x03\xe8\xff").unwrap_err();
        assert_eq!(err.close_code(), 1007);
    }

    #[test]
    fn encoding() {
        let client = Stream::new(Role::Client, 100);
        let server = Stream::new(Role::Server, 100);
        let mut out = Vec::new();
        client.encode_message(true, b"hi", KEY, &mut out);
        assert_eq!(out.get(1), Some(&0x82));
        let mut receiver = Stream::new(Role::Server, 100);
        assert_eq!(
            feed(&mut receiver, &out),
            Ok(vec![Owned::Text("hi".into())])
        );
        out.clear();
        server
            .encode_close(Some(1000), "done", KEY, &mut out)
            .unwrap();
        assert_eq!(out, b"\x88\x06\x03\xe8done");
        out.clear();
        server.encode_close(None, "", KEY, &mut out).unwrap();
        assert_eq!(out, b"\x88\x00");
        assert_eq!(
            server.encode_close(None, "x", KEY, &mut out),
            Err(WsError::ReasonWithoutCode)
        );
        assert_eq!(
            server.encode_close(Some(1005), "", KEY, &mut out),
            Err(WsError::InvalidCloseCode(1005))
        );
        assert_eq!(
            server.encode_close(Some(1000), &"x".repeat(124), KEY, &mut out),
            Err(WsError::CloseReasonTooLong(124))
        );
        assert_eq!(
            server.encode_ping(&[0; 126], KEY, &mut out),
            Err(WsError::ControlTooLong(126))
        );
        out.clear();
        client.encode_pong(b"p", KEY, &mut out).unwrap();
        let mut receiver = Stream::new(Role::Server, 100);
        assert_eq!(
            feed(&mut receiver, &out),
            Ok(vec![Owned::Pong(b"p".to_vec())])
        );
    }
}
