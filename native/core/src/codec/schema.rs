//! What each message field must hold, and the typed options/details keys that are checked.
//!
//! Checks run on any [`ValueView`], so the decoder (on values it just built) and the Python
//! constructors (on the caller's objects) apply exactly the same rules.

use super::error::Error;
use super::value::{Kind, ValueView};

/// The largest WAMP id (2^53).
pub const MAX_ID: u64 = 1 << 53;

/// The request types an ERROR may answer.
pub const ERROR_REQUEST_TYPES: &[u64] = &[16, 32, 34, 48, 64, 66, 68];

/// What a message field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// An id in [1, 2^53].
    Id,
    /// ERROR.request_type: the code of a request message.
    RequestType,
    /// UNSUBSCRIBED/UNREGISTERED request id: an id, or 0 for a router-initiated revocation
    /// (which then carries details).
    RevocableId,
    /// A non-empty string (the URI rules themselves are checked elsewhere).
    Uri,
    /// Any string.
    Str,
    /// A dict with str keys.
    Dict,
    /// Optional positional arguments (a list), last-but-one on the wire.
    Args,
    /// Optional keyword arguments (a dict), last on the wire.
    Kwargs,
    /// An optional trailing dict (UNSUBSCRIBED/UNREGISTERED details).
    OptDict,
    /// A transparent binary payload: sent in the position of args, without kwargs.
    Payload,
}

impl FieldKind {
    /// Whether the field is an integer (read without the caller's value builder).
    pub fn is_int(self) -> bool {
        matches!(
            self,
            FieldKind::Id | FieldKind::RequestType | FieldKind::RevocableId
        )
    }

    /// Whether the field may be absent.
    pub fn is_optional(self) -> bool {
        matches!(
            self,
            FieldKind::Args | FieldKind::Kwargs | FieldKind::OptDict | FieldKind::Payload
        )
    }
}

/// A typed key of an options/details dict.
#[derive(Clone, Copy, Debug)]
pub enum Rule {
    Bool,
    Str,
    /// An id in [1, 2^53].
    Id,
    /// A non-negative integer.
    UInt,
    Dict,
    /// A list of ids.
    IdList,
    /// A list of strings.
    StrList,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// One of these strings, or a custom name `x_...`.
    Identifier(&'static [&'static str]),
    /// A list of {session: id, authid: str, authrole: str} (router-to-router links).
    ForwardFor,
}

/// A key and what its value must be.
pub type KeyRule = (&'static str, Rule);

/// One field of a message.
#[derive(Debug)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
    /// For dict fields: the keys whose values are checked (others pass as they are).
    pub rules: &'static [KeyRule],
}

/// One message type: its code, spec name, and fields in wire order.
#[derive(Debug)]
pub struct MessageSpec {
    pub code: u64,
    pub name: &'static str,
    pub fields: &'static [FieldSpec],
}

impl MessageSpec {
    /// The fields that have a position of their own on the wire (all but the payload).
    pub fn wire_field(&self, i: usize) -> Option<&'static FieldSpec> {
        self.fields
            .iter()
            .filter(|f| f.kind != FieldKind::Payload)
            .nth(i)
    }

    /// Number of fields that every message of this type carries.
    pub fn required(&self) -> usize {
        self.fields.iter().filter(|f| !f.kind.is_optional()).count()
    }

    /// Largest number of fields on the wire (after the type code).
    pub fn wire_max(&self) -> usize {
        self.fields
            .iter()
            .filter(|f| f.kind != FieldKind::Payload)
            .count()
    }

    /// Whether a binary payload may replace args/kwargs (payload passthru, E2EE).
    pub fn has_payload(&self) -> bool {
        self.fields.iter().any(|f| f.kind == FieldKind::Payload)
    }
}

/// How a valid field value is to be stored.
#[derive(Debug, PartialEq, Eq)]
pub enum Checked {
    Int(u64),
    Value,
    /// An empty args list or kwargs dict: stored as absent (the wire omits them).
    Empty,
    /// A binary item in the args position.
    Payload,
}

