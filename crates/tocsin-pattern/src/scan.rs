//! Event text straight to leaves: a JSON scanner that follows only the object keys some rule
//! names (the trie of field paths, `paths.rs`), skips everything else byte by byte without
//! building it, and emits `(path id, leaf value)` pairs, borrowing strings from the text.
//!
//! It is a fast path, not a second JSON parser to keep in step with serde_json: it accepts
//! only a strict subset of what serde_json accepts, and answers "not sure" (`false`) for
//! everything else, after which the matcher parses the text with serde_json as before. It
//! gives up on: any syntax error, nesting deeper than [`MAX_DEPTH`], an escaped object key,
//! an escaped string (or any number) that serde_json refuses, a key repeated in one object
//! on a rule's path (serde_json keeps the last one), a dotted key whose segments lead along a
//! rule's path (see `dotted.rs`), and an array holding two or more
//! containers where rules look below it (matching there needs the whole sub-tree, see the
//! matcher's module documentation). So whenever it answers, its leaves are exactly the ones
//! the pruned serde_json parse followed by flattening would give.

use std::borrow::Cow;
use std::str::FromStr;

use serde_json::Number;

use crate::index::Leaf;
use crate::paths::PathNode;

/// Nesting beyond this is left to serde_json (whose own limit is 128).
const MAX_DEPTH: usize = 100;

/// Scans `text` into `out`; `false` when the caller must parse it with serde_json instead
/// (`out` then holds garbage).
pub(crate) fn leaves<'a>(text: &'a str, trie: &[PathNode], out: &mut Vec<(u32, Leaf<'a>)>) -> bool {
    let mut s = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        trie,
        out,
    };
    s.ws();
    if s.kept(0, 0).is_none() {
        return false;
    }
    s.ws();
    s.pos == s.bytes.len()
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A word with the high bit set in (at least) the lowest byte of `w` that is a quote, a backslash or
/// below 0x20, and zero when there is none. Bits above the lowest flagged byte may be wrong
/// (borrows), so only the lowest one is used.
#[inline]
fn specials(w: u64) -> u64 {
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    zero(w ^ (ONES * u64::from(b'"')))
        | zero(w ^ (ONES * u64::from(b'\\')))
        | (w.wrapping_sub(ONES * 0x20) & !w & HIGHS)
}

struct Scanner<'a, 't, 'o> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    trie: &'t [PathNode],
    out: &'o mut Vec<(u32, Leaf<'a>)>,
}

