//! `examgen init`: a new subject's skeleton bank and/or the built-in templates to edit.

use std::io::Write;
use std::path::Path;

use super::write_failed;
use crate::error::{Error, Result};

pub fn run(dir: Option<&Path>, templates: Option<&Path>, out: &mut dyn Write) -> Result<()> {
    if dir.is_none() && templates.is_none() {
        return Err(Error::usage(
            "say what to create: a bank folder (examgen init my-subject) and/or --templates DIR",
        ));
    }
    for folder in [dir, templates].into_iter().flatten() {
        crate::util::fs::check_output_folder(folder)?;
    }
    let mut written = Vec::new();
    if let Some(dir) = dir {
        written.extend(crate::interchange::skeleton::write_skeleton(dir)?);
    }
    if let Some(t) = templates {
        written.extend(crate::render::template::write_defaults(t)?);
    }
    for path in &written {
        writeln!(out, "wrote {}", path.display()).map_err(write_failed)?;
    }
    if written.is_empty() {
        writeln!(out, "every file already exists; nothing was overwritten")
            .map_err(write_failed)?;
    }
    if let Some(dir) = dir {
        writeln!(
            out,
            "next: examgen check {0} && examgen paper {0}/exams/paper.yaml",
            dir.display()
        )
        .map_err(write_failed)?;
    }
    Ok(())
}
