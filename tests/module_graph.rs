//! Module cycles that issue #17 broke stay broken: for each pair below,
//! at most one module of the pair may use the other.
//!
//! The check reads the files under `src/` as text. A module's dependencies
//! are the paths it names, outside comments: `crate::a::b...` (also as
//! `$crate::`), `super::x...` (resolved from the file's module) and the
//! first names inside a `{...}` group of either. It is deliberately
//! simple: `super::` inside an inline `mod tests` is read as the file's
//! parent, which can only add dependencies, never hide one.

use std::fs;
use std::path::Path;

/// The pairs that must not depend on each other in both directions.
const PAIRS: &[(&str, &str)] = &[
    ("src/proxy/legacy.rs", "src/proxy/route.rs"),
    ("src/sync/refund.rs", "src/sync/transaction.rs"),
    ("src/model/rates.rs", "src/model/taxes.rs"),
];

/// The module path of a file under `src/`: `src/proxy/route.rs` is
/// `["proxy", "route"]`, `src/proxy/mod.rs` is `["proxy"]`.
fn module_of(file: &str) -> Vec<String> {
    let rel = file.strip_prefix("src/").expect("a file under src/");
    let rel = rel.strip_suffix(".rs").expect("a .rs file");
    let mut parts: Vec<String> = rel.split('/').map(str::to_owned).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The source without `//` comments (doc comments included): a doc link
/// such as ``[`super::route`]`` is not a dependency.
fn strip_comments(source: &str) -> String {
    source
        .lines()
        .map(|line| line.find("//").map_or(line, |at| &line[..at]))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Reads `a::b::c` (or `a::{b, c::d}`) at the start of `rest`: each
/// complete path it names, only the first name of each group entry.
fn read_path(rest: &str) -> Vec<Vec<String>> {
    let mut segments = Vec::new();
    let mut rest = rest;
    loop {
        let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
        if name.is_empty() {
            if let Some(group) = rest.strip_prefix('{') {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                return group
                    .split(',')
                    .map(|entry| entry.trim())
                    .filter(|entry| !entry.is_empty())
                    .map(|entry| {
                        let first: String = entry.chars().take_while(|&c| is_ident(c)).collect();
                        let mut path = segments.clone();
                        path.push(first);
                        path
                    })
                    .collect();
            }
            return vec![segments];
        }
        rest = &rest[name.len()..];
        segments.push(name);
        match rest.strip_prefix("::") {
            Some(more) => rest = more,
            None => return vec![segments],
        }
    }
}

/// The module paths named in `source`, the file of module `module`.
fn dependencies(module: &[String], source: &str) -> Vec<Vec<String>> {
    let source = strip_comments(source);
    let mut found = Vec::new();
    for (prefix, base) in [
        ("crate::", Vec::new()),
        ("super::", module[..module.len().saturating_sub(1)].to_vec()),
    ] {
        for (at, _) in source.match_indices(prefix) {
            // `crate::` must not be the tail of a longer name.
            let before = source[..at].chars().next_back();
            if before.is_some_and(is_ident) {
                continue;
            }
            for path in read_path(&source[at + prefix.len()..]) {
                let mut full = base.clone();
                full.extend(path);
                found.push(full);
            }
        }
    }
    found
}

/// Whether module `from` (with source `source`) uses module `to`.
fn uses(from: &[String], source: &str, to: &[String]) -> bool {
    dependencies(from, source)
        .iter()
        .any(|path| path.len() >= to.len() && path[..to.len()] == *to)
}

/// Whether modules `a` and `b` use each other.
fn cycle(a: &[String], a_source: &str, b: &[String], b_source: &str) -> bool {
    uses(a, a_source, b) && uses(b, b_source, a)
}

fn modules(names: &[&str]) -> Vec<String> {
    names.iter().map(|&n| n.to_owned()).collect()
}

#[test]
fn the_checker_sees_a_cycle() {
    let a = modules(&["m", "a"]);
    let b = modules(&["m", "b"]);
    let a_source = "use super::b::Thing;\n";
    let b_source = "fn f() { crate::m::a::g(); }\n";
    assert!(cycle(&a, a_source, &b, b_source));

    // Through a group, and as `$crate::` in a macro.
    let a_source = "use crate::m::{b::Thing, c};\n";
    let b_source = "macro_rules! m { () => { $crate::m::a::g() } }\n";
    assert!(cycle(&a, a_source, &b, b_source));
    let a_source = "use super::{c, b};\n";
    assert!(cycle(&a, a_source, &b, b_source));
}

#[test]
fn the_checker_sees_no_cycle_where_there_is_none() {
    let a = modules(&["m", "a"]);
    let b = modules(&["m", "b"]);
    // One way only.
    assert!(!cycle(
        &a,
        "use super::b::Thing;\n",
        &b,
        "use crate::m::c;\n"
    ));
    // A doc link is not a use.
    let b_source = "/// See [`super::a`].\nuse crate::m::c; // not super::a either\n";
    assert!(!cycle(&a, "use super::b::Thing;\n", &b, b_source));
    // A longer name (`ab`) is not `a`; `mycrate::` is not `crate::`.
    let b_source = "use super::ab::X;\nuse mycrate::m::a;\n";
    assert!(!cycle(&a, "use super::b::Thing;\n", &b, b_source));
}

#[test]
fn module_paths() {
    assert_eq!(module_of("src/proxy/route.rs"), ["proxy", "route"]);
    assert_eq!(module_of("src/proxy/mod.rs"), ["proxy"]);
    assert_eq!(module_of("src/money.rs"), ["money"]);
}

#[test]
fn the_broken_cycles_stay_broken() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for &(a, b) in PAIRS {
        let read = |file: &str| {
            fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
        };
        let (a_source, b_source) = (read(a), read(b));
        let (a_module, b_module) = (module_of(a), module_of(b));
        assert!(
            !cycle(&a_module, &a_source, &b_module, &b_source),
            "{a} and {b} use each other"
        );
        // The pair is still related one way, so the check is not vacuous.
        assert!(
            uses(&a_module, &a_source, &b_module) || uses(&b_module, &b_source, &a_module),
            "{a} and {b} no longer use each other at all: update PAIRS"
        );
    }
}
