//! Many rules compiled into one matcher.
//!
//! # Design
//!
//! In the spirit of aws/event-ruler's `GenericMachine` and quamina's `coreMatcher`, every
//! alternative of every rule (a conjunction of field conditions) becomes a path through one
//! automaton:
//!
//! * **states** are shared prefixes of conditions: two rules that both start with
//!   `source = aws.ec2` share the state reached by that condition;
//! * an **edge** out of a state tests one field path; its value matchers live in a
//!   [`ValueIndex`] (hash maps for exact and case-folded values, affix maps for
//!   `prefix`/`suffix`/`wildcard`, segment trees for `numeric` and `cidr`), so following the
//!   edges for one event value costs a few lookups however many rules share the state;
//!   `anything-but` and `exists: true` conditions are tested in turn, and `exists: false`
//!   edges are followed when the field has no leaf value;
//! * a state where an alternative ends lists it.
//!
//! Each alternative orders its conditions most selective first (exact values, then other
//! indexed operators, then `anything-but`/`exists`, then conditions that can hold on absence),
//! so most rules are cut off by a hash lookup at the root.
//!
//! The event is flattened once into `(field path, leaf value)` pairs, following only the
//! object keys some rule names (the trie of the rules' paths, `paths.rs`), so subtrees no
//! rule looks at are never visited; [`Matcher::matching_rules_str`] goes further: a byte
//! scanner (`scan.rs`) emits the leaves straight from the text, skipping other values without
//! building them, and leaves the few texts it is not sure about (syntax errors, escaped keys,
//! repeated keys, arrays of objects) to a pruned serde_json parse.
//!
//! Per event, the work grows with the fields present and the targets reached, not with the
//! number of rules: a state's edges are visited only for the fields the event has (unless
//! some edge waits for an absent field), value indexes are hash maps, byte tries and segment
//! trees, and an `anything-but` value excluded by nearly every rule finds the few survivors
//! in one lookup. Buffers are reused per thread.
//!
//! Flattening merges the elements of an array, which is exact unless the event holds an array
//! with two or more objects (or nested arrays) where rules look below it: there, matching must
//! be array-consistent (one element must satisfy all of a sub-pattern) and `exists: false`
//! may hold in one element and not in another. For such events the automaton is run as a
//! superset filter (absence edges are always followed) and the alternatives it reaches are
//! confirmed with the reference evaluator. Other events never take that path.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::EventError;
use crate::index::{FxMap, Leaf, Target, ValueIndex, indexable};
use crate::paths::{PathNode, PathTrie};
use crate::value::ValueMatcher;
use crate::{Pattern, eval, scan};

/// Many rules, each a pattern with an identity `R` (a rule name, an id), matched together.
///
/// All rules are compiled into one automaton (see the module documentation), so the cost of
/// matching an event depends on the event and on the field paths and values the rules use,
/// not linearly on the number of rules. Build a new `Matcher` when rules change and swap it in
/// (it is immutable and `Send + Sync`).
#[derive(Clone)]
pub struct Matcher<R> {
    rules: Vec<R>,
    pub(crate) machine: Arc<Machine>,
}

impl<R: fmt::Debug> fmt::Debug for Matcher<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Matcher")
            .field("rules", &self.rules)
            .field("states", &self.machine.states.len())
            .field("paths", &self.machine.paths.len())
            .finish()
    }
}

impl<R: Clone> Matcher<R> {
    /// Compiles `rules`, keeping their order.
    pub fn new(rules: impl IntoIterator<Item = (R, Pattern)>) -> Matcher<R> {
        let (rules, patterns): (Vec<R>, Vec<Pattern>) = rules.into_iter().unzip();
        Matcher {
            rules,
            machine: Arc::new(Machine::build(patterns)),
        }
    }

    /// The rules whose pattern matches `event`, each once, in insertion order.
    pub fn matching_rules(&self, event: &Value) -> Vec<R> {
        self.machine
            .matching(event)
            .into_iter()
            .filter_map(|i| self.rules.get(i).cloned())
            .collect()
    }

