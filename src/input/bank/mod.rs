//! The question bank: its data model, loaded from a folder of YAML section files and validated.

mod cache;
mod explanation;
mod figures;
mod folder;
mod formulas;
mod leak;
mod load;
mod reading;
mod rich;
mod stem;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::error::{Error, Result};

pub use cache::{
    DIR as CACHE_DIR, ENV_OFF as CACHE_ENV_OFF, disable as disable_cache, file_for as cache_file,
};
pub use explanation::{KeyConflict, key_conflicts};
pub use figures::{MAX_WIDTH_MM, resolve as resolve_image};
pub use leak::{Leak, LeakKind, ends_with_slot, find_leaks, leak_pairs};
pub use load::{FileItems, load_bytes, load_file};
pub use rich::{Block, Inline, Rich, Run, Table};
pub use stem::{
    SLOT, answer_slots, is_inclusive_option, normalize_slots, option_label, refers_to_options,
};

/// The five kinds of question a bank can hold. Banks and blueprints may also name them as papers do
/// (单选 / 单项选择题, 多选, 判断, 填空, 简答): a teacher types the word they print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionType {
    Single,
    Multiple,
    Judge,
    Blank,
    Short,
}

impl<'de> Deserialize<'de> for QuestionType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<QuestionType, D::Error> {
        // The bank cache (a binary format) stores the variant as Serialize wrote it.
        if !d.is_human_readable() {
            #[derive(Deserialize)]
            enum Stored {
                Single,
                Multiple,
                Judge,
                Blank,
                Short,
            }
            return Ok(match Stored::deserialize(d)? {
                Stored::Single => QuestionType::Single,
                Stored::Multiple => QuestionType::Multiple,
                Stored::Judge => QuestionType::Judge,
                Stored::Blank => QuestionType::Blank,
                Stored::Short => QuestionType::Short,
            });
        }
        let typed = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        QuestionType::from_typed(&typed).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown variant `{typed}`, expected one of `single`, `multiple`, `judge`, `blank`, `short` (or 单选, 多选, 判断, 填空, 简答)"
            ))
        })
    }
}

impl QuestionType {
    /// The type a bank, blueprint or imported table names: its English name or the Chinese name a paper
    /// prints, short or long (单选, 单选题, 单项选择, 单项选择题).
    pub fn from_typed(typed: &str) -> Option<QuestionType> {
        Some(match typed.trim() {
            "single" | "单选" | "单选题" | "单项选择" | "单项选择题" => {
                QuestionType::Single
            }
            "multiple" | "多选" | "多选题" | "多项选择" | "多项选择题" => {
                QuestionType::Multiple
            }
            "judge" | "判断" | "判断题" => QuestionType::Judge,
            "blank" | "填空" | "填空题" => QuestionType::Blank,
            "short" | "简答" | "简答题" => QuestionType::Short,
            _ => return None,
        })
    }

    pub const ALL: [QuestionType; 5] = [
        QuestionType::Single,
        QuestionType::Multiple,
        QuestionType::Judge,
        QuestionType::Blank,
        QuestionType::Short,
    ];

    pub fn name(self) -> &'static str {
        match self {
            QuestionType::Single => "single",
            QuestionType::Multiple => "multiple",
            QuestionType::Judge => "judge",
            QuestionType::Blank => "blank",
            QuestionType::Short => "short",
        }
    }

    /// The Chinese name used on papers (单项选择题 ...).
    pub fn chinese_name(self) -> &'static str {
        match self {
            QuestionType::Single => "单项选择题",
            QuestionType::Multiple => "多项选择题",
            QuestionType::Judge => "判断题",
            QuestionType::Blank => "填空题",
            QuestionType::Short => "简答题",
        }
    }

    pub fn has_options(self) -> bool {
        matches!(self, QuestionType::Single | QuestionType::Multiple)
    }
}

