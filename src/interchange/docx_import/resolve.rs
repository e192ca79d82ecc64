//! From a question as read to a draft: its type (the part's, or what its options and answer show beyond
//! doubt), its answer (inline, or joined from the key by number) read in the type's terms, its stem and
//! options with pictures as the bank's image markup. Anything not certain becomes a problem.

use super::package::{EQUATION, PIC_CLOSE, PIC_OPEN};
use super::parse::{KeyEntry, Parsed, Raw, clean_answer, comparable};
use super::rules::{self, PartKind};
use crate::input::bank::{self, QuestionType};
use crate::interchange::drafts::{Draft, DraftAnswer, Origin};

/// Turns picture markers into `![](img/…){width=…}` with the names the document's pictures were given.
pub struct Pictures<'a> {
    pub names: &'a [String],
    pub widths: &'a [Option<u32>],
    /// Pictures in a format the bank cannot print (EMF, WMF): their indices.
    pub unprintable: &'a [usize],
}

impl Pictures<'_> {
    /// `text` with markers replaced, and problems for pictures and equations that cannot go in as they are.
    pub fn markup(&self, text: &str, problems: &mut Vec<String>) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(open) = rest.find(PIC_OPEN) {
            out.push_str(&rest[..open]);
            let after = &rest[open + PIC_OPEN.len_utf8()..];
            let Some(close) = after.find(PIC_CLOSE) else {
                break;
            };
            let index: usize = after[..close].parse().unwrap_or(usize::MAX);
            if let Some(name) = self.names.get(index) {
                if self.unprintable.contains(&index) {
                    problems.push(format!(
                        "the picture {name} is EMF/WMF, which examgen cannot print: save it as PNG"
                    ));
                }
                let width = self
                    .widths
                    .get(index)
                    .copied()
                    .flatten()
                    .filter(|w| *w <= 170)
                    .map_or(String::new(), |w| format!("{{width={w}mm}}"));
                out.push_str(&format!("![](img/{name}){width}"));
            }
            rest = &after[close + PIC_CLOSE.len_utf8()..];
        }
        out.push_str(rest);
        if out.contains(EQUATION) {
            // OMML → LaTeX belongs here once the bank has formulas.
            problems.push("a Word equation is not converted yet: type it as text".into());
            out = out.replace(EQUATION, "〔公式〕");
        }
        out
    }
}

/// The drafts of one document: its questions with their answers joined from the key.
pub fn drafts(parsed: &Parsed, doc: &str, id_base: &str, pictures: &Pictures) -> Vec<Draft> {
    let unique = {
        let mut numbers: Vec<usize> = parsed.questions.iter().map(|q| q.number).collect();
        numbers.sort_unstable();
        numbers.windows(2).all(|w| w[0] != w[1])
    };
    parsed
        .questions
        .iter()
        .map(|raw| {
            let id = if unique {
                format!("{id_base}-{:02}", raw.number)
            } else {
                format!(
                    "{id_base}-{}-{:02}",
                    raw.part.map_or(0, |p| p + 1),
                    raw.number
                )
            };
            // Numbers that restart in each part join the key part by part, and only when the key has as
            // many parts as the paper (otherwise an answer could land on another part's question).
            let key = if unique {
                parsed.key.get(&(0, raw.number))
            } else if parsed.key_parts == parsed.parts.len() {
                parsed.key.get(&(raw.part.unwrap_or(0), raw.number))
            } else {
                None
            };
            let part = raw.part.and_then(|p| parsed.parts.get(p));
            draft(raw, key, part, doc, id, pictures)
        })
        .collect()
}

