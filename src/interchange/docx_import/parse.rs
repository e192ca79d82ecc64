//! Walking a document's blocks with the rules: parts, questions with their stems, options and inline
//! answers, and the answer section at the end (or a separate key document) collected by question number.

use std::collections::BTreeMap;
use unicode_normalization::UnicodeNormalization;

use super::package::{Block, PIC_CLOSE, PIC_OPEN};
use super::rules::{self, Field, LineKind, PartKind};

/// A part heading: the type it names and its points per question.
#[derive(Debug, Clone)]
pub struct Part {
    pub kind: PartKind,
    pub points: Option<String>,
}

/// A question as read from the paper, before its answer is resolved.
#[derive(Debug, Clone, Default)]
pub struct Raw {
    pub number: usize,
    pub part: Option<usize>,
    pub paragraph: usize,
    pub stem: Vec<String>,
    pub options: Vec<String>,
    pub answer: Option<String>,
    pub answer_lines: Vec<String>,
    pub explanation: Vec<String>,
    pub topics: Vec<String>,
    pub points: Option<String>,
    pub problems: Vec<String>,
    /// Paragraphs after the options that are neither options nor markers.
    pub stray: Vec<String>,
    field: Option<Field>,
}

/// What an answer section (or key document) says about one question number.
#[derive(Debug, Clone, Default)]
pub struct KeyEntry {
    pub answer: Option<String>,
    pub answer_lines: Vec<String>,
    pub explanation: Vec<String>,
    pub topics: Vec<String>,
    /// Two places of the key give different answers.
    pub conflict: Option<String>,
    field: Option<Field>,
}

impl KeyEntry {
    fn set_answer(&mut self, answer: &str) {
        let answer = answer.trim().to_string();
        match &self.answer {
            Some(a) if comparable(a) != comparable(&answer) && !answer.is_empty() => {
                self.conflict = Some(format!("the key says both `{a}` and `{answer}`"));
            }
            Some(a) if !a.is_empty() => {}
            _ => self.answer = Some(answer),
        }
    }
}

/// A document read with the rules.
#[derive(Debug, Default)]
pub struct Parsed {
    pub title: Option<String>,
    pub parts: Vec<Part>,
    pub questions: Vec<Raw>,
    /// Answers at the end, by (part, question number); the part is 0 unless numbering restarts in each
    /// part, when it counts the key's own part headings.
    pub key: BTreeMap<(usize, usize), KeyEntry>,
    /// Part headings in the answer section (`一、单项选择题`, `一、1-5 BCADB`).
    pub key_parts: usize,
}

#[derive(PartialEq)]
enum Mode {
    Front,
    Instructions,
    Questions,
    Key,
}

struct Walker {
    parsed: Parsed,
    mode: Mode,
    current: Option<Raw>,
    /// Whether the current part numbers with `（1）` (decided by its first question).
    bracket_style: Option<bool>,
    last_number: usize,
    key_number: Option<usize>,
    /// Question numbers repeat (each part starts at 1): key entries are told apart by the key's parts.
    restarts: bool,
}

/// Reads a paper's blocks; `key` holds a separate key document's blocks, read as its answer section.
pub fn parse(blocks: &[Block], key: &[Block]) -> Parsed {
    let mut w = Walker {
        parsed: Parsed::default(),
        mode: Mode::Front,
        current: None,
        bracket_style: None,
        last_number: 0,
        key_number: None,
        restarts: false,
    };
    for block in blocks {
        w.block(block);
    }
    if !key.is_empty() {
        w.enter_key();
        for block in key {
            w.block(block);
        }
    }
    w.finish();
    w.parsed
}

/// Splits a paragraph at its markers: the text before the first, and each marker's field and text.
pub fn segments(text: &str) -> (String, Vec<(Field, String)>) {
    let mut hits: Vec<(usize, usize, Field)> = Vec::new();
    for (re, field) in rules::MARKER_RES.iter() {
        for m in re.find_iter(text) {
            if !hits.iter().any(|(s, e, _)| m.start() < *e && *s < m.end()) {
                hits.push((m.start(), m.end(), *field));
            }
        }
    }
    hits.sort_by_key(|h| h.0);
    let head_end = hits.first().map_or(text.len(), |h| h.0);
    let mut out = Vec::new();
    for (i, (_, end, field)) in hits.iter().enumerate() {
        let next = hits.get(i + 1).map_or(text.len(), |h| h.0);
        out.push((*field, text[*end..next].trim().to_string()));
    }
    (text[..head_end].trim().to_string(), out)
}

