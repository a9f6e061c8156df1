//! WAMP URI validation (spec: basic profile, "URIs" in `building_blocks.md`).
//!
//! The spec gives four regular expressions; each one is a rule on the components between
//! the dots, so the check is a single pass over the bytes with no regex engine:
//!
//! | rules                 | spec expression                           |
//! |-----------------------|-------------------------------------------|
//! | loose                 | `^([^\s\.#]+\.)*([^\s\.#]+)$`             |
//! | loose, empty allowed  | `^(([^\s\.#]+\.)\|\.)*([^\s\.#]+)?$`      |
//! | strict                | `^([0-9a-z_]+\.)*([0-9a-z_]+)$`           |
//! | strict, empty allowed | `^(([0-9a-z_]+\.)\|\.)*([0-9a-z_]+)?$`    |
//!
//! `\s` is whitespace as Python's `re` understands it for `str` patterns (`str.isspace`):
//! Unicode `White_Space` plus the ASCII separators U+001C..U+001F. The expressions are
//! matched against the whole string (Python's `re.fullmatch`): a trailing newline is
//! whitespace like any other, never an accepted line end.

use std::fmt;

/// Which of the spec's four URI rules to apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct UriRules {
    /// Components of `[0-9a-z_]` only (otherwise anything but whitespace, `.` and `#`).
    pub strict: bool,
    /// Empty components allowed (pattern URIs for wildcard matching); this also accepts
    /// the empty string, as the spec's expression does.
    pub allow_empty: bool,
}

impl UriRules {
    /// Loose rules without empty components: concrete URIs on the wire.
    pub const LOOSE: UriRules = UriRules {
        strict: false,
        allow_empty: false,
    };
    /// Loose rules with empty components: wildcard patterns.
    pub const LOOSE_EMPTY: UriRules = UriRules {
        strict: false,
        allow_empty: true,
    };
}

/// Why a string is not a valid URI; components are numbered from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UriError {
    /// The empty string (valid only with empty components allowed).
    Empty,
    /// A component between two dots (or at an end) is empty.
    EmptyComponent { component: usize },
    /// A character that the rules refuse (whitespace or `#`; anything outside
    /// `[0-9a-z_]` under strict rules).
    BadChar {
        component: usize,
        ch: char,
        strict: bool,
    },
}

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UriError::Empty => f.write_str("URI is empty"),
            UriError::EmptyComponent { component } => {
                write!(f, "URI component {component} is empty")
            }
            UriError::BadChar {
                component,
                ch,
                strict,
            } => {
                let what = if is_py_space(*ch) {
                    "whitespace"
                } else {
                    "the character"
                };
                if *strict {
                    write!(
                        f,
                        "URI component {component} contains {what} {ch:?} (strict URIs allow only 0-9, a-z and _)"
                    )
                } else {
                    write!(f, "URI component {component} contains {what} {ch:?}")
                }
            }
        }
    }
}

impl std::error::Error for UriError {}

/// Whether `c` is whitespace for Python's `re` (`\s` in a `str` pattern, `str.isspace`).
pub const fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..=' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Check `uri` against `rules`; the error names the first offending component.
pub fn check_uri(uri: &str, rules: UriRules) -> Result<(), UriError> {
    if uri.is_empty() {
        return if rules.allow_empty {
            Ok(())
        } else {
            Err(UriError::Empty)
        };
    }
    for (i, comp) in uri.split('.').enumerate() {
        let component = i + 1;
        if comp.is_empty() {
            if rules.allow_empty {
                continue;
            }
            return Err(UriError::EmptyComponent { component });
        }
        if let Some(ch) = first_bad_char(comp, rules.strict) {
            return Err(UriError::BadChar {
                component,
                ch,
                strict: rules.strict,
            });
        }
    }
    Ok(())
}

/// Whether `uri` is valid under `rules` (see [`check_uri`]).
pub fn is_valid_uri(uri: &str, rules: UriRules) -> bool {
    check_uri(uri, rules).is_ok()
}