fn draft(
    raw: &Raw,
    key: Option<&KeyEntry>,
    part: Option<&super::parse::Part>,
    doc: &str,
    id: String,
    pictures: &Pictures,
) -> Draft {
    let mut d = Draft::new(
        id,
        Origin {
            document: doc.to_string(),
            paragraph: raw.paragraph,
        },
    );
    d.problems = raw.problems.clone();
    let mut problems = Vec::new();
    d.stem = pictures.markup(raw.stem.join("\n").trim(), &mut problems);
    d.options = raw
        .options
        .iter()
        .map(|o| pictures.markup(o, &mut problems))
        .collect();
    let mut explanation: Vec<String> = raw.explanation.clone();
    let mut topics = raw.topics.clone();
    let mut answer = raw.answer.clone().filter(|a| !clean_answer(a).is_empty());
    let mut answer_lines = raw.answer_lines.clone();
    if let Some(k) = key {
        if let Some(c) = &k.conflict {
            d.problems.push(c.clone());
        }
        match (&answer, &k.answer) {
            (Some(a), Some(b)) if !clean_answer(b).is_empty() && comparable(a) != comparable(b) => {
                d.problems
                    .push(format!("the answer `{a}` here and `{b}` in the key differ"))
            }
            (None, Some(b)) => answer = Some(b.clone()),
            _ => {}
        }
        if answer_lines.is_empty() {
            answer_lines = k.answer_lines.clone();
        }
        if explanation.is_empty() {
            explanation = k.explanation.clone();
        }
        if topics.is_empty() {
            topics = k.topics.clone();
        }
    }
    let explanation = pictures.markup(explanation.join("\n").trim(), &mut problems);
    d.explanation = (!explanation.is_empty()).then_some(explanation);
    d.comments = topics.iter().map(|t| format!("考点：{t}")).collect();
    d.points = raw
        .points
        .clone()
        .or_else(|| part.and_then(|p| p.points.clone()));
    if !raw.stray.is_empty() {
        d.problems.push(format!(
            "text after the options that is no option: `{}` (an option without its label, or more of one?)",
            raw.stray.join(" ").chars().take(20).collect::<String>()
        ));
    }
    // 故选B in the explanation states the answer too.
    let chosen = d
        .explanation
        .as_deref()
        .and_then(|e| rules::CHOSEN_RE.captures(e))
        .map(|c| c["a"].to_uppercase());
    match (&answer, &chosen) {
        (None, Some(c)) => answer = Some(c.clone()),
        (Some(a), Some(c))
            if letters(&clean_answer(a)).is_some_and(|l| l != letters(c).unwrap_or_default()) =>
        {
            d.problems
                .push(format!("the answer `{a}` and `故选{c}` differ"))
        }
        _ => {}
    }
    // A teacher's copy writes the answer into the slot: `（ A ）`, `（√）`. The slot is emptied either way.
    if let Some((stem, typed)) = answer_in_slot(&d.stem, d.options.len()) {
        d.stem = stem;
        match &answer {
            None => answer = Some(typed),
            Some(a) if comparable(a) != comparable(&typed) => d.problems.push(format!(
                "the answer `{a}` and `{typed}` written in the stem differ"
            )),
            Some(_) => {}
        }
    }
    let answer = answer.map(|a| pictures.markup(&clean_answer(&a), &mut problems));
    let answer_lines: Vec<String> = answer_lines
        .iter()
        .map(|l| pictures.markup(l, &mut problems))
        .collect();
    resolve_kind_and_answer(&mut d, part.map(|p| p.kind), answer, &answer_lines);
    if d.stem.is_empty() {
        d.problems.push("the stem is empty".into());
    }
    problems.dedup();
    d.problems.extend(problems);
    d
}

/// The stem with its slot emptied and the answer written in it (`社会工作的本质是（ A ）。` → `…（　）。`,
/// `A`): option letters of a choice question (`option_count` > 0) or a judge word (√, ×, 对, 错…) of one
/// without options. Only when exactly one bracket of the stem holds such an answer.
fn answer_in_slot(stem: &str, option_count: usize) -> Option<(String, String)> {
    let mut found = None;
    let mut open: Option<usize> = None;
    for (i, c) in stem.char_indices() {
        match c {
            '（' | '(' => open = Some(i),
            '）' | ')' => {
                let Some(start) = open.take() else { continue };
                let opener = stem[start..].chars().next().map_or(1, char::len_utf8);
                let inside = stem[start + opener..i].trim();
                let is_answer = if option_count > 0 {
                    inside.chars().any(|c| c.is_alphabetic())
                        && letters(inside).is_some_and(|l| l.iter().all(|&i| i < option_count))
                } else {
                    rules::judge_word(inside).is_some()
                };
                if is_answer {
                    if found.is_some() {
                        return None;
                    }
                    found = Some((start, i + c.len_utf8(), inside.to_string()));
                }
            }
            _ => {}
        }
    }
    let (start, end, typed) = found?;
    Some((format!("{}（　）{}", &stem[..start], &stem[end..]), typed))
}

