//! GIFT import, read as Moodle's own GIFT importer (question/format/gift/format.php) reads it: questions
//! separated by blank lines, `$CATEGORY:` lines opening sections, `::name::`, the answer block between
//! the first `{` and `}`, `####` general feedback, `\` escapes, `~%50%` weights.

use std::path::Path;

use crate::error::{Error, Result};
use crate::input::bank::QuestionType;
use crate::interchange::drafts::{self, Draft, DraftAnswer, DraftSection, Imported, Origin};

/// Stand-ins for escaped characters while the answer block is split (Moodle's `escapedchar_pre`).
const ESCAPES: &[(char, char)] = &[
    ('\\', '\u{E010}'),
    ('~', '\u{E011}'),
    ('=', '\u{E012}'),
    ('#', '\u{E013}'),
    ('{', '\u{E014}'),
    ('}', '\u{E015}'),
    (':', '\u{E016}'),
];

fn escape_pre(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
        {
            if next == 'n' {
                chars.next();
                out.push('\n');
                continue;
            }
            if let Some((_, stand_in)) = ESCAPES.iter().find(|(e, _)| *e == next) {
                chars.next();
                out.push(*stand_in);
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn escape_post(text: &str) -> String {
    text.chars()
        .map(|c| ESCAPES.iter().find(|(_, s)| *s == c).map_or(c, |(e, _)| *e))
        .collect()
}

/// Reads a GIFT file into sections (one per `$CATEGORY`, its last level the title).
pub fn import(path: &Path) -> Result<Imported> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let text = crate::input::yaml::decode_text(&bytes, path)
        .map_err(|d| Error::diagnostics(format!("{} cannot be read", path.display()), vec![d]))?;
    let doc = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().to_string());
    let stem = path
        .file_stem()
        .map_or_else(String::new, |n| n.to_string_lossy().to_string());
    let mut imported = Imported::default();
    let mut section = new_section(&stem, &stem);
    let mut block: Vec<&str> = Vec::new();
    let mut block_line = 0;
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().chain(std::iter::once(&"")).enumerate() {
        if !line.trim().is_empty() {
            if block.is_empty() {
                block_line = i + 1;
            }
            block.push(line);
            continue;
        }
        if block.is_empty() {
            continue;
        }
        let origin = Origin {
            document: doc.clone(),
            paragraph: block_line,
        };
        match question(&block, origin, section.questions.len() + 1, &section.id) {
            Item::Category(path, id) => {
                if !section.questions.is_empty() {
                    imported.sections.push(section);
                }
                let title = path
                    .rsplit('/')
                    .next()
                    .unwrap_or(&path)
                    .replace('\u{E017}', "/");
                section = new_section(&title, &title);
                if let Some(id) = id {
                    section.id = id;
                }
            }
            Item::Question(q) => section.questions.push(*q),
            Item::Nothing => {}
        }
        block.clear();
    }
    if !section.questions.is_empty() {
        imported.sections.push(section);
    }
    Ok(imported)
}

fn new_section(name: &str, title: &str) -> DraftSection {
    DraftSection {
        id: drafts::id_from_name(name, "gift"),
        title: title.to_string(),
        questions: Vec::new(),
    }
}

enum Item {
    /// The category path and the section id examgen's export writes as a comment above it.
    Category(String, Option<String>),
    Question(Box<Draft>),
    Nothing,
}

fn question(lines: &[&str], origin: Origin, n: usize, section: &str) -> Item {
    let kept: Vec<&str> = lines
        .iter()
        .map(|l| {
            if l.trim_start().starts_with("//") {
                ""
            } else {
                *l
            }
        })
        .collect();
    let text = escape_pre(kept.join("\n").trim());
    if text.is_empty() {
        return Item::Nothing;
    }
    if let Some(category) = text.strip_prefix("$CATEGORY:") {
        // A doubled `/` is a `/` inside a name.
        let id = lines
            .iter()
            .filter_map(|l| l.trim().strip_prefix("//"))
            .map(str::trim)
            .find(|c| {
                !c.is_empty()
                    && c.chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
            })
            .map(str::to_string);
        return Item::Category(escape_post(category.trim()).replace("//", "\u{E017}"), id);
    }
    let (name, body) = match text.strip_prefix("::").and_then(|t| t.split_once("::")) {
        Some((name, body)) => (Some(escape_post(name.trim())), body.trim().to_string()),
        None => (None, text.clone()),
    };
    let id = name
        .filter(|n| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
        .unwrap_or_else(|| format!("{section}-{n:03}"));
    let mut d = Draft::new(id, origin);
    let (Some(open), Some(close)) = (body.find('{'), body.find('}')) else {
        d.problems
            .push("a description (no answer block): not a question".into());
        d.stem = plain(&body);
        d.kind = Some(QuestionType::Short);
        return Item::Question(Box::new(d));
    };
    let mut answers = body[open + 1..close].trim().to_string();
    let after = body[close + 1..].trim();
    let stem = if after.is_empty() {
        body[..open].trim().to_string()
    } else {
        format!("{}______{}", body[..open].trim_end(), after)
    };
    if let Some(at) = answers.rfind("####") {
        d.explanation = Some(plain(&answers[at + 4..])).filter(|e| !e.is_empty());
        answers = answers[..at].trim().to_string();
    }
    d.stem = plain(&stem);
    read_answers(&mut d, &answers, !after.is_empty());
    Item::Question(Box::new(d))
}

/// Text of a GIFT field: `[html]`/`[markdown]`/`[plain]` format marks dropped, escapes restored.
fn plain(text: &str) -> String {
    let t = text.trim();
    let t = ["[html]", "[plain]", "[markdown]", "[moodle]"]
        .iter()
        .find_map(|f| t.strip_prefix(f))
        .unwrap_or(t);
    escape_post(t).trim().to_string()
}

fn weight(answer: &str) -> (Option<f64>, &str) {
    let Some(rest) = answer.strip_prefix('%') else {
        return (None, answer);
    };
    match rest.split_once('%') {
        Some((w, text)) => (w.parse::<f64>().ok(), text),
        None => (None, answer),
    }
}

fn read_answers(d: &mut Draft, answers: &str, missing_word: bool) {
    let check = answers.split('#').next().unwrap_or("").trim();
    if answers.is_empty() {
        d.kind = Some(QuestionType::Short);
        d.problems
            .push("an essay without a reference answer (GIFT has none)".into());
    } else if answers.starts_with('#') {
        d.kind = Some(QuestionType::Short);
        d.problems
            .push("a numerical question: examgen has no numerical type".into());
    } else if answers.contains('~') {
        multichoice(d, answers, missing_word);
    } else if answers.contains("->") {
        d.kind = Some(QuestionType::Short);
        d.problems
            .push("a matching question: examgen has no matching type".into());
    } else if matches!(check, "T" | "TRUE" | "F" | "FALSE") {
        d.kind = Some(QuestionType::Judge);
        d.answer = Some(DraftAnswer::Judge(matches!(check, "T" | "TRUE")));
    } else {
        d.kind = Some(QuestionType::Blank);
        let mut alts = Vec::new();
        for a in answers.split('=').map(str::trim).filter(|a| !a.is_empty()) {
            let (w, text) = weight(a);
            let text = plain(text.split('#').next().unwrap_or(""));
            if w.is_some_and(|w| w < 100.0) {
                d.problems.push(format!(
                    "the answer `{text}` earns part marks, which examgen cannot give"
                ));
            }
            alts.push(text);
        }
        if crate::input::bank::blank_spans(&d.stem).is_empty() {
            d.stem.push_str("______");
        }
        d.answer = Some(DraftAnswer::Blanks(vec![alts]));
    }
}

fn multichoice(d: &mut Draft, answers: &str, missing_word: bool) {
    let single = answers.contains('=');
    let mut right = Vec::new();
    let parts: Vec<String> = answers
        .replace('=', "~=")
        .split('~')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    for (i, part) in parts.iter().enumerate() {
        let (correct, text) = match part.strip_prefix('=') {
            Some(t) => (true, t),
            None => {
                let (w, t) = weight(part);
                (w.is_some_and(|w| w > 0.0), t)
            }
        };
        if correct {
            right.push(i);
        }
        d.options.push(plain(text.split('#').next().unwrap_or("")));
    }
    d.kind = Some(if single {
        QuestionType::Single
    } else {
        QuestionType::Multiple
    });
    if single && right.len() > 1 {
        d.problems
            .push("several options marked `=` (right) in a single-answer question".into());
    }
    if missing_word {
        // The blank Moodle prints where the answers stood is the slot.
        d.stem = d.stem.replacen("______", "（　）", 1);
    }
    d.answer = Some(DraftAnswer::Letters(right));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_gift_question_type() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.gift");
        std::fs::write(
            &path,
            "// c\n$CATEGORY: examgen/社区//志愿\n\n::s-1::题干\\: 甲（　）。 {=对 ~错 ####因为\\{x\\}}\n\n::s-2::多选 {~%50%甲 ~%50%乙 ~%-100%丙}\n\n::s-3::说法 {FALSE}\n\n::s-4::首都是______。 {=北京 =Beijing}\n\n::s-5::简述。 {}\n",
        )
        .unwrap();
        let imported = import(&path).unwrap();
        let s = &imported.sections[0];
        assert_eq!(s.title, "社区/志愿");
        let q = &s.questions;
        assert_eq!(q[0].stem, "题干: 甲（　）。");
        assert_eq!(q[0].options, ["对", "错"]);
        assert_eq!(q[0].answer, Some(DraftAnswer::Letters(vec![0])));
        assert_eq!(q[0].explanation.as_deref(), Some("因为{x}"));
        assert_eq!(q[1].kind, Some(QuestionType::Multiple));
        assert_eq!(q[1].answer, Some(DraftAnswer::Letters(vec![0, 1])));
        assert_eq!(q[2].answer, Some(DraftAnswer::Judge(false)));
        assert_eq!(
            q[3].answer,
            Some(DraftAnswer::Blanks(vec![vec![
                "北京".into(),
                "Beijing".into()
            ]]))
        );
        assert!(!q[4].is_clean());
    }
}
