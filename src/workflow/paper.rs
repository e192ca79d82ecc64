//! `examgen paper` as a job: per variant the paper (or the teacher's edition), the answer key and the
//! review handout (PDF and/or Word), plus manifest.json — all rendered before anything is written.

use crate::error::Result;
use crate::render::DocKind;
use crate::workflow::drawn::Drawn;
use crate::workflow::jobs::{Backends, PaperSet, Plan};
use crate::workflow::{Look, OutFile, load_fonts, paper_typesetter};
use std::path::Path;

/// Every file of a paper set, manifest.json last. A bad template or a missing glyph fails before any file exists.
pub fn paper_set(drawn: &Drawn, look: &Look, dir: &Path) -> Result<Vec<OutFile>> {
    let fonts = load_fonts(look.font_dir(&drawn.blueprint))?;
    let (typeset, duplex) = paper_typesetter(&fonts, look, &drawn.blueprint)?;
    let typeset = typeset.with_images(drawn.bank.images.clone());
    let set = PaperSet::new(drawn, &[], duplex);
    let paper = if look.teacher {
        DocKind::Teacher
    } else {
        DocKind::Paper
    };
    let formats = look.formats();
    let jobs = Plan {
        dir,
        formats: &formats,
    }
    .paper_set(&set.labels(), &[paper, DocKind::Key, DocKind::Review]);
    let backends = Backends::new(typeset, &jobs)?;
    // A few documents render one after another: in parallel they finish about 10 ms sooner but every
    // document holds its own font subsets at once (+10 MB for paper + key + review). Several variants go parallel.
    let pdfs = jobs
        .iter()
        .filter(|j| j.format == crate::workflow::jobs::Format::Pdf)
        .count();
    let mut files: Vec<OutFile> = backends
        .render(&set, &jobs, pdfs > 3)?
        .into_iter()
        .map(|made| made.file)
        .collect();
    files.push(OutFile::other(
        dir.join("manifest.json"),
        drawn.manifest().to_json().into_bytes(),
    ));
    Ok(files)
}
