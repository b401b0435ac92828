//! The `wildcard` operator: `*` matches any run of characters (including none); `\*` is a
//! literal asterisk and `\\` a literal backslash. As EventBridge's "Wildcard matching"
//! (user guide "Comparison operators") and aws/event-ruler's `WildcardParser`.

use crate::error::{Result, barf};

/// A parsed wildcard pattern: the literal pieces between the `*`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wildcard {
    /// `parts.len()` is the number of `*` plus one; the first piece is a prefix, the last a
    /// suffix, the ones between must appear in order.
    parts: Vec<String>,
}

impl Wildcard {
    /// Parses `text`, rejecting `**` and escapes other than `\*` and `\\` with event-ruler's
    /// messages (`Consecutive wildcard characters at pos N`, `Invalid escape character at pos
    /// N`). Positions are UTF-8 byte offsets counted from the opening quote of the JSON string,
    /// as event-ruler counts them.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        let bytes = text.as_bytes();
        let mut parts = Vec::new();
        let mut current: Vec<u8> = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'*' => {
                    if bytes.get(i + 1) == Some(&b'*') {
                        barf!("Consecutive wildcard characters at pos {}", i + 1);
                    }
                    parts.push(std::mem::take(&mut current));
                }
                b'\\' => match bytes.get(i + 1) {
                    Some(&next) if next == b'*' || next == b'\\' => {
                        current.push(next);
                        i += 1;
                    }
                    _ => barf!("Invalid escape character at pos {}", i + 1),
                },
                other => current.push(other),
            }
            i += 1;
        }
        parts.push(current);
        // Only ASCII bytes were removed, so every piece is still valid UTF-8.
        let parts = parts
            .into_iter()
            .map(|p| String::from_utf8_lossy(&p).into_owned())
            .collect();
        Ok(Self { parts })
    }

    /// The literal pieces between the `*`s (one more than there are `*`s).
    pub(crate) fn parts(&self) -> &[String] {
        &self.parts
    }

    /// The pattern text again, with `*` and `\\` in literal pieces escaped.
    pub(crate) fn to_text(&self) -> String {
        self.parts
            .iter()
            .map(|p| p.replace('\\', "\\\\").replace('*', "\\*"))
            .collect::<Vec<_>>()
            .join("*")
    }

    /// Does `s` match the whole pattern?
    pub(crate) fn matches(&self, s: &str) -> bool {
        let (first, rest) = match self.parts.split_first() {
            Some(x) => x,
            None => return s.is_empty(),
        };
        let Some((last, middle)) = rest.split_last() else {
            // no `*` at all: exact match
            return s == first;
        };
        if s.len() < first.len() + last.len() || !s.starts_with(first.as_str()) {
            return false;
        }
        if !s.ends_with(last.as_str()) {
            return false;
        }
        let mut window = &s[first.len()..s.len() - last.len()];
        for piece in middle {
            match window.find(piece.as_str()) {
                Some(at) => window = &window[at + piece.len()..],
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(p: &str) -> Wildcard {
        Wildcard::parse(p).expect("valid wildcard")
    }

    #[test]
    fn basics() {
        assert!(w("Simple*Service").matches("SimpleQueueService"));
        assert!(w("Simple*Service").matches("SimpleService"));
        assert!(!w("Simple*Service").matches("SimpleServic"));
        assert!(w("*").matches(""));
        assert!(w("*").matches("anything"));
        assert!(w("a*").matches("a"));
        assert!(!w("a*").matches("ba"));
        assert!(w("*/lib/*").matches("/usr/lib/x"));
        assert!(!w("*/lib/*").matches("/usr/lib"));
        assert!(w("a*b*c").matches("abc"));
        assert!(w("a*b*c").matches("aXbYbZc"));
        assert!(!w("a*b*c").matches("acb"));
        assert!(!w("aa*aa").matches("aaa"));
        assert!(w("aa*aa").matches("aaaa"));
        assert!(w("").matches(""));
        assert!(!w("").matches("x"));
    }

    #[test]
    fn escapes() {
        assert!(w(r"a\*b").matches("a*b"));
        assert!(!w(r"a\*b").matches("axb"));
        assert!(w(r"a\\*").matches(r"a\xyz"));
        assert!(w(r"\\").matches(r"\"));
    }

    #[test]
    fn text_round_trips() {
        for p in [r"a*b", r"a\*b*", r"\\*", "*", "", "x"] {
            assert_eq!(w(p).to_text(), p);
        }
    }

    #[test]
    fn errors() {
        let e = Wildcard::parse("ab**").expect_err("consecutive");
        assert_eq!(e.reason(), "Consecutive wildcard characters at pos 3");
        let e = Wildcard::parse(r"a\b").expect_err("escape");
        assert_eq!(e.reason(), "Invalid escape character at pos 2");
        let e = Wildcard::parse(r"a\").expect_err("trailing escape");
        assert_eq!(e.reason(), "Invalid escape character at pos 2");
        assert!(Wildcard::parse(r"\**").is_ok());
    }
}
