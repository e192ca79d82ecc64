//! `examgen export`: the bank as CSV (the import layout), Moodle XML or GIFT, to a file or stdout.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::write_failed;
use crate::cli::{ExportFormat, HeaderLanguage};
use crate::error::{Error, Result};
use crate::input::bank::Bank;
use crate::interchange::{csv, gift, moodle};

pub fn run(
    bank: &Path,
    format: ExportFormat,
    target: Option<PathBuf>,
    headers: Option<HeaderLanguage>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    if headers.is_some() && format != ExportFormat::Csv {
        return Err(Error::usage(
            "--headers is for --format csv; Moodle XML and GIFT have no header row",
        ));
    }
    if let Some(path) = &target {
        crate::util::fs::check_output_file(path)?;
    }
    let bank = Bank::load(bank)?;
    let bytes = match format {
        ExportFormat::MoodleXml => moodle::export(&bank).into_bytes(),
        ExportFormat::Gift => {
            let (text, skipped) = gift::export(&bank);
            if !skipped.is_empty() {
                let _ = writeln!(
                    err,
                    "warning: {} question(s) with several blanks left out of the GIFT file (GIFT has no Cloze, and one short answer would give full marks for any one blank); export them with --format moodle-xml: {}",
                    skipped.len(),
                    skipped.join(", ")
                );
            }
            text.into_bytes()
        }
        ExportFormat::Csv => csv::export(
            &bank,
            match headers.unwrap_or(HeaderLanguage::Zh) {
                HeaderLanguage::Zh => csv::Headers::Chinese,
                HeaderLanguage::En => csv::Headers::English,
            },
        ),
    };
    match target {
        Some(path) => {
            crate::util::fs::write_atomically(&path, &bytes)?;
            writeln!(
                out,
                "wrote {} ({} questions)",
                path.display(),
                bank.questions.len()
            )
            .map_err(write_failed)
        }
        None => out.write_all(&bytes).map_err(write_failed),
    }
}
