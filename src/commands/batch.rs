//! `examgen batch`: a named paper and answer sheet for every student of a roster, keys and print files.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::write_failed;
use crate::cli::DrawArgs;
use crate::error::Result;
use crate::workflow::Look;
use crate::workflow::batch::{BatchRequest, class_batch};

pub fn run(
    args: &DrawArgs,
    roster: PathBuf,
    per_student: bool,
    dir: &Path,
    look: &Look,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let request = BatchRequest {
        draw: args.request(),
        roster,
        variants: args.variants.map(usize::from),
        per_student,
    };
    let batch = class_batch(&request, look, dir, err)?;
    crate::workflow::write_files(&batch.files)?;
    let pdfs: Vec<_> = batch.files.iter().filter(|f| f.pages.is_some()).collect();
    let pages: usize = pdfs.iter().filter_map(|f| f.pages).sum();
    writeln!(
        out,
        "wrote {} files ({pages} pages) for {} students in {}: papers/, sheets/, print-papers.pdf, print-sheets.pdf, {} key(s), manifest.json",
        pdfs.len(),
        batch.students,
        dir.display(),
        batch.variants
    )
    .map_err(write_failed)?;
    writeln!(out, "{} variant(s), seed {}", batch.variants, batch.seed).map_err(write_failed)
}
