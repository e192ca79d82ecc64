//! `examgen export`: the bank as CSV (the import layout), Moodle XML or GIFT, to a file or stdout.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::write_failed;
use crate::cli::ExportFormat;
use crate::error::Result;
use crate::input::bank::Bank;
use crate::interchange::{csv, gift, moodle};

pub fn run(
    bank: &Path,
    format: ExportFormat,
    target: Option<PathBuf>,
    out: &mut dyn Write,
) -> Result<()> {
    if let Some(path) = &target {
        crate::util::fs::check_output_file(path)?;
    }
    let bank = Bank::load(bank)?;
    let bytes = match format {
        ExportFormat::MoodleXml => moodle::export(&bank).into_bytes(),
        ExportFormat::Gift => gift::export(&bank).into_bytes(),
        ExportFormat::Csv => csv::export(&bank),
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
