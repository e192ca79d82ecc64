//! `examgen scan`: reads scanned answer sheets into responses.csv, scan-report.csv and review.pdf.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::workflow::scan::{ScanRequest, scan};

pub fn run(
    manifest: &Path,
    inputs: &[PathBuf],
    dir: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    crate::util::fs::check_output_folder(dir)?;
    let mut result = scan(&ScanRequest { manifest, inputs }, dir)?;
    for s in &result.skipped {
        let _ = writeln!(err, "note: {s}");
    }
    for p in &result.problems {
        let _ = writeln!(err, "warning: {p}");
    }
    for line in result.write(dir)? {
        writeln!(out, "{line}").map_err(super::write_failed)?;
    }
    writeln!(
        out,
        "read {} answer sheet(s) from {} page(s): {} with doubtful marks (see review.pdf), {} problem(s) (see scan-report.csv)",
        result.sheets,
        result.pages,
        result.doubtful_sheets,
        result.problems.len()
    )
    .map_err(super::write_failed)
}
