//! Value indexes for the compiled matcher: given one leaf value of an event, find every
//! target (automaton state) whose value matcher accepts it, without testing matchers one by
//! one.
//!
//! * exact strings, numbers (by `f64` value, then checked exactly), booleans, `null` and IP
//!   address literals: hash maps;
//! * `equals-ignore-case`: a hash map keyed by the lower-cased text;
//! * `prefix` / `suffix` (also ignoring case) and `wildcard` (by its literal head or tail):
//!   byte tries (suffixes stored reversed), walked once over the value's bytes;
//! * `numeric` and `cidr`: a static segment tree over the ranges' end points (stabbing query,
//!   `O(log n + hits)`);
//! * wildcards with no literal head or tail (`*x*`): a short list, tested in turn.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;

use serde_json::{Number, Value};

use crate::cidr::{ip_key, parse_ip};
use crate::number::numbers_equal;
use crate::value::{Literal, ValueMatcher};
use crate::wildcard::Wildcard;

/// A small, fast, non-cryptographic hasher (the Fx hash from rustc) for the index maps; keys
/// come from rule authors, so hash flooding is not a concern here.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Targets are automaton state ids.
pub(crate) type Target = u32;

/// One leaf value of an event (a string, number, boolean or `null`), borrowed from a parsed
/// [`Value`] or from the event text when possible.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Leaf<'a> {
    /// A string.
    Str(Cow<'a, str>),
    /// A number.
    Num(Number),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
}

impl<'a> Leaf<'a> {
    /// The leaf for a scalar [`Value`]; `None` for arrays and objects.
    pub(crate) fn of(v: &'a Value) -> Option<Leaf<'a>> {
        Some(match v {
            Value::String(s) => Leaf::Str(Cow::Borrowed(s)),
            Value::Number(n) => Leaf::Num(n.clone()),
            Value::Bool(b) => Leaf::Bool(*b),
            Value::Null => Leaf::Null,
            Value::Array(_) | Value::Object(_) => return None,
        })
    }

    /// The leaf as an owned [`Value`], for the matchers that are not indexed.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Leaf::Str(s) => Value::String(s.as_ref().to_owned()),
            Leaf::Num(n) => Value::Number(n.clone()),
            Leaf::Bool(b) => Value::Bool(*b),
            Leaf::Null => Value::Null,
        }
    }
}

/// A node of a [`ByteTrie`].
#[derive(Debug, Clone)]
struct TrieNode<T> {
    /// `(byte, child node)`, sorted by byte.
    next: Vec<(u8, u32)>,
    /// Payloads of the keys that end here.
    items: Vec<T>,
}

impl<T> Default for TrieNode<T> {
    fn default() -> Self {
        Self {
            next: Vec::new(),
            items: Vec::new(),
        }
    }
}

/// Affixes (prefixes, suffixes stored reversed, or substrings) → payloads, as a byte trie, so
/// that every stored prefix of a value is found in one walk over the value's bytes, however
/// many affixes and affix lengths are stored.
#[derive(Debug, Clone)]
struct ByteTrie<T> {
    nodes: Vec<TrieNode<T>>,
    /// Bitmap of the first bytes of the stored keys.
    first: [u64; 4],
}

impl<T> Default for ByteTrie<T> {
    fn default() -> Self {
        Self {
            nodes: Vec::new(),
            first: [0; 4],
        }
    }
}

impl<T> ByteTrie<T> {
    fn insert(&mut self, key: impl Iterator<Item = u8>, t: T) {
        if self.nodes.is_empty() {
            self.nodes.push(TrieNode::default());
        }
        let mut node = 0usize;
        for b in key {
            if node == 0
                && let Some(word) = self.first.get_mut(usize::from(b >> 6))
            {
                *word |= 1 << (b & 63);
            }
            let found = self.nodes[node].next.binary_search_by_key(&b, |e| e.0);
            node = match found {
                Ok(at) => self.nodes[node].next[at].1 as usize,
                Err(at) => {
                    let child = self.nodes.len();
                    self.nodes[node]
                        .next
                        .insert(at, (b, u32::try_from(child).unwrap_or(u32::MAX)));
                    self.nodes.push(TrieNode::default());
                    child
                }
            };
        }
        self.nodes[node].items.push(t);
    }

    fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Calls `f` with the payloads of every stored key that is a prefix of `bytes`.
    #[inline]
    fn walk(&self, bytes: impl Iterator<Item = u8>, mut f: impl FnMut(&T)) {
        let Some(mut node) = self.nodes.first() else {
            return;
        };
        node.items.iter().for_each(&mut f);
        for b in bytes {
            let next = if node.next.len() <= 8 {
                node.next.iter().find(|e| e.0 == b).map(|e| e.1)
            } else {
                node.next
                    .binary_search_by_key(&b, |e| e.0)
                    .ok()
                    .and_then(|at| node.next.get(at))
                    .map(|e| e.1)
            };
            match next.and_then(|n| self.nodes.get(n as usize)) {
                Some(n) => {
                    node = n;
                    node.items.iter().for_each(&mut f);
                }
                None => return,
            }
        }
    }
}

/// Prefixes: keys stored as they are.
#[derive(Debug, Clone)]
struct Prefixes<T>(ByteTrie<T>);

impl<T> Default for Prefixes<T> {
    fn default() -> Self {
        Self(ByteTrie::default())
    }
}

impl<T> Prefixes<T> {
    fn insert(&mut self, affix: &str, t: T) {
        self.0.insert(affix.bytes(), t);
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Calls `f` with the payloads of every stored prefix of `s`.
    fn prefixes_of(&self, s: &str, f: impl FnMut(&T)) {
        self.0.walk(s.bytes(), f);
    }

    /// Calls `f` with the payloads of every stored non-empty substring of `s` (once per
    /// occurrence).
    fn substrings_of(&self, s: &str, mut f: impl FnMut(&T)) {
        if self.0.is_empty() {
            return;
        }
        let bytes = s.as_bytes();
        for (start, &b) in bytes.iter().enumerate() {
            // most positions start no stored key: one bit test instead of a walk
            let starts_key = self
                .0
                .first
                .get(usize::from(b >> 6))
                .is_some_and(|word| word & (1 << (b & 63)) != 0);
            if starts_key && let Some(rest) = bytes.get(start..) {
                self.0.walk(rest.iter().copied(), &mut f);
            }
        }
    }
}

/// Suffixes: keys stored reversed, walked from the end of the value.
#[derive(Debug, Clone)]
struct Suffixes<T>(ByteTrie<T>);

impl<T> Default for Suffixes<T> {
    fn default() -> Self {
        Self(ByteTrie::default())
    }
}

impl<T> Suffixes<T> {
    fn insert(&mut self, affix: &str, t: T) {
        self.0.insert(affix.bytes().rev(), t);
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Calls `f` with the payloads of every stored suffix of `s`.
    fn suffixes_of(&self, s: &str, f: impl FnMut(&T)) {
        self.0.walk(s.bytes().rev(), f);
    }
}

/// Inclusive-or-exclusive ranges over an ordered key, answering "which ranges contain `k`"
/// with a segment tree over the elementary intervals between the ranges' end points.
#[derive(Debug, Clone)]
struct Intervals<K> {
    /// `(low, low_open, high, high_open, target)`, kept until [`Intervals::freeze`].
    raw: Vec<(K, bool, K, bool, Target)>,
    /// Distinct end points, ascending.
    points: Vec<K>,
    /// Segment tree over `2 * points.len() + 1` slots (odd slots are the points, even slots
    /// the open intervals between them); each node lists the ranges covering it entirely.
    tree: Vec<Vec<Target>>,
    slots: usize,
}

impl<K> Default for Intervals<K> {
    fn default() -> Self {
        Self {
            raw: Vec::new(),
            points: Vec::new(),
            tree: Vec::new(),
            slots: 0,
        }
    }
}

impl<K: PartialOrd + Copy> Intervals<K> {
    fn insert(&mut self, low: (K, bool), high: (K, bool), t: Target) {
        self.raw.push((low.0, low.1, high.0, high.1, t));
    }

    fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    fn point_index(&self, k: K) -> usize {
        self.points.partition_point(|p| *p < k)
    }

    fn freeze(&mut self) {
        if self.raw.is_empty() {
            return;
        }
        let mut points: Vec<K> = self.raw.iter().flat_map(|r| [r.0, r.2]).collect();
        points.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        points.dedup_by(|a, b| a == b);
        self.points = points;
        self.slots = 2 * self.points.len() + 1;
        self.tree = vec![Vec::new(); 4 * self.slots];
        let raw = std::mem::take(&mut self.raw);
        for &(low, low_open, high, high_open, t) in &raw {
            let i = self.point_index(low);
            let j = self.point_index(high);
            let from = if low_open { 2 * i + 2 } else { 2 * i + 1 };
            let to = if high_open { 2 * j } else { 2 * j + 1 };
            if from <= to {
                self.add(1, 0, self.slots - 1, from, to, t);
            }
        }
        self.raw = raw;
    }

