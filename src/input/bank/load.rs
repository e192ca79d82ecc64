//! Loading one section file into model items, with a located diagnostic for every problem found.

use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_yaml::Value;

use super::stem::QuestionAt;
use super::{
    Answer, MAX_OPTIONS, Note, Origin, Question, QuestionType, Section, key_phrase_runs, letter,
    stem,
};
use crate::diag::Diagnostic;
use crate::input::typed;
use crate::input::yaml::{YamlDoc, join_path, read_text};

const TOP_KEYS: &[&str] = &["section", "notes", "questions"];
const SECTION_KEYS: &[&str] = &["id", "title", "order", "weight"];
const NOTE_KEYS: &[&str] = &["id", "title", "text", "tags"];
const QUESTION_KEYS: &[&str] = &[
    "id",
    "type",
    "stem",
    "options",
    "answer",
    "difficulty",
    "tags",
    "note",
    "quote",
    "explanation",
    "shuffle",
    "keep_last",
    "group",
    "points",
    "lines",
];

#[derive(Deserialize)]
struct RawSection {
    id: String,
    title: String,
    #[serde(default)]
    order: Option<i64>,
    #[serde(default)]
    weight: Option<Value>,
}

#[derive(Deserialize)]
struct RawNote {
    id: String,
    title: String,
    text: String,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct RawQuestion {
    id: String,
    #[serde(rename = "type")]
    kind: QuestionType,
    stem: String,
    #[serde(default)]
    options: Option<Value>,
    #[serde(default)]
    answer: Option<Value>,
    #[serde(default, deserialize_with = "crate::input::typed::difficulty")]
    difficulty: Option<u8>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    quote: Option<String>,
    #[serde(default)]
    explanation: Option<String>,
    #[serde(default)]
    shuffle: Option<bool>,
    #[serde(default)]
    keep_last: Option<usize>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    points: Option<Value>,
    #[serde(default)]
    lines: Option<u32>,
}

/// A question's references to a note, resolved once every file is loaded.
pub(super) struct PendingRef {
    pub question: usize,
    pub doc: usize,
    pub path: String,
    pub note: Option<String>,
    pub quote: Option<String>,
}

/// What one section file contributed.
pub struct FileItems {
    pub section: Section,
    pub notes: Vec<Note>,
    pub questions: Vec<Question>,
    pub(super) refs: Vec<PendingRef>,
}

/// Loads one section file. Items with errors are left out; every problem is returned as a diagnostic.
pub fn load_file(path: &Path, shown_as: &Path) -> (Option<(YamlDoc, FileItems)>, Vec<Diagnostic>) {
    match read_text(path, shown_as) {
        Ok(text) => load_source(shown_as, text),
        Err(d) => (None, vec![d]),
    }
}

/// Loads one section file's bytes (as read from disk); for tools and tests that have no file.
pub fn load_bytes(
    shown_as: &Path,
    bytes: &[u8],
) -> (Option<(YamlDoc, FileItems)>, Vec<Diagnostic>) {
    match crate::input::yaml::decode_text(bytes, shown_as) {
        Ok(text) => load_source(shown_as, text),
        Err(d) => (None, vec![d]),
    }
}

fn load_source(shown_as: &Path, text: String) -> (Option<(YamlDoc, FileItems)>, Vec<Diagnostic>) {
    let doc = match YamlDoc::parse(shown_as, text) {
        Ok(d) => d,
        Err(d) => return (None, vec![d]),
    };
    let mut diags = Vec::new();
    let items = read_items(&doc, &mut diags);
    (items.map(|items| (doc, items)), diags)
}

/// A section id for a file whose header is only a title: its file name when that is a valid id
/// (`05-cw.yaml` → `05-cw`), else a placeholder the teacher replaces.
fn suggested_section_id(file: &std::path::Path) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if is_section_id(&stem) {
        stem
    } else {
        "part-1   # a-z, 0-9 and -, unique in the bank".into()
    }
}

