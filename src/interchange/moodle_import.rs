//! Moodle XML import: categories become sections, multichoice (single and multiple), truefalse,
//! shortanswer, multianswer (Cloze short answers) and essay become questions; HTML text becomes the bank's
//! text with `<img src="@@PLUGINFILE@@/…">` pictures saved from their base64 `<file>` elements.

use std::path::Path;

use base64::Engine as _;
use roxmltree::{Document, Node};

use crate::error::{Error, Result};
use crate::input::bank::QuestionType;
use crate::interchange::drafts::{
    self, Draft, DraftAnswer, DraftImage, DraftSection, Imported, Origin,
};

/// Reads a Moodle XML file; an unreadable one is an error at its line and column.
pub fn import(path: &Path) -> Result<Imported> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes));
    let xml = Document::parse(&text).map_err(|e| {
        let at = e.pos();
        Error::input(format!(
            "{}:{}:{}: not well-formed XML: {e}",
            path.display(),
            at.row,
            at.col
        ))
        .because(
            "export the questions from Moodle again (Question bank → Export → Moodle XML format)",
        )
    })?;
    if xml.root_element().tag_name().name() != "quiz" {
        return Err(Error::input(format!(
            "{} is not Moodle XML (its root element is <{}>, not <quiz>)",
            path.display(),
            xml.root_element().tag_name().name()
        )));
    }
    let doc = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().to_string());
    let stem = path
        .file_stem()
        .map_or_else(String::new, |n| n.to_string_lossy().to_string());
    let mut imported = Imported::default();
    let mut section = DraftSection {
        id: drafts::id_from_name(&stem, "moodle"),
        title: stem.clone(),
        questions: Vec::new(),
    };
    for (n, q) in xml
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("question"))
        .enumerate()
    {
        if q.attribute("type") == Some("category") {
            flush(&mut imported, std::mem::replace(&mut section, category(q)));
            continue;
        }
        let origin = Origin {
            document: doc.clone(),
            paragraph: n + 1,
        };
        if let Some(d) = question(q, origin, &mut imported.images) {
            section.questions.push(d);
        }
    }
    flush(&mut imported, section);
    Ok(imported)
}

/// Adds a finished section, its id taken from its questions' ids when they share a prefix (as examgen's
/// ids do: `cw-001` in section `cw`), so a bank exported and imported keeps its section ids.
fn flush(imported: &mut Imported, mut section: DraftSection) {
    if section.questions.is_empty() {
        return;
    }
    let prefixes: Vec<Option<&str>> = section
        .questions
        .iter()
        .map(|q| q.id.rsplit_once('-').map(|(p, _)| p))
        .collect();
    if let Some(Some(first)) = prefixes.first()
        && prefixes.iter().all(|p| p == &Some(*first))
        && first
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        section.id = first.to_string();
    }
    imported.sections.push(section);
}

fn category(q: Node) -> DraftSection {
    let path = child_text(q, "category").unwrap_or_default();
    // Levels are separated by `/`; a doubled `//` is a `/` inside a name.
    let levels: Vec<String> = path
        .replace("//", "\u{E017}")
        .split('/')
        .map(|l| l.replace('\u{E017}', "/").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let title = levels.last().cloned().unwrap_or_else(|| "Moodle".into());
    DraftSection {
        id: drafts::id_from_name(&title, "moodle"),
        title,
        questions: Vec::new(),
    }
}

fn child<'a>(node: Node<'a, 'a>, name: &str) -> Option<Node<'a, 'a>> {
    node.children().find(|n| n.has_tag_name(name))
}

/// The `<text>` of child `name`.
fn child_text(node: Node, name: &str) -> Option<String> {
    let c = child(node, name)?;
    Some(child(c, "text")?.text().unwrap_or("").to_string())
}

/// A text element (`<questiontext format="html">`) as bank text, its files saved as images.
fn rich(node: Option<Node>, images: &mut Vec<DraftImage>) -> String {
    let Some(node) = node else {
        return String::new();
    };
    let text = child(node, "text").and_then(|t| t.text()).unwrap_or("");
    let mut names = Vec::new();
    for file in node.children().filter(|n| n.has_tag_name("file")) {
        let name = file.attribute("name").unwrap_or("image.png").to_string();
        let compact: String = file.text().unwrap_or("").split_whitespace().collect();
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(compact) else {
            continue;
        };
        let saved = match images.iter().find(|i| i.name == name) {
            Some(i) if i.bytes == bytes => name.clone(),
            Some(_) => {
                let renamed = format!("{}-{name}", images.len() + 1);
                images.push(DraftImage {
                    name: renamed.clone(),
                    bytes,
                });
                renamed
            }
            None => {
                images.push(DraftImage {
                    name: name.clone(),
                    bytes,
                });
                name.clone()
            }
        };
        names.push((name, saved));
    }
    match node.attribute("format") {
        Some("html") => html_to_text(text, &names),
        _ => text.trim().to_string(),
    }
}

