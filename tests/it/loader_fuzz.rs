//! Fuzz-style property tests: arbitrary bytes and mutated YAML given to the section loader must come back
//! as diagnostics (or a clean load), never as a panic.

use std::path::Path;

use examgen::input::bank::load_bytes;
use proptest::prelude::*;

const GOOD: &str = include_str!("../fixtures/banks/good/a-community.yaml");

/// Characters that change YAML structure, plus CJK text and odd code points.
const SPICE: &[&str] = &[
    ":", "- ", "[", "]", "{", "}", "\"", "'", "|", ">", "#", "&a", "*a", "!!str ", "\t", "\n",
    "  ", "**", "___", "题", "\u{0}", "\u{FEFF}", "~", "?", ",", "%",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, spice: usize },
    DuplicateLine { line: usize },
    SwapLines { a: usize, b: usize },
    Truncate { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 0..SPICE.len()).prop_map(|(at, spice)| Mutation::Insert { at, spice }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn char_boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &mut String, m: &Mutation) {
    match m {
        Mutation::Delete { at, len } => {
            let start = char_boundary(text, *at);
            let end = char_boundary(text, (start + len).min(text.len()));
            text.replace_range(start..end.max(start), "");
        }
        Mutation::Insert { at, spice } => {
            let at = char_boundary(text, *at);
            text.insert_str(at, SPICE[*spice]);
        }
        Mutation::DuplicateLine { line } => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let i = line % lines.len();
                lines.insert(i, lines[i]);
            }
            *text = lines.join("\n");
        }
        Mutation::SwapLines { a, b } => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let n = lines.len();
                lines.swap(a % n, b % n);
            }
            *text = lines.join("\n");
        }
        Mutation::Truncate { at } => {
            let at = char_boundary(text, *at);
            text.truncate(at);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let (_, diags) = load_bytes(Path::new("fuzz.yaml"), &bytes);
        // Random bytes are never a valid section file.
        prop_assert!(diags.iter().any(|d| d.is_error()));
    }

    #[test]
    fn mutated_yaml_never_panics(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let mut text = GOOD.to_string();
        for m in &mutations {
            apply(&mut text, m);
        }
        let (items, diags) = load_bytes(Path::new("fuzz.yaml"), text.as_bytes());
        // Every diagnostic points inside the file.
        let lines = text.lines().count().max(1);
        for d in &diags {
            prop_assert!(d.pos.line >= 1 && d.pos.line <= lines + 1, "line {} of {lines}: {}", d.pos.line, d.message);
            prop_assert!(!d.to_string().is_empty());
        }
        prop_assert!(items.is_some() || diags.iter().any(|d| d.is_error()));
    }
}

#[test]
fn unmutated_fixture_loads_cleanly() {
    let (items, diags) = load_bytes(Path::new("good.yaml"), GOOD.as_bytes());
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let (_, items) = items.expect("loads");
    assert_eq!(items.questions.len(), 6);
    assert_eq!(items.notes.len(), 2);
}
