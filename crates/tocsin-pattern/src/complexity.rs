//! Wildcard complexity: the score aws/event-ruler's `MachineComplexityEvaluator` gives a
//! rule, and EventBridge's refusal of rules that score too high ("Rule is too complex - try
//! using fewer wildcard characters or fewer repeating character sequences after a wildcard
//! character").
//!
//! The score is "the maximum possible number of wildcard rule prefixes that could match a
//! theoretical input value" (event-ruler's own words), but it is defined by event-ruler's
//! automaton, not by the patterns alone: `*:stack/A/*`, `*:stack/B/*` and `*:stack/C/*`
//! score 9 together although no input is a prefix of more than five of their prefixes. So
//! this module rebuilds the part of that automaton the score reads, the way event-ruler
//! v2.0.1 builds it, and scores it the way the evaluator does:
//!
//! * one `ByteMachine` per field and name state (`GenericMachine.addStep`: the rule's
//!   alternatives share a name state while their conditions on the fields sorted before agree,
//!   and a value already in a byte machine leads where it led before);
//! * in each, the wildcard values (also those of `anything-but` wildcards) as
//!   `ByteMachine.addMatchValue` adds them: the quoted value, byte by byte, states reused
//!   where `canReuseNextByteState` allows, a `*` becoming a self-looping state reached on
//!   every byte (`addTransitionNextStateForWildcard`);
//! * the evaluator's breadth-first walk over the sets of transitions one input byte can be
//!   in, summing for each transition the wildcard patterns reachable from it (and from the
//!   every-byte transition of its next state), the largest sum over all sets and machines
//!   being the score.
//!
//! Other operators do not count and are left out of the byte machines (event-ruler puts them
//! there, where they may share a state with a wildcard; checked not to change the score on
//! 2,900 generated rules, see `tests/it/complexity.rs`).
//!
//! EventBridge's limit is not published. event-ruler's README suggests limiting each
//! single-rule machine to 10 ("you could limit each single-rule machine to complexity of
//! 10"), and EventBridge accepts a rule scoring 9 and refuses one scoring 12; Tocsin refuses
//! a score above [`MAX_COMPLEXITY`].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use crate::compile::Branch;
use crate::error::{Result, barf};
use crate::value::ValueMatcher;

/// The highest score a rule may have (event-ruler README, "limit each single-rule machine to
/// complexity of 10").
pub const MAX_COMPLEXITY: usize = 10;

/// More transition sets than this in one byte machine and the rule is too complex, whatever
/// its score (a bound on the work of scoring a 4 KiB pattern).
const MAX_VISITED: usize = 50_000;

/// EventBridge's limit on the wildcard complexity of a rule that compiles: "Rule is too
/// complex - ..." above [`MAX_COMPLEXITY`].
pub(crate) fn check(branches: &[Branch]) -> Result<()> {
    let wildcards = branches.iter().any(|b| {
        b.fields
            .iter()
            .any(|f| f.matchers.iter().any(ValueMatcher::has_wildcard))
    });
    if wildcards && score(branches, MAX_COMPLEXITY + 1) > MAX_COMPLEXITY {
        barf!(
            "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"
        );
    }
    Ok(())
}

/// The rule's score, capped at `cap` (the evaluator stops there, as event-ruler's does).
pub(crate) fn score(branches: &[Branch], cap: usize) -> usize {
    let machines = build(branches);
    let mut best = 0;
    for m in machines.values() {
        best = best.max(m.evaluate(cap));
        if best >= cap {
            return cap;
        }
    }
    best
}