impl fmt::Display for QuestionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The correct answer, in the bank's own option order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    /// Index of the one correct option.
    Single(usize),
    /// Indices of the correct options, ascending.
    Multiple(Vec<usize>),
    Judge(bool),
    /// Per blank, the accepted alternatives.
    Blank(Vec<Vec<String>>),
    /// Reference answer text.
    Short(String),
}

/// Where an item was defined: its file and its path in that file (`questions[3]`), resolved to a line and
/// column only when a diagnostic needs one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub file: PathBuf,
    pub path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub order: Option<i64>,
    /// The section's share of the source (`weight: 24%`), for blueprints with `sections: weighted`.
    pub weight: Option<Decimal>,
    pub origin: Origin,
}

/// A knowledge point (考点): the content of handouts, and what a question tests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Note {
    pub id: String,
    /// Index into `Bank::sections`.
    pub section: usize,
    pub title: String,
    /// Paragraphs separated by blank lines; `**...**` marks key phrases.
    pub text: Rich,
    pub tags: Vec<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    /// Index into `Bank::sections`.
    pub section: usize,
    pub kind: QuestionType,
    pub stem: Rich,
    pub options: Vec<Rich>,
    pub answer: Answer,
    pub difficulty: u8,
    pub tags: Vec<String>,
    /// Index into `Bank::notes`.
    pub note: Option<usize>,
    pub quote: Option<String>,
    pub explanation: Option<Rich>,
    pub shuffle: bool,
    pub keep_last: usize,
    pub group: Option<String>,
    pub points: Option<Decimal>,
    /// Answer lines printed under a short question.
    pub lines: u32,
    pub origin: Origin,
}

impl Question {
    /// The answer as printed in a key, in bank order: `C`, `ACD`, `√`/`×`, blanks joined, or the text.
    pub fn answer_text(&self) -> String {
        answer_text(&self.answer)
    }
}

pub fn answer_text(answer: &Answer) -> String {
    match answer {
        Answer::Single(i) => letter(*i).to_string(),
        Answer::Multiple(v) => v.iter().map(|i| letter(*i)).collect(),
        Answer::Judge(true) => "√".to_string(),
        Answer::Judge(false) => "×".to_string(),
        Answer::Blank(blanks) => blanks
            .iter()
            .map(|alts| alts.join(" / "))
            .collect::<Vec<_>>()
            .join("；"),
        Answer::Short(text) => text.clone(),
    }
}

/// Option letter for an index: 0 → A.
pub fn letter(index: usize) -> char {
    (b'A' + index as u8) as char
}

pub const MAX_OPTIONS: usize = 8;

/// A loaded, validated bank.
#[derive(Debug, Clone)]
pub struct Bank {
    pub root: PathBuf,
    /// In bank order: by `order`, then file name.
    pub sections: Vec<Section>,
    pub notes: Vec<Note>,
    pub questions: Vec<Question>,
    /// sha256 over the file names and contents, so a manifest can tell which bank made a paper.
    pub digest: String,
    pub warnings: Vec<Diagnostic>,
    /// Answer leaks `(q, r)`: q's answer with its context is printed in r (see `leak_pairs`); the draw keeps
    /// such pairs off one paper as if they shared a group.
    pub leaks: Vec<(usize, usize)>,
    /// The image files the bank's text names, each read once (by `check`) and shared by every document.
    pub images: std::sync::Arc<crate::input::images::Images>,
}

impl Bank {
    /// Loads every `*.yaml` directly in `root`, reporting every problem of the whole bank at once.
    pub fn load(root: &Path) -> Result<Bank> {
        folder::load_bank(root)
    }

