//! Value matchers: what one element of a pattern's value array tests against one leaf value
//! of the event.

use std::net::IpAddr;

use serde_json::{Number, Value};

use crate::cidr::{Cidr, parse_ip};
use crate::number::{NumericRange, numbers_equal};
use crate::wildcard::Wildcard;

/// An exact value from the pattern: `"x"`, `5`, `true`, `null`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    /// A string; `ip` is set when it is an IP address literal, so that `"2001:db8::1"` also
    /// matches `"2001:0db8:0:0::1"` (event-ruler turns address literals into ranges).
    String { text: String, ip: Option<IpAddr> },
    /// A number, compared numerically.
    Number(Number),
    /// `true` / `false`.
    Bool(bool),
    /// `null` (different from `""`).
    Null,
}

impl Literal {
    pub(crate) fn string(text: &str) -> Self {
        Literal::String {
            text: text.to_owned(),
            ip: parse_ip(text),
        }
    }

    /// Exact equality with an event leaf value; types must agree (`"5"` is not `5`).
    pub(crate) fn matches(&self, v: &Value) -> bool {
        match (self, v) {
            (Literal::String { text, ip }, Value::String(s)) => {
                text == s || ip.is_some_and(|ip| parse_ip(s) == Some(ip))
            }
            (Literal::Number(n), Value::Number(m)) => numbers_equal(n, m),
            (Literal::Bool(b), Value::Bool(c)) => b == c,
            (Literal::Null, Value::Null) => true,
            _ => false,
        }
    }
}

/// Case-insensitive text, stored lower-cased (Unicode simple lower-casing of whole strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Folded(pub(crate) String);

impl Folded {
    pub(crate) fn new(s: &str) -> Self {
        Folded(s.to_lowercase())
    }
}

/// One alternative in a field's value array. Every variant names the EventBridge operator it
/// implements; string operators only ever match string values, `numeric` only numbers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ValueMatcher {
    /// A bare value: `"x"`, `5`, `true`, `null` ("Event patterns", "Matching event values").
    Exact(Literal),
    /// `{"prefix": "x"}` ("Content filtering", "Prefix matching").
    Prefix(String),
    /// `{"prefix": {"equals-ignore-case": "x"}}` ("Comparison operators", "Begins with
    /// (ignore case)").
    PrefixIgnoreCase(Folded),
    /// `{"suffix": "x"}` ("Content filtering", "Suffix matching").
    Suffix(String),
    /// `{"suffix": {"equals-ignore-case": "x"}}` ("Comparison operators", "Ends with (ignore
    /// case)").
    SuffixIgnoreCase(Folded),
    /// `{"equals-ignore-case": "x"}` ("Content filtering", "Equals-ignore-case matching").
    EqualsIgnoreCase(Folded),
    /// `{"wildcard": "a*b"}` ("Content filtering", "Wildcard matching").
    Wildcard(Wildcard),
    /// `{"numeric": [...]}` ("Content filtering", "Numeric matching").
    Numeric(NumericRange),
    /// `{"cidr": "10.0.0.0/24"}` ("Content filtering", "IP address matching").
    Cidr(Cidr),
    /// `{"exists": true|false}` ("Content filtering", "Exists matching"). Tested against the
    /// whole set of leaf values at the path, not per value.
    Exists(bool),
    /// `{"anything-but": ...}` ("Content filtering", "Anything-but matching"): a present
    /// leaf value that matches none of the inner matchers. A value of another type than the
    /// inner matchers (say a number against string prefixes) is "anything but" them, and
    /// matches, as in event-ruler.
    AnythingBut(Vec<ValueMatcher>),
}

impl ValueMatcher {
    /// Whether this is a `wildcard`, or an `anything-but` of wildcards (the operators
    /// EventBridge's complexity limit counts).
    pub(crate) fn has_wildcard(&self) -> bool {
        match self {
            ValueMatcher::Wildcard(_) => true,
            ValueMatcher::AnythingBut(inner) => inner.iter().any(ValueMatcher::has_wildcard),
            _ => false,
        }
    }

    /// Does this matcher accept the event leaf value `v` (a string, number, boolean or
    /// null)? `Exists` is decided elsewhere, on the whole set of values.
    pub(crate) fn matches(&self, v: &Value) -> bool {
        match self {
            ValueMatcher::Exact(lit) => lit.matches(v),
            ValueMatcher::Prefix(p) => as_str(v).is_some_and(|s| s.starts_with(p.as_str())),
            ValueMatcher::Suffix(p) => as_str(v).is_some_and(|s| s.ends_with(p.as_str())),
            ValueMatcher::PrefixIgnoreCase(p) => {
                as_str(v).is_some_and(|s| s.to_lowercase().starts_with(p.0.as_str()))
            }
            ValueMatcher::SuffixIgnoreCase(p) => {
                as_str(v).is_some_and(|s| s.to_lowercase().ends_with(p.0.as_str()))
            }
            ValueMatcher::EqualsIgnoreCase(p) => as_str(v).is_some_and(|s| s.to_lowercase() == p.0),
            ValueMatcher::Wildcard(w) => as_str(v).is_some_and(|s| w.matches(s)),
            ValueMatcher::Numeric(r) => match v {
                Value::Number(n) => r.contains(n),
                _ => false,
            },
            ValueMatcher::Cidr(c) => as_str(v).is_some_and(|s| c.contains(s)),
            ValueMatcher::Exists(_) => false,
            ValueMatcher::AnythingBut(inner) => !inner.iter().any(|m| m.matches(v)),
        }
    }
}

fn as_str(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}
