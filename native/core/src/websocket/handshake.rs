//! The WebSocket opening handshake (RFC 6455 section 4): the HTTP/1.1 upgrade request and
//! its 101 answer, parsed and built for both ends, with WAMP subprotocol negotiation.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use sha1::{Digest, Sha1};

use crate::Serializer;

/// The largest request or response head accepted (request line and headers).
pub const MAX_HEAD_LEN: usize = 16 * 1024;

/// Appended to the client's key before hashing it into Sec-WebSocket-Accept.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// A refused or malformed handshake; `status` is the HTTP status to answer a request with,
/// or the status the router answered with (None when there was no readable status).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeError {
    pub status: Option<u16>,
    pub message: String,
}

impl HandshakeError {
    fn new(status: impl Into<Option<u16>>, message: impl Into<String>) -> Self {
        Self {
            status: status.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HandshakeError {}

/// An argument that cannot go into a handshake (a header with CR/LF, a bad key, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidArgument(pub String);

impl fmt::Display for InvalidArgument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidArgument {}

/// A parsed upgrade request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Lower-case names in order of appearance; repeated headers joined with ", ".
    pub headers: Headers,
    /// Sec-WebSocket-Protocol values in the client's order.
    pub protocols: Vec<String>,
    /// Sec-WebSocket-Key as sent.
    pub key: String,
}

impl Request {
    /// The value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        find(&self.headers, name)
    }

    /// The first subprotocol offered by the client that pywamp speaks, in the client's
    /// order, among `accepted`.
    pub fn choose_serializer(&self, accepted: &[Serializer]) -> Option<Serializer> {
        self.protocols
            .iter()
            .filter_map(|p| Serializer::from_subprotocol(p))
            .find(|s| accepted.contains(s))
    }
}

/// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
pub fn accept_key(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(GUID.as_bytes());
    BASE64.encode(sha.finalize())
}

/// Whether `key` is the base64 encoding of 16 octets, as RFC 6455 requires.
pub fn is_valid_key(key: &str) -> bool {
    key.len() == 24 && BASE64.decode(key).is_ok_and(|k| k.len() == 16)
}

/// The Sec-WebSocket-Key for 16 octets of nonce chosen by the caller.
pub fn key_from_nonce(nonce: [u8; 16]) -> String {
    BASE64.encode(nonce)
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The comma-separated, trimmed, non-empty elements of a header value.
fn list(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(',')
        .map(|t| t.trim_matches([' ', '\t']))
        .filter(|t| !t.is_empty())
}

fn has_token(value: Option<&str>, token: &str) -> bool {
    value.is_some_and(|v| list(v).any(|t| t.eq_ignore_ascii_case(token)))
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// A header value byte: visible ASCII, space, tab or obs-text.
fn is_value_byte(b: u8) -> bool {
    b == b'\t' || (b' '..=b'~').contains(&b) || b >= 0x80
}

/// The head (up to the blank line) of an HTTP message and the octets it takes, None while
/// incomplete. A head over [`MAX_HEAD_LEN`] fails with `too_large`.
fn split_head(
    data: &[u8],
    too_large: HandshakeError,
) -> Result<Option<(&[u8], usize)>, HandshakeError> {
    let window = data.get(..MAX_HEAD_LEN.min(data.len())).unwrap_or_default();
    match window.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) => Ok(Some((window.get(..end).unwrap_or_default(), end + 4))),
        None if data.len() >= MAX_HEAD_LEN => Err(too_large),
        None => Ok(None),
    }
}

/// Text of a header value: UTF-8 when it is, else each octet as a Latin-1 character.
fn decode_value(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Header names (lower-case) and values, in order of first appearance.
type Headers = Vec<(String, String)>;

/// Split a head into its start line and its headers (merged by lower-case name).
fn parse_head(head: &[u8], status: Option<u16>) -> Result<(&[u8], Headers), HandshakeError> {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let start = lines.next().unwrap_or_default();
    let mut headers = Headers::new();
    for line in lines {
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            return Err(HandshakeError::new(
                status,
                "obsolete folded HTTP header line",
            ));
        }
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or_else(|| HandshakeError::new(status, "HTTP header line without a colon"))?;
        let (name, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or_default();
        if !is_token(name) {
            return Err(HandshakeError::new(
                status,
                format!(
                    "invalid HTTP header name {:?}",
                    String::from_utf8_lossy(name)
                ),
            ));
        }
        if !value.iter().all(|&b| is_value_byte(b)) {
            return Err(HandshakeError::new(
                status,
                format!(
                    "HTTP header {} has a control character in its value",
                    String::from_utf8_lossy(name)
                ),
            ));
        }
        let value = decode_value(value.trim_ascii());
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        match headers.iter_mut().find(|(n, _)| *n == name) {
            Some((_, existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            None => headers.push((name, value)),
        }
    }
    Ok((start, headers))
}

/// Parse a client's upgrade request: `Ok(None)` while incomplete, else the request and
/// the octets its head took. Errors carry the HTTP status to answer with.
pub fn parse_request(data: &[u8]) -> Result<Option<(Request, usize)>, HandshakeError> {
    let too_large = HandshakeError::new(
        431,
        format!("HTTP request head exceeds {MAX_HEAD_LEN} octets"),
    );
    let Some((head, consumed)) = split_head(data, too_large)? else {
        return Ok(None);
    };
    let bad = |msg: String| HandshakeError::new(400, msg);
    let (start, headers) = parse_head(head, Some(400))?;
    let mut parts = start.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(format!(
            "malformed HTTP request line {:?}",
            String::from_utf8_lossy(start)
        )));
    };
    if !is_token(method) {
        return Err(bad("malformed HTTP method".into()));
    }
    if method != b"GET" {
        return Err(HandshakeError::new(
            405,
            format!(
                "WebSocket upgrade needs method GET, got {}",
                String::from_utf8_lossy(method)
            ),
        ));
    }
    if target.is_empty() || !target.iter().all(|b| (0x21..=0x7E).contains(b)) {
        return Err(bad("malformed HTTP request target".into()));
    }
    if version != b"HTTP/1.1" {
        return Err(bad(format!(
            "WebSocket upgrade needs HTTP/1.1, got {}",
            String::from_utf8_lossy(version)
        )));
    }
    let get = |name: &str| find(&headers, name);
    if get("host").is_none() {
        return Err(bad("missing Host header".into()));
    }
    if !has_token(get("upgrade"), "websocket") {
        return Err(bad(
            "missing or wrong Upgrade header (expected websocket)".into()
        ));
    }
    if !has_token(get("connection"), "upgrade") {
        return Err(bad(
            "missing or wrong Connection header (expected upgrade)".into()
        ));
    }
    match get("sec-websocket-version") {
        None => return Err(bad("missing Sec-WebSocket-Version header".into())),
        Some("13") => {}
        Some(other) => {
            return Err(HandshakeError::new(
                426,
                format!("unsupported Sec-WebSocket-Version {other:?} (pywamp speaks 13)"),
            ))
        }
    }
    let key = match get("sec-websocket-key") {
        None => return Err(bad("missing Sec-WebSocket-Key header".into())),
        Some(key) if !is_valid_key(key) => {
            return Err(bad(format!(
                "Sec-WebSocket-Key {key:?} is not the base64 of 16 octets"
            )))
        }
        Some(key) => key.to_owned(),
    };
    let protocols = get("sec-websocket-protocol")
        .map(|v| list(v).map(str::to_owned).collect())
        .unwrap_or_default();
    let request = Request {
        method: "GET".to_owned(),
        path: String::from_utf8_lossy(target).into_owned(),
        headers,
        protocols,
        key,
    };
    Ok(Some((request, consumed)))
}

/// Parse the router's answer to our request with `key` offering `protocols`: `Ok(None)`
/// while incomplete, else the chosen subprotocol (None if the router chose none) and the
/// octets the head took. A refusal is an error with the router's status.
pub fn parse_response(
    data: &[u8],
    key: &str,
    protocols: &[&str],
) -> Result<Option<(Option<String>, usize)>, HandshakeError> {
    let too_large = HandshakeError::new(
        None,
        format!("HTTP response head exceeds {MAX_HEAD_LEN} octets"),
    );
    let Some((head, consumed)) = split_head(data, too_large)? else {
        return Ok(None);
    };
    let first_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let status = parse_status_line(first_line)?;
    let (_, headers) = parse_head(head, Some(status))?;
    let fail = |msg: String| HandshakeError::new(status, msg);
    if status != 101 {
        let reason = String::from_utf8_lossy(first_line.get(13..).unwrap_or_default());
        return Err(fail(format!(
            "the server refused the WebSocket upgrade: {status} {}",
            reason.trim()
        )));
    }
    let get = |name: &str| find(&headers, name);
    if !has_token(get("upgrade"), "websocket") {
        return Err(fail("missing or wrong Upgrade header in the answer".into()));
    }
    if !has_token(get("connection"), "upgrade") {
        return Err(fail(
            "missing or wrong Connection header in the answer".into(),
        ));
    }
    let expected = accept_key(key);
    match get("sec-websocket-accept") {
        Some(accept) if accept == expected => {}
        Some(accept) => {
            return Err(fail(format!(
                "wrong Sec-WebSocket-Accept {accept:?} (expected {expected:?})"
            )))
        }
        None => return Err(fail("missing Sec-WebSocket-Accept header".into())),
    }
    if let Some(ext) = get("sec-websocket-extensions").filter(|e| !e.is_empty()) {
        return Err(fail(format!(
            "the server chose extensions that were not offered: {ext}"
        )));
    }
    let chosen = match get("sec-websocket-protocol") {
        None => None,
        Some(p) if protocols.contains(&p) => Some(p.to_owned()),
        Some(p) => {
            return Err(fail(format!(
                "the server chose subprotocol {p:?}, which was not offered"
            )))
        }
    };
    Ok(Some((chosen, consumed)))
}

fn parse_status_line(line: &[u8]) -> Result<u16, HandshakeError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let malformed = || {
        HandshakeError::new(
            None,
            format!(
                "malformed HTTP status line {:?}",
                String::from_utf8_lossy(line)
            ),
        )
    };
    let (Some(b"HTTP/1.1 "), Some(digits)) = (line.get(..9), line.get(9..12)) else {
        return Err(malformed());
    };
    if !digits.iter().all(u8::is_ascii_digit) || line.get(12).is_some_and(|b| *b != b' ') {
        return Err(malformed());
    }
    digits
        .iter()
        .try_fold(0u16, |n, d| {
            n.checked_mul(10)?.checked_add(u16::from(d - b'0'))
        })
        .ok_or_else(malformed)
}

fn check_header(name: &str, value: &str) -> Result<(), InvalidArgument> {
    if !is_token(name.as_bytes()) {
        return Err(InvalidArgument(format!(
            "invalid HTTP header name {name:?}"
        )));
    }
    if !value.bytes().all(is_value_byte) {
        return Err(InvalidArgument(format!(
            "HTTP header {name} has a control character in its value"
        )));
    }
    Ok(())
}

fn push_header(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(": ");
    out.push_str(value);
    out.push_str("\r\n");
}

fn push_extra(out: &mut String, headers: &[(&str, &str)]) -> Result<(), InvalidArgument> {
    for (name, value) in headers {
        check_header(name, value)?;
        push_header(out, name, value);
    }
    Ok(())
}

/// A client's upgrade request for `path` on `host`, offering `protocols`, with `key`
/// (see [`key_from_nonce`]) and extra headers.
pub fn build_request(
    host: &str,
    path: &str,
    protocols: &[&str],
    key: &str,
    headers: &[(&str, &str)],
) -> Result<Vec<u8>, InvalidArgument> {
    if host.is_empty() || !host.bytes().all(|b| (0x21..=0x7E).contains(&b)) {
        return Err(InvalidArgument(format!("invalid host {host:?}")));
    }
    if !path.starts_with('/') || !path.bytes().all(|b| (0x21..=0x7E).contains(&b)) {
        return Err(InvalidArgument(format!(
            "invalid request path {path:?} (must start with / and have no spaces)"
        )));
    }
    if !is_valid_key(key) {
        return Err(InvalidArgument(format!(
            "Sec-WebSocket-Key {key:?} is not the base64 of 16 octets"
        )));
    }
    if let Some(p) = protocols.iter().find(|p| !is_token(p.as_bytes())) {
        return Err(InvalidArgument(format!("invalid subprotocol {p:?}")));
    }
    let mut out = String::with_capacity(256);
    out.push_str("GET ");
    out.push_str(path);
    out.push_str(" HTTP/1.1\r\n");
    push_header(&mut out, "Host", host);
    push_header(&mut out, "Upgrade", "websocket");
    push_header(&mut out, "Connection", "Upgrade");
    push_header(&mut out, "Sec-WebSocket-Key", key);
    push_header(&mut out, "Sec-WebSocket-Version", "13");
    if !protocols.is_empty() {
        push_header(&mut out, "Sec-WebSocket-Protocol", &protocols.join(", "));
    }
    push_extra(&mut out, headers)?;
    out.push_str("\r\n");
    Ok(out.into_bytes())
}

/// The 101 answer accepting `request` with subprotocol `protocol` (one the client
/// offered, or None) and extra headers.
pub fn build_accept(
    request: &Request,
    protocol: Option<&str>,
    headers: &[(&str, &str)],
) -> Result<Vec<u8>, InvalidArgument> {
    if let Some(p) = protocol {
        if !request.protocols.iter().any(|offered| offered == p) {
            return Err(InvalidArgument(format!(
                "subprotocol {p:?} was not offered by the client (offered: {:?})",
                request.protocols
            )));
        }
    }
    let mut out = String::with_capacity(192);
    out.push_str("HTTP/1.1 101 Switching Protocols\r\n");
    push_header(&mut out, "Upgrade", "websocket");
    push_header(&mut out, "Connection", "Upgrade");
    push_header(&mut out, "Sec-WebSocket-Accept", &accept_key(&request.key));
    if let Some(p) = protocol {
        push_header(&mut out, "Sec-WebSocket-Protocol", p);
    }
    push_extra(&mut out, headers)?;
    out.push_str("\r\n");
    Ok(out.into_bytes())
}

/// The standard reason phrase of an HTTP status.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => match status / 100 {
            2 => "OK",
            3 => "Redirection",
            4 => "Client Error",
            _ => "Server Error",
        },
    }
}

