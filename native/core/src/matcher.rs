//! Subscriptions and registrations keyed by (URI, match policy), looked up by concrete URI.
//!
//! Spec: advanced profile, `pubsub_pattern_based_subscription.md` and
//! `rpc_pattern_based_registration.md`.
//!
//! * **exact**: the URI equals the key. A hash map.
//! * **prefix**: the URI starts with the key, *by characters*: the spec's prefix sections
//!   have `com.myapp.topic.emergency` match `com.myapp.topic.emergency-low` and
//!   `com.myapp.myobject1` match `com.myapp.myobject1-mysubobject1`, and Crossbar does the
//!   same. (The spec's list of registration precedence examples contradicts this once:
//!   it calls `a1.b2.c33.d4.e5` "no prefix match" for the prefix `a1.b2.c3`; we follow
//!   the definition, not that example.)
//! * **wildcard**: the key's empty components are wildcards, each matching exactly one
//!   non-empty component; the other components must be equal, and the component counts
//!   too.
//!
//! Prefix and wildcard keys share one trie over URI components (see `trie.rs`): a prefix
//! key is a literal path plus a tail that must begin the URI's next component. A lookup
//! splits the URI once and walks the trie along it, so it costs the length of the URI
//! (plus the results), not the number of entries. The one exception is inherent to
//! wildcards: a URI that many patterns share long runs with visits each of them.
//!
//! **Order and precedence.** [`Matcher::match_all`] yields the exact entry, then the
//! prefix entries from the longest key to the shortest, then the wildcard entries from the
//! most to the least specific. [`Matcher::best`] is always the first of that list, which
//! is the spec's routing rule for registrations:
//!
//! 1. the exact entry;
//! 2. else the longest matching prefix (all matching prefixes are prefixes of one URI, so
//!    they nest and the longest is unique; it also has the most components matched);
//! 3. else the most specific wildcard: compare the patterns component by component from
//!    the left, and at the first position where one has a literal and the other a
//!    wildcard, the literal wins. This is the spec's "longest portion of URI components
//!    matched before each wildcard" (`a1.b2..d4` beats `a1...d4`, `a1.b2..d4.e5..g7` beats
//!    `a1.b2..d4..f6.g7`), and it is total: two different patterns matching the same URI
//!    differ in where their wildcards are, so there is never a tie to break.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::uri::{check_uri, UriError, UriRules};

mod hash;
mod store;
mod trie;

use trie::Trie;

pub(crate) type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// How a key matches URIs (`SUBSCRIBE.Options.match` / `REGISTER.Options.match`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Policy {
    Exact,
    Prefix,
    Wildcard,
}

impl Policy {
    /// Every policy, in match order.
    pub const ALL: [Policy; 3] = [Policy::Exact, Policy::Prefix, Policy::Wildcard];

    /// The name on the wire: "exact", "prefix" or "wildcard".
    pub fn name(self) -> &'static str {
        match self {
            Policy::Exact => "exact",
            Policy::Prefix => "prefix",
            Policy::Wildcard => "wildcard",
        }
    }

    /// The policy named `name` on the wire, if any.
    pub fn from_name(name: &str) -> Option<Policy> {
        match name {
            "exact" => Some(Policy::Exact),
            "prefix" => Some(Policy::Prefix),
            "wildcard" => Some(Policy::Wildcard),
            _ => None,
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Check that `uri` is a valid key for `policy`: a loose URI; for prefix keys the last
/// component may be empty (`com.myapp.`); for wildcard keys any component may be empty,
/// but the key may not be the empty string.
pub fn check_key(uri: &str, policy: Policy) -> Result<(), UriError> {
    match policy {
        Policy::Exact => check_uri(uri, UriRules::LOOSE),
        Policy::Prefix => check_uri(uri.strip_suffix('.').unwrap_or(uri), UriRules::LOOSE),
        Policy::Wildcard if uri.is_empty() => Err(UriError::Empty),
        Policy::Wildcard => check_uri(uri, UriRules::LOOSE_EMPTY),
    }
}

/// Why [`Matcher::add`] refused a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatcherError {
    /// The key is not a valid URI for its policy.
    InvalidUri {
        uri: String,
        policy: Policy,
        error: UriError,
    },
    /// An entry already has this (uri, policy).
    Taken { uri: String, policy: Policy },
    /// The matcher cannot index more entries or key bytes.
    Full { uri: String, policy: Policy },
}

impl fmt::Display for MatcherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatcherError::InvalidUri { uri, policy, error } => {
                write!(f, "invalid {policy} URI {}: {error}", Shown(uri))
            }
            MatcherError::Taken { uri, policy } => {
                write!(f, "({}, {policy}) is already taken", Shown(uri))
            }
            MatcherError::Full { uri, policy } => {
                write!(
                    f,
                    "no room for ({}, {policy}): the matcher is full",
                    Shown(uri)
                )
            }
        }
    }
}

impl std::error::Error for MatcherError {}

/// A URI quoted for an error message, cut short when it is long.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 200;
        match self.0.char_indices().nth(MAX) {
            Some((cut, _)) => write!(f, "{:?}...", self.0.get(..cut).unwrap_or_default()),
            None => write!(f, "{:?}", self.0),
        }
    }
}

/// Values keyed by (URI, policy); see the module documentation for matching and order.
pub struct Matcher<T> {
    exact: Map<Key, T>,
    trie: Trie<T>,
}

impl<T> Default for Matcher<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for Matcher<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Matcher")
            .field("exact", &self.exact.len())
            .field("prefix", &self.trie.prefixes())
            .field("wildcard", &self.trie.wildcards)
            .finish()
    }
}

