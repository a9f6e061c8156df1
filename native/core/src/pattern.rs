//! Decorator URI patterns: `com.myapp.<country>.<city:int>.on_concert`.
//!
//! A pattern is a dot-separated list of components, each one of
//!
//! * a literal: a loose URI component (no whitespace, `.`, `#`, `<` or `>`);
//! * an empty component: an anonymous wildcard;
//! * `<name>`, `<name:str>` or `<name:string>`: a named wildcard bound as a string;
//! * `<name:int>`: a named wildcard bound as an integer (`[+-]?[0-9]+`, ASCII digits; any
//!   other value means the URI does not match);
//! * `<name:suffix>`, last only: the rest of the URI after the literal components.
//!
//! Names are ASCII identifiers, `[A-Za-z_][A-Za-z0-9_]*` (Autobahn's `[a-z][a-z0-9_]*` plus
//! the seed's camelCase such as `<taskId>`), and are unique in a pattern.
//!
//! On the wire a pattern becomes a URI and a match policy: without placeholders it is
//! the pattern itself, `exact`; with wildcards (named or empty) each becomes an empty
//! component, `wildcard` (`com.myapp.task.<task_id>.delete` → `com.myapp.task..delete`);
//! with a suffix it is the literal part and its dot, `prefix`
//! (`com.myapp.<rest:suffix>` → `com.myapp.`). [`UriPattern::bind`] matches a concrete
//! URI exactly when a [`crate::matcher::Matcher`] holding the wire key would, and also
//! refuses non-integer values for `:int`.

use std::fmt;

use crate::matcher::Policy;
use crate::uri::first_bad_char;

/// What a named component binds to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Str,
    Int,
    Suffix,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Wildcard,
    /// A named placeholder: index into `names`, and its kind.
    Named(usize, Kind),
}

/// A parsed decorator URI pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UriPattern {
    pattern: String,
    uri: String,
    policy: Policy,
    parts: Vec<Part>,
    names: Vec<String>,
}

/// A value bound from a concrete URI (slices of that URI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// A component, or for a suffix the rest of the URI.
    Str(&'a [u8]),
    /// An integer component: an optional sign and ASCII digits.
    Int(&'a str),
}

/// What is wrong with a pattern; components are numbered from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The pattern is the empty string.
    Empty,
    /// A placeholder name that is not an ASCII identifier.
    BadName { component: usize, name: String },
    /// A placeholder type other than str, string, int or suffix.
    UnknownKind { component: usize, kind: String },
    /// The same name twice.
    DuplicateName { component: usize, name: String },
    /// `<name:suffix>` before the last component.
    SuffixNotLast { component: usize },
    /// `<name:suffix>` with wildcards before it: no single wire URI says both.
    SuffixWithWildcards { component: usize },
    /// `<name:suffix>` as the only component: its wire prefix would be empty.
    SuffixAlone,
    /// A single wildcard component: its wire URI would be empty.
    WildcardAlone,
    /// A literal component with a character that URIs refuse.
    BadChar { component: usize, ch: char },
    /// A `<` or `>` that does not enclose a whole component.
    StrayBracket { component: usize },
}

/// A pattern that cannot be used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    pub pattern: String,
    pub problem: Problem,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid URI pattern {:?}: ", self.pattern)?;
        match &self.problem {
            Problem::Empty => f.write_str("the pattern is empty"),
            Problem::BadName { component, name } => write!(
                f,
                "component {component}: placeholder name {name:?} must be an identifier ([A-Za-z_][A-Za-z0-9_]*)"
            ),
            Problem::UnknownKind { component, kind } => write!(
                f,
                "component {component}: unknown placeholder type {kind:?} \
                 (expected str, string, int or suffix)"
            ),
            Problem::DuplicateName { component, name } => {
                write!(f, "component {component}: the name {name:?} is used twice")
            }
            Problem::SuffixNotLast { component } => write!(
                f,
                "component {component}: a suffix placeholder must be the last component"
            ),
            Problem::SuffixWithWildcards { component } => write!(
                f,
                "component {component}: a suffix placeholder cannot follow wildcards \
                 (one URI on the wire is either prefix or wildcard)"
            ),
            Problem::SuffixAlone => f.write_str(
                "a suffix placeholder needs literal components before it (the prefix would be empty)",
            ),
            Problem::WildcardAlone => f.write_str(
                "a single wildcard component matches no URI on the wire (the wire URI would be empty)",
            ),
            Problem::BadChar { component, ch } => {
                write!(f, "component {component} contains the character {ch:?}")
            }
            Problem::StrayBracket { component } => write!(
                f,
                "component {component}: '<' and '>' must enclose a whole component (<name> or <name:type>)"
            ),
        }
    }
}

