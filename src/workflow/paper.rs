//! `examgen paper` as a job: per variant the paper (or the teacher's edition), the answer key and the
//! review handout (PDF and/or Word), plus manifest.json — all rendered before anything is written.

use crate::error::Result;
use crate::model::paper;
use crate::workflow::drawn::Drawn;
use crate::workflow::{Look, OutFile, load_fonts, paper_renderer, render_parallel};
use std::path::Path;

/// Every file of a paper set, manifest.json last. A bad template or a missing glyph fails before any file exists.
pub fn paper_set(drawn: &Drawn, look: &Look, dir: &Path) -> Result<Vec<OutFile>> {
    let fonts = load_fonts(look.font_dir(&drawn.blueprint))?;
    let (renderer, duplex) = paper_renderer(&fonts, look, &drawn.blueprint)?;
    let renderer = renderer.with_images(drawn.bank.images.clone());
    let mut jobs = Vec::new();
    for variant in &drawn.draw.variants {
        let mut data = paper::build(
            &drawn.bank,
            &drawn.blueprint,
            variant,
            drawn.draw.variants.len(),
            duplex,
        );
        data.teacher = look.teacher;
        for name in ["paper", "key", "review"] {
            // The teacher's edition is a different document: never let it overwrite the students' paper.
            let file = if name == "paper" && look.teacher {
                "teacher"
            } else {
                name
            };
            jobs.push((
                dir.join(format!("{file}-{}.pdf", variant.label)),
                name,
                data.clone(),
            ));
        }
    }
    let docs = if look.docx {
        crate::workflow::word::render_jobs(&renderer, &jobs)?
    } else {
        Vec::new()
    };
    if !look.pdf {
        jobs.clear();
    }
    let mut files = render_parallel(&renderer, jobs)?;
    files.extend(
        docs.into_iter()
            .map(|(path, bytes)| OutFile::other(path, bytes)),
    );
    files.push(OutFile::other(
        dir.join("manifest.json"),
        drawn.manifest().to_json().into_bytes(),
    ));
    Ok(files)
}