impl<T> Matcher<T> {
    pub fn new() -> Self {
        Matcher {
            exact: Map::default(),
            trie: Trie::new(),
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.exact.len() + self.trie.prefixes() + self.trie.wildcards
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Store `value` under (uri, policy). Refuses (and drops `value`) when `uri` is not a
    /// valid key for `policy` (see [`check_key`]) or the key is taken.
    pub fn add(&mut self, uri: &str, policy: Policy, value: T) -> Result<(), MatcherError> {
        if let Err(error) = check_key(uri, policy) {
            return Err(MatcherError::InvalidUri {
                uri: uri.to_owned(),
                policy,
                error,
            });
        }
        let result = match policy {
            Policy::Exact => {
                if self.exact.contains_key(uri.as_bytes()) {
                    Err(Refused::Taken)
                } else {
                    self.exact.insert(Key::new(uri), value);
                    Ok(())
                }
            }
            Policy::Prefix => self.trie.insert_prefix(uri, value),
            Policy::Wildcard => self.trie.insert_wildcard(uri, value),
        };
        result.map_err(|refused| match refused {
            Refused::Taken => MatcherError::Taken {
                uri: uri.to_owned(),
                policy,
            },
            Refused::Full => MatcherError::Full {
                uri: uri.to_owned(),
                policy,
            },
        })
    }

    /// Remove and return the value under (uri, policy).
    pub fn remove(&mut self, uri: &str, policy: Policy) -> Option<T> {
        match policy {
            Policy::Exact => self.exact.remove(uri.as_bytes()),
            Policy::Prefix => self.trie.remove_prefix(uri),
            Policy::Wildcard => self.trie.remove_wildcard(uri),
        }
    }

    /// The value under (uri, policy).
    pub fn get(&self, uri: &str, policy: Policy) -> Option<&T> {
        match policy {
            Policy::Exact => self.exact.get(uri.as_bytes()),
            Policy::Prefix => self.trie.get_prefix(uri),
            Policy::Wildcard => self.trie.get_wildcard(uri),
        }
    }

    /// The value under (uri, policy), to change in place.
    pub fn get_mut(&mut self, uri: &str, policy: Policy) -> Option<&mut T> {
        match policy {
            Policy::Exact => self.exact.get_mut(uri.as_bytes()),
            Policy::Prefix => self.trie.get_prefix_mut(uri),
            Policy::Wildcard => self.trie.get_wildcard_mut(uri),
        }
    }

    pub fn contains(&self, uri: &str, policy: Policy) -> bool {
        self.get(uri, policy).is_some()
    }

    /// Call `f` with every value whose key matches `uri`, in match order (exact, prefix
    /// from longest, wildcard from most specific).
    ///
    /// `uri` is taken as bytes so that callers holding text that is not valid UTF-8 (a
    /// Python string with a lone surrogate, encoded with `surrogatepass`) still get the
    /// code point semantics: keys are valid UTF-8, and no valid character's encoding
    /// matches part of another sequence.
    pub fn for_each_match<'a>(&'a self, uri: &[u8], mut f: impl FnMut(&'a T)) {
        if let Some(value) = self.exact.get(uri) {
            f(value);
        }
        self.trie.lookup(uri, true, true, &mut |value| {
            f(value);
            true
        });
    }

    /// Every value whose key matches `uri`, in match order (see [`Matcher::for_each_match`]).
    pub fn match_all(&self, uri: &[u8]) -> Vec<&T> {
        let mut out = Vec::new();
        self.for_each_match(uri, |value| out.push(value));
        out
    }

    /// The one value that wins for `uri` by the registration precedence (the first of
    /// [`Matcher::match_all`]).
    pub fn best(&self, uri: &[u8]) -> Option<&T> {
        if let Some(value) = self.exact.get(uri) {
            return Some(value);
        }
        let mut first = None;
        self.trie.lookup(uri, true, true, &mut |value| {
            first = Some(value);
            false
        });
        first
    }

    /// Every stored value, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.exact.values().chain(self.trie.values())
    }

    /// Bytes held by the matcher's tables (slots and control bytes; not long keys'
    /// own allocations, nor what the values point to): for benchmarks.
    #[doc(hidden)]
    pub fn table_bytes(&self) -> usize {
        // hashbrown keeps at most 7/8 of a power-of-two bucket count full.
        let buckets = (self.exact.capacity() * 8 / 7).next_power_of_two();
        let exact = buckets * (std::mem::size_of::<(Key, T)>() + 1);
        exact + self.trie.table_bytes()
    }

    /// Remove every entry.
    pub fn clear(&mut self) {
        self.exact = Map::default();
        self.trie = Trie::new();
    }
}

/// Why one of the structures refused an insert.
pub(crate) enum Refused {
    Taken,
    Full,
}

/// An exact key, hashed as its bytes so that lookups can borrow it as `[u8]`. Keys of up
/// to [`Key::INLINE`] bytes (most URIs) sit in the table's slot itself, so a lookup that
/// hits compares them without another cache miss.
enum Key {
    Inline(u8, [u8; Key::INLINE]),
    Heap(Box<str>),
}

impl Key {
    const INLINE: usize = 38;

    fn new(uri: &str) -> Key {
        let mut inline = [0; Key::INLINE];
        match inline.get_mut(..uri.len()) {
            Some(head) => {
                head.copy_from_slice(uri.as_bytes());
                Key::Inline(uri.len() as u8, inline)
            }
            None => Key::Heap(uri.into()),
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Key::Inline(len, bytes) => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Key::Heap(text) => text.as_bytes(),
        }
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.bytes().hash(state);
    }
}

impl Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        self.bytes()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests;