    /// [`Matcher::matching_rules`] for an event given as JSON text. Only the parts of the
    /// event some rule looks at are built while parsing (the rest is checked for syntax and
    /// skipped), which is cheaper than parsing the whole event into a [`Value`] first.
    ///
    /// Fails when the text is not one JSON value.
    pub fn matching_rules_str(&self, event_json: &str) -> Result<Vec<R>, EventError> {
        Ok(self
            .machine
            .matching_str(event_json)?
            .into_iter()
            .filter_map(|i| self.rules.get(i).cloned())
            .collect())
    }

    /// How many rules the matcher holds.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether the matcher holds no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// The edges for one field path out of one state.
#[derive(Debug, Default)]
struct Edges {
    /// Indexable value matchers.
    index: Option<Box<ValueIndex>>,
    /// Conditions that are one `anything-but` of indexable values.
    but: Option<Box<ButIndex>>,
    /// Other conditions with `anything-but` or `exists: true`, tested per leaf value.
    scan: Vec<(Vec<ValueMatcher>, Target)>,
    /// Conditions with `exists: false`: followed when the field has no leaf value.
    absent: Vec<Target>,
}

/// The `anything-but` conditions of one field's edges out of one state: all their targets
/// (sorted), and an index of the values each excludes. A leaf value satisfies all but the
/// ones the index finds.
#[derive(Debug, Default)]
struct ButIndex {
    all: Vec<Target>,
    excluded: ValueIndex,
    /// When `excluded` only holds exact strings: for the strings that exclude all but a few
    /// targets (at most a quarter of the ones they exclude, so this stays smaller than the
    /// index), the targets that survive, so that the common "excluded by nearly every rule"
    /// value costs one lookup instead of a merge over every target.
    survivors: Option<FxMap<Box<str>, Vec<Target>>>,
}

impl ButIndex {
    fn freeze(&mut self) {
        self.excluded.freeze();
        self.all.sort_unstable();
        self.all.dedup();
        if let Some(strings) = self.excluded.exact_strings_only() {
            let mut survivors = FxMap::default();
            for (key, ex) in strings {
                let kept = merge_out(&self.all, ex);
                if kept.len() * 4 <= ex.len() {
                    survivors.insert(key.clone(), kept);
                }
            }
            self.survivors = Some(survivors);
        }
    }

