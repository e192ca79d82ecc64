//! GIFT export: Moodle's plain-text question format.

use std::fmt::Write as _;

use crate::input::bank::{Answer, Bank};

fn gift_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if "~=#{}:".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

/// GIFT: `$CATEGORY:` per section, `::id::` names, the exam's multiple-choice rule as percentages.
pub fn export(bank: &Bank) -> String {
    let mut out = String::new();
    for (si, section) in bank.sections.iter().enumerate() {
        let _ = writeln!(
            out,
            "// {}\n$CATEGORY: examgen/{}\n",
            section.id,
            gift_escape(&section.title)
        );
        for q in bank.questions.iter().filter(|q| q.section == si) {
            let stem = gift_escape(&q.stem);
            let body = match &q.answer {
                Answer::Single(right) => q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        format!("{}{}", if i == *right { "=" } else { "~" }, gift_escape(o))
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                Answer::Multiple(right) => q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        let pct = if right.contains(&i) {
                            super::moodle::moodle_fraction(right.len())
                        } else {
                            "-100".into()
                        };
                        format!("~%{pct}%{}", gift_escape(o))
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                Answer::Judge(true) => "TRUE".into(),
                Answer::Judge(false) => "FALSE".into(),
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
                .as_deref()
                .map(|e| format!(" ####{}", gift_escape(e)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "::{}::{stem} {{{body}{feedback}}}\n",
                gift_escape(&q.id)
            );
        }
    }
    out
}
