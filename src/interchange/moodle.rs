//! Moodle XML export: the format Moodle's question/format/xml importer reads, with several blanks as
//! Cloze (multianswer) written the way Moodle's multianswer parser reads its answers.

use std::fmt::Write as _;

use crate::input::bank::{Answer, Bank, Question, QuestionType, Rich};

fn xml_escape(text: &str) -> String {
    crate::render::template::escape_markup(text)
}

/// Moodle XML: one category per section; multichoice (single and multiple, fractions summing to 100),
/// truefalse, shortanswer for one blank, multianswer (Cloze) for several, essay for short answers.
pub fn export(bank: &Bank) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    for (si, section) in bank.sections.iter().enumerate() {
        let _ = write!(
            out,
            "  <question type=\"category\">\n    <category><text>{}</text></category>\n  </question>\n",
            xml_escape(&super::category_path(&[
                "$course$",
                "examgen",
                &section.title
            ]))
        );
        for q in bank.questions.iter().filter(|q| q.section == si) {
            out.push_str(&moodle_question(q, &bank.images));
        }
    }
    out.push_str("</quiz>\n");
    out
}

/// How a field goes into a Moodle text element: its `format` and the element (plain text or HTML), the
/// i-th blank written as the i-th code.
type FieldWriter<'a> = dyn Fn(&Rich, &[String]) -> (String, String) + 'a;

/// A choice question's `<answer>` elements: each option with its fraction of the grade, as plain text or
/// HTML (`rich`: a field's format and text element).
fn choice_answers(q: &Question, correct: &[usize], rich: &FieldWriter) -> String {
    let mut out = String::new();
    for (i, option) in q.options.iter().enumerate() {
        let fraction = if correct.contains(&i) {
            super::moodle_fraction(correct.len())
        } else if q.kind == QuestionType::Multiple {
            // The exam rule: any wrong option loses the question (Moodle floors the total at 0).
            "-100".to_string()
        } else {
            "0".to_string()
        };
        let (format, option) = rich(option, &[]);
        let _ = writeln!(
            out,
            "    <answer fraction=\"{fraction}\" format=\"{format}\">{option}</answer>"
        );
    }
    out
}

/// Moodle's embedded answers (Cloze) for the blanks of a question, one SHORTANSWER per blank.
fn cloze_codes(blanks: &[Vec<String>]) -> Vec<String> {
    blanks
        .iter()
        .map(|alts| {
            let choices: Vec<String> = alts
                .iter()
                .map(|a| format!("={}", cloze_escape(a)))
                .collect();
            format!("{{1:SHORTANSWER:{}}}", choices.join("~"))
        })
        .collect()
}

fn moodle_question(q: &Question, images: &crate::input::images::Images) -> String {
    let mut out = String::new();
    let text = |t: &str| format!("<text>{}</text>", xml_escape(t));
    // Text with figures goes as HTML with its images embedded; plain text stays plain. Either way its
    // formulas go in MathJax's delimiters, `\(…\)` and `\[…\]`, which Moodle's MathJax filter typesets.
    let rich = |field: &Rich, codes: &[String]| {
        super::moodle_html::rich_text(field, codes, &q.origin.file, images).unwrap_or_else(|| {
            let plain = super::moodle_html::plain_with_codes(field, codes);
            (
                "plain_text".to_string(),
                text(&crate::math::to_mathjax(&plain)),
            )
        })
    };
    let head = |kind: &str, codes: &[String]| {
        let (stem_format, stem) = rich(&q.stem, codes);
        let (feedback_format, feedback) = match &q.explanation {
            Some(e) => rich(e, &[]),
            None => ("plain_text".to_string(), text("")),
        };
        format!(
            "  <question type=\"{kind}\">\n    <name>{}</name>\n    <questiontext format=\"{stem_format}\">{stem}</questiontext>\n    <generalfeedback format=\"{feedback_format}\">{feedback}</generalfeedback>\n    <defaultgrade>{}</defaultgrade>\n    <idnumber>{}</idnumber>\n{}",
            text(&q.id),
            q.points
                .map_or("1".to_string(), |p| p.normalize().to_string()),
            xml_escape(&q.id),
            tags(&q.tags)
        )
    };
    match &q.answer {
        Answer::Single(_) | Answer::Multiple(_) => {
            let correct: Vec<usize> = match &q.answer {
                Answer::Single(i) => vec![*i],
                Answer::Multiple(v) => v.clone(),
                _ => Vec::new(),
            };
            out.push_str(&head("multichoice", &[]));
            let _ = writeln!(
                out,
                "    <single>{}</single>\n    <shuffleanswers>{}</shuffleanswers>\n    <answernumbering>ABCD</answernumbering>",
                q.kind == QuestionType::Single,
                u8::from(q.shuffle)
            );
            out.push_str(&choice_answers(q, &correct, &rich));
        }
        Answer::Judge(truth) => {
            out.push_str(&head("truefalse", &[]));
            let _ = writeln!(
                out,
                "    <answer fraction=\"{}\"><text>true</text></answer>",
                if *truth { 100 } else { 0 }
            );
            let _ = writeln!(
                out,
                "    <answer fraction=\"{}\"><text>false</text></answer>",
                if *truth { 0 } else { 100 }
            );
        }
        Answer::Blank(blanks) if blanks.len() == 1 => {
            out.push_str(&head("shortanswer", &[]));
            out.push_str("    <usecase>0</usecase>\n");
            for alt in &blanks[0] {
                let _ = writeln!(
                    out,
                    "    <answer fraction=\"100\" format=\"plain_text\">{}</answer>",
                    text(alt)
                );
            }
        }
        Answer::Blank(blanks) => {
            // Several blanks: Moodle's embedded answers (Cloze), one SHORTANSWER per blank.
            out.push_str(&head("multianswer", &cloze_codes(blanks)));
        }
        Answer::Short(reference) => {
            out.push_str(&head("essay", &[]));
            let _ = writeln!(
                out,
                "    <responseformat>plain</responseformat>\n    <responsefieldlines>{}</responsefieldlines>\n    <graderinfo format=\"plain_text\">{}</graderinfo>",
                q.lines.max(3) * 2,
                text(&crate::math::to_mathjax(reference))
            );
        }
    }
    out.push_str("  </question>\n");
    out
}

/// `<tags>` as Moodle's importer reads them (`import_question_tags`); nothing when there are none.
fn tags(tags: &[String]) -> String {
    if tags.is_empty() {
        return String::new();
    }
    let mut out = String::from("    <tags>\n");
    for t in tags {
        let _ = writeln!(out, "      <tag><text>{}</text></tag>", xml_escape(t));
    }
    out.push_str("    </tags>\n");
    out
}

/// One answer inside `{1:SHORTANSWER:=…}` as `qtype_multianswer_extract_question` reads it: an answer ends
/// at an unescaped `~`, `#` or `}`, then entities are decoded and only `\}` and `\#` are unescaped. So `}`
/// and `#` take a backslash, while `~`, `\` and `&` (which `\~`/`\\` would leave with their backslash) are
/// written as character references, which the parser decodes.
pub fn cloze_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '}' => out.push_str("\\}"),
            '#' => out.push_str("\\#"),
            '~' => out.push_str("&#126;"),
            '\\' => out.push_str("&#92;"),
            '&' => out.push_str("&#38;"),
            c => out.push(c),
        }
    }
    out
}