    /// Appends the targets whose excluded values do not include `v`.
    fn lookup(&self, v: &Leaf<'_>, out: &mut Vec<Target>, scratch: &mut Vec<Target>) {
        if let Some(survivors) = &self.survivors {
            // set only when `excluded` holds nothing but exact strings
            let strings = self.excluded.strings();
            let Leaf::Str(s) = v else {
                out.extend_from_slice(&self.all);
                return;
            };
            if let Some(kept) = survivors.get(&**s) {
                out.extend_from_slice(kept);
            } else if let Some(ex) = strings.get(&**s) {
                merge_into(&self.all, ex, out);
            } else {
                out.extend_from_slice(&self.all);
            }
            return;
        }
        scratch.clear();
        self.excluded.lookup(v, scratch);
        scratch.sort_unstable();
        merge_into(&self.all, scratch, out);
    }
}

/// `all` without `ex` (both sorted), appended to `out`.
fn merge_into(all: &[Target], ex: &[Target], out: &mut Vec<Target>) {
    let mut ex = ex.iter().peekable();
    for &t in all {
        while ex.next_if(|&&e| e < t).is_some() {}
        if ex.peek() != Some(&&t) {
            out.push(t);
        }
    }
}

fn merge_out(all: &[Target], ex: &[Target]) -> Vec<Target> {
    let mut out = Vec::new();
    merge_into(all, ex, &mut out);
    out
}

#[derive(Debug, Default)]
struct State {
    /// Sorted by path id.
    edges: Vec<(u32, Edges)>,
    /// Alternatives that end here.
    ends: Vec<u32>,
    /// Whether some edge has `exists: false` targets (followed on absence).
    has_absent: bool,
}

/// Per-thread buffers for [`Machine::run`], reused across events.
#[derive(Default)]
struct Scratch {
    present: Vec<(u32, usize, usize)>,
    ended: Vec<u32>,
    stack: Vec<Target>,
    next: Vec<Target>,
    excluded: Vec<Target>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The compiled automaton.
pub(crate) struct Machine {
    patterns: Vec<Pattern>,
    /// Alternative id → (rule index, branch index).
    alts: Vec<(u32, u32)>,
    /// The field paths the rules use; edges are keyed by their ids.
    paths: PathTrie,
    states: Vec<State>,
}

/// Which class of condition a field test is, for ordering an alternative's conditions: the
/// lower, the more selective and the cheaper.
fn rank(matchers: &[ValueMatcher]) -> u8 {
    if matchers
        .iter()
        .any(|m| matches!(m, ValueMatcher::Exists(false)))
    {
        4
    } else if matchers.iter().any(|m| !indexable(m)) {
        3
    } else if matchers.iter().all(|m| {
        matches!(
            m,
            ValueMatcher::Exact(_) | ValueMatcher::EqualsIgnoreCase(_)
        )
    }) {
        1
    } else {
        2
    }
}

impl Machine {
    fn build(patterns: Vec<Pattern>) -> Machine {
        let mut m = Machine {
            patterns: Vec::new(),
            alts: Vec::new(),
            paths: PathTrie::default(),
            states: vec![State::default()],
        };
        // (state, path, condition text) → next state, so equal conditions share a state.
        let mut shared: FxMap<(u32, u32, String), u32> = FxMap::default();
        for (rule, pattern) in patterns.iter().enumerate() {
            for (b, branch) in pattern.branches().iter().enumerate() {
                let alt = u32::try_from(m.alts.len()).unwrap_or(u32::MAX);
                m.alts.push((
                    u32::try_from(rule).unwrap_or(u32::MAX),
                    u32::try_from(b).unwrap_or(u32::MAX),
                ));
                let mut fields: Vec<_> = branch
                    .fields
                    .iter()
                    .map(|f| (rank(&f.matchers), m.paths.id(&f.path), f))
                    .collect();
                fields.sort_by(|a, b| (a.0, &a.2.path).cmp(&(b.0, &b.2.path)));
                let mut state = 0u32;
                for (_, path, field) in fields {
                    let key = (state, path, format!("{:?}", field.matchers));
                    state = match shared.get(&key) {
                        Some(&next) => next,
                        None => {
                            let next = m.add_edge(state, path, &field.matchers);
                            shared.insert(key, next);
                            next
                        }
                    };
                }
                if let Some(s) = m.states.get_mut(state as usize) {
                    s.ends.push(alt);
                }
            }
        }
        for state in &mut m.states {
            state.has_absent = state.edges.iter().any(|(_, e)| !e.absent.is_empty());
            for (_, edges) in &mut state.edges {
                if let Some(ix) = &mut edges.index {
                    ix.freeze();
                }
                if let Some(but) = &mut edges.but {
                    but.freeze();
                }
            }
        }
        m.patterns = patterns;
        m
    }

    /// Adds a new state reached from `from` when the leaf values at `path` satisfy
    /// `matchers`.
    fn add_edge(&mut self, from: u32, path: u32, matchers: &[ValueMatcher]) -> u32 {
        let next = u32::try_from(self.states.len()).unwrap_or(u32::MAX);
        self.states.push(State::default());
        let state = &mut self.states[from as usize];
        let at = match state.edges.binary_search_by_key(&path, |e| e.0) {
            Ok(at) => at,
            Err(at) => {
                state.edges.insert(at, (path, Edges::default()));
                at
            }
        };
        let edges = &mut state.edges[at].1;
        if matchers
            .iter()
            .any(|m| matches!(m, ValueMatcher::Exists(false)))
        {
            edges.absent.push(next);
        }
        let rest: Vec<ValueMatcher> = matchers
            .iter()
            .filter(|m| !matches!(m, ValueMatcher::Exists(false)))
            .cloned()
            .collect();
        if let [ValueMatcher::AnythingBut(inner)] = &rest[..]
            && inner.iter().all(indexable)
        {
            let but = edges.but.get_or_insert_with(Default::default);
            but.all.push(next);
            for m in inner {
                but.excluded.insert(m, next);
            }
        } else if rest.iter().any(|m| !indexable(m)) {
            edges.scan.push((rest, next));
        } else {
            let index = edges.index.get_or_insert_with(Default::default);
            for m in &rest {
                index.insert(m, next);
            }
        }
        next
    }