/// An answer as written, without its points (`B（2分）`).
pub fn clean_answer(text: &str) -> String {
    let t = rules::QUESTION_POINTS_RE.replace(text.trim(), "");
    let t = t.trim();
    let t = match t.rfind(['（', '(']) {
        Some(i) if t.ends_with("分）") || t.ends_with("分)") => t[..i].trim(),
        _ => t,
    };
    t.trim().to_string()
}

/// An answer as compared between two places (the inline one and the key's): without its closing stop.
pub fn comparable(text: &str) -> String {
    clean_answer(text)
        .trim_end_matches(['。', '.'])
        .trim()
        .to_string()
}

fn trim(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace())
}

impl Walker {
    fn block(&mut self, block: &Block) {
        match block {
            Block::Para {
                number,
                text,
                auto_numbered,
            } => self.paragraph(*number, text, *auto_numbered),
            Block::Table { number, rows } => self.table(*number, rows),
        }
    }

    fn paragraph(&mut self, number: usize, text: &str, auto_numbered: bool) {
        let t = trim(text);
        if t.is_empty() {
            return;
        }
        let class = rules::classify(t).map(|(k, c)| {
            let n = c
                .name("n")
                .or_else(|| c.name("n2"))
                .and_then(|m| m.as_str().parse::<usize>().ok());
            let rest = c.name("rest").map(|m| m.as_str().to_string());
            let title = c.name("title").map(|m| m.as_str().to_string());
            let rule = c.name("rule").map(|m| m.as_str().to_string());
            (k, n, rest, title, rule)
        });
        match class {
            Some((LineKind::AnswerSection, ..)) => {
                self.enter_key();
                return;
            }
            // Only before the questions: 说明 inside a question must not swallow the ones after it.
            Some((LineKind::Instructions, ..)) if self.mode == Mode::Front => {
                self.finish();
                self.mode = Mode::Instructions;
                return;
            }
            Some((LineKind::PartHeading, _, _, Some(title), rule)) => {
                self.finish();
                if self.mode == Mode::Key {
                    self.key_number = None;
                    self.parsed.key_parts += 1;
                } else {
                    self.part(&title, rule.as_deref());
                }
                return;
            }
            _ => {}
        }
        if self.mode == Mode::Key {
            self.key_paragraph(
                t,
                class.and_then(|(k, n, rest, ..)| (k == LineKind::Question).then_some((n?, rest?))),
            );
            return;
        }
        if self.mode == Mode::Front && self.parsed.title.is_none() && class.is_none() {
            if !rules::NOT_TITLE_RE.is_match(t) {
                self.parsed.title = Some(t.to_string());
            }
            return;
        }
        if self.mode == Mode::Instructions {
            // Numbered instructions (1．答题前…) end where numbering starts again at 1 without a part heading.
            match class {
                Some((LineKind::Question, Some(n), ..)) if n == 1 && self.last_number > 0 => {
                    self.last_number = 0;
                    self.mode = Mode::Questions;
                }
                Some((LineKind::Question, Some(n), ..)) => {
                    self.last_number = n;
                    return;
                }
                _ => return,
            }
        }
        if let Some((
            kind @ (LineKind::Question | LineKind::BracketQuestion),
            Some(n),
            Some(rest),
            ..,
        )) = class
            && self.starts_question(kind == LineKind::BracketQuestion, n)
        {
            self.start(number, n, &rest);
            return;
        }
        if auto_numbered
            && rules::option_label(t).is_none()
            && self
                .current
                .as_ref()
                .is_none_or(|q| !q.options.is_empty() || q.answer.is_some())
            && self.mode == Mode::Questions
        {
            // Word's list numbering holds the number outside the text.
            let n = self.last_number + 1;
            self.start(number, n, t);
            if let Some(q) = &mut self.current {
                q.problems
                    .push("numbered by Word's automatic list numbering: check the number".into());
            }
            return;
        }
        self.continuation(t);
    }

    fn part(&mut self, title: &str, rule: Option<&str>) {
        let Some(kind) = rules::part_kind(title) else {
            return;
        };
        let points = rule
            .and_then(|r| rules::PART_POINTS_RE.captures(r))
            .map(|c| c["p"].to_string());
        self.parsed.parts.push(Part { kind, points });
        if self.mode == Mode::Instructions {
            self.last_number = 0;
        }
        self.mode = Mode::Questions;
        self.bracket_style = None;
    }

    /// A numbered paragraph starts a question when it uses the part's numbering style and its number is
    /// the next one, a restart at 1, or a small jump (a gap, reported on the question).
    fn starts_question(&mut self, bracket: bool, n: usize) -> bool {
        if self.mode == Mode::Front && bracket {
            return false;
        }
        match self.bracket_style {
            Some(style) if style != bracket => return false,
            None => self.bracket_style = Some(bracket),
            _ => {}
        }
        let next = self.last_number + 1;
        n == next || n == 1 || (n > next && n <= next + 5)
    }