    pub fn section_index(&self, id: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.id == id)
    }

    /// The section a teacher names in a blueprint or on the command line: its id, or its title as
    /// printed (spaces and full-width forms aside), the title without its chapter label (`第一章 `, `一、`),
    /// or the start of exactly one title (`第二章`).
    pub fn section_named(&self, name: &str) -> Option<usize> {
        if let Some(i) = self.section_index(name) {
            return Some(i);
        }
        let wanted = title_key(name);
        if wanted.is_empty() {
            return None;
        }
        let titles: Vec<String> = self.sections.iter().map(|s| title_key(&s.title)).collect();
        let only = |hits: Vec<usize>| (hits.len() == 1).then(|| hits[0]);
        only((0..titles.len()).filter(|&i| titles[i] == wanted).collect())
            .or_else(|| {
                only(
                    (0..titles.len())
                        .filter(|&i| without_chapter_label(&titles[i]) == wanted)
                        .collect(),
                )
            })
            .or_else(|| {
                only(
                    (0..titles.len())
                        .filter(|&i| wanted.chars().count() >= 2 && titles[i].starts_with(&wanted))
                        .collect(),
                )
            })
    }

    /// The sections as a hint lists them: `cw（关于加强社区工作者队伍建设的意见）, vs（…）`.
    pub fn section_list(&self) -> String {
        self.sections
            .iter()
            .map(|s| format!("{}（{}）", s.id, s.title))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}

/// A title compared as typed: full-width forms folded, spaces dropped.
fn title_key(title: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    title.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// A title without a leading chapter label: `第一章`, `第3节`, `一、`, `3.` (spaces already dropped).
fn without_chapter_label(title: &str) -> &str {
    let numeral = |c: char| c.is_ascii_digit() || "一二三四五六七八九十百零〇两".contains(c);
    if let Some(rest) = title.strip_prefix('第') {
        let after = rest.trim_start_matches(numeral);
        if after.len() < rest.len() {
            for unit in ["章", "节", "部分", "篇", "单元", "讲"] {
                if let Some(t) = after.strip_prefix(unit) {
                    return t.trim_start_matches([':', '、', '.']);
                }
            }
        }
    }
    let after = title.trim_start_matches(numeral);
    if after.len() < title.len() {
        if let Some(t) = after.strip_prefix(['、', '.', ':']) {
            return t;
        }
    }
    title
}

/// Note text as paragraphs: split at blank lines, the lines of a paragraph joined — directly between
/// two Chinese characters (a hard-wrapped Chinese line has no space in it), else with one space.
pub fn note_paragraphs_text(text: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            continue;
        }
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if let (Some(a), Some(b)) = (current.chars().last(), line.chars().next())
            && !(crate::util::chars::is_wide(a) && crate::util::chars::is_wide(b))
        {
            current.push(' ');
        }
        current.push_str(&line);
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs
}

/// Splits note text into runs: (text, is_key_phrase). Returns None when a `**` is left unclosed.
pub fn key_phrase_runs(text: &str) -> Option<Vec<(String, bool)>> {
    let parts: Vec<&str> = text.split("**").collect();
    if parts.len() % 2 == 0 {
        return None;
    }
    Some(
        parts
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_empty())
            .map(|(i, p)| (p.to_string(), i % 2 == 1))
            .collect(),
    )
}

/// The key phrases (`**...**`) of a note text.
pub fn key_phrases(text: &str) -> Vec<String> {
    key_phrase_runs(text)
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, key)| *key)
        .map(|(t, _)| t)
        .collect()
}

/// Whether a question tests a key phrase of its note: its quote contains the phrase, or is a fragment of
/// it at least six characters long (the whole phrase when shorter), or a correct answer contains it.
pub fn tests_key_phrase(question: &Question, phrase: &str) -> bool {
    let phrase = normalize_for_match(phrase);
    if phrase.is_empty() {
        return true;
    }
    let covers = |text: &str| {
        let text = normalize_for_match(text);
        text.contains(&phrase)
            || (text.chars().count() >= phrase.chars().count().min(6) && phrase.contains(&text))
    };
    if question.quote.as_deref().is_some_and(covers) {
        return true;
    }
    match &question.answer {
        Answer::Single(i) => covers(question.options[*i].source()),
        Answer::Multiple(v) => v.iter().any(|i| covers(question.options[*i].source())),
        Answer::Blank(blanks) => blanks.iter().flatten().any(|a| covers(a)),
        Answer::Judge(_) | Answer::Short(_) => false,
    }
}

