//! `examgen grade`: scores a class against its manifest and writes the CSVs and report.pdf.

use std::io::Write;

use super::write_failed;
use crate::cli::Command;
use crate::error::Result;
use crate::workflow::grade::{GradeRequest, explain_student, run as grade_class};

pub fn run(command: Command, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let Command::Grade {
        manifest,
        responses,
        out: dir,
        lenient,
        pass,
        manual,
        explain,
        templates,
    } = command
    else {
        unreachable!("dispatched on Command::Grade")
    };
    crate::util::fs::check_output_folder(&dir)?;
    let request = GradeRequest {
        manifest: &manifest,
        responses: &responses,
        out: &dir,
        lenient,
        pass: pass.as_deref(),
        manual: manual.as_deref(),
        templates: templates.as_deref(),
    };
    if let Some(id) = explain {
        let (text, warnings) = explain_student(&request, &id)?;
        print_warnings(&warnings, err);
        return out.write_all(text.as_bytes()).map_err(write_failed);
    }
    // Every file is written into a staging folder as it is made and moved into place only when all are:
    // a failed run leaves the folder as it was.
    let staged = crate::util::fs::StagedRun::new(&dir)?;
    let graded = grade_class(&request, &staged, err)?;
    print_warnings(&graded.warnings, err);
    for note in &graded.notes {
        let _ = writeln!(err, "{note}");
    }
    staged.commit()?;
    for path in &graded.files {
        writeln!(out, "wrote {}", path.display()).map_err(write_failed)?;
    }
    writeln!(out, "{}", graded.summary).map_err(write_failed)
}

fn print_warnings(warnings: &[crate::diag::Diagnostic], err: &mut dyn Write) {
    if !warnings.is_empty() {
        let _ = writeln!(err, "{}", crate::diag::render_all(warnings));
    }
}