fn question(q: Node, origin: Origin, images: &mut Vec<DraftImage>) -> Option<Draft> {
    let kind = q.attribute("type").unwrap_or("");
    if kind == "description" {
        return None;
    }
    let name = child_text(q, "name").unwrap_or_default();
    let idnumber = child(q, "idnumber")
        .and_then(|n| n.text())
        .unwrap_or("")
        .trim()
        .to_string();
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    let id = [idnumber.as_str(), name.trim()]
        .into_iter()
        .find(|s| valid(s))
        .map_or_else(
            || drafts::id_from_name(&format!("{name}-{}", origin.paragraph), "q"),
            str::to_string,
        );
    let mut d = Draft::new(id, origin);
    d.stem = rich(child(q, "questiontext"), images);
    let feedback = rich(child(q, "generalfeedback"), images);
    d.explanation = (!feedback.is_empty()).then_some(feedback);
    d.tags = child(q, "tags")
        .map(|t| {
            t.children()
                .filter(|n| n.has_tag_name("tag"))
                .filter_map(|n| child_text_of(n))
                .collect()
        })
        .unwrap_or_default();
    if let Some(grade) = child(q, "defaultgrade")
        .and_then(|n| n.text())
        .map(str::trim)
        && let Ok(value) = grade.parse::<f64>()
        && value > 0.0
        && (value - 1.0).abs() > f64::EPSILON
    {
        d.points = Some(
            grade
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string(),
        );
    }
    match kind {
        "multichoice" => multichoice(q, &mut d, images),
        "truefalse" => {
            d.kind = Some(QuestionType::Judge);
            let right = answers(q).into_iter().find(|(f, _)| *f > 0.0);
            d.answer = match right
                .map(|(_, n)| child_text_of(n).unwrap_or_default().trim().to_lowercase())
            {
                Some(t) if t == "true" => Some(DraftAnswer::Judge(true)),
                Some(t) if t == "false" => Some(DraftAnswer::Judge(false)),
                _ => {
                    d.problems.push("no answer marked right".into());
                    None
                }
            };
        }
        "shortanswer" => shortanswer(q, &mut d),
        "multianswer" => cloze(&mut d),
        "essay" => {
            d.kind = Some(QuestionType::Short);
            let reference = rich(child(q, "graderinfo"), images);
            if reference.is_empty() {
                d.problems
                    .push("no reference answer (graderinfo) for this essay".into());
            }
            d.answer = Some(DraftAnswer::Text(reference));
            // examgen writes twice the printed lines; Moodle's default is 15.
            d.lines = child(q, "responsefieldlines")
                .and_then(|n| n.text()?.trim().parse::<u32>().ok())
                .map(|n| n.div_ceil(2))
                .filter(|l| *l != 5);
        }
        other => {
            d.kind = Some(QuestionType::Short);
            d.problems
                .push(format!("Moodle type `{other}` has no examgen equivalent"));
        }
    }
    Some(d)
}

fn child_text_of(node: Node) -> Option<String> {
    Some(child(node, "text")?.text().unwrap_or("").to_string())
}

fn answers<'a>(q: Node<'a, 'a>) -> Vec<(f64, Node<'a, 'a>)> {
    q.children()
        .filter(|n| n.has_tag_name("answer"))
        .map(|n| {
            (
                n.attribute("fraction")
                    .and_then(|f| f.parse().ok())
                    .unwrap_or(0.0),
                n,
            )
        })
        .collect()
}

fn multichoice(q: Node, d: &mut Draft, images: &mut Vec<DraftImage>) {
    let single = child(q, "single")
        .and_then(|n| n.text())
        .is_none_or(|t| t.trim() == "true" || t.trim() == "1");
    let mut right = Vec::new();
    for (i, (fraction, node)) in answers(q).into_iter().enumerate() {
        d.options.push(rich(Some(node), images));
        if fraction > 0.0 {
            right.push(i);
            if single && fraction < 100.0 {
                d.problems.push(format!(
                    "option {} earns {fraction}%: examgen has no part marks for single choice",
                    crate::input::bank::letter(i)
                ));
            }
        }
    }
    d.kind = Some(if single {
        QuestionType::Single
    } else {
        QuestionType::Multiple
    });
    if child(q, "shuffleanswers")
        .and_then(|n| n.text())
        .is_some_and(|t| matches!(t.trim(), "0" | "false"))
    {
        d.shuffle = Some(false);
    }
    if right.is_empty() {
        d.problems.push("no option marked right".into());
    }
    d.answer = Some(DraftAnswer::Letters(right));
}

