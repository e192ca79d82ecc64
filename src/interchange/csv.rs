//! The bank as a spreadsheet in the import layout, for Excel and for a lossless round trip.

use crate::input::bank::{self, Answer, Bank};

/// The bank as a spreadsheet in the import layout (notes are not part of it).
pub fn export(bank: &Bank) -> Vec<u8> {
    let mut rows = vec![
        [
            "section",
            "section_title",
            "id",
            "type",
            "stem",
            "A",
            "B",
            "C",
            "D",
            "E",
            "F",
            "G",
            "H",
            "answer",
            "difficulty",
            "explanation",
            "tags",
            "group",
            "points",
        ]
        .map(str::to_string)
        .to_vec(),
    ];
    for q in &bank.questions {
        let section = &bank.sections[q.section];
        let mut row = vec![
            section.id.clone(),
            section.title.clone(),
            q.id.clone(),
            q.kind.name().to_string(),
            q.stem.clone(),
        ];
        for i in 0..8 {
            row.push(q.options.get(i).cloned().unwrap_or_default());
        }
        row.push(match &q.answer {
            Answer::Judge(b) => if *b { "对" } else { "错" }.to_string(),
            Answer::Blank(blanks) => blanks
                .iter()
                .map(|a| a.join("|"))
                .collect::<Vec<_>>()
                .join("；"),
            other => bank::answer_text(other),
        });
        row.push(q.difficulty.to_string());
        row.push(q.explanation.clone().unwrap_or_default());
        row.push(q.tags.join("、"));
        row.push(q.group.clone().unwrap_or_default());
        row.push(
            q.points
                .map(|p| p.normalize().to_string())
                .unwrap_or_default(),
        );
        rows.push(row);
    }
    crate::util::csv::write_csv(&rows)
}