/// The byte machines of the rule's wildcard patterns, by (name state, field), built as
/// `GenericMachine.addStep` adds each alternative: its fields sorted as strings, each field's
/// values added in order to the byte machine of every name state the fields before it
/// reached, each value leading to a name state (the one it led to before when the machine
/// finds it again, else the one the field's previous value led to, else a new one).
///
/// event-ruler adds a value again even when the machine has it; `insertMatch` finds it only
/// at the end of the path the value builds, and a wildcard value can build a second path,
/// ending in a match of its own (equal to the first, `ByteMatch.equals`, when it leads to
/// the same name state).
fn build(branches: &[Branch]) -> BTreeMap<(usize, String), ByteMachine> {
    let mut name_states = 1usize;
    let mut machines: BTreeMap<(usize, String), ByteMachine> = BTreeMap::new();
    // other operators: (name state, field, operator) → the name state it leads to
    let mut others: HashMap<(usize, String, String), usize> = HashMap::new();
    for branch in branches {
        let mut fields: Vec<(String, &[ValueMatcher])> = branch
            .fields
            .iter()
            .map(|f| (f.path.join("."), f.matchers.as_slice()))
            .collect();
        // event-ruler sorts a rule's keys as strings (`Machine.addPatternRule`)
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        let mut states = vec![0usize];
        for (key, matchers) in &fields {
            let mut reached = BTreeSet::new();
            for &state in &states {
                let mut last: Option<usize> = None;
                for m in *matchers {
                    let identity = format!("{m:?}");
                    let to = if let Some(values) = wildcard_values(m) {
                        let machine = machines.entry((state, key.clone())).or_default();
                        let pattern = machine.pattern_id(&identity);
                        let mut candidate = last;
                        for v in &values {
                            candidate = Some(machine.add(pattern, v, candidate, &mut name_states));
                        }
                        candidate.unwrap_or(0)
                    } else {
                        *others
                            .entry((state, key.clone(), identity))
                            .or_insert_with(|| {
                                last.unwrap_or_else(|| {
                                    name_states += 1;
                                    name_states - 1
                                })
                            })
                    };
                    last = Some(to);
                    reached.insert(to);
                }
            }
            states = reached.into_iter().collect();
        }
    }
    machines
}

