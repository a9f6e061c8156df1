//! The WAMP messages: one table defines every type, its code, fields, and checked keys.
//!
//! [`for_each_message!`] hands the table to a callback macro; this module builds the
//! [`Message`] enum, the [`MessageSpec`]s and the slot-to-message conversion from it, and
//! the Python binding builds its classes from the same table.

use super::error::Error;
use super::schema::MessageSpec;

/// Calls `$callback!` with the table of all 25 WAMP messages.
///
/// Each entry: `Name = code, "SPEC_NAME" (required fields) [optional fields];` where a
/// field is `name: Kind` or `name: Kind = RULES` (a const of [`super::schema`] listing the
/// checked keys of a dict). Optional fields are `Args`, `Kwargs`, `OptDict` and `Payload`.
#[macro_export]
macro_rules! for_each_message {
    ($callback:ident) => {
        $callback! {
            Hello = 1, "HELLO" (realm: Uri, details: Dict = HELLO_DETAILS) [];
            Welcome = 2, "WELCOME" (session: Id, details: Dict = WELCOME_DETAILS) [];
            Abort = 3, "ABORT" (details: Dict = CLOSE_DETAILS, reason: Uri)
                [args: Args, kwargs: Kwargs];
            Challenge = 4, "CHALLENGE" (authmethod: Str, extra: Dict) [];
            Authenticate = 5, "AUTHENTICATE" (signature: Str, extra: Dict) [];
            Goodbye = 6, "GOODBYE" (details: Dict = CLOSE_DETAILS, reason: Uri) [];
            Error = 8, "ERROR"
                (request_type: RequestType, request_id: Id, details: Dict = ERROR_DETAILS, error: Uri)
                [args: Args, kwargs: Kwargs, payload: Payload];
            Publish = 16, "PUBLISH" (request_id: Id, options: Dict = PUBLISH_OPTIONS, topic: Uri)
                [args: Args, kwargs: Kwargs, payload: Payload];
            Published = 17, "PUBLISHED" (request_id: Id, publication: Id) [];
            Subscribe = 32, "SUBSCRIBE"
                (request_id: Id, options: Dict = SUBSCRIBE_OPTIONS, topic: Uri) [];
            Subscribed = 33, "SUBSCRIBED" (request_id: Id, subscription: Id) [];
            Unsubscribe = 34, "UNSUBSCRIBE" (request_id: Id, subscription: Id) [];
            Unsubscribed = 35, "UNSUBSCRIBED" (request_id: RevocableId)
                [details: OptDict = UNSUBSCRIBED_DETAILS];
            Event = 36, "EVENT"
                (subscription: Id, publication: Id, details: Dict = EVENT_DETAILS)
                [args: Args, kwargs: Kwargs, payload: Payload];
            Call = 48, "CALL" (request_id: Id, options: Dict = CALL_OPTIONS, procedure: Uri)
                [args: Args, kwargs: Kwargs, payload: Payload];
            Cancel = 49, "CANCEL" (request_id: Id, options: Dict = CANCEL_OPTIONS) [];
            Result = 50, "RESULT" (request_id: Id, details: Dict = RESULT_DETAILS)
                [args: Args, kwargs: Kwargs, payload: Payload];
            Register = 64, "REGISTER"
                (request_id: Id, options: Dict = REGISTER_OPTIONS, procedure: Uri) [];
            Registered = 65, "REGISTERED" (request_id: Id, registration: Id) [];
            Unregister = 66, "UNREGISTER" (request_id: Id, registration: Id) [];
            Unregistered = 67, "UNREGISTERED" (request_id: RevocableId)
                [details: OptDict = UNREGISTERED_DETAILS];
            Invocation = 68, "INVOCATION"
                (request_id: Id, registration: Id, details: Dict = INVOCATION_DETAILS)
                [args: Args, kwargs: Kwargs, payload: Payload];
            Interrupt = 69, "INTERRUPT" (request_id: Id, options: Dict = INTERRUPT_OPTIONS) [];
            Yield = 70, "YIELD" (request_id: Id, options: Dict = YIELD_OPTIONS)
                [args: Args, kwargs: Kwargs, payload: Payload];
            EventReceived = 337, "EVENT_RECEIVED" (publication: Id) [];
        }
    };
}