    fn add(&mut self, node: usize, lo: usize, hi: usize, from: usize, to: usize, t: Target) {
        if from <= lo && hi <= to {
            self.tree[node].push(t);
            return;
        }
        let mid = (lo + hi) / 2;
        if from <= mid {
            self.add(2 * node, lo, mid, from, to, t);
        }
        if to > mid {
            self.add(2 * node + 1, mid + 1, hi, from, to, t);
        }
    }

    fn stab(&self, k: K, out: &mut Vec<Target>) {
        if self.slots == 0 {
            return;
        }
        let i = self.point_index(k);
        let slot = if self.points.get(i).is_some_and(|p| *p == k) {
            2 * i + 1
        } else {
            2 * i
        };
        let (mut node, mut lo, mut hi) = (1, 0, self.slots - 1);
        loop {
            out.extend_from_slice(&self.tree[node]);
            if lo == hi {
                break;
            }
            let mid = (lo + hi) / 2;
            if slot <= mid {
                node *= 2;
                hi = mid;
            } else {
                node = 2 * node + 1;
                lo = mid + 1;
            }
        }
    }
}

/// Every indexable value matcher of one field's edges out of one automaton state.
#[derive(Debug, Clone, Default)]
pub(crate) struct ValueIndex {
    strings: FxMap<Box<str>, Vec<Target>>,
    ips: FxMap<IpAddr, Vec<Target>>,
    numbers: FxMap<u64, Vec<(Number, Target)>>,
    trues: Vec<Target>,
    falses: Vec<Target>,
    nulls: Vec<Target>,
    folded: FxMap<Box<str>, Vec<Target>>,
    prefix: Prefixes<Target>,
    suffix: Suffixes<Target>,
    prefix_folded: Prefixes<Target>,
    suffix_folded: Suffixes<Target>,
    /// Wildcards until [`ValueIndex::freeze`] files each under its most selective piece.
    wild_pending: Vec<(Wildcard, Target)>,
    wild_head: Prefixes<(Wildcard, Target)>,
    wild_tail: Suffixes<(Wildcard, Target)>,
    /// Middle pieces (never empty), found as substrings.
    wild_mid: Prefixes<(Wildcard, Target)>,
    wild_other: Vec<(Wildcard, Target)>,
    numeric: Intervals<f64>,
    cidr: Intervals<(bool, u128)>,
}

/// The key numbers are hashed under: the `f64` value (with `-0.0` as `0.0`); exact equality
/// is checked afterwards with [`numbers_equal`].
fn number_key(n: &Number) -> Option<u64> {
    let v = n.as_f64()?;
    Some(if v == 0.0 { 0 } else { v.to_bits() })
}

/// Can `m` be stored in a [`ValueIndex`]? (`anything-but` and `exists` cannot.)
pub(crate) fn indexable(m: &ValueMatcher) -> bool {
    !matches!(m, ValueMatcher::AnythingBut(_) | ValueMatcher::Exists(_))
}

impl ValueIndex {
    /// Adds `m` (which must be [`indexable`]) leading to `t`.
    pub(crate) fn insert(&mut self, m: &ValueMatcher, t: Target) {
        match m {
            ValueMatcher::Exact(Literal::String { text, ip }) => match ip {
                Some(ip) => self.ips.entry(*ip).or_default().push(t),
                None => self
                    .strings
                    .entry(text.as_str().into())
                    .or_default()
                    .push(t),
            },
            ValueMatcher::Exact(Literal::Number(n)) => {
                if let Some(k) = number_key(n) {
                    self.numbers.entry(k).or_default().push((n.clone(), t));
                }
            }
            ValueMatcher::Exact(Literal::Bool(true)) => self.trues.push(t),
            ValueMatcher::Exact(Literal::Bool(false)) => self.falses.push(t),
            ValueMatcher::Exact(Literal::Null) => self.nulls.push(t),
            ValueMatcher::Prefix(p) => self.prefix.insert(p, t),
            ValueMatcher::Suffix(p) => self.suffix.insert(p, t),
            ValueMatcher::PrefixIgnoreCase(p) => self.prefix_folded.insert(&p.0, t),
            ValueMatcher::SuffixIgnoreCase(p) => self.suffix_folded.insert(&p.0, t),
            ValueMatcher::EqualsIgnoreCase(p) => {
                self.folded.entry(p.0.as_str().into()).or_default().push(t);
            }
            ValueMatcher::Wildcard(w) => self.wild_pending.push((w.clone(), t)),
            ValueMatcher::Numeric(r) => self.numeric.insert(
                (r.bottom.value, r.bottom.open),
                (r.top.value, r.top.open),
                t,
            ),
            ValueMatcher::Cidr(c) => {
                let (low, high) = c.key_range();
                self.cidr.insert((low, false), (high, false), t);
            }
            ValueMatcher::AnythingBut(_) | ValueMatcher::Exists(_) => {}
        }
    }

