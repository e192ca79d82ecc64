//! The Word (.docx) versions of a job's documents, next to its PDFs: the same paper data, written by
//! render/docx on the renderer's page set-up and measured with its fonts.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::input::roster::{Student, safe_file_name};
use crate::model::handout::HandoutData;
use crate::model::paper::{self, PaperData, StudentData};
use crate::render::Renderer;
use crate::render::docx::{render, render_handout};
use crate::workflow::drawn::Drawn;

/// The Word versions of the PDF jobs `(path, document name, data)`: the same paths ending in .docx, in job
/// order, laid out on the renderer's page set-up and measured with its fonts.
pub fn render_jobs(
    renderer: &Renderer,
    jobs: &[(PathBuf, &str, PaperData)],
) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    jobs.iter()
        .map(|(path, name, data)| {
            let bytes = render(
                name,
                data,
                &renderer.setup,
                renderer.fonts,
                &renderer.pdf_fonts.pictures,
            )?;
            Ok((path.with_extension("docx"), bytes))
        })
        .collect()
}

/// The Word versions of a handout run's files, next to the PDFs: handout.docx (and handout-key.docx in cloze
/// mode), or with a roster one copy per student in handouts/ (their own keys with `vary`, else one key).
/// The PDF's print-everything files (handout-all.pdf) have no Word version: each copy opens on its own.
pub fn render_handouts(
    renderer: &Renderer,
    dir: &Path,
    students: Option<&[Student]>,
    copies: &[HandoutData],
    vary: bool,
) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let cloze = copies.first().is_some_and(|c| c.cloze);
    let mut jobs: Vec<(PathBuf, &HandoutData, bool)> = Vec::new();
    match students {
        None => {
            jobs.push((dir.join("handout.docx"), &copies[0], false));
            if cloze {
                jobs.push((dir.join("handout-key.docx"), &copies[0], true));
            }
        }
        Some(list) => {
            for (s, data) in list.iter().zip(copies) {
                let stem = safe_file_name(&format!("{}-{}", s.id, s.name));
                let folder = dir.join("handouts");
                jobs.push((folder.join(format!("{stem}.docx")), data, false));
                if cloze && vary {
                    jobs.push((folder.join(format!("{stem}-key.docx")), data, true));
                }
            }
            if cloze && !vary {
                jobs.push((dir.join("handout-key.docx"), &copies[0], true));
            }
        }
    }
    jobs.into_iter()
        .map(|(path, data, key)| {
            let bytes = render_handout(
                data,
                key,
                &renderer.setup,
                renderer.fonts,
                &renderer.pdf_fonts.pictures,
            )?;
            Ok((path, bytes))
        })
        .collect()
}

/// The Word versions of a class batch's papers and keys: papers/<id>-<name>.docx for every student (their
/// variant, their name on the paper) and key-X.docx per variant. The answer sheets and print files stay PDF.
pub fn render_batch(
    renderer: &Renderer,
    drawn: &Drawn,
    students: &[Student],
    assignment: &[usize],
    dir: &Path,
    duplex: bool,
) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let variants = drawn.draw.variants.len();
    // Built as crate::batch::render builds the PDFs' data, so both formats show the same paper.
    let base: Vec<PaperData> = drawn
        .draw
        .variants
        .iter()
        .map(|v| paper::build(&drawn.bank, &drawn.blueprint, v, variants, duplex))
        .collect();
    let mut jobs = Vec::new();
    for (s, v) in students.iter().zip(assignment) {
        let mut data = base[*v].clone();
        data.student = StudentData {
            name: s.name.clone(),
            id: s.id.clone(),
            class: s.class.clone(),
        };
        let stem = safe_file_name(&format!("{}-{}", s.id, s.name));
        jobs.push((
            dir.join("papers").join(format!("{stem}.docx")),
            "paper",
            data,
        ));
    }
    for data in base {
        jobs.push((dir.join(format!("key-{}.docx", data.variant)), "key", data));
    }
    render_jobs(renderer, &jobs)
}