    /// Collects the leaf values at the rules' paths; sets `fanout` when an array with two or
    /// more containers sits where rules look below it.
    fn flatten<'v>(
        &self,
        node: usize,
        v: &'v Value,
        out: &mut Vec<(u32, Leaf<'v>)>,
        fanout: &mut bool,
    ) {
        let Some(n) = self.paths.nodes().get(node) else {
            return;
        };
        match v {
            Value::Object(map) => {
                if n.children.len() <= map.len() {
                    for (k, &child) in &n.children {
                        if let Some(cv) = map.get(&**k) {
                            self.flatten(child as usize, cv, out, fanout);
                        }
                    }
                } else {
                    for (k, cv) in map {
                        if let Some(&child) = n.children.get(k.as_str()) {
                            self.flatten(child as usize, cv, out, fanout);
                        }
                    }
                }
            }
            Value::Array(items) => {
                if !n.children.is_empty()
                    && items
                        .iter()
                        .filter(|i| matches!(i, Value::Object(_) | Value::Array(_)))
                        .nth(1)
                        .is_some()
                {
                    *fanout = true;
                }
                for item in items {
                    self.flatten(node, item, out, fanout);
                }
            }
            scalar => {
                if let Some(p) = n.path
                    && let Some(leaf) = Leaf::of(scalar)
                {
                    out.push((p, leaf));
                }
            }
        }
    }

    /// Does some dotted key of the event lead along a rule's path (so that the event must be
    /// expanded, `dotted.rs`, before it is flattened)? Looks only below the keys rules name.
    fn dotted_on_paths(&self, node: usize, v: &Value) -> bool {
        let nodes = self.paths.nodes();
        let Some(n) = nodes.get(node) else {
            return false;
        };
        match v {
            Value::Object(map) => map.iter().any(|(k, cv)| match n.children.get(k.as_str()) {
                Some(&child) => self.dotted_on_paths(child as usize, cv),
                None => k.contains('.') && crate::paths::walk(nodes, node, k).is_some(),
            }),
            Value::Array(items) => items.iter().any(|item| self.dotted_on_paths(node, item)),
            _ => false,
        }
    }

    /// Indexes of the matching rules, ascending, each once.
    pub(crate) fn matching(&self, event: &Value) -> Vec<usize> {
        let expanded;
        let event = if self.dotted_on_paths(0, event) {
            expanded = crate::dotted::expand(event);
            &*expanded
        } else {
            event
        };
        let mut leaves = Vec::new();
        let mut fanout = false;
        self.flatten(0, event, &mut leaves, &mut fanout);
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.run(&mut leaves, fanout, Some(event), &mut scratch),
            Err(_) => self.run(&mut leaves, fanout, Some(event), &mut Scratch::default()),
        })
    }

    /// [`Machine::matching`] for event text: the text is scanned straight into leaves when
    /// that is exact (see [`crate::scan`]); otherwise it is parsed into a pruned [`Value`].
    pub(crate) fn matching_str(&self, text: &str) -> Result<Vec<usize>, EventError> {
        let mut leaves = Vec::new();
        if scan::leaves(text, self.paths.nodes(), &mut leaves) {
            return Ok(SCRATCH.with(|cell| match cell.try_borrow_mut() {
                Ok(mut scratch) => self.run(&mut leaves, false, None, &mut scratch),
                Err(_) => self.run(&mut leaves, false, None, &mut Scratch::default()),
            }));
        }
        let event = self.parse_pruned(text)?;
        Ok(self.matching(&event))
    }

