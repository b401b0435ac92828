//! The shape of the code, checked: no module cycle in any crate of the workspace, and the
//! server's one-way layer rule (`domain/` and `store/` never import HTTP or the workers;
//! `worker/` never takes the HTTP layer's state).
//!
//! Modules are files (`a.rs`, `a/b.rs`); an edge A → B is a `crate::…`, `super::…` or
//! `self::…` path in A's code (comments removed) that names B or something inside B. Edges
//! to the crate root or to A's own ancestors are the module tree, not dependencies, and are
//! left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Removes `//` comments (line, doc) and `/* */` blocks, and blanks the inside of string
/// literals, so only code is left to look at.
fn strip_comments(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            if c == b'\\' && i + 1 < bytes.len() {
                out.push_str("  ");
                i += 2;
                continue;
            }
            if c == b'"' {
                in_string = false;
                out.push('"');
            } else {
                out.push(if c == b'\n' { '\n' } else { ' ' });
            }
            i += 1;
            continue;
        }
        if c == b'"' {
            // A raw string r"…" or r#"…"# is blanked whole.
            let raw = i > 0 && bytes[i - 1] == b'r' || i > 1 && bytes[i - 1] == b'#';
            if raw {
                let hashes = bytes[..i].iter().rev().take_while(|b| **b == b'#').count();
                let close: String = std::iter::once('"')
                    .chain("#".repeat(hashes).chars())
                    .collect();
                let end = text[i + 1..]
                    .find(&close)
                    .map_or(text.len(), |e| i + 1 + e + close.len());
                out.push_str(&" ".repeat(end - i));
                i = end;
                continue;
            }
            in_string = true;
            out.push('"');
            i += 1;
            continue;
        }
        if c == b'\'' && i + 1 < bytes.len() && bytes[i + 1] == b'\\' {
            // An escaped char literal: '\'', '\"', '\n', '\u{..}'.
            let end = text[i + 3..]
                .find('\'')
                .map_or(text.len(), |e| i + 3 + e + 1);
            out.push_str(&text[i..end]);
            i = end;
            continue;
        }
        if c == b'\'' && i + 2 < bytes.len() && bytes[i + 2] == b'\'' {
            out.push_str(&text[i..i + 3]);
            i += 3;
            continue;
        }
        if c == b'/' && i + 1 < bytes.len() && bytes[i + 1] == b'/' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && i + 1 < bytes.len() && bytes[i + 1] == b'*' {
            i += 2;
            while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
            continue;
        }
        out.push(c as char);
        i += 1;
    }
    out
}

/// The module path of a file under `src/` (`a/b.rs` → `["a", "b"]`; `lib.rs` → `[]`).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every path after `crate::`, `super::` or `self::` in `code`, expanding `{a, b::c}`
/// groups, as (anchor, segments).
fn paths(code: &str) -> Vec<(String, Vec<String>)> {
    fn ident_end(s: &str) -> usize {
        s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    }
    fn parse(rest: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        // `rest` starts right after a `::`.
        let rest = rest.trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        parse_item(&group[start..i], &prefix, out);
                        return;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        parse_item(&group[start..i], &prefix, out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            return;
        }
        parse_item(rest, &prefix, out);
    }
    fn parse_item(item: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
        let item = item.trim_start();
        let end = ident_end(item);
        if end == 0 {
            out.push(prefix.to_vec());
            return;
        }
        let mut path = prefix.to_vec();
        path.push(item[..end].to_owned());
        match item[end..].strip_prefix("::") {
            Some(more) => parse(more, path, out),
            None => out.push(path),
        }
    }
    let mut found = Vec::new();
    for anchor in ["crate", "super", "self"] {
        let needle = format!("{anchor}::");
        let mut from = 0;
        while let Some(pos) = code[from..].find(&needle) {
            let at = from + pos;
            from = at + needle.len();
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut segments = Vec::new();
            // `super::super::x`
            let mut rest = &code[from..];
            let mut anchor_path = vec![anchor.to_owned()];
            while anchor == "super" && rest.starts_with("super::") {
                anchor_path.push("super".to_owned());
                rest = &rest["super::".len()..];
            }
            parse(rest, Vec::new(), &mut segments);
            for s in segments {
                found.push((anchor_path.join("::"), s));
            }
        }
    }
    found
}

