//! Value indexes for the compiled matcher: given one leaf value of an event, find every
//! target (automaton state) whose value matcher accepts it, without testing matchers one by
//! one.
//!
//! * exact strings, numbers (by `f64` value, then checked exactly), booleans, `null` and IP
//!   address literals: hash maps;
//! * `equals-ignore-case`: a hash map keyed by the lower-cased text;
//! * `prefix` / `suffix` (also ignoring case) and `wildcard` (by its literal head or tail):
//!   hash maps keyed by the affix, probed once per distinct affix length;
//! * `numeric` and `cidr`: a static segment tree over the ranges' end points (stabbing query,
//!   `O(log n + hits)`);
//! * wildcards with no literal head or tail (`*x*`): a short list, tested in turn.

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

/// Affix (prefix or suffix) → payloads, probed once per distinct affix length.
#[derive(Debug, Clone)]
struct Affixes<T> {
    map: FxMap<Box<str>, Vec<T>>,
    /// Distinct affix lengths in bytes, ascending.
    lens: Vec<usize>,
}

impl<T> Default for Affixes<T> {
    fn default() -> Self {
        Self {
            map: FxMap::default(),
            lens: Vec::new(),
        }
    }
}

impl<T> Affixes<T> {
    fn insert(&mut self, affix: &str, t: T) {
        if let Err(at) = self.lens.binary_search(&affix.len()) {
            self.lens.insert(at, affix.len());
        }
        self.map.entry(affix.into()).or_default().push(t);
    }

    fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }

    /// Calls `f` with the payloads of every stored prefix of `s`.
    fn prefixes_of(&self, s: &str, mut f: impl FnMut(&T)) {
        for &len in &self.lens {
            if len > s.len() {
                break;
            }
            if let Some(ts) = s.get(..len).and_then(|head| self.map.get(head)) {
                ts.iter().for_each(&mut f);
            }
        }
    }

    /// Calls `f` with the payloads of every stored substring of `s`.
    fn substrings_of(&self, s: &str, mut f: impl FnMut(&T)) {
        for &len in &self.lens {
            if len > s.len() {
                break;
            }
            for start in 0..=s.len() - len {
                if let Some(ts) = s.get(start..start + len).and_then(|w| self.map.get(w)) {
                    ts.iter().for_each(&mut f);
                }
            }
        }
    }

    /// Calls `f` with the payloads of every stored suffix of `s`.
    fn suffixes_of(&self, s: &str, mut f: impl FnMut(&T)) {
        for &len in &self.lens {
            if len > s.len() {
                break;
            }
            if let Some(ts) = s.get(s.len() - len..).and_then(|tail| self.map.get(tail)) {
                ts.iter().for_each(&mut f);
            }
        }
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
    prefix: Affixes<Target>,
    suffix: Affixes<Target>,
    prefix_folded: Affixes<Target>,
    suffix_folded: Affixes<Target>,
    /// Wildcards until [`ValueIndex::freeze`] files each under its most selective piece.
    wild_pending: Vec<(Wildcard, Target)>,
    wild_head: Affixes<(Wildcard, Target)>,
    wild_tail: Affixes<(Wildcard, Target)>,
    wild_mid: Affixes<(Wildcard, Target)>,
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

    /// Appends to `out` the target of every stored matcher that accepts the leaf `v`
    /// (possibly with repeats).
    pub(crate) fn lookup(&self, v: &Value, out: &mut Vec<Target>) {
        match v {
            Value::String(s) => self.lookup_str(s, out),
            Value::Number(n) => {
                if !self.numbers.is_empty()
                    && let Some(ts) = number_key(n).and_then(|k| self.numbers.get(&k))
                {
                    out.extend(ts.iter().filter(|(p, _)| numbers_equal(p, n)).map(|x| x.1));
                }
                if !self.numeric.is_empty()
                    && let Some(f) = n.as_f64()
                {
                    self.numeric.stab(f, out);
                }
            }
            Value::Bool(true) => out.extend_from_slice(&self.trues),
            Value::Bool(false) => out.extend_from_slice(&self.falses),
            Value::Null => out.extend_from_slice(&self.nulls),
            Value::Array(_) | Value::Object(_) => {}
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
            let lower = s.to_lowercase();
            if let Some(ts) = self.folded.get(lower.as_str()) {
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
        ix.lookup(&v, &mut out);
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
