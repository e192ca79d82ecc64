//! `examgen handout`: study handouts (summary or cloze) with their key, optionally one per student.

use std::io::Write;

use super::{write_and_list, write_failed};
use crate::cli::{Command, HandoutMode};
use crate::error::Result;
use crate::model::handout::{Mode, Selection};
use crate::workflow::handout::{HandoutRequest, handouts};

pub fn run(command: Command, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let Command::Handout {
        bank,
        sections,
        tags,
        mode,
        seed,
        blank_ratio,
        title,
        toc,
        roster,
        vary,
        out: dir,
        look,
        format,
    } = command
    else {
        unreachable!("dispatched on Command::Handout")
    };
    // `--sections "cw, vs"` (a space after the comma, or a Chinese comma) names cw and vs.
    let tidy = |items: Vec<String>| -> Vec<String> {
        items
            .iter()
            .flat_map(|s| s.split(['，', ',']))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    if look.edition == crate::cli::Edition::Teacher {
        return Err(crate::error::Error::usage(
            "handout --edition teacher: a handout has no teacher's edition",
        )
        .because("the answers of a cloze handout are in handout-key.pdf (--mode cloze)"));
    }
    crate::util::fs::check_output_folder(&dir)?;
    let request = HandoutRequest {
        bank,
        selection: Selection {
            sections: tidy(sections),
            tags: tidy(tags),
        },
        mode: match mode {
            HandoutMode::Summary => Mode::Summary,
            HandoutMode::Cloze => Mode::Cloze,
        },
        seed,
        blank_ratio,
        title,
        toc,
        roster,
        vary,
    };
    let made = handouts(&request, &look.look_as(&format), &dir, err)?;
    write_and_list(&dir, &made.files, out)?;
    writeln!(out, "{}", made.summary).map_err(write_failed)
}
