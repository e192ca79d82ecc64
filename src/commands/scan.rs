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
    if !result.unread.is_empty() {
        // Said last, where it is seen: these sheets make no row, and a class of blank sheets (no roster)
        // names no missing student either. The run still writes what it read (exit 0, as documented).
        let _ = writeln!(
            err,
            "warning: {} page(s) not read although not blank (no row in responses.csv): {}; reprint or rescan \
             them, or enter them by hand",
            result.unread.len(),
            result.unread.join(", ")
        );
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
