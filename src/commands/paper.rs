//! `examgen paper`: paper, key and review PDFs per variant, and manifest.json.

use std::io::Write;
use std::path::Path;

use super::{write_and_list, write_failed};
use crate::cli::DrawArgs;
use crate::error::Result;
use crate::model::paper::points_text;
use crate::workflow::Look;
use crate::workflow::drawn::Drawn;
use crate::workflow::paper::paper_set;

pub fn run(
    args: &DrawArgs,
    dir: &Path,
    look: &Look,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let drawn = Drawn::load(&args.request(), err)?;
    let mut files = paper_set(&drawn, look, dir)?;
    let manifest = files.pop().expect("a paper set ends with its manifest");
    crate::workflow::write_files(std::slice::from_ref(&manifest))?;
    write_and_list(&files, out)?;
    let v = &drawn.draw.variants[0];
    writeln!(
        out,
        "wrote {}: {} questions, {} points, seed {}",
        manifest.path.display(),
        v.questions().count(),
        points_text(v.total_points()),
        drawn.draw.seed
    )
    .map_err(write_failed)
}