    /// Builds the range indexes; call once after the last [`ValueIndex::insert`].
    pub(crate) fn freeze(&mut self) {
        for ts in self.strings.values_mut() {
            ts.sort_unstable();
            ts.dedup();
        }
        self.numeric.freeze();
        self.cidr.freeze();
        self.file_wildcards();
    }

    /// Files each wildcard under the literal piece (head, tail or a middle piece) that the
    /// fewest wildcards here share, longest first among equals, so that an event value only
    /// reaches the wildcards whose rarest piece it contains.
    fn file_wildcards(&mut self) {
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        enum Where {
            Head,
            Tail,
            Mid,
        }
        fn keys(w: &Wildcard) -> Vec<(Where, &str)> {
            let parts = w.parts();
            let mut out = Vec::new();
            if let Some(head) = parts.first()
                && (!head.is_empty() || parts.len() == 1)
            {
                out.push((Where::Head, head.as_str()));
            }
            if parts.len() >= 2 {
                if let Some(tail) = parts.last().filter(|t| !t.is_empty()) {
                    out.push((Where::Tail, tail.as_str()));
                }
                for mid in &parts[1..parts.len() - 1] {
                    if !mid.is_empty() {
                        out.push((Where::Mid, mid.as_str()));
                    }
                }
            }
            out
        }
        let pending = std::mem::take(&mut self.wild_pending);
        let mut counts: FxMap<(Where, &str), usize> = FxMap::default();
        for (w, _) in &pending {
            for k in keys(w) {
                *counts.entry(k).or_default() += 1;
            }
        }
        for (w, t) in &pending {
            let best = keys(w)
                .into_iter()
                .min_by_key(|k| (counts.get(k).copied().unwrap_or(0), usize::MAX - k.1.len()));
            let entry = (w.clone(), *t);
            match best {
                Some((Where::Head, key)) => self.wild_head.insert(key, entry),
                Some((Where::Tail, key)) => self.wild_tail.insert(key, entry),
                Some((Where::Mid, key)) => self.wild_mid.insert(key, entry),
                None => self.wild_other.push(entry),
            }
        }
    }

    /// The exact-string map (each list sorted, without repeats).
    pub(crate) fn strings(&self) -> &FxMap<Box<str>, Vec<Target>> {
        &self.strings
    }

    /// The exact-string map, when it is all this index holds (no IP literals, numbers,
    /// affixes, ...): then a string leaf is found in at most one list, and other leaves in
    /// none. Each list is sorted and free of repeats.
    pub(crate) fn exact_strings_only(&self) -> Option<&FxMap<Box<str>, Vec<Target>>> {
        let only = self.ips.is_empty()
            && self.numbers.is_empty()
            && self.trues.is_empty()
            && self.falses.is_empty()
            && self.nulls.is_empty()
            && self.folded.is_empty()
            && self.prefix.is_empty()
            && self.suffix.is_empty()
            && self.prefix_folded.is_empty()
            && self.suffix_folded.is_empty()
            && self.wild_pending.is_empty()
            && self.wild_head.is_empty()
            && self.wild_tail.is_empty()
            && self.wild_mid.is_empty()
            && self.wild_other.is_empty()
            && self.numeric.is_empty()
            && self.cidr.is_empty();
        only.then_some(&self.strings)
    }

    /// Appends to `out` the target of every stored matcher that accepts the leaf `v`
    /// (possibly with repeats).
    pub(crate) fn lookup(&self, v: &Leaf<'_>, out: &mut Vec<Target>) {
        match v {
            Leaf::Str(s) => self.lookup_str(s, out),
            Leaf::Num(n) => {
                if !self.numbers.is_empty()
                    && let Some(ts) = number_key(n).and_then(|k| self.numbers.get(&k))
                {
                    out.extend(ts.iter().filter(|(p, _)| numbers_equal(p, n)).map(|x| x.1));
                }
                if !self.numeric.is_empty()
                    && let Some(f) = crate::number::comparable_value(n)
                {
                    self.numeric.stab(f, out);
                }
            }
            Leaf::Bool(true) => out.extend_from_slice(&self.trues),
            Leaf::Bool(false) => out.extend_from_slice(&self.falses),
            Leaf::Null => out.extend_from_slice(&self.nulls),
        }
    }