/// The module dependency graph of one crate: module → modules it uses.
fn graph(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.retain(|f| f.file_name().is_some_and(|n| n != "main.rs") || f.parent() != Some(src));
    let modules: BTreeMap<Vec<String>, PathBuf> = files
        .iter()
        .map(|f| (module_of(src, f), f.clone()))
        .collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, file) in &modules {
        let code = strip_comments(&std::fs::read_to_string(file).unwrap());
        let deps = edges.entry(module.clone()).or_default();
        for (anchor, segments) in paths(&code) {
            let base: Vec<String> = match anchor.as_str() {
                "crate" => Vec::new(),
                "self" => module.clone(),
                supers => {
                    let n = supers.split("::").count();
                    module[..module.len().saturating_sub(n)].to_vec()
                }
            };
            let full: Vec<String> = base.into_iter().chain(segments).collect();
            // The longest prefix that is a file module.
            let target = (0..=full.len())
                .rev()
                .map(|n| full[..n].to_vec())
                .find(|p| modules.contains_key(p));
            if let Some(target) = target
                && !target.is_empty()
                && !module.starts_with(&target)
            {
                deps.insert(target);
            }
        }
    }
    edges
}

/// A cycle in `graph`, if there is one, as the modules along it.
fn find_cycle(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        marks: &mut BTreeMap<Vec<String>, Mark>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<String>> {
        marks.insert(node.clone(), Mark::Open);
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            match marks.get(next).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let start = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle: Vec<String> =
                        stack[start..].iter().map(|m| m.join("::")).collect();
                    cycle.push(next.join("::"));
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(c) = visit(next, graph, marks, stack) {
                        return Some(c);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        marks.insert(node.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if marks.get(node).copied().unwrap_or(Mark::New) == Mark::New
            && let Some(c) = visit(node, graph, &mut marks, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

fn crate_sources() -> Vec<PathBuf> {
    let root = workspace_root();
    let mut dirs = vec![root.join("src")];
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        let src = entry.unwrap().path().join("src");
        if src.is_dir() {
            dirs.push(src);
        }
    }
    dirs
}

#[test]
fn no_module_cycle_in_any_crate() {
    let mut checked = 0;
    for src in crate_sources() {
        let g = graph(&src);
        assert!(!g.is_empty(), "{} has modules", src.display());
        if let Some(cycle) = find_cycle(&g) {
            panic!("module cycle in {}: {}", src.display(), cycle.join(" → "));
        }
        checked += 1;
    }
    assert!(
        checked >= 4,
        "checked the web app and every crate ({checked})"
    );
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::write(src.join("lib.rs"), "pub mod a;\npub mod b;\npub mod c;\n").unwrap();
    std::fs::write(src.join("a.rs"), "use crate::b::Thing;\n// use crate::c;\n").unwrap();
    std::fs::write(src.join("b.rs"), "use crate::{c::{self, X}, a as _};\n").unwrap();
    std::fs::write(
        src.join("c.rs"),
        "pub struct X; const S: &str = \"crate::a\";\n",
    )
    .unwrap();
    let g = graph(src);
    let cycle = find_cycle(&g).expect("a → b → a");
    assert_eq!(cycle, ["a", "b", "a"]);
    assert!(g[&vec!["b".to_owned()]].contains(&vec!["c".to_owned()]));
    assert!(
        g[&vec!["c".to_owned()]].is_empty(),
        "a path inside a string is not a dependency"
    );
    std::fs::write(src.join("b.rs"), "use super::c::X;\n").unwrap();
    assert_eq!(find_cycle(&graph(src)), None);
}

/// Files of the server under `dir` (relative to its `src/`), plus `dir.rs`, with comments
/// removed.
fn server_layer(dir: &str) -> Vec<(PathBuf, String)> {
    let src = workspace_root().join("crates/tocsin-server/src");
    let mut files = vec![src.join(format!("{dir}.rs"))];
    rust_files(&src.join(dir), &mut files);
    files
        .into_iter()
        .map(|f| {
            let code = strip_comments(&std::fs::read_to_string(&f).unwrap());
            (f, code)
        })
        .collect()
}

fn mentions(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[test]
fn layers_point_one_way() {
    for layer in ["domain", "store"] {
        for (file, code) in server_layer(layer) {
            for forbidden in [
                "axum",
                "tower",
                "tower_http",
                "hyper",
                "crate::http",
                "crate::worker",
                "AppState",
            ] {
                assert!(
                    !mentions(&code, forbidden),
                    "{} ({layer}/) uses {forbidden}",
                    file.display()
                );
            }
            assert!(
                !code.contains("use http::") && !code.contains(" http::"),
                "{} ({layer}/) uses the http crate",
                file.display()
            );
        }
    }
    for (file, code) in server_layer("worker") {
        for forbidden in ["axum", "crate::http", "AppState"] {
            assert!(
                !mentions(&code, forbidden),
                "{} (worker/) uses {forbidden}",
                file.display()
            );
        }
    }
    // The checks look at real code: the HTTP layer does use axum.
    assert!(
        server_layer("http")
            .iter()
            .any(|(_, code)| mentions(code, "axum"))
    );
}
