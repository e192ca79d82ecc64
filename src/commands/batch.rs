//! `examgen batch`: a named paper and answer sheet for every student of a roster, keys and print files.

use std::io::Write;

use super::write_failed;
use crate::cli::Command;
use crate::error::Result;
use crate::workflow::batch::{BatchRequest, class_batch};

pub fn run(command: Command, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let Command::Batch {
        draw: args,
        roster,
        per_student,
        out: dir,
        look,
        format,
    } = command
    else {
        unreachable!("dispatched on Command::Batch")
    };
    let (dir, look) = (dir.as_path(), look.look_as(&format));
    if look.teacher {
        // Students' named papers must never carry the answers; the teacher's copy is one per variant.
        return Err(crate::error::Error::usage(
            "batch --edition teacher: a class batch prints the students' papers",
        )
        .because("for the teacher's copy run: examgen paper BLUEPRINT --edition teacher with the batch's --seed and --variants"));
    }
    crate::util::fs::check_output_folder(dir)?;
    let request = BatchRequest {
        draw: args.request(),
        roster,
        variants: args.variants.map(usize::from),
        per_student,
    };
    let staged = crate::util::fs::StagedRun::new(dir)?;
    let batch = class_batch(&request, &look, dir, &staged, err)?;
    // Every file is in the staging folder now; they land together, or (on an error above) not at all.
    staged.commit()?;
    writeln!(
        out,
        "wrote {} files ({} pages) for {} students in {}: papers/, sheets/, print-papers.pdf, print-sheets.pdf, {} key(s), manifest.json",
        batch.pdfs,
        batch.pages,
        batch.students,
        dir.display(),
        batch.variants
    )
    .map_err(write_failed)?;
    writeln!(out, "{} variant(s), seed {}", batch.variants, batch.seed).map_err(write_failed)
}