    fn lookup_str(&self, s: &str, out: &mut Vec<Target>) {
        if let Some(ts) = self.strings.get(s) {
            out.extend_from_slice(ts);
        }
        if (!self.ips.is_empty() || !self.cidr.is_empty())
            && let Some(ip) = parse_ip(s)
        {
            if let Some(ts) = self.ips.get(&ip) {
                out.extend_from_slice(ts);
            }
            self.cidr.stab(ip_key(ip), out);
        }
        self.prefix.prefixes_of(s, |t| out.push(*t));
        self.suffix.suffixes_of(s, |t| out.push(*t));
        self.wild_head.prefixes_of(s, |(w, t)| {
            if w.matches(s) {
                out.push(*t);
            }
        });
        self.wild_tail.suffixes_of(s, |(w, t)| {
            if w.matches(s) {
                out.push(*t);
            }
        });
        self.wild_mid.substrings_of(s, |(w, t)| {
            if w.matches(s) {
                out.push(*t);
            }
        });
        out.extend(
            self.wild_other
                .iter()
                .filter(|(w, _)| w.matches(s))
                .map(|x| x.1),
        );
        if !self.folded.is_empty()
            || !self.prefix_folded.is_empty()
            || !self.suffix_folded.is_empty()
        {
            let lower: Cow<'_, str> = if s.is_ascii() && !s.bytes().any(|b| b.is_ascii_uppercase())
            {
                Cow::Borrowed(s)
            } else {
                Cow::Owned(s.to_lowercase())
            };
            if let Some(ts) = self.folded.get(&*lower) {
                out.extend_from_slice(ts);
            }
            self.prefix_folded.prefixes_of(&lower, |t| out.push(*t));
            self.suffix_folded.suffixes_of(&lower, |t| out.push(*t));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn found(ix: &ValueIndex, v: Value) -> Vec<Target> {
        let mut out = Vec::new();
        ix.lookup(&Leaf::of(&v).expect("scalar"), &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn intervals_respect_open_and_closed_ends() {
        let mut iv = Intervals::default();
        iv.insert((0.0, true), (5.0, false), 1);
        iv.insert((5.0, false), (5.0, false), 2);
        iv.insert((-5e9, false), (3.0, true), 3);
        iv.freeze();
        let stab = |k: f64| {
            let mut out = Vec::new();
            iv.stab(k, &mut out);
            out.sort_unstable();
            out
        };
        assert_eq!(stab(0.0), vec![3]);
        assert_eq!(stab(0.5), vec![1, 3]);
        assert_eq!(stab(3.0), vec![1]);
        assert_eq!(stab(5.0), vec![1, 2]);
        assert_eq!(stab(5.5), Vec::<Target>::new());
        assert_eq!(stab(-6e9), Vec::<Target>::new());
    }

    #[test]
    fn index_finds_each_kind() {
        let p = crate::Pattern::parse(
            r#"{"a": ["x", 300, true, null, "10.0.0.1", {"prefix": "ab"}, {"suffix": "yz"},
                {"equals-ignore-case": "MiXeD"}, {"prefix": {"equals-ignore-case": "HE"}},
                {"wildcard": "q*r"}, {"wildcard": "*tail"}, {"wildcard": "*mid*"},
                {"numeric": [">", 1, "<=", 2]}, {"cidr": "192.168.0.0/16"}]}"#,
        )
        .expect("valid");
        let mut ix = ValueIndex::default();
        for (i, m) in p.branches()[0].fields[0].matchers.iter().enumerate() {
            ix.insert(m, i as Target);
        }
        ix.freeze();
        assert_eq!(found(&ix, json!("x")), vec![0]);
        assert_eq!(found(&ix, serde_json::from_str("3e2").expect("n")), vec![1]);
        assert_eq!(found(&ix, json!(true)), vec![2]);
        assert_eq!(found(&ix, json!(null)), vec![3]);
        assert_eq!(found(&ix, json!("10.0.0.1")), vec![4]);
        assert_eq!(found(&ix, json!("abyz")), vec![5, 6]);
        assert_eq!(found(&ix, json!("mixed")), vec![7]);
        assert_eq!(found(&ix, json!("Hello")), vec![8]);
        assert_eq!(found(&ix, json!("qxr")), vec![9]);
        assert_eq!(found(&ix, json!("a-tail")), vec![10]);
        assert_eq!(found(&ix, json!("amidb")), vec![11]);
        assert_eq!(found(&ix, json!(1.5)), vec![12]);
        assert_eq!(found(&ix, json!("192.168.3.4")), vec![13]);
        assert!(found(&ix, json!("nothing")).is_empty());
        assert!(found(&ix, json!(1)).is_empty());
    }
}