    fn start(&mut self, paragraph: usize, n: usize, rest: &str) {
        self.finish();
        self.mode = Mode::Questions;
        let mut q = Raw {
            number: n,
            part: self.parsed.parts.len().checked_sub(1),
            paragraph,
            ..Raw::default()
        };
        let next = self.last_number + 1;
        if n > next && n != 1 {
            q.problems.push(format!(
                "numbering gap: question {} is missing before {n}",
                if n == next + 1 {
                    next.to_string()
                } else {
                    format!("{next}–{}", n - 1)
                }
            ));
        } else if n < next && n != 1 {
            q.problems.push(format!(
                "question number {n} comes after {}",
                self.last_number
            ));
        }
        self.last_number = n;
        let mut rest = rest.to_string();
        if let Some(c) = rules::QUESTION_POINTS_RE.captures(&rest) {
            q.points = Some(c["p"].to_string());
            let end = c.get(0).map_or(0, |m| m.end());
            rest = rest[end..].to_string();
        }
        self.current = Some(q);
        self.continuation(&rest);
    }

    /// Text inside a question: options, markers, or more of the field being written.
    fn continuation(&mut self, text: &str) {
        let Some(q) = self.current.as_mut() else {
            return;
        };
        let (head, segs) = segments(text);
        if !head.is_empty() {
            q.text(&head);
        }
        for (field, value) in segs {
            q.field = Some(field);
            match field {
                Field::Answer => q.answer = Some(value),
                Field::Explanation if !value.is_empty() => q.explanation.push(value),
                Field::Topic if !value.is_empty() => q.topics.push(value),
                _ => {}
            }
        }
    }

    fn table(&mut self, _number: usize, rows: &[Vec<String>]) {
        if key_table(rows).is_some() && (self.mode == Mode::Key || self.current.is_some()) {
            if self.mode != Mode::Key {
                self.enter_key();
            }
            for (n, answer) in key_table(rows).unwrap_or_default() {
                self.key_entry(n).set_answer(&answer);
            }
            return;
        }
        if self.mode == Mode::Key {
            return;
        }
        if let Some(q) = self.current.as_mut() {
            let table = pipe_table(rows);
            if q.options.is_empty() && q.field.is_none() {
                q.stem.push(table);
            } else {
                q.stray.push("a table".into());
            }
        }
    }

    fn key_paragraph(&mut self, text: &str, numbered: Option<(usize, String)>) {
        if rules::KEY_PART_PREFIX_RE.is_match(text) {
            self.parsed.key_parts += 1;
        }
        let text = &*rules::KEY_PART_PREFIX_RE.replace(text, "");
        // Keys are typed with full-width spaces, digits and letters (`1．Ａ　2．Ｃ`); the rules are ASCII.
        let folded: String = text.nfkc().collect();
        if rules::KEY_RUNS_LINE_RE.is_match(&folded) {
            for c in rules::KEY_RUN_RE.captures_iter(&folded) {
                let (a, b) = (
                    c["a"].parse::<usize>().unwrap_or(0),
                    c["b"].parse::<usize>().unwrap_or(0),
                );
                let letters: Vec<char> = c["ans"].chars().collect();
                if b < a || b - a + 1 != letters.len() {
                    let e = self.key_entry(a);
                    e.conflict = Some(format!(
                        "the run `{}` has {} answers for {} questions",
                        &c[0].trim(),
                        letters.len(),
                        b.saturating_sub(a) + 1
                    ));
                    continue;
                }
                for (i, l) in letters.iter().enumerate() {
                    self.key_entry(a + i).set_answer(&l.to_string());
                }
            }
            self.key_number = None;
            return;
        }
        if rules::KEY_PAIRS_LINE_RE.is_match(&folded) {
            for c in rules::KEY_PAIR_RE.captures_iter(&folded) {
                let n = c["n"].parse::<usize>().unwrap_or(0);
                self.key_entry(n).set_answer(&c["ans"]);
            }
            self.key_number = None;
            return;
        }
        let body = match numbered {
            Some((n, rest)) => {
                self.key_number = Some(n);
                self.key_entry(n).field = Some(Field::Answer);
                rest
            }
            None => text.to_string(),
        };
        let Some(n) = self.key_number else {
            return;
        };
        let entry = self.key_entry(n);
        let (head, segs) = segments(&body);
        if !head.is_empty() {
            match entry.field {
                Some(Field::Explanation) => entry.explanation.push(head),
                Some(Field::Topic) => entry.topics.push(head),
                _ if entry.answer.is_none() => entry.set_answer(&head),
                _ => entry.answer_lines.push(head),
            }
        }
        for (field, value) in segs {
            entry.field = Some(field);
            match field {
                Field::Answer => {
                    if entry.answer.as_deref().is_some_and(|a| !a.is_empty()) && !value.is_empty() {
                        entry.set_answer(&value);
                    } else {
                        entry.answer = Some(value);
                    }
                }
                Field::Explanation if !value.is_empty() => entry.explanation.push(value),
                Field::Topic if !value.is_empty() => entry.topics.push(value),
                _ => {}
            }
        }
    }