/// Option indices of an answer written as letters (`ACD`, `A、C`, `ａ`), or None for anything else.
pub fn letters(text: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for c in text.chars() {
        match c {
            'A'..='H' => out.push(c as usize - 'A' as usize),
            'a'..='h' => out.push(c as usize - 'a' as usize),
            'Ａ'..='Ｈ' => out.push(c as usize - 'Ａ' as usize),
            ',' | '，' | '、' | ' ' | '　' | ';' | '；' | '。' | '.' => {}
            _ => return None,
        }
    }
    out.sort_unstable();
    out.dedup();
    (!out.is_empty()).then_some(out)
}

fn resolve_kind_and_answer(
    d: &mut Draft,
    part: Option<PartKind>,
    answer: Option<String>,
    answer_lines: &[String],
) {
    let letter_answer = answer.as_deref().and_then(letters);
    let kind = match part {
        Some(PartKind::Known(k)) => Some(k),
        Some(PartKind::Choice) => match &letter_answer {
            Some(v) if v.len() == 1 => Some(QuestionType::Single),
            Some(_) => Some(QuestionType::Multiple),
            None => None,
        },
        // No part heading: only what the question itself shows beyond doubt.
        None if !d.options.is_empty() => match &letter_answer {
            Some(v) if v.len() == 1 => Some(QuestionType::Single),
            Some(_) => Some(QuestionType::Multiple),
            None => None,
        },
        None if answer.as_deref().and_then(rules::judge_word).is_some() => {
            Some(QuestionType::Judge)
        }
        None if !bank::blank_spans(&d.stem).is_empty() => Some(QuestionType::Blank),
        None => None,
    };
    let Some(kind) = kind else {
        d.problems.push(
            "the question type is not certain (no part heading such as 一、单项选择题 names it)"
                .into(),
        );
        d.kind = Some(if d.options.is_empty() {
            QuestionType::Short
        } else {
            QuestionType::Single
        });
        d.answer = answer.map(DraftAnswer::Text);
        return;
    };
    d.kind = Some(kind);
    if kind.has_options() {
        d.stem = bank::normalize_slots(&d.stem).replace(bank::SLOT, "（　）");
        if d.options.is_empty() {
            d.problems
                .push("no options found (labels A． B． …)".into());
        }
    } else if !d.options.is_empty() {
        d.problems.push(format!(
            "options found on a {} question",
            kind.chinese_name()
        ));
    }
    if kind == QuestionType::Judge {
        d.stem = strip_trailing_slot(&d.stem);
    }
    let Some(answer_text) = answer
        .filter(|a| !a.is_empty())
        .or_else(|| (kind == QuestionType::Short && !answer_lines.is_empty()).then(String::new))
    else {
        d.problems.push("no answer found".into());
        return;
    };
    d.answer = read_answer(d, kind, &answer_text, answer_lines);
}

fn read_answer(
    d: &mut Draft,
    kind: QuestionType,
    text: &str,
    lines: &[String],
) -> Option<DraftAnswer> {
    match kind {
        QuestionType::Single | QuestionType::Multiple => {
            let Some(v) = letters(text) else {
                d.problems
                    .push(format!("the answer `{text}` is not option letters"));
                return None;
            };
            if kind == QuestionType::Single && v.len() > 1 {
                d.problems.push(format!(
                    "the answer `{text}` has several letters in a 单项选择 part"
                ));
            }
            if v.iter().any(|i| *i >= d.options.len()) {
                d.problems.push(format!(
                    "the answer `{text}` names an option that is not there"
                ));
            }
            Some(DraftAnswer::Letters(v))
        }
        QuestionType::Judge => match rules::judge_word(text) {
            Some(t) => Some(DraftAnswer::Judge(t)),
            None => {
                d.problems.push(format!(
                    "the answer `{text}` is not 对/错, √/× or 正确/错误"
                ));
                None
            }
        },
        QuestionType::Blank => blanks(d, text, lines).map(DraftAnswer::Blanks),
        QuestionType::Short => {
            let mut all: Vec<&str> = Vec::new();
            if !text.is_empty() {
                all.push(text);
            }
            all.extend(lines.iter().map(String::as_str));
            Some(DraftAnswer::Text(all.join("\n")))
        }
    }
}