/// Key phrases that no question on their note tests, as (note index, phrase).
pub fn untested_key_phrases(bank: &Bank) -> Vec<(usize, String)> {
    let mut by_note: Vec<Vec<&Question>> = vec![Vec::new(); bank.notes.len()];
    for q in &bank.questions {
        if let Some(n) = q.note {
            by_note[n].push(q);
        }
    }
    let mut out = Vec::new();
    for (i, note) in bank.notes.iter().enumerate() {
        for phrase in note.text.key_phrases() {
            if !by_note[i].iter().any(|q| tests_key_phrase(q, &phrase)) {
                out.push((i, phrase));
            }
        }
    }
    out
}

/// Text as compared for quotes: markup and all whitespace removed.
pub fn normalize_for_match(text: &str) -> String {
    text.replace("**", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The number of blanks (runs of three or more underscores) in a stem.
pub fn count_blanks(stem: &str) -> usize {
    blank_spans(stem).len()
}

/// Byte ranges of the blanks (runs of three or more `_`) in a stem.
pub fn blank_spans(stem: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = stem.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'_' {
            let start = i;
            while i < bytes.len() && bytes[i] == b'_' {
                i += 1;
            }
            if i - start >= 3 {
                spans.push(start..i);
            }
        } else {
            i += 1;
        }
    }
    spans
}

pub(crate) fn bank_error(count: usize, root: &Path) -> Error {
    Error::input(format!(
        "the bank {} has {count} error{}; nothing was generated",
        root.display(),
        if count == 1 { "" } else { "s" }
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn question_types_read_by_their_chinese_names_too() {
        for (typed, kind) in [
            ("single", QuestionType::Single),
            ("单选", QuestionType::Single),
            ("单项选择题", QuestionType::Single),
            ("多选题", QuestionType::Multiple),
            ("判断", QuestionType::Judge),
            ("填空题", QuestionType::Blank),
            ("简答", QuestionType::Short),
        ] {
            assert_eq!(
                serde_yaml::from_str::<QuestionType>(typed).unwrap(),
                kind,
                "{typed}"
            );
        }
        let err = serde_yaml::from_str::<QuestionType>("选择")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("unknown variant `选择`, expected one of `single`"),
            "{err}"
        );
        // The bank cache's binary form reads back what it wrote.
        for kind in QuestionType::ALL {
            let bytes = postcard::to_allocvec(&kind).unwrap();
            assert_eq!(postcard::from_bytes::<QuestionType>(&bytes).unwrap(), kind);
        }
    }

    use super::*;

    #[test]
    fn key_phrases_are_found_and_unclosed_markers_rejected() {
        assert_eq!(
            key_phrases("按**每万人18人**配备，**到2025年**完成"),
            vec!["每万人18人", "到2025年"]
        );
        assert!(key_phrase_runs("a **b").is_none());
        assert_eq!(
            note_paragraphs_text("社区工作者\n队伍建设 and\nmore\n\n  第二段"),
            vec!["社区工作者队伍建设 and more", "第二段"]
        );
        assert_eq!(
            key_phrase_runs("plain").unwrap(),
            vec![("plain".to_string(), false)]
        );
    }

    #[test]
    fn blanks_are_runs_of_three_or_more_underscores() {
        assert_eq!(count_blanks("a___b__c_____d"), 2);
        assert_eq!(count_blanks("snake_case"), 0);
    }

    #[test]
    fn answer_text_forms() {
        assert_eq!(answer_text(&Answer::Multiple(vec![0, 2, 3])), "ACD");
        assert_eq!(answer_text(&Answer::Judge(false)), "×");
    }
}