/// The Rust type of a field of kind `$kind` in a message over values `$v`.
#[macro_export]
macro_rules! wamp_field_type {
    (Id, $v:ty) => { u64 };
    (RequestType, $v:ty) => { u64 };
    (RevocableId, $v:ty) => { u64 };
    (Uri, $v:ty) => { $v };
    (Str, $v:ty) => { $v };
    (Dict, $v:ty) => { $v };
    (Args, $v:ty) => { Option<$v> };
    (Kwargs, $v:ty) => { Option<$v> };
    (OptDict, $v:ty) => { Option<$v> };
    (Payload, $v:ty) => { Option<$v> };
}

/// A field as the encoder sees it: an integer, a value, or an optional value.
#[derive(Debug, PartialEq)]
pub enum FieldRef<V> {
    Int(u64),
    Value(V),
    Opt(Option<V>),
}

impl<V: Copy> Clone for FieldRef<V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<V: Copy> Copy for FieldRef<V> {}

/// Most fields any message has (ERROR: 6 on the wire, plus the payload).
pub const MAX_FIELDS: usize = 7;

/// The fields of one message, in table order.
pub struct FieldRefs<V> {
    refs: [FieldRef<V>; MAX_FIELDS],
    len: usize,
}

impl<V: Copy> FieldRefs<V> {
    /// Collect up to [`MAX_FIELDS`] fields.
    pub fn new<const N: usize>(fields: [FieldRef<V>; N]) -> Self {
        let mut refs = [FieldRef::Opt(None); MAX_FIELDS];
        for (slot, field) in refs.iter_mut().zip(fields) {
            *slot = field;
        }
        FieldRefs {
            refs,
            len: N.min(MAX_FIELDS),
        }
    }

    pub fn as_slice(&self) -> &[FieldRef<V>] {
        self.refs.get(..self.len).unwrap_or_default()
    }
}

/// A field value read from the wire, before it is moved into a message.
#[derive(Debug, Default)]
pub enum Slot<V> {
    #[default]
    Absent,
    Int(u64),
    Value(V),
}

