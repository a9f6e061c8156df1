//! The WAMP serializers pywamp speaks, with their names on every transport.

/// A WAMP serialization format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Serializer {
    Json,
    Msgpack,
    Cbor,
}

impl Serializer {
    /// Every serializer, in the order pywamp offers them.
    pub const ALL: [Serializer; 3] = [Serializer::Cbor, Serializer::Msgpack, Serializer::Json];

    /// The serializer called `name` ("json", "msgpack", "cbor").
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "json" => Some(Self::Json),
            "msgpack" => Some(Self::Msgpack),
            "cbor" => Some(Self::Cbor),
            _ => None,
        }
    }

    /// Its name, as used in configuration and in `Serializer` on the Python side.
    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Msgpack => "msgpack",
            Self::Cbor => "cbor",
        }
    }

    /// The serializer id in a RawSocket handshake.
    pub fn rawsocket_id(self) -> u8 {
        match self {
            Self::Json => 1,
            Self::Msgpack => 2,
            Self::Cbor => 3,
        }
    }

    /// The serializer with RawSocket id `id`, if pywamp speaks it.
    pub fn from_rawsocket_id(id: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.rawsocket_id() == id)
    }

    /// The WebSocket subprotocol (`wamp.2.json`, ...).
    pub fn subprotocol(self) -> &'static str {
        match self {
            Self::Json => "wamp.2.json",
            Self::Msgpack => "wamp.2.msgpack",
            Self::Cbor => "wamp.2.cbor",
        }
    }

    /// The serializer behind a WebSocket subprotocol, if pywamp speaks it.
    pub fn from_subprotocol(protocol: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.subprotocol() == protocol)
    }

    /// Whether messages travel as WebSocket text frames (JSON) rather than binary.
    pub fn is_text(self) -> bool {
        matches!(self, Self::Json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ids_and_subprotocols_round_trip() {
        for s in Serializer::ALL {
            assert_eq!(Serializer::from_name(s.name()), Some(s));
            assert_eq!(Serializer::from_rawsocket_id(s.rawsocket_id()), Some(s));
            assert_eq!(Serializer::from_subprotocol(s.subprotocol()), Some(s));
        }
        assert_eq!(Serializer::from_rawsocket_id(4), None);
        assert_eq!(Serializer::from_subprotocol("wamp.2.ubjson"), None);
    }
}