    fn enter_key(&mut self) {
        self.finish();
        self.mode = Mode::Key;
        let mut numbers: Vec<usize> = self.parsed.questions.iter().map(|q| q.number).collect();
        numbers.sort_unstable();
        self.restarts = numbers.windows(2).any(|w| w[0] == w[1]);
    }

    /// The key entry of question `n`, in the key's current part when numbering restarts per part.
    fn key_entry(&mut self, n: usize) -> &mut KeyEntry {
        let part = if self.restarts {
            self.parsed.key_parts.saturating_sub(1)
        } else {
            0
        };
        self.parsed.key.entry((part, n)).or_default()
    }

    fn finish(&mut self) {
        if let Some(q) = self.current.take() {
            self.parsed.questions.push(q);
        }
    }
}

impl Raw {
    /// Paragraph text without a marker: options, or more of the current field.
    fn text(&mut self, text: &str) {
        match self.field {
            Some(Field::Answer) => {
                if self.answer.as_deref().is_some_and(|a| !a.is_empty()) {
                    self.answer_lines.push(text.to_string());
                } else {
                    self.answer = Some(text.to_string());
                }
                return;
            }
            Some(Field::Explanation) => return self.explanation.push(text.to_string()),
            Some(Field::Topic) => return self.topics.push(text.to_string()),
            _ => {}
        }
        let bare = rules::BARE_LABELS_RE
            .is_match(text)
            .then(|| {
                text.split_whitespace()
                    .map(|_| String::new())
                    .collect::<Vec<_>>()
            })
            .filter(|_| self.options.is_empty() && text.starts_with('A'))
            .map(|labels| (String::new(), labels));
        if let Some((stem_part, options)) = bare.or_else(|| split_options(text, self.options.len()))
        {
            if !stem_part.is_empty() {
                if self.options.is_empty() {
                    self.stem.push(stem_part);
                } else {
                    self.stray.push(stem_part);
                }
            }
            if options.iter().all(String::is_empty) && self.options.is_empty() {
                // Labels under a row of pictures: the pictures are the options.
                if let Some(pics) = self.stem.last().map(|l| pictures_only(l))
                    && pics.len() == options.len()
                {
                    self.stem.pop();
                    self.options = pics;
                    return;
                }
            }
            self.options.extend(options);
        } else if self.options.is_empty() {
            self.stem.push(text.to_string());
        } else {
            self.stray.push(text.to_string());
        }
    }
}

/// The options of a line whose labels run on from letter `first` (`A．甲\tB．乙`): each label must start
/// the line or follow white space or a picture, so `A、B都对` stays one option. Text before the first
/// label comes back as the stem part (a stem and its options on one line).
pub fn split_options(line: &str, first: usize) -> Option<(String, Vec<String>)> {
    let mut starts: Vec<(usize, usize)> = Vec::new(); // (label start, text start)
    let mut expected = first;
    let mut at = 0;
    let mut prev: Option<char> = None;
    for (i, c) in line.char_indices() {
        if i < at {
            prev = Some(c);
            continue;
        }
        let boundary = prev.is_none_or(|p| {
            p.is_whitespace() || p == PIC_CLOSE || p == '）' || p == ')' || p == '。'
        });
        if boundary
            && let Some((letter, len)) = rules::option_label(&line[i..])
            && letter == expected
            && (starts.is_empty() && (i == 0 || prev.is_some_and(char::is_whitespace))
                || !starts.is_empty())
        {
            starts.push((i, i + len));
            expected += 1;
            at = i + len;
        }
        prev = Some(c);
    }
    // A line holding only the first label and prose is not an option line unless it starts with it.
    let (first_start, _) = *starts.first()?;
    if first_start != 0 && starts.len() < 2 {
        return None;
    }
    let stem = trim(&line[..first_start]).to_string();
    let options = starts
        .iter()
        .enumerate()
        .map(|(k, (_, text_start))| {
            let end = starts.get(k + 1).map_or(line.len(), |s| s.0);
            trim(&line[*text_start..end]).to_string()
        })
        .collect();
    Some((stem, options))
}

