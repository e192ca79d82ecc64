//! `examgen check`: validates a bank and prints a one-line summary; warnings go to stderr.

use std::io::Write;
use std::path::Path;

use super::write_failed;
use crate::error::{Error, Result};
use crate::input::bank::{Bank, QuestionType};
use crate::workflow::drawn::print_warnings;

pub fn run(
    bank: &Path,
    deny_warnings: bool,
    font_dir: Option<&Path>,
    verbose: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let bank = Bank::load(bank)?;
    print_warnings(&bank, err);
    if verbose {
        // Photos from a phone carry the way to turn them; printing applies it, and says so only here.
        for picture in bank.images.turned() {
            writeln!(
                err,
                "note: {}: EXIF orientation {}, {} to print upright ({}×{} pixels as printed)",
                picture.path.display(),
                picture.orientation,
                picture.orientation_text(),
                picture.width,
                picture.height
            )
            .map_err(write_failed)?;
        }
    }
    let fonts = crate::workflow::load_fonts(font_dir)?;
    let missing = crate::workflow::check::missing_glyphs(&bank, &fonts);
    if !missing.is_empty() {
        return Err(Error::diagnostics(
            format!(
                "the bank {} has {} character(s) the fonts ({}) cannot print",
                bank.root.display(),
                missing.len(),
                fonts.source
            ),
            missing,
        ));
    }
    if deny_warnings && !bank.warnings.is_empty() {
        return Err(Error::input(format!(
            "{} warning(s) and --deny-warnings was given",
            bank.warnings.len()
        )));
    }
    writeln!(out, "{}", summary(&bank)).map_err(write_failed)
}

/// `question-bank: 6 sections, 120 notes, 295 questions (182 single, ...); no errors, 3 warnings`
pub fn summary(bank: &Bank) -> String {
    let by_type: Vec<String> = QuestionType::ALL
        .iter()
        .map(|t| {
            format!(
                "{} {}",
                bank.questions.iter().filter(|q| q.kind == *t).count(),
                t
            )
        })
        .collect();
    format!(
        "{}: {} sections, {} notes, {} questions ({}); no errors, {} warning{}",
        bank.root.display(),
        bank.sections.len(),
        bank.notes.len(),
        bank.questions.len(),
        by_type.join(", "),
        bank.warnings.len(),
        if bank.warnings.len() == 1 { "" } else { "s" }
    )
}