/// How a value reads in an error message: small values by value, others by type.
fn got<V: ValueView>(v: &V) -> String {
    match v.kind() {
        Kind::Int => match (v.as_u64(), v.as_i64()) {
            (Some(u), _) => u.to_string(),
            (_, Some(i)) => i.to_string(),
            _ => "an int out of range".to_owned(),
        },
        Kind::Str => match v.as_str() {
            Some("") => "an empty string".to_owned(),
            Some(s) if s.chars().count() <= 40 => super::error::quoted(s),
            _ => v.type_name(),
        },
        _ => v.type_name(),
    }
}

fn fail<V: ValueView>(msg: &MessageSpec, field: &str, expected: &str, v: &V) -> Error {
    Error::invalid(format!(
        "{}.{field} must be {expected}, got {}",
        msg.name,
        got(v)
    ))
}

fn as_id<V: ValueView>(v: &V) -> Option<u64> {
    v.as_u64().filter(|id| (1..=MAX_ID).contains(id))
}

/// Check one field of a message.
pub fn check_field<V: ValueView>(
    msg: &MessageSpec,
    field: &FieldSpec,
    v: &V,
) -> Result<Checked, Error> {
    let name = field.name;
    match field.kind {
        FieldKind::Id => as_id(v)
            .map(Checked::Int)
            .ok_or_else(|| fail(msg, name, "an id in [1, 2^53]", v)),
        FieldKind::RevocableId => v
            .as_u64()
            .filter(|id| *id <= MAX_ID)
            .map(Checked::Int)
            .ok_or_else(|| fail(msg, name, "an id in [1, 2^53] (or 0 for a revocation)", v)),
        FieldKind::RequestType => v
            .as_u64()
            .filter(|t| ERROR_REQUEST_TYPES.contains(t))
            .map(Checked::Int)
            .ok_or_else(|| {
                fail(
                    msg,
                    name,
                    "the type of a request (16, 32, 34, 48, 64, 66 or 68)",
                    v,
                )
            }),
        FieldKind::Uri => match v.as_str() {
            Some(s) if !s.is_empty() => Ok(Checked::Value),
            _ => Err(fail(msg, name, "a non-empty string (URI)", v)),
        },
        FieldKind::Str => match v.as_str() {
            Some(_) => Ok(Checked::Value),
            None => Err(fail(msg, name, "a string", v)),
        },
        FieldKind::Dict | FieldKind::OptDict => {
            if v.kind() != Kind::Map {
                return Err(fail(msg, name, "a dict", v));
            }
            check_rules(msg, field, v)?;
            Ok(Checked::Value)
        }
        FieldKind::Args => match v.kind() {
            Kind::List if v.is_empty() => Ok(Checked::Empty),
            Kind::List => Ok(Checked::Value),
            Kind::Bytes if msg.has_payload() => Ok(Checked::Payload),
            _ if msg.has_payload() => Err(fail(msg, name, "a list (or a binary payload)", v)),
            _ => Err(fail(msg, name, "a list", v)),
        },
        FieldKind::Kwargs => match v.kind() {
            Kind::Map if v.is_empty() => Ok(Checked::Empty),
            Kind::Map => Ok(Checked::Value),
            _ => Err(fail(msg, name, "a dict", v)),
        },
        FieldKind::Payload => match v.kind() {
            Kind::Bytes => Ok(Checked::Payload),
            _ => Err(fail(msg, name, "bytes", v)),
        },
    }
}

/// A revocation (request id 0) must say what it revokes, in its details.
pub fn check_revocation(
    msg: &MessageSpec,
    request_id: u64,
    has_details: bool,
) -> Result<(), Error> {
    if request_id == 0 && !has_details {
        return Err(Error::invalid(format!(
            "{}.request_id must be an id in [1, 2^53], got 0 (0 is only for a revocation, \
             which carries details)",
            msg.name
        )));
    }
    Ok(())
}