    /// Runs the automaton over the event's leaves. With `fanout`, `event` must be given: the
    /// alternatives reached are confirmed against it.
    fn run(
        &self,
        leaves: &mut [(u32, Leaf<'_>)],
        fanout: bool,
        event: Option<&Value>,
        scratch: &mut Scratch,
    ) -> Vec<usize> {
        leaves.sort_unstable_by_key(|l| l.0);
        let Scratch {
            present,
            ended,
            stack,
            next,
            excluded,
        } = scratch;
        // (path id, range in `leaves`), ascending by path
        present.clear();
        let mut i = 0;
        while i < leaves.len() {
            let p = leaves[i].0;
            let start = i;
            while i < leaves.len() && leaves[i].0 == p {
                i += 1;
            }
            present.push((p, start, i));
        }
        ended.clear();
        stack.clear();
        stack.push(0);
        while let Some(s) = stack.pop() {
            let Some(state) = self.states.get(s as usize) else {
                continue;
            };
            ended.extend_from_slice(&state.ends);
            if fanout || state.has_absent || state.edges.len() <= present.len() {
                for (path, edges) in &state.edges {
                    let values = match present.binary_search_by_key(path, |p| p.0) {
                        Ok(at) => present
                            .get(at)
                            .and_then(|&(_, a, b)| leaves.get(a..b))
                            .unwrap_or(&[]),
                        Err(_) => &[],
                    };
                    Self::follow(edges, values, fanout, next, excluded);
                    stack.extend_from_slice(next);
                }
            } else {
                // Few fields in the event, many edges here: visit only the fields present.
                for &(path, a, b) in present.iter() {
                    if let Ok(at) = state.edges.binary_search_by_key(&path, |e| e.0)
                        && let Some((_, edges)) = state.edges.get(at)
                    {
                        let values = leaves.get(a..b).unwrap_or(&[]);
                        Self::follow(edges, values, fanout, next, excluded);
                        stack.extend_from_slice(next);
                    }
                }
            }
        }

        ended.sort_unstable();
        let mut rules: Vec<usize> = Vec::new();
        for &alt in ended.iter() {
            let Some(&(rule, branch)) = self.alts.get(alt as usize) else {
                continue;
            };
            let rule = rule as usize;
            if rules.last() == Some(&rule) {
                continue;
            }
            if fanout {
                let confirmed = self
                    .patterns
                    .get(rule)
                    .and_then(|p| p.branches().get(branch as usize))
                    .zip(event)
                    .is_some_and(|(b, e)| eval::matches(std::slice::from_ref(b), e));
                if !confirmed {
                    continue;
                }
            }
            rules.push(rule);
        }
        rules
    }

    /// Sets `next` to the targets of `edges` that the leaf `values` at its path reach.
    #[inline]
    fn follow(
        edges: &Edges,
        values: &[(u32, Leaf<'_>)],
        fanout: bool,
        next: &mut Vec<Target>,
        excluded: &mut Vec<Target>,
    ) {
        next.clear();
        if values.is_empty() || fanout {
            next.extend_from_slice(&edges.absent);
        }
        for (_, v) in values {
            if let Some(ix) = &edges.index {
                ix.lookup(v, next);
            }
            if let Some(but) = &edges.but {
                but.lookup(v, next, excluded);
            }
            if !edges.scan.is_empty() {
                let mut owned: Option<Value> = None;
                for (ms, t) in &edges.scan {
                    if ms.iter().any(|m| match m {
                        ValueMatcher::Exists(want) => *want,
                        other => other.matches(owned.get_or_insert_with(|| v.to_value())),
                    }) {
                        next.push(*t);
                    }
                }
            }
        }
        if next.len() > 1 {
            next.sort_unstable();
            next.dedup();
        }
    }

    /// Parses `text`, keeping only what the rules' paths reach.
    pub(crate) fn parse_pruned(&self, text: &str) -> Result<Value, EventError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let value = Pruned {
            trie: self.paths.nodes(),
            node: 0,
        }
        .deserialize(&mut de)
        .map_err(EventError::new)?;
        de.end().map_err(EventError::new)?;
        Ok(value)
    }
}

impl fmt::Debug for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Machine")
            .field("states", &self.states.len())
            .field("paths", &self.paths.len())
            .finish()
    }
}

/// A serde seed that builds the event [`Value`] with only the object members on the rules'
/// paths; other members are skipped (still syntax-checked). Scalars where no rule looks at
/// leaf values become `null`: they only matter as "not an object".
#[derive(Clone, Copy)]
struct Pruned<'a> {
    trie: &'a [PathNode],
    node: usize,
}

