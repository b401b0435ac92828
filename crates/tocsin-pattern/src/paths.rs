//! Which field paths the rules use (in the spirit of quamina's `NameTracker`): a trie of the
//! object keys the rules name, each path ending in a node that carries the path's id.
//!
//! The matcher builds it while compiling rules (the ids number its automaton's edges), and
//! both ways of reading an event follow only its keys: the byte scanner (`scan.rs`) and the
//! matcher's pruned serde_json parse and flattening. It lives here, apart from both, so that
//! neither has to know the other.

use crate::index::FxMap;

/// A node of the trie of field paths the rules use.
#[derive(Debug, Default)]
pub(crate) struct PathNode {
    /// Object key → child node.
    pub(crate) children: FxMap<Box<str>, u32>,
    /// Set when some rule tests the leaf values at exactly this path.
    pub(crate) path: Option<u32>,
}

/// The trie of field paths the rules use; node 0 is the root (the event itself).
#[derive(Debug)]
pub(crate) struct PathTrie {
    nodes: Vec<PathNode>,
    /// How many paths have an id.
    count: usize,
}

impl Default for PathTrie {
    fn default() -> Self {
        PathTrie {
            nodes: vec![PathNode::default()],
            count: 0,
        }
    }
}

impl PathTrie {
    /// The id of a field path, adding it to the trie. Ids are dense, in order of first use.
    pub(crate) fn id(&mut self, path: &[String]) -> u32 {
        let mut node = 0usize;
        for key in path {
            let next = self.nodes.len();
            let child = *self.nodes[node]
                .children
                .entry(key.as_str().into())
                .or_insert(u32::try_from(next).unwrap_or(u32::MAX));
            if child as usize == next {
                self.nodes.push(PathNode::default());
            }
            node = child as usize;
        }
        match self.nodes[node].path {
            Some(id) => id,
            None => {
                let id = u32::try_from(self.count).unwrap_or(u32::MAX);
                self.count += 1;
                self.nodes[node].path = Some(id);
                id
            }
        }
    }

    /// The nodes, indexed by the child numbers in [`PathNode::children`]; the root first.
    pub(crate) fn nodes(&self) -> &[PathNode] {
        &self.nodes
    }

    /// How many distinct field paths the trie holds.
    pub(crate) fn len(&self) -> usize {
        self.count
    }
}

/// The trie node reached from `from` by an event key that holds dots, one segment at a time
/// (`"a.b"` goes through `a` then `b`; see `dotted.rs`); `None` when no rule path goes there.
pub(crate) fn walk(nodes: &[PathNode], from: usize, key: &str) -> Option<usize> {
    let mut node = from;
    for segment in key.split('.') {
        node = *nodes.get(node)?.children.get(segment)? as usize;
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(str::to_owned).collect()
    }

    #[test]
    fn paths_share_prefixes_and_keep_their_ids() {
        let mut t = PathTrie::default();
        assert_eq!(t.id(&path("detail.state")), 0);
        assert_eq!(t.id(&path("source")), 1);
        assert_eq!(t.id(&path("detail.state")), 0);
        assert_eq!(t.id(&path("detail")), 2);
        assert_eq!(t.len(), 3);
        // root, detail, state, source
        assert_eq!(t.nodes().len(), 4);
        let root = &t.nodes()[0];
        assert_eq!(root.path, None);
        let detail = root.children.get("detail").copied().expect("detail");
        assert_eq!(t.nodes()[detail as usize].path, Some(2));
    }
}