impl<V> Slot<V> {
    fn int(self) -> Result<u64, Error> {
        match self {
            Slot::Int(i) => Ok(i),
            _ => Err(Error::invalid("missing integer field")),
        }
    }
    fn value(self) -> Result<V, Error> {
        match self {
            Slot::Value(v) => Ok(v),
            _ => Err(Error::invalid("missing field")),
        }
    }
    fn opt(self) -> Option<V> {
        match self {
            Slot::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// The wire fields of one message (after the type code), and its payload if any.
pub struct Slots<V> {
    items: [Slot<V>; MAX_FIELDS],
    next: usize,
    pub payload: Option<V>,
}

impl<V> Default for Slots<V> {
    fn default() -> Self {
        Slots {
            items: std::array::from_fn(|_| Slot::Absent),
            next: 0,
            payload: None,
        }
    }
}

impl<V> Slots<V> {
    pub fn set(&mut self, i: usize, slot: Slot<V>) {
        if let Some(s) = self.items.get_mut(i) {
            *s = slot;
        }
    }
    /// Take the next wire field, in order.
    pub fn take_next(&mut self) -> Slot<V> {
        let slot = self
            .items
            .get_mut(self.next)
            .map(std::mem::take)
            .unwrap_or_default();
        self.next += 1;
        slot
    }
}

macro_rules! rules_of {
    () => {
        $crate::codec::schema::NO_RULES
    };
    ($rules:ident) => {
        $crate::codec::schema::$rules
    };
}

macro_rules! take_slot {
    (Id, $s:ident) => {
        $s.take_next().int()?
    };
    (RequestType, $s:ident) => {
        $s.take_next().int()?
    };
    (RevocableId, $s:ident) => {
        $s.take_next().int()?
    };
    (Uri, $s:ident) => {
        $s.take_next().value()?
    };
    (Str, $s:ident) => {
        $s.take_next().value()?
    };
    (Dict, $s:ident) => {
        $s.take_next().value()?
    };
    (Args, $s:ident) => {
        $s.take_next().opt()
    };
    (Kwargs, $s:ident) => {
        $s.take_next().opt()
    };
    (OptDict, $s:ident) => {
        $s.take_next().opt()
    };
    (Payload, $s:ident) => {
        $s.payload.take()
    };
}

macro_rules! field_ref {
    (Id, $f:ident) => {
        FieldRef::Int(*$f)
    };
    (RequestType, $f:ident) => {
        FieldRef::Int(*$f)
    };
    (RevocableId, $f:ident) => {
        FieldRef::Int(*$f)
    };
    (Uri, $f:ident) => {
        FieldRef::Value($f)
    };
    (Str, $f:ident) => {
        FieldRef::Value($f)
    };
    (Dict, $f:ident) => {
        FieldRef::Value($f)
    };
    (Args, $f:ident) => {
        FieldRef::Opt($f.as_ref())
    };
    (Kwargs, $f:ident) => {
        FieldRef::Opt($f.as_ref())
    };
    (OptDict, $f:ident) => {
        FieldRef::Opt($f.as_ref())
    };
    (Payload, $f:ident) => {
        FieldRef::Opt($f.as_ref())
    };
}

macro_rules! define_messages {
    ($(
        $name:ident = $code:literal, $wire:literal
            ( $($req:ident : $rkind:ident $(= $rrules:ident)?),* )
            [ $($opt:ident : $okind:ident $(= $orules:ident)?),* ];
    )*) => {
        /// A WAMP message over values of type `V` (dicts, lists and strings; ids are u64).
        pub enum Message<V> {
            $(
                $name { $($req: $crate::wamp_field_type!($rkind, V),)* $($opt: $crate::wamp_field_type!($okind, V),)* },
            )*
        }

        /// The spec of every message type, by Rust name (`specs::Call`).
        #[allow(non_upper_case_globals)]
        pub mod specs {
            use super::super::schema::{FieldKind, FieldSpec, MessageSpec};
            $(
                pub static $name: MessageSpec = MessageSpec {
                    code: $code,
                    name: $wire,
                    fields: &[
                        $(FieldSpec { name: stringify!($req), kind: FieldKind::$rkind, rules: rules_of!($($rrules)?) },)*
                        $(FieldSpec { name: stringify!($opt), kind: FieldKind::$okind, rules: rules_of!($($orules)?) },)*
                    ],
                };
            )*
        }

        /// The spec of the message type with this code.
        pub fn spec_by_code(code: u64) -> Option<&'static MessageSpec> {
            match code {
                $($code => Some(&specs::$name),)*
                _ => None,
            }
        }

        /// Every message spec, in table order.
        pub static ALL_SPECS: &[&MessageSpec] = &[$(&specs::$name),*];

        impl<V: Clone> Clone for Message<V> {
            fn clone(&self) -> Self {
                match self {
                    $(Message::$name { $($req,)* $($opt,)* } => Message::$name {
                        $($req: $req.clone(),)* $($opt: $opt.clone(),)*
                    },)*
                }
            }
        }

        impl<V: std::fmt::Debug> std::fmt::Debug for Message<V> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $(Message::$name { $($req,)* $($opt,)* } => f
                        .debug_struct(stringify!($name))
                        $(.field(stringify!($req), $req))*
                        $(.field(stringify!($opt), $opt))*
                        .finish(),)*
                }
            }
        }

        impl<V> Message<V> {
            /// The spec of this message's type.
            pub fn spec(&self) -> &'static MessageSpec {
                match self {
                    $(Message::$name { .. } => &specs::$name,)*
                }
            }

            /// Build a message of type `spec` from checked wire fields.
            pub fn from_slots(spec: &MessageSpec, s: &mut Slots<V>) -> Result<Self, Error> {
                match spec.code {
                    $($code => Ok(Message::$name {
                        $($req: take_slot!($rkind, s),)*
                        $($opt: take_slot!($okind, s),)*
                    }),)*
                    code => Err(Error::invalid(format!("unknown WAMP message type {code}"))),
                }
            }

            /// The fields in table order, for the encoder.
            pub fn field_refs(&self) -> FieldRefs<&V> {
                match self {
                    $(Message::$name { $($req,)* $($opt,)* } => FieldRefs::new([
                        $(field_ref!($rkind, $req),)*
                        $(field_ref!($okind, $opt),)*
                    ]),)*
                }
            }
        }
    };
}

for_each_message!(define_messages);

impl<V: PartialEq> PartialEq for Message<V> {
    fn eq(&self, other: &Self) -> bool {
        self.code() == other.code() && self.field_refs().as_slice() == other.field_refs().as_slice()
    }
}

impl<V> Message<V> {
    /// The message type code.
    pub fn code(&self) -> u64 {
        self.spec().code
    }

    /// The spec name ("CALL").
    pub fn name(&self) -> &'static str {
        self.spec().name
    }
}