/// The first character of one component (no dots in it) that `rules` refuse.
pub fn first_bad_char(comp: &str, strict: bool) -> Option<char> {
    if strict {
        return comp
            .bytes()
            .position(|b| !matches!(b, b'0'..=b'9' | b'a'..=b'z' | b'_'))
            .and_then(|at| comp.get(at..))
            .and_then(|rest| rest.chars().next());
    }
    // ASCII is decided byte by byte; non-ASCII needs a look only at lead bytes that can start
    // a whitespace character (U+0085, U+00A0, U+1680, U+2000.., U+205F, U+3000).
    let bytes = comp.as_bytes();
    for (at, &b) in bytes.iter().enumerate() {
        let bad = if b < 0x80 {
            b == b'#' || is_py_space(char::from(b))
        } else if matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xE3) {
            comp.get(at..)
                .and_then(|rest| rest.chars().next())
                .is_some_and(is_py_space)
        } else {
            false
        };
        if bad {
            return comp.get(at..).and_then(|rest| rest.chars().next());
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const STRICT: UriRules = UriRules {
        strict: true,
        allow_empty: false,
    };
    const STRICT_EMPTY: UriRules = UriRules {
        strict: true,
        allow_empty: true,
    };

    #[test]
    fn loose_accepts_what_the_spec_accepts() {
        for uri in [
            "com.myapp.topic1",
            "a",
            "com.MyApp.Überthema",
            "a-b.c:d.e/f",
            "wamp.error.no_such_procedure",
            "x.\u{1F600}",
        ] {
            assert!(is_valid_uri(uri, UriRules::LOOSE), "{uri}");
            assert!(is_valid_uri(uri, UriRules::LOOSE_EMPTY), "{uri}");
        }
    }

    #[test]
    fn loose_refuses_empty_components_whitespace_and_hash() {
        assert_eq!(check_uri("", UriRules::LOOSE), Err(UriError::Empty));
        assert_eq!(
            check_uri("a..b", UriRules::LOOSE),
            Err(UriError::EmptyComponent { component: 2 })
        );
        assert_eq!(
            check_uri(".a", UriRules::LOOSE),
            Err(UriError::EmptyComponent { component: 1 })
        );
        assert_eq!(
            check_uri("a.", UriRules::LOOSE),
            Err(UriError::EmptyComponent { component: 2 })
        );
        for bad in [
            "a b",
            "a#b",
            "a\n",
            "a\t",
            "a\u{a0}b",
            "a\u{3000}",
            "a\u{1c}",
            "a\u{2029}",
        ] {
            assert!(!is_valid_uri(bad, UriRules::LOOSE), "{bad:?}");
            assert!(!is_valid_uri(bad, UriRules::LOOSE_EMPTY), "{bad:?}");
        }
        let err = check_uri("com.my app", UriRules::LOOSE).unwrap_err();
        assert_eq!(err.to_string(), "URI component 2 contains whitespace ' '");
    }

    #[test]
    fn empty_components_are_allowed_when_asked() {
        for uri in ["", ".", "a..b", ".a", "a.", "..", "com.myapp..on_concert"] {
            assert!(is_valid_uri(uri, UriRules::LOOSE_EMPTY), "{uri:?}");
            assert!(is_valid_uri(uri, STRICT_EMPTY), "{uri:?}");
        }
        assert!(!is_valid_uri("a. .b", UriRules::LOOSE_EMPTY));
    }

    #[test]
    fn strict_allows_only_lower_digits_and_underscore() {
        assert!(is_valid_uri("com.my_app.v2", STRICT));
        for bad in ["com.MyApp", "a-b", "a:b", "\u{e9}t\u{e9}", "a.b#"] {
            assert!(!is_valid_uri(bad, STRICT), "{bad:?}");
        }
        let err = check_uri("com.MyApp", STRICT).unwrap_err();
        assert_eq!(
            err,
            UriError::BadChar {
                component: 2,
                ch: 'M',
                strict: true
            }
        );
        assert!(err.to_string().contains("strict"));
    }

    #[test]
    fn whitespace_table_matches_the_character_rule() {
        // Every non-ASCII whitespace character starts with one of the lead bytes the fast
        // path looks at, so no whitespace can slip through it.
        for cp in 0..=0x10FFFFu32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let s = c.to_string();
            let refused = first_bad_char(&s, false).is_some();
            assert_eq!(refused, is_py_space(c) || c == '#', "U+{cp:04X}");
        }
    }
}