/// A payload replaces args and kwargs; it cannot come with them.
pub fn check_payload_alone(msg: &MessageSpec, has_args_or_kwargs: bool) -> Result<(), Error> {
    if has_args_or_kwargs {
        return Err(Error::invalid(format!(
            "{}.payload cannot be combined with args or kwargs",
            msg.name
        )));
    }
    Ok(())
}

fn check_rules<V: ValueView>(msg: &MessageSpec, field: &FieldSpec, map: &V) -> Result<(), Error> {
    if field.rules.is_empty() || map.is_empty() {
        return Ok(());
    }
    map.try_for_each_entry(&mut |key, v| {
        match field.rules.iter().find(|(k, _)| *k == key) {
            // null stands for an absent key: peers send it for unset options.
            Some((_, rule)) if v.kind() != Kind::Null => check_rule(msg, field, key, *rule, v),
            _ => Ok(()),
        }
    })
}

fn is_custom_name(s: &str) -> bool {
    match s.strip_prefix("x_").map(str::as_bytes) {
        Some([]) => true,
        Some([first, rest @ ..]) => {
            first.is_ascii_lowercase()
                && !rest.is_empty()
                && rest
                    .iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
        }
        None => false,
    }
}

fn check_rule<V: ValueView>(
    msg: &MessageSpec,
    field: &FieldSpec,
    key: &str,
    rule: Rule,
    v: &V,
) -> Result<(), Error> {
    // The field's name is formatted only for an error: this runs for every option checked.
    let name = || format!("{}.{key}", field.name);
    let ok = match rule {
        Rule::Bool => v.as_bool().is_some(),
        Rule::Str => v.as_str().is_some(),
        Rule::Id => as_id(v).is_some(),
        Rule::UInt => v.as_u64().is_some(),
        Rule::Dict => v.kind() == Kind::Map,
        Rule::OneOf(names) => v.as_str().is_some_and(|s| names.contains(&s)),
        Rule::Identifier(names) => v
            .as_str()
            .is_some_and(|s| names.contains(&s) || is_custom_name(s)),
        Rule::IdList | Rule::StrList | Rule::ForwardFor => {
            if v.kind() != Kind::List {
                false
            } else {
                let mut bad: Option<String> = None;
                v.try_for_each_item(&mut |item| {
                    let item_ok = match rule {
                        Rule::IdList => as_id(item).is_some(),
                        Rule::StrList => item.as_str().is_some(),
                        _ => is_forward_hop(item),
                    };
                    if !item_ok && bad.is_none() {
                        bad = Some(got(item));
                    }
                    Ok(())
                })?;
                if let Some(item) = bad {
                    let expected = expectation(rule);
                    return Err(Error::invalid(format!(
                        "{}.{} must be {expected}, got an item {item}",
                        msg.name,
                        name()
                    )));
                }
                true
            }
        }
    };
    if ok {
        Ok(())
    } else {
        Err(fail(msg, &name(), &expectation(rule), v))
    }
}

fn is_forward_hop<V: ValueView>(hop: &V) -> bool {
    if hop.kind() != Kind::Map {
        return false;
    }
    let mut ok = true;
    let mut seen = 0;
    let _ = hop.try_for_each_entry(&mut |key, v| {
        match key {
            "session" => ok &= as_id(v).is_some(),
            "authid" | "authrole" => ok &= v.as_str().is_some(),
            _ => return Ok(()),
        }
        seen += 1;
        Ok(())
    });
    ok && seen == 3
}