fn shortanswer(q: Node, d: &mut Draft) {
    d.kind = Some(QuestionType::Blank);
    let mut alts = Vec::new();
    for (fraction, node) in answers(q) {
        let text = child_text_of(node).unwrap_or_default().trim().to_string();
        if text.contains('*') {
            d.problems
                .push(format!("the answer `{text}` uses Moodle's * wildcard"));
        }
        if fraction >= 100.0 {
            alts.push(text);
        } else if fraction > 0.0 {
            d.problems.push(format!(
                "the answer `{text}` earns {fraction}%, which examgen cannot give"
            ));
        }
    }
    if crate::input::bank::blank_spans(&d.stem).is_empty() {
        d.stem.push_str("______");
    }
    if alts.is_empty() {
        d.problems.push("no answer earns full marks".into());
    }
    d.answer = Some(DraftAnswer::Blanks(vec![alts]));
}

/// Cloze: each `{1:SHORTANSWER:=a~=b}` becomes a blank `______` with its full-mark answers; other
/// embedded types (MULTICHOICE, NUMERICAL) cannot be blanks of a bank question.
fn cloze(d: &mut Draft) {
    d.kind = Some(QuestionType::Blank);
    let mut stem = String::new();
    let mut blanks = Vec::new();
    let mut rest = d.stem.clone();
    while let Some((start, end, kind, body)) = next_cloze(&rest) {
        stem.push_str(&rest[..start]);
        stem.push_str("______");
        if !matches!(
            kind.as_str(),
            "SHORTANSWER" | "SA" | "MW" | "SHORTANSWER_C" | "SAC" | "MWC"
        ) {
            d.problems.push(format!(
                "an embedded {kind} answer: examgen's blanks are short answers"
            ));
        }
        let mut alts = Vec::new();
        for part in split_unescaped(&body, '~') {
            let answer = split_unescaped(&part, '#')
                .into_iter()
                .next()
                .unwrap_or_default();
            let (full, text) = match answer.strip_prefix('=') {
                Some(t) => (true, t.to_string()),
                None => match answer.strip_prefix('%').and_then(|a| a.split_once('%')) {
                    Some((w, t)) => (w.trim() == "100", t.to_string()),
                    None => (false, answer.clone()),
                },
            };
            let text = decode_entities(
                &text
                    .replace("\\}", "}")
                    .replace("\\#", "#")
                    .replace("\\~", "~"),
            );
            let partial = answer
                .strip_prefix('%')
                .and_then(|a| a.split_once('%'))
                .and_then(|(w, _)| w.trim().parse::<f64>().ok())
                .is_some_and(|w| w > 0.0 && w < 100.0);
            if partial {
                d.problems.push(format!(
                    "the embedded answer `{}` earns part marks, which examgen cannot give",
                    text.trim()
                ));
            }
            if full {
                alts.push(text.trim().to_string());
            }
        }
        if alts.is_empty() {
            d.problems
                .push("an embedded answer with no full-mark choice".into());
        }
        blanks.push(alts);
        rest = rest[end..].to_string();
    }
    stem.push_str(&rest);
    d.stem = stem;
    d.answer = Some(DraftAnswer::Blanks(blanks));
}

/// The next `{n:TYPE:…}` of a Cloze text: byte range, type, and body up to the unescaped `}`.
fn next_cloze(text: &str) -> Option<(usize, usize, String, String)> {
    let mut from = 0;
    while let Some(open) = text[from..].find('{').map(|i| from + i) {
        let inner = &text[open + 1..];
        let digits = inner.chars().take_while(char::is_ascii_digit).count();
        if let Some(after) = inner[digits..].strip_prefix(':')
            && let Some((kind, body_start)) = after.split_once(':')
            && !kind.is_empty()
            && kind.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        {
            let body_at = open + 1 + digits + 1 + kind.len() + 1;
            let mut escaped = false;
            for (i, c) in body_start.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '}' if !escaped => {
                        return Some((
                            open,
                            body_at + i + 1,
                            kind.to_string(),
                            body_start[..i].to_string(),
                        ));
                    }
                    _ => escaped = false,
                }
            }
            return None;
        }
        from = open + 1;
    }
    None
}