/// One answer per blank: `(1) x` lines, or the answer split at `；` (or wide spaces) into as many parts
/// as the stem has blanks; alternatives written `x/y` or `x|y`.
fn blanks(d: &mut Draft, text: &str, lines: &[String]) -> Option<Vec<Vec<String>>> {
    let count = bank::blank_spans(&d.stem).len();
    let numbered: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            let t = l.trim();
            let c = rules::classify(t)?;
            matches!(
                c.0,
                rules::LineKind::BracketQuestion | rules::LineKind::Question
            )
            .then(|| c.1["rest"].trim().to_string())
        })
        .collect();
    let candidates: Vec<Vec<String>> = [
        numbered,
        text.split(['；', ';'])
            .map(|s| s.trim().to_string())
            .collect(),
        text.split(['，', ',', '、'])
            .map(|s| s.trim().to_string())
            .collect(),
        text.split_whitespace().map(str::to_string).collect(),
    ]
    .into_iter()
    .filter(|parts| !parts.is_empty() && parts.iter().all(|p| !p.is_empty()))
    .collect();
    if count == 0 {
        d.problems.push("no blank (____) in the stem".into());
        return None;
    }
    let Some(parts) = candidates.into_iter().find(|p| p.len() == count) else {
        d.problems.push(format!(
            "{count} blank(s) in the stem but the answer `{text}` does not split into {count}"
        ));
        return None;
    };
    Some(
        parts
            .iter()
            .map(|p| {
                p.split(['/', '|', '／'])
                    .map(|a| a.trim().trim_end_matches(['。', '.']).trim().to_string())
                    .filter(|a| !a.is_empty())
                    .collect()
            })
            .collect(),
    )
}

/// A judge stem without the slot the paper printed after it (the paper adds its own).
fn strip_trailing_slot(stem: &str) -> String {
    let trimmed = stem.trim_end();
    match bank::answer_slots(trimmed).last() {
        Some(r) if r.end == trimmed.len() => trimmed[..r.start].trim_end().to_string(),
        Some(r) if trimmed[r.end..].trim() == "。" => {
            format!("{}。", trimmed[..r.start].trim_end())
        }
        _ => stem.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_written_in_the_slot_of_a_teachers_copy() {
        let took = |stem: &str, options| answer_in_slot(stem, options);
        assert_eq!(
            took("社会工作的本质是（ A ）。", 4),
            Some(("社会工作的本质是（　）。".into(), "A".into()))
        );
        assert_eq!(
            took("（2020年）下列属于价值观的有(ABC)", 4),
            Some(("（2020年）下列属于价值观的有（　）".into(), "ABC".into()))
        );
        assert_eq!(took("服务对象可以自决。（√）", 0).unwrap().1, "√");
        // An empty slot, a letter beyond the options, two candidate brackets: not an answer.
        assert_eq!(took("本质是（　）。", 4), None);
        assert_eq!(took("本质是（ E ）。", 4), None);
        assert_eq!(took("在（A）区和（B）区之间的是（　）", 4), None);
        assert_eq!(took("本质是（ A ）。", 0), None);
    }

    #[test]
    fn letters_and_slots() {
        assert_eq!(letters("A、C"), Some(vec![0, 2]));
        assert_eq!(letters("ｂ"), None);
        assert_eq!(letters("Ｂ"), Some(vec![1]));
        assert_eq!(letters("18"), None);
        assert_eq!(strip_trailing_slot("说法正确。（　　）"), "说法正确。");
        assert_eq!(strip_trailing_slot("说法（ ）。"), "说法。");
    }
}