impl std::error::Error for PatternError {}

fn is_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn is_int(value: &[u8]) -> bool {
    let digits = match value.first() {
        Some(b'+' | b'-') => value.get(1..).unwrap_or_default(),
        _ => value,
    };
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

impl UriPattern {
    /// Parse `pattern` (see the module documentation for the grammar).
    pub fn parse(pattern: &str) -> Result<UriPattern, PatternError> {
        let fail = |problem| PatternError {
            pattern: pattern.to_owned(),
            problem,
        };
        if pattern.is_empty() {
            return Err(fail(Problem::Empty));
        }
        let count = pattern.split('.').count();
        let mut parts = Vec::with_capacity(count);
        let mut names: Vec<String> = Vec::new();
        let mut wildcards = false;
        for (i, comp) in pattern.split('.').enumerate() {
            let component = i + 1;
            if comp.is_empty() {
                wildcards = true;
                parts.push(Part::Wildcard);
                continue;
            }
            let inner = comp.strip_prefix('<').and_then(|c| c.strip_suffix('>'));
            let Some(inner) = inner else {
                if comp.contains(['<', '>']) {
                    return Err(fail(Problem::StrayBracket { component }));
                }
                if let Some(ch) = first_bad_char(comp, false) {
                    return Err(fail(Problem::BadChar { component, ch }));
                }
                parts.push(Part::Literal(comp.to_owned()));
                continue;
            };
            let (name, kind) = match inner.split_once(':') {
                Some((name, kind)) => (name, Some(kind)),
                None => (inner, None),
            };
            if !is_name(name) {
                return Err(fail(Problem::BadName {
                    component,
                    name: name.to_owned(),
                }));
            }
            let kind = match kind {
                None | Some("str" | "string") => Kind::Str,
                Some("int") => Kind::Int,
                Some("suffix") => Kind::Suffix,
                Some(other) => {
                    return Err(fail(Problem::UnknownKind {
                        component,
                        kind: other.to_owned(),
                    }))
                }
            };
            if names.iter().any(|n| n == name) {
                return Err(fail(Problem::DuplicateName {
                    component,
                    name: name.to_owned(),
                }));
            }
            if kind == Kind::Suffix {
                if component != count {
                    return Err(fail(Problem::SuffixNotLast { component }));
                }
                if wildcards {
                    return Err(fail(Problem::SuffixWithWildcards { component }));
                }
                if count == 1 {
                    return Err(fail(Problem::SuffixAlone));
                }
            } else {
                wildcards = true;
            }
            parts.push(Part::Named(names.len(), kind));
            names.push(name.to_owned());
        }
        let suffix = matches!(parts.last(), Some(Part::Named(_, Kind::Suffix)));
        let wire: Vec<&str> = parts
            .iter()
            .map(|part| match part {
                Part::Literal(text) => text.as_str(),
                _ => "",
            })
            .collect();
        let (uri, policy) = if suffix {
            (wire.join("."), Policy::Prefix)
        } else if wildcards {
            if count == 1 {
                return Err(fail(Problem::WildcardAlone));
            }
            (wire.join("."), Policy::Wildcard)
        } else {
            (pattern.to_owned(), Policy::Exact)
        };
        Ok(UriPattern {
            pattern: pattern.to_owned(),
            uri,
            policy,
            parts,
            names,
        })
    }

    /// The pattern as written.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The URI sent on the wire.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The match policy sent on the wire.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The placeholder names, in pattern order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The named values of a concrete URI, in pattern order, or None when it does not match.
    ///
    /// Bytes, like [`crate::matcher::Matcher::for_each_match`], so that text that is not
    /// valid UTF-8 keeps its code point meaning.
    pub fn bind<'a>(&self, uri: &'a [u8]) -> Option<Vec<(&str, Value<'a>)>> {
        match self.policy {
            Policy::Exact => (uri == self.uri.as_bytes()).then(Vec::new),
            Policy::Prefix => {
                let rest = uri.strip_prefix(self.uri.as_bytes())?;
                let name = self.names.last()?;
                Some(vec![(name.as_str(), Value::Str(rest))])
            }
            Policy::Wildcard => {
                let mut out = Vec::with_capacity(self.names.len());
                let mut comps = uri.split(|&b| b == b'.');
                for part in &self.parts {
                    let comp = comps.next()?;
                    match part {
                        Part::Literal(text) if text.as_bytes() == comp => {}
                        Part::Literal(_) => return None,
                        _ if comp.is_empty() => return None,
                        Part::Wildcard => {}
                        Part::Named(at, kind) => {
                            let name = self.names.get(*at)?.as_str();
                            let value = match kind {
                                Kind::Int if is_int(comp) => {
                                    Value::Int(std::str::from_utf8(comp).ok()?)
                                }
                                Kind::Int => return None,
                                _ => Value::Str(comp),
                            };
                            out.push((name, value));
                        }
                    }
                }
                match comps.next() {
                    Some(_) => None,
                    None => Some(out),
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::matcher::Matcher;

    fn parse(pattern: &str) -> UriPattern {
        UriPattern::parse(pattern).unwrap()
    }

    fn problem(pattern: &str) -> Problem {
        UriPattern::parse(pattern).unwrap_err().problem
    }

    #[test]
    fn compiles_to_the_wire_uri_and_policy() {
        for (pattern, uri, policy, names) in [
            (
                "com.myapp.task.<task_id>.delete",
                "com.myapp.task..delete",
                Policy::Wildcard,
                vec!["task_id"],
            ),
            (
                "com.myapp.<country>.<state>.<city>.on_concert",
                "com.myapp....on_concert",
                Policy::Wildcard,
                vec!["country", "state", "city"],
            ),
            (
                "com.myapp.<rest:suffix>",
                "com.myapp.",
                Policy::Prefix,
                vec!["rest"],
            ),
            (
                "com.myapp.us.<path:suffix>",
                "com.myapp.us.",
                Policy::Prefix,
                vec!["path"],
            ),
            (
                "com.myapp.getUser",
                "com.myapp.getUser",
                Policy::Exact,
                vec![],
            ),
            (
                "com.myapp..get_name",
                "com.myapp..get_name",
                Policy::Wildcard,
                vec![],
            ),
            (
                "a.<x:int>.<y:str>.<z:string>",
                "a...",
                Policy::Wildcard,
                vec!["x", "y", "z"],
            ),
            ("<a>.<b>", ".", Policy::Wildcard, vec!["a", "b"]),
        ] {
            let p = parse(pattern);
            assert_eq!(p.pattern(), pattern);
            assert_eq!(p.uri(), uri, "{pattern}");
            assert_eq!(p.policy(), policy, "{pattern}");
            assert_eq!(p.names(), names.as_slice(), "{pattern}");
        }
    }

    #[test]
    fn refuses_bad_patterns_naming_the_problem() {
        assert_eq!(problem(""), Problem::Empty);
        assert_eq!(
            problem("com.myapp.task.<task id>.delete"),
            Problem::BadName {
                component: 4,
                name: "task id".into()
            }
        );
        assert_eq!(parse("com.myapp.task.<taskId>.delete").names(), ["taskId"]);
        assert!(matches!(problem("a.<1x>"), Problem::BadName { .. }));
        assert!(matches!(problem("a.<>"), Problem::BadName { .. }));
        assert!(matches!(problem("a.<:int>"), Problem::BadName { .. }));
        assert_eq!(
            problem("a.<x:float>"),
            Problem::UnknownKind {
                component: 2,
                kind: "float".into()
            }
        );
        assert_eq!(
            problem("a.<x>.<x:int>"),
            Problem::DuplicateName {
                component: 3,
                name: "x".into()
            }
        );
        assert_eq!(
            problem("a.<x:suffix>.b"),
            Problem::SuffixNotLast { component: 2 }
        );
        assert_eq!(
            problem("a.<x>.<y:suffix>"),
            Problem::SuffixWithWildcards { component: 3 }
        );
        assert_eq!(
            problem("a..<y:suffix>"),
            Problem::SuffixWithWildcards { component: 3 }
        );
        assert_eq!(problem("<y:suffix>"), Problem::SuffixAlone);
        assert_eq!(problem("<y>"), Problem::WildcardAlone);
        assert_eq!(
            problem("a.b c"),
            Problem::BadChar {
                component: 2,
                ch: ' '
            }
        );
        assert_eq!(
            problem("a.b#"),
            Problem::BadChar {
                component: 2,
                ch: '#'
            }
        );
        assert_eq!(problem("a.x<y>"), Problem::StrayBracket { component: 2 });
        assert_eq!(problem("a.<y"), Problem::StrayBracket { component: 2 });
        let err = UriPattern::parse("a.<x:float>").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid URI pattern \"a.<x:float>\": component 2: unknown placeholder type \"float\" \
             (expected str, string, int or suffix)"
        );
    }

    #[test]
    fn binds_named_components() {
        let p = parse("com.myapp.<country>.<state>.<city>.on_concert");
        assert_eq!(
            p.bind(b"com.myapp.us.newmexico.albuquerque.on_concert"),
            Some(vec![
                ("country", Value::Str(b"us")),
                ("state", Value::Str(b"newmexico")),
                ("city", Value::Str(b"albuquerque")),
            ])
        );
        for uri in [
            "com.myapp.us.montana.billings",
            "com.myapp.us.montana.billings.on_challenge",
            "com.myapp.us.newmexico.albuquerque.citycenter.on_concert",
            "com.myapp.us..albuquerque.on_concert",
        ] {
            assert_eq!(p.bind(uri.as_bytes()), None, "{uri}");
        }
        let p = parse("com.myapp.product.<id:int>.update");
        assert_eq!(
            p.bind(b"com.myapp.product.-42.update"),
            Some(vec![("id", Value::Int("-42"))])
        );
        for uri in ["x", "1.5", "", "+", "0x1", "1_000", "\u{661}"] {
            let uri = format!("com.myapp.product.{uri}.update");
            assert_eq!(p.bind(uri.as_bytes()), None, "{uri}");
        }
        let p = parse("com.myapp.us.<path:suffix>");
        assert_eq!(
            p.bind(b"com.myapp.us.newmexico.albuquerque.citycenter.on_concert"),
            Some(vec![(
                "path",
                Value::Str(b"newmexico.albuquerque.citycenter.on_concert")
            )])
        );
        assert_eq!(
            p.bind(b"com.myapp.usa"),
            None,
            "the wire prefix ends with its dot"
        );
        assert_eq!(p.bind(b"com.myapp.de.bavaria"), None);
        let p = parse("com.myapp.hello");
        assert_eq!(p.bind(b"com.myapp.hello"), Some(vec![]));
        assert_eq!(p.bind(b"com.myapp.hello2"), None);
        let p = parse("a..<b>");
        assert_eq!(p.bind(b"a.x.y"), Some(vec![("b", Value::Str(b"y"))]));
    }

    #[test]
    fn binds_exactly_where_the_matcher_matches() {
        let uris = [
            "a.b.c", "a.b", "a.bc", "a.b.", "a..c", "x.b.c", "a.b.c.d", "a.1.c", "a", "a.b.c.",
        ];
        for pattern in [
            "a.<x>.c",
            "a.<x:int>.c",
            "a.<rest:suffix>",
            "a.b.<rest:suffix>",
            "a..<y>",
            "a.b",
            "<x>.b.<y>",
        ] {
            let p = parse(pattern);
            let mut m = Matcher::new();
            m.add(p.uri(), p.policy(), ()).unwrap();
            for uri in uris {
                let matched = m.best(uri.as_bytes()).is_some();
                let bound = p.bind(uri.as_bytes());
                let int_refused = pattern.contains(":int") && bound.is_none();
                assert!(
                    bound.is_some() == matched || int_refused,
                    "{pattern} {uri} bound={bound:?} matched={matched}"
                );
            }
        }
    }
}