impl Pruned<'_> {
    fn keeps_leaves(&self) -> bool {
        self.trie.get(self.node).is_some_and(|n| n.path.is_some())
    }
}

impl<'de> DeserializeSeed<'de> for Pruned<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// Looks an object key up in the trie while it is still borrowed from the input.
struct Key<'a> {
    trie: &'a [PathNode],
    node: usize,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Option<(String, usize)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for Key<'_> {
    type Value = Option<(String, usize)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: serde::de::Error>(self, k: &str) -> Result<Self::Value, E> {
        let child = match self.trie.get(self.node).and_then(|n| n.children.get(k)) {
            Some(&child) => Some(child as usize),
            // a dotted key is kept when its segments lead along some rule's path; the
            // pruned value is expanded before it is flattened
            None if k.contains('.') => crate::paths::walk(self.trie, self.node, k),
            None => None,
        };
        Ok(child.map(|child| (k.to_owned(), child)))
    }
}

impl<'de> Visitor<'de> for Pruned<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(if self.keeps_leaves() {
            Value::Bool(b)
        } else {
            Value::Null
        })
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(if self.keeps_leaves() {
            Value::Number(n.into())
        } else {
            Value::Null
        })
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(if self.keeps_leaves() {
            Value::Number(n.into())
        } else {
            Value::Null
        })
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(if self.keeps_leaves() {
            Number::from_f64(n).map_or(Value::Null, Value::Number)
        } else {
            Value::Null
        })
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(if self.keeps_leaves() {
            Value::String(s.to_owned())
        } else {
            Value::Null
        })
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(if self.keeps_leaves() {
            Value::String(s)
        } else {
            Value::Null
        })
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        let key = || Key {
            trie: self.trie,
            node: self.node,
        };
        while let Some(found) = access.next_key_seed(key())? {
            match found {
                Some((k, child)) => {
                    let v = access.next_value_seed(Pruned {
                        trie: self.trie,
                        node: child,
                    })?;
                    map.insert(k, v);
                }
                None => {
                    access.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> Pattern {
        Pattern::parse(s).expect("valid")
    }

    #[test]
    fn equal_conditions_share_states() {
        let m = Matcher::new([
            (1, p(r#"{"source": ["a"], "detail": {"x": [1]}}"#)),
            (2, p(r#"{"source": ["a"], "detail": {"x": [2]}}"#)),
            (3, p(r#"{"source": ["a"]}"#)),
        ]);
        // root; x=1 then source=a; x=2 then source=a; source=a alone
        assert_eq!(m.machine.states.len(), 6);
        assert_eq!(
            m.matching_rules(&json!({"source": "a", "detail": {"x": 2}})),
            vec![2, 3]
        );
        let m = Matcher::new([
            (
                1,
                p(r#"{"source": ["a"], "detail": {"x": [{"anything-but": 1}]}}"#),
            ),
            (
                2,
                p(r#"{"source": ["a"], "detail": {"x": [{"anything-but": 2}]}}"#),
            ),
            (3, p(r#"{"source": ["a"]}"#)),
        ]);
        // exact conditions come first: root, source=a, then one state per anything-but
        assert_eq!(m.machine.states.len(), 4);
        assert_eq!(
            m.matching_rules(&json!({"source": "a", "detail": {"x": 2}})),
            vec![1, 3]
        );
    }

    #[test]
    fn pruned_parse_keeps_only_rule_paths() {
        let m = Matcher::new([(1, p(r#"{"a": {"b": [1]}, "c": [{"exists": false}]}"#))]);
        let v = m
            .machine
            .parse_pruned(r#"{"a": {"b": 1, "z": [1, 2, {"q": 3}]}, "c": {"d": "x"}, "e": "f"}"#)
            .expect("json");
        assert_eq!(v, json!({"a": {"b": 1}, "c": {}}));
        assert!(m.machine.parse_pruned(r#"{"a": }"#).is_err());
        assert!(m.machine.parse_pruned(r#"{} x"#).is_err());
        assert_eq!(
            m.matching_rules_str(r#"{"a": {"b": 1.0}}"#).expect("json"),
            vec![1]
        );
    }

    #[test]
    fn arrays_of_objects_are_matched_consistently() {
        let m = Matcher::new([
            (1, p(r#"{"a": {"b": [1], "c": [2]}}"#)),
            (2, p(r#"{"a": {"b": [{"exists": false}]}}"#)),
            (3, p(r#"{"a": {"b": [1]}}"#)),
        ]);
        let ev = json!({"a": [{"b": 1}, {"c": 2}]});
        assert_eq!(m.matching_rules(&ev), vec![2, 3]);
        let ev = json!({"a": [{"b": 1, "c": 2}, {"b": 3}]});
        assert_eq!(m.matching_rules(&ev), vec![1, 3]);
        let ev = json!({"a": [{"b": 1, "c": 2}]});
        assert_eq!(m.matching_rules(&ev), vec![1, 3]);
    }

    /// The rule the scanner cases below are written for.
    fn scanned_rule() -> Matcher<u32> {
        Matcher::new([(
            1,
            p(r#"{"a": {"b": [{"exists": true}]}, "c": [{"prefix": "x"}]}"#),
        )])
    }

    /// Event text that the byte scanner (`scan.rs`) takes and text it leaves to the pruned
    /// serde_json parse give the same answer as the parsed event.
    #[test]
    fn scanned_and_parsed_agree_and_odd_inputs_fall_back() {
        let m = scanned_rule();
        for (text, want) in [
            (r#"{"a": {"b": 1}, "c": "xy"}"#, Some(vec![1])),
            (
                r#" {"z": [1, {"q": "\u00e9"}], "a": {"b": [true, null]}, "c": ["q", "x"]} "#,
                Some(vec![1]),
            ),
            (r#"{"a": {"b": {}}, "c": "x"}"#, Some(vec![])),
            (r#"{"a": {"b": 1}, "c": "\u0078"}"#, Some(vec![1])),
            (r#"{"a": {"b": 1}, "c": "y", "c": "x"}"#, Some(vec![1])),
            (r#"{"a": [{"b": 1}, {"b": 2}], "c": "x"}"#, Some(vec![1])),
            (r#"{"a": {"b": 1e400}, "c": "x"}"#, None),
            (r#"{"a": {"b": 1}, "c": "x"} x"#, None),
            (r#"{"a": {"b": 01}}"#, None),
            (r#"{"a": {"b": 1},}"#, None),
            ("{\"c\": \"x\u{1}\"}", None),
        ] {
            assert_eq!(m.matching_rules_str(text).ok(), want, "{text}");
            let parsed: Option<serde_json::Value> = serde_json::from_str(text).ok();
            if let Some(v) = parsed {
                assert_eq!(Some(m.matching_rules(&v)), want, "{text}");
            }
        }
    }

    mod props {
        use proptest::prelude::*;

        use crate::{Matcher, Pattern};

        /// JSON text built directly (so that it can hold repeated keys, escapes, odd
        /// spacing and numbers serde_json refuses), sometimes damaged afterwards.
        fn text() -> impl Strategy<Value = String> {
            let ws = || prop_oneof![Just(""), Just(""), Just(" "), Just("\n\t ")];
            let scalar = prop_oneof![
                Just("null".to_owned()),
                Just("true".to_owned()),
                Just("false".to_owned()),
                prop_oneof![
                    Just("0"),
                    Just("-0"),
                    Just("7"),
                    Just("2.5"),
                    Just("3e2"),
                    Just("1.5E+3"),
                    Just("-12"),
                    Just("1e400"),
                    Just("123456789012345678901234"),
                    Just("01"),
                ]
                .prop_map(str::to_owned),
                prop_oneof![
                    Just("x"),
                    Just("xy"),
                    Just("Xa"),
                    Just(""),
                    Just("10.0.0.7"),
                    Just("\\u0078y"),
                    Just("\\\"q"),
                    Just("a\\\\b"),
                    Just("\\ud83d\\ude00"),
                    Just("\\ud800"),
                    Just("é"),
                    Just("tab\\tx"),
                    Just("long string value here"),
                ]
                .prop_map(|s| format!("\"{s}\"")),
            ];
            let value = scalar.prop_recursive(4, 32, 4, move |inner| {
                prop_oneof![
                    (prop::collection::vec(inner.clone(), 0..4), ws()).prop_map(|(items, w)| {
                        format!("[{w}{}{w}]", items.join(&format!("{w},{w}")))
                    }),
                    (
                        prop::collection::vec(
                            (
                                prop_oneof![
                                    Just("a"),
                                    Just("b"),
                                    Just("c"),
                                    Just("z"),
                                    Just("\\u0061")
                                ],
                                inner
                            ),
                            0..5
                        ),
                        ws()
                    )
                        .prop_map(|(kvs, w)| {
                            let body: Vec<String> = kvs
                                .iter()
                                .map(|(k, v)| format!("\"{k}\"{w}:{w}{v}"))
                                .collect();
                            format!("{{{w}{}{w}}}", body.join(","))
                        }),
                ]
            });
            (
                value,
                prop::option::of((
                    any::<prop::sample::Index>(),
                    prop_oneof![
                        Just(""),
                        Just("\""),
                        Just("\\"),
                        Just("}"),
                        Just("]"),
                        Just(","),
                        Just("\u{1}"),
                        Just("e"),
                        Just("-"),
                        Just(" ")
                    ],
                )),
            )
                .prop_map(|(mut t, damage)| {
                    if let Some((at, with)) = damage {
                        let mut i = at.index(t.len() + 1);
                        while !t.is_char_boundary(i) {
                            i -= 1;
                        }
                        if with.is_empty() && i < t.len() {
                            t.remove(i);
                        } else {
                            t.insert_str(i, with);
                        }
                    }
                    t
                })
        }

        fn matcher() -> Matcher<usize> {
            let patterns = [
                r#"{"a": {"b": [{"exists": true}]}}"#,
                r#"{"a": {"b": [{"exists": false}]}, "c": ["x"]}"#,
                r#"{"a": {"b": [{"prefix": "x"}, 7, null]}}"#,
                r#"{"a": [{"anything-but": ["x", "xy"]}]}"#,
                r#"{"c": [{"numeric": [">", 0, "<=", 300]}]}"#,
                r#"{"c": [{"equals-ignore-case": "xa"}, true]}"#,
                r#"{"z": {"a": [{"suffix": "y"}, {"wildcard": "*ong*"}]}}"#,
                r#"{"b": [{"cidr": "10.0.0.0/24"}, {"exists": false}]}"#,
            ];
            Matcher::new(
                patterns
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (i, Pattern::parse(p).expect("valid"))),
            )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// The scanner, with its fallback, answers exactly as the pruned serde_json parse
            /// followed by flattening does, including which texts are refused.
            #[test]
            fn scanning_agrees_with_pruned_parsing(t in text()) {
                let m = matcher();
                let oracle = m
                    .machine
                    .parse_pruned(&t)
                    .map(|v| m.machine.matching(&v))
                    .ok();
                prop_assert_eq!(m.machine.matching_str(&t).ok(), oracle, "text {}", t);
            }
        }
    }
}