/// An HTTP answer that refuses an upgrade with `status` and a plain-text `reason` body.
/// A 426 names the supported version (Sec-WebSocket-Version: 13); a 405 says Allow: GET.
pub fn build_reject(
    status: u16,
    reason: &str,
    headers: &[(&str, &str)],
) -> Result<Vec<u8>, InvalidArgument> {
    if !(200..=599).contains(&status) {
        return Err(InvalidArgument(format!(
            "a refusal needs an HTTP status in 200..=599, got {status}"
        )));
    }
    let given = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    let mut out = String::with_capacity(192 + reason.len());
    out.push_str("HTTP/1.1 ");
    out.push_str(&status.to_string());
    out.push(' ');
    out.push_str(reason_phrase(status));
    out.push_str("\r\n");
    if status == 426 && !given("sec-websocket-version") {
        push_header(&mut out, "Sec-WebSocket-Version", "13");
    }
    if status == 405 && !given("allow") {
        push_header(&mut out, "Allow", "GET");
    }
    push_header(&mut out, "Content-Type", "text/plain; charset=utf-8");
    push_header(&mut out, "Content-Length", &reason.len().to_string());
    push_header(&mut out, "Connection", "close");
    push_extra(&mut out, headers)?;
    out.push_str("\r\n");
    out.push_str(reason);
    Ok(out.into_bytes())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

    fn request(extra: &str) -> Vec<u8> {
        format!(
            "GET /ws HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
        )
        .into_bytes()
    }

    fn status(data: &[u8]) -> Option<u16> {
        parse_request(data).unwrap_err().status
    }

    #[test]
    fn rfc_accept_key() {
        assert_eq!(accept_key(KEY), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert!(is_valid_key(KEY));
        assert!(!is_valid_key("abc"));
        assert_eq!(key_from_nonce(*b"the sample nonce"), KEY);
    }

    #[test]
    fn parses_a_request() {
        let mut data =
            request("Sec-WebSocket-Protocol: wamp.2.cbor, wamp.2.json\r\nX-A: 1\r\nx-a: 2\r\n");
        let len = data.len();
        data.extend_from_slice(b"\x81\x80rest");
        let (req, consumed) = parse_request(&data).unwrap().unwrap();
        assert_eq!(consumed, len);
        assert_eq!(req.method, "GET");
        assert_eq!(req.path, "/ws");
        assert_eq!(req.key, KEY);
        assert_eq!(req.protocols, ["wamp.2.cbor", "wamp.2.json"]);
        assert_eq!(req.header("x-a"), Some("1, 2"));
        assert_eq!(req.header("host"), Some("example.com"));
        assert_eq!(
            req.choose_serializer(&Serializer::ALL),
            Some(Serializer::Cbor)
        );
        assert_eq!(
            req.choose_serializer(&[Serializer::Json]),
            Some(Serializer::Json)
        );
        for cut in 0..len {
            assert_eq!(parse_request(&data[..cut]), Ok(None));
        }
    }

    #[test]
    fn tokens_are_case_insensitive_lists() {
        let data = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: WebSocket\r\nConnection: keep-alive, UPGRADE\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        assert!(parse_request(data).unwrap().is_some());
    }

    #[test]
    fn rejections() {
        let ok = String::from_utf8(request("")).unwrap();
        assert_eq!(status(ok.replace("GET", "POST").as_bytes()), Some(405));
        assert_eq!(
            status(ok.replace("HTTP/1.1", "HTTP/1.0").as_bytes()),
            Some(400)
        );
        assert_eq!(
            status(ok.replace("Host: example.com\r\n", "").as_bytes()),
            Some(400)
        );
        assert_eq!(
            status(ok.replace("Upgrade: websocket", "Upgrade: h2c").as_bytes()),
            Some(400)
        );
        assert_eq!(
            status(
                ok.replace("Connection: Upgrade", "Connection: close")
                    .as_bytes()
            ),
            Some(400)
        );
        assert_eq!(
            status(
                ok.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8")
                    .as_bytes()
            ),
            Some(426)
        );
        assert_eq!(
            status(ok.replace("Sec-WebSocket-Version: 13\r\n", "").as_bytes()),
            Some(400)
        );
        assert_eq!(status(ok.replace(KEY, "short").as_bytes()), Some(400));
        assert_eq!(
            status(
                ok.replace(&format!("Sec-WebSocket-Key: {KEY}\r\n"), "")
                    .as_bytes()
            ),
            Some(400)
        );
        assert_eq!(
            status(ok.replace("Host: ", " Host: ").as_bytes()),
            Some(400)
        );
        assert_eq!(status(ok.replace("Host:", "Ho st:").as_bytes()), Some(400));
        assert_eq!(
            status(ok.replace("example.com", "exa\x01mple").as_bytes()),
            Some(400)
        );
        let big = format!("GET / HTTP/1.1\r\nX: {}\r\n", "a".repeat(MAX_HEAD_LEN));
        assert_eq!(status(big.as_bytes()), Some(431));
    }

    #[test]
    fn request_round_trip_and_response() {
        let data = build_request(
            "h:8080",
            "/ws?x=1",
            &["wamp.2.json", "wamp.2.cbor"],
            KEY,
            &[("Origin", "http://h")],
        )
        .unwrap();
        let (req, _) = parse_request(&data).unwrap().unwrap();
        assert_eq!(req.path, "/ws?x=1");
        assert_eq!(req.header("origin"), Some("http://h"));
        let answer = build_accept(&req, Some("wamp.2.cbor"), &[("Server", "pywamp")]).unwrap();
        let text = String::from_utf8(answer.clone()).unwrap();
        assert!(text.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
        assert!(text.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
        let offered = ["wamp.2.json", "wamp.2.cbor"];
        assert_eq!(
            parse_response(&answer, KEY, &offered),
            Ok(Some((Some("wamp.2.cbor".to_owned()), answer.len())))
        );
        assert_eq!(
            parse_response(&answer[..answer.len() - 1], KEY, &offered),
            Ok(None)
        );
        let err = parse_response(&answer, "AAAAAAAAAAAAAAAAAAAAAA==", &offered).unwrap_err();
        assert_eq!(err.status, Some(101));
        let err = parse_response(&answer, KEY, &["wamp.2.json"]).unwrap_err();
        assert!(err.message.contains("not offered"));
        assert!(build_accept(&req, Some("wamp.2.msgpack"), &[]).is_err());
        let none = build_accept(&req, None, &[]).unwrap();
        assert_eq!(
            parse_response(&none, KEY, &offered),
            Ok(Some((None, none.len())))
        );
    }

    #[test]
    fn refusals() {
        let data = build_reject(426, "use version 13", &[]).unwrap();
        let text = String::from_utf8(data.clone()).unwrap();
        assert!(text.starts_with("HTTP/1.1 426 Upgrade Required\r\n"));
        assert!(text.contains("Sec-WebSocket-Version: 13\r\n"));
        assert!(text.ends_with("\r\n\r\nuse version 13"));
        let err = parse_response(&data, KEY, &[]).unwrap_err();
        assert_eq!(err.status, Some(426));
        assert!(String::from_utf8(build_reject(405, "", &[]).unwrap())
            .unwrap()
            .contains("Allow: GET\r\n"));
        assert!(build_reject(101, "", &[]).is_err());
        assert!(build_reject(400, "", &[("X", "a\r\nB: c")]).is_err());
        assert!(build_request("h", "/", &[], KEY, &[("Bad Name", "v")]).is_err());
        assert!(build_request("h", "no-slash", &[], KEY, &[]).is_err());
        assert!(build_request("h", "/", &["a b"], KEY, &[]).is_err());
        assert_eq!(
            parse_response(b"HTTP/1.1 10\r\n\r\n", KEY, &[])
                .unwrap_err()
                .status,
            None
        );
        assert_eq!(
            parse_response(b"garbage\r\n\r\n", KEY, &[])
                .unwrap_err()
                .status,
            None
        );
    }
}
