//! GIFT export: Moodle's plain-text question format, escaped exactly as Moodle's own exporter
//! (question/format/gift/format.php, `repchar`) does, so Moodle's importer reads back what was written.

use std::fmt::Write as _;

use crate::input::bank::{Answer, Bank};

/// Moodle's `repchar`: `\` `#` `=` `~` `{` `}` `:` escaped with a backslash, a newline written as `\n`
/// (a real line break would end the question at a blank line), carriage returns dropped.
pub fn gift_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '#' | '=' | '~' | '{' | '}' | ':' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// The GIFT file and the ids of the questions it leaves out. GIFT has no embedded answers (Cloze), and a
/// short answer whose alternatives were the blanks would give full marks for any one blank, so questions
/// with several blanks are left out: export them with `--format moodle-xml`.
pub fn export(bank: &Bank) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut skipped = Vec::new();
    for (si, section) in bank.sections.iter().enumerate() {
        // Moodle reads the category line without unescaping it: written as is, `/` doubled in a name.
        let _ = writeln!(
            out,
            "// {}\n$CATEGORY: {}\n",
            section.id,
            super::category_path(&["examgen", &section.title.replace(['\n', '\r'], " ")])
        );
        for q in bank.questions.iter().filter(|q| q.section == si) {
            // Shown text carries its formulas in MathJax's delimiters (Moodle's filter does not read `$…$`);
            // a blank's accepted answers stay as typed, since Moodle compares them with what students type.
            let shown = |t: &str| gift_escape(&crate::math::to_mathjax(t));
            let stem = shown(q.stem.source());
            let body = match &q.answer {
                Answer::Single(right) => q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        format!(
                            "{}{}",
                            if i == *right { "=" } else { "~" },
                            shown(o.source())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                Answer::Multiple(right) => q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        let pct = if right.contains(&i) {
                            super::moodle_fraction(right.len())
                        } else {
                            "-100".into()
                        };
                        format!("~%{pct}%{}", shown(o.source()))
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                Answer::Judge(true) => "TRUE".into(),
                Answer::Judge(false) => "FALSE".into(),
                Answer::Blank(blanks) if blanks.len() > 1 => {
                    skipped.push(q.id.clone());
                    continue;
                }
                Answer::Blank(blanks) => blanks
                    .iter()
                    .flatten()
                    .map(|a| format!("={}", gift_escape(a)))
                    .collect::<Vec<_>>()
                    .join(" "),
                Answer::Short(_) => String::new(),
            };
            let feedback = q
                .explanation
                .as_ref()
                .map(|e| format!(" ####{}", shown(e.source())))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "::{}::{stem} {{{body}{feedback}}}\n",
                gift_escape(&q.id)
            );
        }
    }
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_moodles_repchar() {
        assert_eq!(
            gift_escape("a\\b {1} ~=#: x"),
            "a\\\\b \\{1\\} \\~\\=\\#\\: x"
        );
        assert_eq!(gift_escape("第一段\r\n\n第二段"), "第一段\\n\\n第二段");
        assert_eq!(
            super::super::category_path(&["examgen", "社区/志愿服务"]),
            "examgen/社区//志愿服务"
        );
    }
}
