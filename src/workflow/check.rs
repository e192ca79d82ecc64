//! Checks that need the fonts, which the input layer cannot see: every character a paper, key or handout
//! could print from the bank, and every student name of a roster, must be in the fonts. And the lint
//! `check` runs on top of loading: keys that contradict their own explanation.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Pos, pos_of_byte};
use crate::error::{Error, Result};
use crate::input::bank::{Answer, Bank, key_conflicts};
use crate::input::roster::Student;
use crate::input::yaml::{YamlDoc, read_text};
use crate::render::fonts::FontSet;

/// Characters of the bank that a font lacks, each at its file:line:column with its code point — found
/// by `check` for the whole bank, not only when a paper happens to draw the question.
pub fn missing_glyphs(bank: &Bank, fonts: &FontSet) -> Vec<Diagnostic> {
    let mut fields: Vec<(&Path, String, &str)> = Vec::new();
    for s in &bank.sections {
        fields.push((&s.origin.file, field(&s.origin.path, "title"), &s.title));
    }
    for n in &bank.notes {
        fields.push((&n.origin.file, field(&n.origin.path, "title"), &n.title));
        fields.push((
            &n.origin.file,
            field(&n.origin.path, "text"),
            n.text.source(),
        ));
    }
    for q in &bank.questions {
        let file = q.origin.file.as_path();
        fields.push((file, field(&q.origin.path, "stem"), q.stem.source()));
        for (i, o) in q.options.iter().enumerate() {
            fields.push((
                file,
                format!("{}[{i}]", field(&q.origin.path, "options")),
                o.source(),
            ));
        }
        if let Some(e) = &q.explanation {
            fields.push((file, field(&q.origin.path, "explanation"), e.source()));
        }
        match &q.answer {
            Answer::Blank(blanks) => {
                for alt in blanks.iter().flatten() {
                    fields.push((file, field(&q.origin.path, "answer"), alt));
                }
            }
            Answer::Short(text) => fields.push((file, field(&q.origin.path, "answer"), text)),
            _ => {}
        }
    }
    // A bank has a few thousand distinct characters in a million; each is looked up in the fonts once.
    let mut distinct: std::collections::HashSet<char> = std::collections::HashSet::new();
    for (_, _, text) in &fields {
        distinct.extend(text.chars());
    }
    let missing: HashMap<char, &str> = distinct
        .into_iter()
        .filter_map(|c| lacking_font(fonts, c).map(|f| (c, f)))
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let mut docs: HashMap<PathBuf, Option<YamlDoc>> = HashMap::new();
    let mut out = Vec::new();
    for (file, path, text) in fields {
        let mut seen = Vec::new();
        for c in text.chars() {
            let Some(&font) = missing.get(&c) else {
                continue;
            };
            if seen.contains(&c) {
                continue;
            }
            seen.push(c);
            let doc = docs
                .entry(file.to_path_buf())
                .or_insert_with(|| {
                    read_text(file, file)
                        .ok()
                        .and_then(|t| YamlDoc::parse(file, t).ok())
                })
                .as_ref();
            let (pos, source) = match doc {
                Some(doc) => (locate(doc, &path, c), doc.text.as_str()),
                None => (Pos::START, ""),
            };
            out.push(
                Diagnostic::error(
                    file,
                    pos,
                    format!(
                        "`{c}` (U+{:04X}) is not in the font {font}; a paper would stop here",
                        c as u32
                    ),
                )
                .with_help(
                    "replace the character (an emoji, a rare ideograph), or print with --font-dir \
                     naming fonts that have it",
                )
                .with_source(source),
            );
        }
    }
    out
}

/// Questions whose `answer:` disagrees with what their explanation gives (故选B, A项错误, 原文为“……” read
/// at the slot, 表述正确): an error at the answer, with both shown.
pub fn key_explanation_conflicts(bank: &Bank) -> Vec<Diagnostic> {
    let mut docs: HashMap<PathBuf, Option<YamlDoc>> = HashMap::new();
    key_conflicts(&bank.questions)
        .into_iter()
        .map(|c| {
            let q = &bank.questions[c.question];
            let file = q.origin.file.as_path();
            let doc = docs
                .entry(file.to_path_buf())
                .or_insert_with(|| {
                    read_text(file, file)
                        .ok()
                        .and_then(|t| YamlDoc::parse(file, t).ok())
                })
                .as_ref();
            let path = field(&q.origin.path, "answer");
            let (pos, source) = match doc {
                Some(doc) => (doc.pos(&path), doc.text.as_str()),
                None => (Pos::START, ""),
            };
            Diagnostic::error(
                file,
                pos,
                format!(
                    "the key of question `{}` is {} but its explanation {}: {}",
                    q.id,
                    q.answer_text(),
                    c.says,
                    c.evidence
                ),
            )
            .with_help("correct `answer:` or the explanation so the two agree")
            .with_source(source)
        })
        .collect()
}

fn field(base: &str, key: &str) -> String {
    crate::input::yaml::join_path(base, key)
}

/// The font (of the two every document uses) that lacks `c`, if any.
fn lacking_font(fonts: &FontSet, c: char) -> Option<&str> {
    [&fonts.body, &fonts.heading]
        .into_iter()
        .find(|f| !f.has(c))
        .map(|f| f.name.as_str())
}

/// Where `c` is written in the value at `path`: its first occurrence from the value's start (the value
/// itself when it was written as an escape).
fn locate(doc: &YamlDoc, path: &str, c: char) -> Pos {
    let start = doc.pos(path);
    let from = doc.value_byte(path);
    match doc.text.get(from..).and_then(|rest| rest.find(c)) {
        Some(i) => pos_of_byte(&doc.text, from + i),
        None => start,
    }
}

/// Checks the names (and classes) a roster prints on papers: every student with a character the fonts
/// lack, by row, every such character at once.
pub fn roster_glyphs(students: &[Student], roster: &Path, fonts: &FontSet) -> Result<()> {
    let mut diags = Vec::new();
    for s in students {
        let mut missing: Vec<char> = Vec::new();
        for c in s.name.chars().chain(s.class.chars()) {
            if lacking_font(fonts, c).is_some() && !missing.contains(&c) {
                missing.push(c);
            }
        }
        if missing.is_empty() {
            continue;
        }
        let list: Vec<String> = missing
            .iter()
            .map(|c| format!("`{c}` (U+{:04X})", *c as u32))
            .collect();
        diags.push(
            Diagnostic::error(
                roster,
                Pos::new(s.row, 1),
                format!(
                    "row {}: the name of {} has {} that the fonts ({}) cannot print",
                    s.row,
                    s.name,
                    list.join(", "),
                    fonts.source
                ),
            )
            .with_help(
                "print with --font-dir naming fonts that have these characters (a font with the \
                 CJK Extension B ideographs), or write the name as the school's records do",
            ),
        );
    }
    if diags.is_empty() {
        return Ok(());
    }
    Err(Error::diagnostics(
        format!(
            "{} student name(s) in {} cannot be printed; nothing was written",
            diags.len(),
            roster.display()
        ),
        diags,
    ))
}