fn read_items(doc: &YamlDoc, diags: &mut Vec<Diagnostic>) -> Option<FileItems> {
    let root = &doc.value;
    if !root.is_mapping() {
        diags.push(
            doc.error_at(
                "",
                "a section file must be a mapping with the keys `section`, `notes` and `questions`",
            )
            .with_help("see docs/bank-format.md for a complete example"),
        );
        return None;
    }
    diags.extend(doc.check_keys(root, "", "a section file", TOP_KEYS));
    let Some(section_value) = root.get("section") else {
        diags.push(
            doc.error_at("", "the file has no `section:` header")
                .with_help("start the file with `section:` and its `id:` and `title:`"),
        );
        return None;
    };
    if let Some(title) = section_value.as_str() {
        diags.push(
            doc.error_at(
                "section",
                "`section` needs an id and a title on lines of their own",
            )
            .with_help(format!(
                "write\n  section:\n    id: {}\n    title: {}",
                suggested_section_id(&doc.file),
                title.trim()
            )),
        );
        return None;
    }
    diags.extend(doc.check_keys(section_value, "section", "the section header", SECTION_KEYS));
    let raw: RawSection = match doc.deserialize(section_value, "section") {
        Ok(s) => s,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    if !is_section_id(&raw.id) {
        diags.push(
            doc.error_at(
                "section.id",
                format!("section id `{}` may use only a-z, 0-9 and -", raw.id),
            )
            .with_help("for example `cw` or `part-5`"),
        );
    }
    if raw.title.trim().is_empty() {
        diags.push(doc.error_at("section.title", "the section title is empty"));
    }
    let weight = raw.weight.as_ref().and_then(|v| {
        let w = share(v);
        if w.is_none() {
            diags.push(
                doc.error_at("section.weight", "the section weight must be a percentage like `24%` or a non-negative number")
                    .with_help("the section's share of the source, used by blueprints with `sections: weighted`"),
            );
        }
        w
    });
    let section = Section {
        id: raw.id,
        title: raw.title.trim().to_string(),
        order: raw.order,
        weight,
        origin: origin(doc, "section"),
    };

    let mut items = FileItems {
        section,
        notes: Vec::new(),
        questions: Vec::new(),
        refs: Vec::new(),
    };
    for (i, value) in sequence(doc, root, "notes", diags).iter().enumerate() {
        let path = format!("notes[{i}]");
        if let Some(note) = read_note(doc, value, &path, diags) {
            items.notes.push(note);
        }
    }
    for (i, value) in sequence(doc, root, "questions", diags).iter().enumerate() {
        let path = format!("questions[{i}]");
        if let Some((question, note, quote)) = read_question(doc, value, &path, diags) {
            items.refs.push(PendingRef {
                question: items.questions.len(),
                doc: 0,
                path,
                note,
                quote,
            });
            items.questions.push(question);
        }
    }
    Some(items)
}

/// A share written `24%` or as a plain non-negative number (both mean the same weight).
pub(crate) fn share(value: &Value) -> Option<Decimal> {
    let w = match value {
        Value::String(s) => {
            let s = s.trim();
            Decimal::from_str(s.strip_suffix('%').unwrap_or(s).trim()).ok()
        }
        Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
        _ => None,
    }?;
    (w >= Decimal::ZERO).then_some(w)
}

fn sequence<'v>(
    doc: &YamlDoc,
    root: &'v Value,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> &'v [Value] {
    match root.get(key) {
        None | Some(Value::Null) => &[],
        Some(Value::Sequence(items)) => items,
        Some(_) => {
            diags.push(doc.error_at(
                key,
                format!("`{key}` must be a list (each item starts with `- `)"),
            ));
            &[]
        }
    }
}

fn origin(doc: &YamlDoc, path: &str) -> Origin {
    Origin {
        file: doc.file.clone(),
        path: path.to_string(),
    }
}

fn is_section_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_item_id(id: &str) -> bool {
    id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn check_id(doc: &YamlDoc, path: &str, id: &str, diags: &mut Vec<Diagnostic>) {
    if !is_item_id(id) {
        diags.push(
            doc.error_at(
                &join_path(path, "id"),
                format!("id `{id}` may use only letters, digits, `-`, `_` and `.`"),
            )
            .with_help("for example `cw-001`"),
        );
    }
}

fn read_note(
    doc: &YamlDoc,
    value: &Value,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Note> {
    let stray = doc.check_keys(value, path, "a note", NOTE_KEYS);
    let had_stray = !stray.is_empty();
    diags.extend(stray);
    let raw: RawNote = match doc.deserialize(value, path) {
        Ok(n) => n,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    check_id(doc, path, &raw.id, diags);
    if raw.title.trim().is_empty() {
        diags.push(doc.error_at(
            &join_path(path, "title"),
            format!("note `{}` has an empty title", raw.id),
        ));
    }
    if raw.text.trim().is_empty() {
        diags.push(doc.error_at(
            &join_path(path, "text"),
            format!("note `{}` has no text", raw.id),
        ));
    } else if key_phrase_runs(&raw.text).is_none() {
        diags.push(
            doc.error_at(
                &join_path(path, "text"),
                format!("note `{}` has an unclosed `**` key-phrase marker", raw.id),
            )
            .with_help("key phrases are written **like this**; every `**` needs its partner"),
        );
    } else if super::note_paragraphs_text(&raw.text)
        .iter()
        .any(|p| key_phrase_runs(p).is_none())
    {
        diags.push(
            doc.error_at(
                &join_path(path, "text"),
                format!(
                    "note `{}` has a `**` key phrase that spans a blank line",
                    raw.id
                ),
            )
            .with_help(
                "a key phrase lies within one paragraph; close it with `**` before the blank line",
            ),
        );
    }
    super::formulas::check(doc, &join_path(path, "title"), &raw.title, diags);
    super::formulas::check(doc, &join_path(path, "text"), &raw.text, diags);
    if had_stray {
        return None;
    }
    Some(Note {
        id: raw.id,
        section: 0,
        title: raw.title.trim().to_string(),
        text: super::Rich::note(&crate::math::join_formula_lines(raw.text.trim_end())),
        tags: raw.tags,
        origin: origin(doc, path),
    })
}

type ReadQuestion = (Question, Option<String>, Option<String>);

fn read_question(
    doc: &YamlDoc,
    value: &Value,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<ReadQuestion> {
    let before = diags.len();
    diags.extend(doc.check_keys(value, path, "a question", QUESTION_KEYS));
    let raw: RawQuestion = match doc.deserialize(value, path) {
        Ok(q) => q,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let at = |key: &str| join_path(path, key);
    let id = raw.id.clone();
    check_id(doc, path, &id, diags);
    let kind = raw.kind;
    if raw.stem.trim().is_empty() {
        diags.push(doc.error_at(&at("stem"), format!("question `{id}` has an empty stem")));
    }

    // The stem is parsed here, once: its slots and blanks are checked against the answer below.
    let stem = super::Rich::parse(&crate::math::join_formula_lines(raw.stem.trim()));
    let options = read_options(doc, raw.options.as_ref(), &at("options"), &id, kind, diags);
    let (mut shuffle, mut keep_last) = (raw.shuffle, raw.keep_last);
    let question_at = QuestionAt { doc, path, id: &id };
    stem::check_choice_question(
        &question_at,
        kind,
        &stem,
        &options,
        (&mut shuffle, &mut keep_last),
        diags,
    );
    let answer = read_answer(
        &question_at,
        raw.answer.as_ref(),
        kind,
        &options,
        &stem,
        diags,
    );

    let keep_last = keep_last.unwrap_or(0);
    let (difficulty, lines) = check_numbers(&question_at, &raw, options.len(), keep_last, diags);
    let points = raw
        .points
        .as_ref()
        .and_then(|v| read_points(doc, v, &at("points"), diags));
    if raw.quote.is_some() && raw.note.is_none() {
        diags.push(
            doc.error_at(
                &at("quote"),
                format!("question `{id}` has a quote but no note to find it in"),
            )
            .with_help("add `note: <note id>` naming the note the quote comes from"),
        );
    }
    super::formulas::check(doc, &at("stem"), &raw.stem, diags);
    for (i, option) in options.iter().enumerate() {
        super::formulas::check(doc, &format!("{}[{i}]", at("options")), option, diags);
    }
    if let Some(e) = &raw.explanation {
        super::formulas::check(doc, &at("explanation"), e, diags);
    }
    if let Some(Answer::Short(text)) = &answer {
        super::formulas::check(doc, &at("answer"), text, diags);
    }
    let clean = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if diags[before..].iter().any(Diagnostic::is_error) {
        return None;
    }
    let question = Question {
        id,
        section: 0,
        kind,
        stem,
        options: options
            .iter()
            .map(|o| super::Rich::parse(&crate::math::join_formula_lines(o)))
            .collect(),
        answer: answer?,
        difficulty,
        tags: raw.tags,
        note: None,
        quote: None,
        explanation: clean(raw.explanation)
            .map(|e| super::Rich::parse(&crate::math::join_formula_lines(&e))),
        shuffle: shuffle.unwrap_or(true),
        keep_last,
        group: clean(raw.group),
        points,
        lines,
        origin: origin(doc, path),
    };
    Some((question, clean(raw.note), clean(raw.quote)))
}

/// A question's difficulty and answer lines, read and checked, and its `keep_last` (of `options` options)
/// checked.
fn check_numbers(
    question: &QuestionAt,
    raw: &RawQuestion,
    options: usize,
    keep_last: usize,
    diags: &mut Vec<Diagnostic>,
) -> (u8, u32) {
    let (doc, at) = (question.doc, |key: &str| join_path(question.path, key));
    let difficulty = raw.difficulty.unwrap_or(3);
    if !(1..=5).contains(&difficulty) {
        diags.push(
            doc.error_at(
                &at("difficulty"),
                format!("difficulty {difficulty} is out of range"),
            )
            .with_help("use 1 (easiest) to 5 (hardest)"),
        );
    }
    if keep_last > 0 && (!raw.kind.has_options() || keep_last >= options) {
        diags.push(
            doc.error_at(
                &at("keep_last"),
                format!("keep_last {keep_last} must be smaller than the number of options"),
            )
            .with_help(
                "keep_last pins the last N options (such as 以上都对) when options are shuffled",
            ),
        );
    }
    if raw.lines.is_some() && raw.kind != QuestionType::Short {
        diags.push(doc.error_at(
            &at("lines"),
            "`lines` applies to short-answer questions only",
        ));
    }
    let lines = raw.lines.unwrap_or(5);
    if raw.kind == QuestionType::Short && !(1..=40).contains(&lines) {
        diags.push(doc.error_at(
            &at("lines"),
            format!("lines {lines} is out of range (1 to 40)"),
        ));
    }
    (difficulty, lines)
}

/// A scalar as text; numbers keep their source spelling (`0.50`, not `0.5`).
fn scalar_text(doc: &YamlDoc, value: &Value, path: &str) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        // Integers print as written; only a float's spelling can differ (`0.50` is read as 0.5), and looking
        // it up costs indexing the whole file, so it is done for floats alone.
        Value::Number(n) if n.is_f64() => Some(
            doc.plain_scalar(path)
                .map_or_else(|| n.to_string(), str::to_string),
        ),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Options written as a mapping by their letters (`A: 甲`, `B: 乙`, …, ASCII or full-width, any case): in
/// letter order, with each key as written, when the letters run from A without a gap; else none.
fn lettered_options(map: &serde_yaml::Mapping) -> Option<Vec<(String, &Value)>> {
    let mut lettered: Vec<(usize, String, &Value)> = Vec::new();
    for (key, item) in map {
        let written = key.as_str()?.to_string();
        let folded = typed::number_text(&written, &[]).to_ascii_uppercase();
        let mut chars = folded.chars();
        let (Some(letter @ 'A'..='H'), None) = (chars.next(), chars.next()) else {
            return None;
        };
        lettered.push((letter as usize - 'A' as usize, written, item));
    }
    lettered.sort_by_key(|(i, _, _)| *i);
    let gapless = lettered.iter().enumerate().all(|(n, (i, _, _))| n == *i);
    gapless.then(|| lettered.into_iter().map(|(_, k, v)| (k, v)).collect())
}

fn read_options(
    doc: &YamlDoc,
    value: Option<&Value>,
    path: &str,
    id: &str,
    kind: QuestionType,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let (min, max) = match kind {
        QuestionType::Single => (2, MAX_OPTIONS),
        QuestionType::Multiple => (3, MAX_OPTIONS),
        _ => {
            if value.is_some_and(|v| !v.is_null()) {
                diags.push(
                    doc.error_at(path, format!("{kind} questions take no options"))
                        .with_help("remove `options`, or change `type` to single or multiple"),
                );
            }
            return Vec::new();
        }
    };
    let items: Vec<(String, &Value)> = match value {
        Some(Value::Sequence(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (format!("{path}[{i}]"), item))
            .collect(),
        Some(Value::Mapping(map)) if lettered_options(map).is_some() => lettered_options(map)
            .unwrap_or_default()
            .into_iter()
            .map(|(key, item)| (join_path(path, &key), item))
            .collect(),
        _ => Vec::new(),
    };
    if !matches!(value, Some(Value::Sequence(_))) && items.is_empty() {
        diags.push(
            doc.error_at(
                if value.is_some() {
                    path
                } else {
                    path.rsplit_once('.').map_or(path, |p| p.0)
                },
                format!("{kind}-choice question `{id}` needs a list of {min} to {max} options"),
            )
            .with_help("for example `options: [\"12\", \"15\", \"18\", \"20\"]`"),
        );
        return Vec::new();
    };
    let mut typed = Vec::new();
    let mut indices = Vec::new();
    for (i, (item_path, item)) in items.iter().enumerate() {
        let item_path = item_path.clone();
        match scalar_text(doc, item, &item_path) {
            Some(text) if !text.trim().is_empty() => {
                typed.push((item_path, text.trim().to_string()));
                indices.push(i);
            }
            Some(_) => diags.push(doc.error_at(
                &item_path,
                format!("option {} of question `{id}` is empty", letter(i)),
            )),
            None => diags.push(doc.error_at(
                &item_path,
                format!("option {} of question `{id}` must be text", letter(i)),
            )),
        }
    }
    let paths: Vec<String> = typed.iter().map(|(p, _)| p.clone()).collect();
    let mut options: Vec<String> = Vec::new();
    let stripped = stem::strip_option_labels(doc, id, typed, diags);
    for ((text, item_path), i) in stripped.into_iter().zip(paths).zip(indices) {
        if let Some(first) = options.iter().position(|o| *o == text) {
            diags.push(doc.error_at(
                &item_path,
                format!(
                    "options {} and {} of question `{id}` are the same text",
                    letter(first),
                    letter(i)
                ),
            ));
        }
        options.push(text);
    }
    if items.len() < min || items.len() > max {
        diags.push(doc.error_at(
            path,
            format!(
                "{kind}-choice question `{id}` has {} options; it needs {min} to {max}",
                items.len()
            ),
        ));
    }
    options
}

#[allow(clippy::too_many_arguments)]
fn read_answer(
    at: &QuestionAt,
    value: Option<&Value>,
    kind: QuestionType,
    options: &[String],
    stem: &super::Rich,
    diags: &mut Vec<Diagnostic>,
) -> Option<Answer> {
    let id = at.id;
    let Some(value) = value.filter(|v| !v.is_null()) else {
        diags.push(
            at.doc
                .error_at(at.path, format!("question `{id}` has no answer"))
                .with_help(match kind {
                    QuestionType::Single => "add `answer: C` (one option letter)",
                    QuestionType::Multiple => {
                        "add `answer: [A, C, D]` (two or more option letters)"
                    }
                    QuestionType::Judge => "add `answer: true` or `answer: false`",
                    QuestionType::Blank => "add `answer: [\"...\"]` with one entry per blank",
                    QuestionType::Short => "add `answer: |` with the reference answer",
                }),
        );
        return None;
    };
    let mut reader = AnswerReader {
        at,
        path: join_path(at.path, "answer"),
        diags,
    };
    match kind {
        QuestionType::Single => reader.single(value, options),
        QuestionType::Multiple => reader.multiple(value, options),
        QuestionType::Judge => reader.judge(value),
        QuestionType::Blank => reader.blank(value, stem.blank_spans().len()),
        QuestionType::Short => reader.short(value),
    }
}

/// Reads a question's `answer` value, each problem reported at the answer.
struct AnswerReader<'a> {
    at: &'a QuestionAt<'a>,
    /// The answer's path in the document.
    path: String,
    diags: &'a mut Vec<Diagnostic>,
}

/// The option letters a question has, for messages: `A to D`.
fn letter_range(options: &[String]) -> String {
    if options.is_empty() {
        String::new()
    } else {
        format!("A to {}", letter(options.len() - 1))
    }
}

/// An option letter as typed; letters typed on a Chinese keyboard come full-width (Ａ, ｃ) and mean the
/// same option.
fn parse_letter(text: &str) -> Option<usize> {
    let mut chars = text.trim().chars();
    let c = match chars.next()? {
        c @ ('Ａ'..='Ｚ' | 'ａ'..='ｚ') => char::from_u32(c as u32 - 0xFEE0)?,
        c => c,
    }
    .to_ascii_uppercase();
    (chars.next().is_none() && c.is_ascii_uppercase()).then(|| (c as u8 - b'A') as usize)
}

impl AnswerReader<'_> {
    fn fail<T>(&mut self, message: String, help: String) -> Option<T> {
        self.diags
            .push(self.at.doc.error_at(&self.path, message).with_help(help));
        None
    }

    fn text(&mut self, value: &Value, path: &str) -> Option<String> {
        scalar_text(self.at.doc, value, path)
    }

    fn single(&mut self, value: &Value, options: &[String]) -> Option<Answer> {
        let id = self.at.id;
        let path = self.path.clone();
        let text = self.text(value, &path).unwrap_or_default();
        match parse_letter(&text) {
            Some(i) if i < options.len() => Some(Answer::Single(i)),
            _ if options.is_empty() => None,
            _ => self.fail(
                format!(
                    "answer `{}` of question `{id}` is not an option letter",
                    text.trim()
                ),
                format!(
                    "a single-choice answer is one letter, {}",
                    letter_range(options)
                ),
            ),
        }
    }

    fn multiple(&mut self, value: &Value, options: &[String]) -> Option<Answer> {
        let id = self.at.id;
        let path = self.path.clone();
        let letters: Vec<String> = match value {
            Value::Sequence(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| self.text(v, &format!("{path}[{i}]")).unwrap_or_default())
                .collect(),
            // `ACD` or `A,C,D` is accepted as a shorthand for the list.
            other => self
                .text(other, &path)
                .unwrap_or_default()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .map(String::from)
                .collect(),
        };
        let mut picked = Vec::new();
        for l in &letters {
            match parse_letter(l) {
                Some(i) if i < options.len() => {
                    if picked.contains(&i) {
                        return self.fail(
                            format!("answer of question `{id}` lists {} twice", letter(i)),
                            "list each correct option once".into(),
                        );
                    }
                    picked.push(i);
                }
                _ if options.is_empty() => return None,
                _ => {
                    return self.fail(
                        format!(
                            "`{}` in the answer of question `{id}` is not an option letter",
                            l.trim()
                        ),
                        format!("option letters run {}", letter_range(options)),
                    );
                }
            }
        }
        picked.sort_unstable();
        if picked.len() < 2 {
            self.fail(
                format!(
                    "multiple-choice question `{id}` has {} correct option(s); it needs at least 2",
                    picked.len()
                ),
                "make it a single-choice question, or list every correct option: `answer: [A, C]`"
                    .into(),
            )
        } else if !options.is_empty() && picked.len() == options.len() {
            self.fail(
                format!("every option of multiple-choice question `{id}` is correct"),
                "the exam rule is that at least one option is wrong; replace one option with a plausible wrong one".into(),
            )
        } else {
            Some(Answer::Multiple(picked))
        }
    }

    fn judge(&mut self, value: &Value) -> Option<Answer> {
        let id = self.at.id;
        let truth = match value {
            Value::Bool(b) => Some(*b),
            Value::String(s) => typed::judge_word(s),
            _ => None,
        };
        truth.map(Answer::Judge).or_else(|| {
            self.fail(
                format!("answer of judge question `{id}` must be true or false"),
                "write `answer: true` or `answer: false` (also 对/错, √/×, 正确/错误, 是/否)"
                    .into(),
            )
        })
    }

    /// A blank question's answers, one entry per blank of the stem (`blanks` of them).
    fn blank(&mut self, value: &Value, blanks: usize) -> Option<Answer> {
        let id = self.at.id;
        let path = self.path.clone();
        let entries: Vec<Option<String>> = match value {
            Value::Sequence(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| self.text(v, &format!("{path}[{i}]")))
                .collect(),
            other => vec![self.text(other, &path)],
        };
        if blanks == 0 {
            self.diags.push(
                self.at
                    .doc
                    .error_at(
                        &join_path(self.at.path, "stem"),
                        format!("blank question `{id}` has no blank in its stem"),
                    )
                    .with_help("mark each blank with three or more underscores: ______"),
            );
            return None;
        }
        if entries.len() != blanks {
            return self.fail(
                format!("question `{id}` has {blanks} blank(s) in its stem but {} answer(s)", entries.len()),
                "give one answer per blank, in order; alternatives for one blank are separated by `|`".into(),
            );
        }
        let mut answers = Vec::new();
        for (i, entry) in entries.into_iter().enumerate() {
            let alternatives: Vec<String> = entry
                .unwrap_or_default()
                .split('|')
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect();
            if alternatives.is_empty() {
                return self.fail(
                    format!("answer {} of blank question `{id}` is empty", i + 1),
                    "write the expected text".into(),
                );
            }
            answers.push(alternatives);
        }
        Some(Answer::Blank(answers))
    }

    fn short(&mut self, value: &Value) -> Option<Answer> {
        let id = self.at.id;
        let path = self.path.clone();
        let text = match value {
            Value::Sequence(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| self.text(v, &format!("{path}[{i}]")))
                .collect::<Vec<_>>()
                .join("\n"),
            other => self.text(other, &path).unwrap_or_default(),
        };
        if text.trim().is_empty() {
            self.fail(
                format!("short question `{id}` has an empty reference answer"),
                "write the scoring points".into(),
            )
        } else {
            Some(Answer::Short(
                crate::math::join_formula_lines(text.trim_end()).into_owned(),
            ))
        }
    }
}

fn read_points(
    doc: &YamlDoc,
    value: &Value,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Decimal> {
    // A float's shortest printed form (1.5, 0.1) parses back to the decimal the author wrote.
    let text = match value {
        Value::Number(n) => n.to_string(),
        other => typed::number_text(
            &scalar_text(doc, other, path).unwrap_or_default(),
            typed::POINT_UNITS,
        ),
    };
    match Decimal::from_str(text.trim()) {
        Ok(p) if p > Decimal::ZERO => Some(p),
        _ => {
            diags.push(
                doc.error_at(
                    path,
                    format!("points `{}` must be a positive number", text.trim()),
                )
                .with_help("for example `points: 2` or `points: 1.5`"),
            );
            None
        }
    }
}