/// Splits at `sep` where Moodle's ANSWER_ALTERNATIVE_ANSWER_REGEX ends an answer: not after `\\`, `&` or
/// `&amp;` (so `&#126;` is one character, not a feedback mark).
fn split_unescaped(text: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    for (i, c) in text.char_indices() {
        let before = &text[..i];
        let escaped = before.ends_with('\\') || before.ends_with('&') || before.ends_with("&amp;");
        if c == sep && !escaped {
            out.push(String::new());
            continue;
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';').filter(|s| *s <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            e => e
                .strip_prefix("#x")
                .or_else(|| e.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| e.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// HTML as bank text: paragraphs and `<br>` as lines, `<img>` of an embedded file as `![alt](img/name)`,
/// tables as pipe tables, other tags dropped, entities decoded.
fn html_to_text(html: &str, files: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut table: Option<Vec<Vec<String>>> = None;
    let mut cell: Option<String> = None;
    while let Some(lt) = rest.find('<') {
        let text = decode_entities(&rest[..lt]);
        match cell.as_mut() {
            Some(c) => c.push_str(&text),
            None => out.push_str(&text),
        }
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_lowercase();
        let closing = tag.starts_with('/');
        match (name.as_str(), closing) {
            ("br", _) => out.push('\n'),
            ("p" | "div", true) => out.push('\n'),
            ("img", false) => {
                let src = attribute(tag, "src").unwrap_or_default();
                let alt = attribute(tag, "alt").unwrap_or_default();
                let file = decode_entities(src.trim_start_matches("@@PLUGINFILE@@/"));
                let saved = files
                    .iter()
                    .find(|(n, _)| *n == file)
                    .map(|(_, s)| s.clone());
                let markup = match saved {
                    Some(name) => format!("![{}](img/{name})", decode_entities(&alt)),
                    None => format!("〔图片 {file}〕"),
                };
                match cell.as_mut() {
                    Some(c) => c.push_str(&markup),
                    None => out.push_str(&markup),
                }
            }
            ("table", false) => table = Some(Vec::new()),
            ("table", true) => {
                if let Some(rows) = table.take() {
                    if !out.is_empty() && !out.ends_with('\n') {
                        out.push('\n');
                    }
                    out.push_str(&crate::interchange::docx_import::parse::pipe_table(&rows));
                    out.push('\n');
                }
            }
            ("tr", false) => {
                if let Some(t) = table.as_mut() {
                    t.push(Vec::new());
                }
            }
            ("td" | "th", false) => cell = Some(String::new()),
            ("td" | "th", true) => {
                if let (Some(t), Some(c)) = (table.as_mut(), cell.take())
                    && let Some(row) = t.last_mut()
                {
                    row.push(c.trim().to_string());
                }
            }
            _ => {}
        }
    }
    out.push_str(&decode_entities(rest));
    out.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!("{name}="))?;
    let rest = &tag[at + name.len() + 1..];
    let quote = rest.chars().next()?;
    if quote == '"' || quote == '\'' {
        let end = rest[1..].find(quote)?;
        Some(rest[1..1 + end].to_string())
    } else {
        Some(rest.split_whitespace().next()?.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloze_answers_are_read_as_moodle_reads_them() {
        let mut d = Draft::new("x".into(), Origin::default());
        d.stem = "甲{1:SHORTANSWER:=a\\}b~=&#126;c}乙{1:SA:=北京#好}".into();
        cloze(&mut d);
        assert_eq!(d.stem, "甲______乙______");
        assert_eq!(
            d.answer,
            Some(DraftAnswer::Blanks(vec![
                vec!["a}b".into(), "~c".into()],
                vec!["北京".into()]
            ]))
        );
        assert!(d.is_clean());
    }

    #[test]
    fn html_becomes_lines_pictures_and_tables() {
        let files = vec![("chart.png".to_string(), "chart.png".to_string())];
        let text = html_to_text(
            "<p>看图&amp;表<br><img src=\"@@PLUGINFILE@@/chart.png\" alt=\"图\"></p><table border=\"1\"><tr><th>甲</th><th>乙</th></tr><tr><td>1</td><td>2</td></tr></table><p>问</p>",
            &files,
        );
        assert_eq!(
            text,
            "看图&表\n![图](img/chart.png)\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n问"
        );
    }
}
