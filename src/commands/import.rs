//! `examgen import`: a spreadsheet of questions into validated YAML section files.

use std::io::Write;
use std::path::Path;

use super::write_failed;
use crate::error::Result;

pub fn run(
    file: &Path,
    dir: &Path,
    section_column: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    crate::util::fs::check_output_folder(dir)?;
    let (files, count, notes) = crate::interchange::import::import(file, dir, section_column)?;
    for note in &notes {
        writeln!(err, "note: {note}").map_err(write_failed)?;
    }
    for f in &files {
        writeln!(out, "wrote {}", f.display()).map_err(write_failed)?;
    }
    writeln!(
        out,
        "{count} questions in {} section file(s); check passes",
        files.len()
    )
    .map_err(write_failed)
}