/// The values of a wildcard pattern, as event-ruler's `WildcardParser` reads the quoted
/// value; `None` for other operators.
fn wildcard_values(m: &ValueMatcher) -> Option<Vec<Vec<Input>>> {
    match m {
        ValueMatcher::Wildcard(w) => Some(vec![inputs(w.parts())]),
        ValueMatcher::AnythingBut(inner)
            if !inner.is_empty()
                && inner.iter().all(|i| matches!(i, ValueMatcher::Wildcard(_))) =>
        {
            Some(
                inner
                    .iter()
                    .filter_map(|i| match i {
                        ValueMatcher::Wildcard(w) => Some(inputs(w.parts())),
                        _ => None,
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}

/// One input character of a wildcard value: a byte or the wildcard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    Byte(u8),
    Wild,
}

fn inputs(parts: &[String]) -> Vec<Input> {
    let mut out = vec![Input::Byte(b'"')];
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(Input::Wild);
        }
        out.extend(part.bytes().map(Input::Byte));
    }
    out.push(Input::Byte(b'"'));
    out
}

/// What a transition is: a byte state (its own single transition), a state reached with a
/// match, or a match alone (event-ruler's `ByteState`, `CompositeByteTransition`,
/// `ByteMatch`).
#[derive(Debug, Clone, Copy)]
enum Single {
    State(usize),
    Composite { next: usize, pattern: usize },
    Match { pattern: usize, name_state: usize },
}

/// A byte state: the singles each byte leads to (`per`, for the bytes given their own
/// transitions) and the ones every other byte leads to (`default`).
#[derive(Debug, Default)]
struct State {
    indeterminate: bool,
    default: BTreeSet<usize>,
    per: BTreeMap<u8, BTreeSet<usize>>,
    /// This state as a single.
    single: usize,
}

/// A set of singles one byte leads to (event-ruler's coalesced `ByteTransition`).
type Transition = BTreeSet<usize>;

#[derive(Debug, Default)]
struct ByteMachine {
    states: Vec<State>,
    singles: Vec<Single>,
    /// Pattern identities, numbered.
    patterns: HashMap<String, usize>,
    /// The match single of each (pattern, name state): equal matches are one.
    matches: HashMap<(usize, usize), usize>,
}

impl ByteMachine {
    fn pattern_id(&mut self, identity: &str) -> usize {
        let next = self.patterns.len();
        *self.patterns.entry(identity.to_owned()).or_insert(next)
    }

    fn name_state_of_single(&self, single: usize) -> Option<usize> {
        match self.singles.get(single)? {
            Single::Match { name_state, .. } => Some(*name_state),
            _ => None,
        }
    }

    fn new_state(&mut self, indeterminate: bool) -> usize {
        let s = self.states.len();
        let single = self.singles.len();
        self.singles.push(Single::State(s));
        self.states.push(State {
            indeterminate,
            single,
            ..State::default()
        });
        s
    }

    fn start(&mut self) -> usize {
        if self.states.is_empty() {
            self.new_state(false);
        }
        0
    }

    fn next_of_single(&self, single: usize) -> Option<usize> {
        match self.singles.get(single)? {
            Single::State(s) | Single::Composite { next: s, .. } => Some(*s),
            Single::Match { .. } => None,
        }
    }

    fn pattern_of_single(&self, single: usize) -> Option<usize> {
        match self.singles.get(single)? {
            Single::Composite { pattern, .. } | Single::Match { pattern, .. } => Some(*pattern),
            Single::State(_) => None,
        }
    }

    fn on_byte(&self, state: usize, b: u8) -> Transition {
        self.states
            .get(state)
            .map(|s| s.per.get(&b).unwrap_or(&s.default).clone())
            .unwrap_or_default()
    }

    /// The singles every byte leads to (`ByteMap.getTransitionForAllBytes`).
    fn on_all(&self, state: usize) -> Transition {
        let Some(s) = self.states.get(state) else {
            return Transition::new();
        };
        let mut acc = s.default.clone();
        for set in s.per.values() {
            acc.retain(|x| set.contains(x));
        }
        acc
    }

    fn on(&self, state: usize, c: Input) -> Transition {
        match c {
            Input::Wild => self.on_all(state),
            Input::Byte(b) => self.on_byte(state, b),
        }
    }

    /// `ByteTransition.getNextByteState`: the first determinate next state, else the first.
    fn next_state(&self, t: &Transition) -> Option<usize> {
        let mut first = None;
        for &single in t {
            if let Some(n) = self.next_of_single(single) {
                if !self.states.get(n).is_some_and(|s| s.indeterminate) {
                    return Some(n);
                }
                first.get_or_insert(n);
            }
        }
        first
    }

    fn add_on_byte(&mut self, state: usize, b: u8, single: usize) {
        if let Some(s) = self.states.get_mut(state) {
            let mut set = s.per.get(&b).unwrap_or(&s.default).clone();
            set.insert(single);
            s.per.insert(b, set);
        }
    }

    fn add_on_all(&mut self, state: usize, single: usize) {
        if let Some(s) = self.states.get_mut(state) {
            s.default.insert(single);
            for set in s.per.values_mut() {
                set.insert(single);
            }
        }
    }

    /// Adds a value of `pattern` (`addMatchValue`); returns the name state its match leads
    /// to (`candidate`, or a new one numbered from `name_states`, unless the machine already
    /// had the match where the value ends).
    fn add(
        &mut self,
        pattern: usize,
        chars: &[Input],
        candidate: Option<usize>,
        name_states: &mut usize,
    ) -> usize {
        let mut state = self.start();
        let mut prev = None;
        let mut i = 0;
        // addMatchValue: follow reusable states
        while i + 1 < chars.len() {
            let t = self.on(state, chars[i]);
            let reuse = t
                .iter()
                .filter_map(|&single| self.next_of_single(single))
                .find(|&n| self.can_reuse(state, n, chars, i));
            let Some(n) = reuse else { break };
            prev = Some(state);
            state = n;
            i += 1;
        }
        // addEndOfMatch: walk determinate states, then make the rest
        let len = chars.len();
        while i + 1 < len {
            let t = self.on(state, chars[i]);
            if t.is_empty() {
                break;
            }
            match self.next_state(&t) {
                Some(n) if self.states.get(n).is_some_and(|s| s.indeterminate) => break,
                Some(n) => {
                    prev = Some(state);
                    state = n;
                }
                None => {
                    // a match without a next state: give it one
                    let indeterminate = self.states.get(state).is_some_and(|s| s.indeterminate);
                    let fresh = self.new_state(indeterminate);
                    let Some(&old) = t.iter().next() else { break };
                    let replacement = match self.pattern_of_single(old) {
                        Some(p) => {
                            self.singles.push(Single::Composite {
                                next: fresh,
                                pattern: p,
                            });
                            self.singles.len() - 1
                        }
                        None => self.states.get(fresh).map_or(old, |s| s.single),
                    };
                    if let Input::Byte(b) = chars[i] {
                        self.add_on_byte(state, b, replacement);
                        if let Some(set) =
                            self.states.get_mut(state).and_then(|s| s.per.get_mut(&b))
                        {
                            set.remove(&old);
                        }
                    }
                    prev = Some(state);
                    state = fresh;
                }
            }
            i += 1;
        }
        while i + 1 < len {
            let n = self.find_or_make(state, prev, chars, i);
            prev = Some(state);
            state = n;
            i += 1;
        }
        self.insert_match(chars, state, pattern, prev, candidate, name_states)
    }

    /// `canReuseNextByteState`.
    fn can_reuse(&self, state: usize, next: usize, chars: &[Input], i: usize) -> bool {
        if next == state {
            return false;
        }
        let Some(n) = self.states.get(next) else {
            return false;
        };
        if !n.indeterminate {
            return !(i + 2 == chars.len() && chars.get(i + 1) == Some(&Input::Wild));
        }
        !self.converge(state, chars, i)
    }

    /// `doMultipleTransitionsConvergeForInputByte`: a byte state reached on every byte (not
    /// only by itself), or a character with an upper and a lower case.
    fn converge(&self, state: usize, chars: &[Input], i: usize) -> bool {
        let Some(Input::Byte(b)) = chars.get(i).copied() else {
            return false;
        };
        if (0x80..=0xBF).contains(&b) {
            return false; // inside a multi-byte character
        }
        let all = self.on_all(state);
        let own = self.states.get(state).map(|s| s.single);
        let only_itself = all.len() == 1 && all.iter().next().copied() == own;
        if !all.is_empty() && !only_itself {
            return true;
        }
        let bytes: Vec<u8> = chars[i..]
            .iter()
            .map_while(|c| match c {
                Input::Byte(b) => Some(*b),
                Input::Wild => None,
            })
            .take(4)
            .collect();
        let text = match std::str::from_utf8(&bytes) {
            Ok(t) => t.to_owned(),
            Err(e) => String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned(),
        };
        text.chars().next().is_some_and(|c| {
            let lower: String = c.to_lowercase().collect();
            let upper: String = c.to_uppercase().collect();
            lower != upper
        })
    }

    /// `findOrMakeNextByteState`.
    fn find_or_make(
        &mut self,
        state: usize,
        prev: Option<usize>,
        chars: &[Input],
        i: usize,
    ) -> usize {
        let t = self.on(state, chars[i]);
        if let Some(n) = self.next_state(&t)
            && !self.states.get(n).is_some_and(|s| s.indeterminate)
        {
            return n;
        }
        let indeterminate = self.states.get(state).is_some_and(|s| s.indeterminate);
        let next = self.new_state(indeterminate);
        let next_single = self.states.get(next).map_or(0, |s| s.single);
        match chars[i] {
            Input::Wild => {
                self.add_on_all(next, next_single);
                if let Some(s) = self.states.get_mut(next) {
                    s.indeterminate = true;
                }
                self.add_on_all(state, next_single);
            }
            Input::Byte(b) => {
                self.add_on_byte(state, b, next_single);
                if let Some(p) = prev
                    && i > 0
                    && chars.get(i - 1) == Some(&Input::Wild)
                {
                    self.add_on_byte(p, b, next_single);
                }
            }
        }
        next
    }

    /// `insertMatch` for the closing quote.
    fn insert_match(
        &mut self,
        chars: &[Input],
        state: usize,
        pattern: usize,
        prev: Option<usize>,
        candidate: Option<usize>,
        name_states: &mut usize,
    ) -> usize {
        let Some(Input::Byte(b)) = chars.last().copied() else {
            return candidate.unwrap_or(0);
        };
        let existing = self.on_byte(state, b);
        if let Some(ns) = existing
            .iter()
            .find(|&&s| self.pattern_of_single(s) == Some(pattern))
            .and_then(|&s| self.name_state_of_single(s))
        {
            return ns;
        }
        let name_state = candidate.unwrap_or_else(|| {
            *name_states += 1;
            *name_states - 1
        });
        let m = match self.matches.get(&(pattern, name_state)) {
            Some(&m) => m,
            None => {
                self.singles.push(Single::Match {
                    pattern,
                    name_state,
                });
                let m = self.singles.len() - 1;
                self.matches.insert((pattern, name_state), m);
                m
            }
        };
        self.add_on_byte(state, b, m);
        if let Some(p) = prev
            && chars.len() >= 2
            && chars.get(chars.len() - 2) == Some(&Input::Wild)
        {
            self.add_on_byte(p, b, m);
        }
        name_state
    }

    /// The singles one of the state's bytes leads to, each set once.
    fn transitions_of_states(&self, states: &BTreeSet<usize>) -> BTreeSet<Transition> {
        let mut bytes: BTreeSet<u8> = BTreeSet::new();
        let mut other = None;
        for &s in states {
            if let Some(st) = self.states.get(s) {
                bytes.extend(st.per.keys().copied());
            }
        }
        // one byte no state gives its own transition stands for all such bytes
        for b in 0..=255u8 {
            if !bytes.contains(&b) {
                other = Some(b);
                break;
            }
        }
        let mut out = BTreeSet::new();
        for b in bytes.iter().copied().chain(other) {
            let mut acc = Transition::new();
            for &s in states {
                acc.extend(self.on_byte(s, b));
            }
            if !acc.is_empty() {
                out.insert(acc);
            }
        }
        out
    }

    /// The wildcard patterns reachable from each single (`getMatchesAccessibleFromEachTransition`).
    fn reachable(&self) -> Vec<BTreeSet<usize>> {
        let mut memo: Vec<Option<BTreeSet<usize>>> = vec![None; self.singles.len()];
        // the automaton is acyclic but for self-loops, so a depth-first order settles it
        let order = self.post_order();
        for single in order {
            let mut acc = BTreeSet::new();
            if let Some(p) = self.pattern_of_single(single) {
                acc.insert(p);
            }
            if let Some(n) = self.next_of_single(single)
                && let Some(st) = self.states.get(n)
            {
                let succ: BTreeSet<usize> = st
                    .default
                    .iter()
                    .chain(st.per.values().flatten())
                    .copied()
                    .collect();
                for s in succ {
                    if s != single
                        && let Some(Some(set)) = memo.get(s)
                    {
                        acc.extend(set.iter().copied());
                    }
                }
            }
            if let Some(slot) = memo.get_mut(single) {
                *slot = Some(acc);
            }
        }
        memo.into_iter().map(Option::unwrap_or_default).collect()
    }

    fn post_order(&self) -> Vec<usize> {
        let mut seen = vec![false; self.singles.len()];
        let mut order = Vec::with_capacity(self.singles.len());
        let mut stack: Vec<(usize, bool)> = vec![];
        for root in 0..self.singles.len() {
            if seen[root] {
                continue;
            }
            stack.push((root, false));
            while let Some((s, done)) = stack.pop() {
                if done {
                    order.push(s);
                    continue;
                }
                if seen[s] {
                    continue;
                }
                seen[s] = true;
                stack.push((s, true));
                if let Some(n) = self.next_of_single(s)
                    && let Some(st) = self.states.get(n)
                {
                    for &c in st.default.iter().chain(st.per.values().flatten()) {
                        if !seen.get(c).copied().unwrap_or(true) {
                            stack.push((c, false));
                        }
                    }
                }
            }
        }
        order
    }

    /// `MachineComplexityEvaluator.evaluate` from the start state, capped at `cap`.
    fn evaluate(&self, cap: usize) -> usize {
        if self.states.is_empty() {
            return 0;
        }
        let reach = self.reachable();
        let count = |single: usize| reach.get(single).map_or(0, BTreeSet::len);
        let mut visited: HashSet<Transition> = HashSet::new();
        visited.insert(self.states.first().map(|s| s.single).into_iter().collect());
        let mut queue: VecDeque<Transition> = self
            .transitions_of_states(&BTreeSet::from([0]))
            .into_iter()
            .collect();
        let mut best = 0;
        while let Some(t) = queue.pop_front() {
            if !visited.insert(t.clone()) {
                continue;
            }
            if visited.len() > MAX_VISITED {
                return cap;
            }
            let mut size = 0;
            for &single in &t {
                size += count(single);
                if let Some(n) = self.next_of_single(single) {
                    for extra in self.on_all(n) {
                        if !t.contains(&extra) {
                            size += count(extra);
                        }
                    }
                }
            }
            if size >= cap {
                return cap;
            }
            best = best.max(size);
            let nexts: BTreeSet<usize> = t.iter().filter_map(|&s| self.next_of_single(s)).collect();
            if !nexts.is_empty() {
                queue.extend(self.transitions_of_states(&nexts));
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine_score(patterns: &[&str]) -> usize {
        let mut m = ByteMachine::default();
        let mut name_states = 1;
        let mut last = None;
        for p in patterns {
            let w = crate::wildcard::Wildcard::parse(p).expect("wildcard");
            let id = m.pattern_id(p);
            last = Some(m.add(id, &inputs(w.parts()), last, &mut name_states));
        }
        m.evaluate(1_000)
    }

    /// Rows from event-ruler's `MachineComplexityEvaluatorTest` do not carry over (they add
    /// unquoted values to a bare `ByteMachine`); these were scored by event-ruler v2.0.1 for
    /// the quoted values a rule holds.
    #[test]
    fn scores_of_single_fields() {
        assert_eq!(machine_score(&["*:stack/A/*"]), 3);
        assert_eq!(machine_score(&["*:stack/A/*", "*:stack/B/*"]), 6);
        assert_eq!(
            machine_score(&["*:stack/A/*", "*:stack/B/*", "*:stack/C/*"]),
            9
        );
        assert_eq!(
            machine_score(&["*:stack/A/*", "*:stack/B/*", "*:stack/C/*", "*:stack/D/*"]),
            12
        );
        assert_eq!(machine_score(&["a*aaa", "aa*aa"]), 7);
        assert_eq!(machine_score(&["A*", "B*"]), 2);
        assert_eq!(machine_score(&["*A", "*B"]), 4);
    }
}