fn expectation(rule: Rule) -> String {
    let quoted = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("'{n}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match rule {
        Rule::Bool => "a bool".to_owned(),
        Rule::Str => "a string".to_owned(),
        Rule::Id => "an id in [1, 2^53]".to_owned(),
        Rule::UInt => "a non-negative int".to_owned(),
        Rule::Dict => "a dict".to_owned(),
        Rule::IdList => "a list of ids".to_owned(),
        Rule::StrList => "a list of strings".to_owned(),
        Rule::OneOf(names) => format!("one of {}", quoted(names)),
        Rule::Identifier(names) => format!("one of {} or a custom 'x_...' name", quoted(names)),
        Rule::ForwardFor => "a list of {session: id, authid: str, authrole: str}".to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// The checked keys of each options/details dict (basic and advanced profile).
// ---------------------------------------------------------------------------------------

const MATCH: Rule = Rule::OneOf(&["exact", "prefix", "wildcard"]);
const ENC_ALGO: Rule = Rule::Identifier(&["cryptobox", "mqtt", "xbr"]);
const ENC_SERIALIZER: Rule =
    Rule::Identifier(&["json", "msgpack", "cbor", "ubjson", "flatbuffers"]);

pub const NO_RULES: &[KeyRule] = &[];

pub const HELLO_DETAILS: &[KeyRule] = &[
    ("roles", Rule::Dict),
    ("authmethods", Rule::StrList),
    ("authid", Rule::Str),
    ("authrole", Rule::Str),
    ("authextra", Rule::Dict),
    ("agent", Rule::Str),
];

pub const WELCOME_DETAILS: &[KeyRule] = &[
    ("roles", Rule::Dict),
    ("authid", Rule::Str),
    ("authrole", Rule::Str),
    ("authmethod", Rule::Str),
    ("authprovider", Rule::Str),
    ("authextra", Rule::Dict),
    ("agent", Rule::Str),
];

pub const CLOSE_DETAILS: &[KeyRule] = &[("message", Rule::Str)];

pub const ERROR_DETAILS: &[KeyRule] = &[
    ("callee", Rule::Id),
    ("callee_authid", Rule::Str),
    ("callee_authrole", Rule::Str),
    ("forward_for", Rule::ForwardFor),
    ("enc_algo", ENC_ALGO),
    ("enc_key", Rule::Str),
    ("enc_serializer", ENC_SERIALIZER),
    ("ppt_scheme", Rule::Str),
    ("ppt_serializer", Rule::Str),
    ("ppt_cipher", Rule::Str),
    ("ppt_keyid", Rule::Str),
];

pub const PUBLISH_OPTIONS: &[KeyRule] = &[
    ("acknowledge", Rule::Bool),
    ("exclude_me", Rule::Bool),
    ("exclude", Rule::IdList),
    ("exclude_authid", Rule::StrList),
    ("exclude_authrole", Rule::StrList),
    ("eligible", Rule::IdList),
    ("eligible_authid", Rule::StrList),
    ("eligible_authrole", Rule::StrList),
    ("retain", Rule::Bool),
    ("disclose_me", Rule::Bool),
    ("transaction_hash", Rule::Str),
    ("forward_for", Rule::ForwardFor),
    ("enc_algo", ENC_ALGO),
    ("enc_key", Rule::Str),
    ("enc_serializer", ENC_SERIALIZER),
    ("ppt_scheme", Rule::Str),
    ("ppt_serializer", Rule::Str),
    ("ppt_cipher", Rule::Str),
    ("ppt_keyid", Rule::Str),
];

pub const SUBSCRIBE_OPTIONS: &[KeyRule] = &[
    ("match", MATCH),
    ("get_retained", Rule::Bool),
    ("forward_for", Rule::ForwardFor),
];

pub const UNSUBSCRIBED_DETAILS: &[KeyRule] = &[("subscription", Rule::Id), ("reason", Rule::Str)];

pub const EVENT_DETAILS: &[KeyRule] = &[
    ("publisher", Rule::Id),
    ("publisher_authid", Rule::Str),
    ("publisher_authrole", Rule::Str),
    ("topic", Rule::Str),
    ("retained", Rule::Bool),
    ("transaction_hash", Rule::Str),
    ("x_acknowledged_delivery", Rule::Bool),
    ("forward_for", Rule::ForwardFor),
    ("enc_algo", ENC_ALGO),
    ("enc_key", Rule::Str),
    ("enc_serializer", ENC_SERIALIZER),
    ("ppt_scheme", Rule::Str),
    ("ppt_serializer", Rule::Str),
    ("ppt_cipher", Rule::Str),
    ("ppt_keyid", Rule::Str),
];

pub const CALL_OPTIONS: &[KeyRule] = &[
    ("timeout", Rule::UInt),
    ("receive_progress", Rule::Bool),
    ("progress", Rule::Bool),
    ("disclose_me", Rule::Bool),
    ("transaction_hash", Rule::Str),
    ("forward_for", Rule::ForwardFor),
    ("enc_algo", ENC_ALGO),
    ("enc_key", Rule::Str),
    ("enc_serializer", ENC_SERIALIZER),
    ("ppt_scheme", Rule::Str),
    ("ppt_serializer", Rule::Str),
    ("ppt_cipher", Rule::Str),
    ("ppt_keyid", Rule::Str),
];

pub const CANCEL_OPTIONS: &[KeyRule] = &[
    ("mode", Rule::OneOf(&["skip", "kill", "killnowait"])),
    ("forward_for", Rule::ForwardFor),
];

pub const RESULT_DETAILS: &[KeyRule] = &[
    ("progress", Rule::Bool),
    ("callee", Rule::Id),
    ("callee_authid", Rule::Str),
    ("callee_authrole", Rule::Str),
    ("forward_for", Rule::ForwardFor),
    ("enc_algo", ENC_ALGO),
    ("enc_key", Rule::Str),
    ("enc_serializer", ENC_SERIALIZER),
    ("ppt_scheme", Rule::Str),
    ("ppt_serializer", Rule::Str),
    ("ppt_cipher", Rule::Str),
    ("ppt_keyid", Rule::Str),
];

pub const REGISTER_OPTIONS: &[KeyRule] = &[
    ("match", MATCH),
    ("invoke", Rule::Str),
    ("concurrency", Rule::UInt),
    ("disclose_caller", Rule::Bool),
    ("force_reregister", Rule::Bool),
    ("forward_for", Rule::ForwardFor),
];

pub const UNREGISTERED_DETAILS: &[KeyRule] = &[("registration", Rule::Id), ("reason", Rule::Str)];

pub const INVOCATION_DETAILS: &[KeyRule] = &[
    ("caller", Rule::Id),
    ("caller_authid", Rule::Str),
    ("caller_authrole", Rule::Str),
    ("procedure", Rule::Str),
    ("receive_progress", Rule::Bool),
    ("progress", Rule::Bool),
    ("timeout", Rule::UInt),
    ("transaction_hash", Rule::Str),
    ("forward_for", Rule::ForwardFor),
    ("enc_algo", ENC_ALGO),
    ("enc_key", Rule::Str),
    ("enc_serializer", ENC_SERIALIZER),
    ("ppt_scheme", Rule::Str),
    ("ppt_serializer", Rule::Str),
    ("ppt_cipher", Rule::Str),
    ("ppt_keyid", Rule::Str),
];

pub const INTERRUPT_OPTIONS: &[KeyRule] = &[
    ("mode", Rule::OneOf(&["kill", "killnowait"])),
    ("reason", Rule::Str),
    ("forward_for", Rule::ForwardFor),
];

pub const YIELD_OPTIONS: &[KeyRule] = &[
    ("progress", Rule::Bool),
    ("callee", Rule::Id),
    ("callee_authid", Rule::Str),
    ("callee_authrole", Rule::Str),
    ("forward_for", Rule::ForwardFor),
    ("enc_algo", ENC_ALGO),
    ("enc_key", Rule::Str),
    ("enc_serializer", ENC_SERIALIZER),
    ("ppt_scheme", Rule::Str),
    ("ppt_serializer", Rule::Str),
    ("ppt_cipher", Rule::Str),
    ("ppt_keyid", Rule::Str),
];