/// The picture markers of a line that holds nothing else.
fn pictures_only(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return out;
        }
        let Some(stripped) = rest.strip_prefix(PIC_OPEN) else {
            return Vec::new();
        };
        let Some(end) = stripped.find(PIC_CLOSE) else {
            return Vec::new();
        };
        out.push(format!("{PIC_OPEN}{}{PIC_CLOSE}", &stripped[..end]));
        rest = &stripped[end + PIC_CLOSE.len_utf8()..];
    }
}

/// A 题号/答案 table: rows (or columns) headed 题号 and 答案, as question number → answer.
pub fn key_table(rows: &[Vec<String>]) -> Option<Vec<(usize, String)>> {
    let head = |cell: Option<&String>, word: &str| cell.is_some_and(|c| c.trim() == word);
    let mut out = Vec::new();
    // Horizontal: a 题号 row, then an 答案 row under it.
    for pair in rows.windows(2) {
        if head(pair[0].first(), "题号") && head(pair[1].first(), "答案") {
            for (n, a) in pair[0].iter().zip(&pair[1]).skip(1) {
                if let Ok(n) = n.trim().parse::<usize>() {
                    out.push((n, a.trim().to_string()));
                }
            }
        }
    }
    // Vertical: a header row 题号 | 答案, then one row per question.
    if out.is_empty()
        && rows
            .first()
            .is_some_and(|r| head(r.first(), "题号") && head(r.get(1), "答案"))
    {
        for row in &rows[1..] {
            if let (Some(n), Some(a)) = (row.first(), row.get(1))
                && let Ok(n) = n.trim().parse::<usize>()
            {
                out.push((n, a.trim().to_string()));
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A Word table as a Markdown pipe table (the first row the header), `|` in a cell escaped.
pub fn pipe_table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let line = |row: &[String]| {
        let cells: Vec<String> = (0..columns)
            .map(|i| {
                row.get(i)
                    .map_or(String::new(), |c| c.replace('|', "\\|").replace('\n', " "))
            })
            .collect();
        format!("| {} |", cells.join(" | "))
    };
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        out.push(line(row));
        if i == 0 {
            out.push(format!("|{}", "---|".repeat(columns)));
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_split_on_labels_after_white_space() {
        let (stem, o) = split_options("A．甲\tB．乙  C．丙　D．丁", 0).unwrap();
        assert_eq!(stem, "");
        assert_eq!(o, ["甲", "乙", "丙", "丁"]);
        let (_, o) = split_options("C. A、B都对 D. 以上都不对", 2).unwrap();
        assert_eq!(o, ["A、B都对", "以上都不对"]);
        let (stem, o) = split_options("下列正确的是（　） A.甲 B.乙", 0).unwrap();
        assert_eq!((stem.as_str(), o.len()), ("下列正确的是（　）", 2));
        assert!(split_options("这是A．一句话", 0).is_none());
    }

    #[test]
    fn markers_split_a_paragraph() {
        let (head, segs) = segments("1．【答案】B（2分）【解析】因为……故选B");
        assert_eq!(head, "1．");
        assert_eq!(segs[0], (Field::Answer, "B（2分）".to_string()));
        assert_eq!(segs[1].0, Field::Explanation);
        assert_eq!(clean_answer("B（2分）"), "B");
        let rows = vec![
            vec!["题号".to_string(), "1".into(), "2".into()],
            vec!["答案".to_string(), "B".into(), "√".into()],
        ];
        assert_eq!(
            key_table(&rows).unwrap(),
            [(1, "B".to_string()), (2, "√".to_string())]
        );
    }

    #[test]
    fn key_lines_typed_with_full_width_spaces_digits_and_letters() {
        let paras = [
            "一、单项选择题",
            "1．甲是（　　）。",
            "A．一　B．二　C．三　D．四",
            "2．乙是（　　）。",
            "A．一　B．二　C．三　D．四",
            "参考答案",
            "1．Ａ　　２．c",
        ];
        let blocks: Vec<Block> = paras
            .iter()
            .enumerate()
            .map(|(i, t)| Block::Para {
                number: i + 1,
                text: t.to_string(),
                auto_numbered: false,
            })
            .collect();
        let parsed = parse(&blocks, &[]);
        let answers: Vec<_> = parsed
            .key
            .iter()
            .map(|(&(_, n), e)| (n, e.answer.clone().unwrap_or_default()))
            .collect();
        assert_eq!(answers, [(1, "A".to_string()), (2, "c".to_string())]);
    }
}