impl<'a> Scanner<'a, '_, '_> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    #[inline]
    fn eat(&mut self, b: u8) -> Option<()> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.pos + word.len();
        if self.bytes.get(self.pos..end) == Some(word) {
            self.pos = end;
            Some(())
        } else {
            None
        }
    }

    /// After the opening quote: scans to the closing quote, validating escapes and refusing
    /// control characters. Returns the raw contents and whether they hold escapes.
    #[inline]
    fn string_body(&mut self) -> Option<(usize, usize, bool)> {
        let start = self.pos;
        let mut escaped = false;
        loop {
            // eight bytes at a time while none is a quote, a backslash or a control character
            while let Some(chunk) = self.bytes.get(self.pos..self.pos + 8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(chunk);
                let special = specials(u64::from_le_bytes(w));
                if special != 0 {
                    self.pos += (special.trailing_zeros() / 8) as usize;
                    break;
                }
                self.pos += 8;
            }
            let b = *self.bytes.get(self.pos)?;
            self.pos += 1;
            match b {
                b'"' => return Some((start, self.pos - 1, escaped)),
                b'\\' => {
                    escaped = true;
                    match *self.bytes.get(self.pos)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.pos += 1,
                        b'u' => {
                            let hex = self.bytes.get(self.pos + 1..self.pos + 5)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.pos += 5;
                        }
                        _ => return None,
                    }
                }
                0..=0x1f => return None,
                _ => {}
            }
        }
    }

    /// Scans a number, returning its text.
    fn number(&mut self) -> Option<&'a str> {
        let start = self.pos;
        let _ = self.eat(b'-');
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        // `01`, `1x`: let serde_json decide
        if let Some(b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'.' | b'+' | b'-') = self.peek() {
            return None;
        }
        self.text.get(start..self.pos)
    }

    #[inline]
    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    /// A value at trie node `node` (the rules look at it or below it).
    fn kept(&mut self, node: usize, depth: usize) -> Option<()> {
        let n = self.trie.get(node)?;
        match self.peek()? {
            b'{' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.pos += 1;
                self.ws();
                if self.eat(b'}').is_some() {
                    return Some(());
                }
                // children met in this object, to refuse repeated keys
                let mut seen = Seen::default();
                loop {
                    self.eat(b'"')?;
                    let (a, b, escaped) = self.string_body()?;
                    if escaped {
                        return None;
                    }
                    let key = self.text.get(a..b)?;
                    self.ws();
                    self.eat(b':')?;
                    self.ws();
                    match n.children.get(key) {
                        Some(&child) => {
                            if !seen.insert(child) {
                                return None;
                            }
                            self.kept(child as usize, depth + 1)?;
                        }
                        // a dotted key on a rule's path is left to serde_json and the
                        // expansion of dotted keys (`dotted.rs`)
                        None if key.contains('.')
                            && crate::paths::walk(self.trie, node, key).is_some() =>
                        {
                            return None;
                        }
                        None => self.skip(depth + 1)?,
                    }
                    self.ws();
                    match self.peek()? {
                        b',' => {
                            self.pos += 1;
                            self.ws();
                        }
                        b'}' => {
                            self.pos += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.pos += 1;
                self.ws();
                if self.eat(b']').is_some() {
                    return Some(());
                }
                let mut containers = 0usize;
                loop {
                    if let Some(b'{' | b'[') = self.peek() {
                        containers += 1;
                        if containers >= 2 && !n.children.is_empty() {
                            return None;
                        }
                    }
                    self.kept(node, depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => {
                            self.pos += 1;
                            self.ws();
                        }
                        b']' => {
                            self.pos += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => {
                self.pos += 1;
                let (a, b, escaped) = self.string_body()?;
                let s = if escaped {
                    // serde_json decodes (and checks surrogates) exactly as it would here
                    Cow::Owned(serde_json::from_str::<String>(self.text.get(a - 1..b + 1)?).ok()?)
                } else {
                    Cow::Borrowed(self.text.get(a..b)?)
                };
                if let Some(p) = n.path {
                    self.out.push((p, Leaf::Str(s)));
                }
                Some(())
            }
            b't' => {
                self.literal(b"true")?;
                self.leaf(n, Leaf::Bool(true));
                Some(())
            }
            b'f' => {
                self.literal(b"false")?;
                self.leaf(n, Leaf::Bool(false));
                Some(())
            }
            b'n' => {
                self.literal(b"null")?;
                self.leaf(n, Leaf::Null);
                Some(())
            }
            b'-' | b'0'..=b'9' => {
                let text = self.number()?;
                // serde_json parses numbers here even where no rule reads them (and refuses
                // out-of-range ones): do the same
                let num = Number::from_str(text).ok()?;
                self.leaf(n, Leaf::Num(num));
                Some(())
            }
            _ => None,
        }
    }

    #[inline]
    fn leaf(&mut self, n: &PathNode, leaf: Leaf<'a>) {
        if let Some(p) = n.path {
            self.out.push((p, leaf));
        }
    }

    /// Skips a value no rule looks at, checking its syntax.
    fn skip(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'{' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.pos += 1;
                self.ws();
                if self.eat(b'}').is_some() {
                    return Some(());
                }
                loop {
                    self.eat(b'"')?;
                    self.string_body()?;
                    self.ws();
                    self.eat(b':')?;
                    self.ws();
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => {
                            self.pos += 1;
                            self.ws();
                        }
                        b'}' => {
                            self.pos += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.pos += 1;
                self.ws();
                if self.eat(b']').is_some() {
                    return Some(());
                }
                loop {
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => {
                            self.pos += 1;
                            self.ws();
                        }
                        b']' => {
                            self.pos += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => {
                self.pos += 1;
                self.string_body().map(|_| ())
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number().map(|_| ()),
            _ => None,
        }
    }
}

/// A small set of trie nodes, on the stack for the usual handful.
#[derive(Default)]
struct Seen {
    small: [u32; 8],
    len: usize,
    more: Vec<u32>,
}

impl Seen {
    /// Adds `n`; `false` when it was already there.
    fn insert(&mut self, n: u32) -> bool {
        let small = self.small.get(..self.len).unwrap_or(&[]);
        if small.contains(&n) || self.more.contains(&n) {
            return false;
        }
        if let Some(slot) = self.small.get_mut(self.len) {
            *slot = n;
            self.len += 1;
        } else {
            self.more.push(n);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Pattern;
    use crate::paths::PathTrie;

    /// The paths of the rule `{"a": {"b": [{"exists": true}]}, "c": [{"prefix": "x"}]}`, as
    /// the matcher would record them. (Scanning checked against the serde_json parse it
    /// stands in for: the matcher's tests.)
    fn trie() -> PathTrie {
        let p = Pattern::parse(r#"{"a": {"b": [{"exists": true}]}, "c": [{"prefix": "x"}]}"#)
            .expect("valid");
        let mut trie = PathTrie::default();
        for branch in p.branches() {
            for field in &branch.fields {
                trie.id(&field.path);
            }
        }
        trie
    }

    #[test]
    fn specials_finds_the_first_special_byte() {
        let first = |s: &[u8; 8]| {
            let w = specials(u64::from_le_bytes(*s));
            (w != 0).then(|| w.trailing_zeros() / 8)
        };
        assert_eq!(first(b"abcdefgh"), None);
        assert_eq!(first(b"ab\"cdefg"), Some(2));
        assert_eq!(first(b"\\bcdefgh"), Some(0));
        assert_eq!(first(b"abcdefg\n"), Some(7));
        assert_eq!(first(b"\xc3\xa9cdef\"\""), Some(6));
        assert_eq!(first(b"\x1f\"cdefgh"), Some(0));
        assert_eq!(first(b"~\x7f\xff !#[]"), None);
    }

    #[test]
    fn scanner_gives_up_where_serde_must_decide() {
        let trie = trie();
        let mut out = Vec::new();
        assert!(leaves(r#"{"a": {"b": 1}}"#, trie.nodes(), &mut out));
        for text in [
            r#"{"c": "y", "c": "x"}"#,
            r#"{"a": [{"b": 1}, {"b": 2}]}"#,
            r#"{"\u0061": 1}"#,
            r#"{"a": 1e400}"#,
            r#"{"c": "\ud800"}"#,
        ] {
            out.clear();
            assert!(!leaves(text, trie.nodes(), &mut out), "{text}");
        }
        out.clear();
        assert!(leaves(r#"{"z": "\ud800"}"#, trie.nodes(), &mut out));
    }
}
