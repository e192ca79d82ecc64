//! `examgen paper`: paper, key and review PDFs per variant, and manifest.json.

use std::io::Write;
use std::path::Path;

use super::write_failed;
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
    crate::util::fs::check_output_folder(dir)?;
    let drawn = Drawn::load(&args.request(), err)?;
    let files = paper_set(&drawn, look, dir)?;
    let (manifest, papers) = files
        .split_last()
        .expect("a paper set ends with its manifest");
    // One run lands whole: papers, keys and the manifest that describes them, or nothing.
    crate::workflow::write_files(dir, &files)?;
    for f in papers {
        writeln!(out, "{}", f.describe()).map_err(write_failed)?;
    }
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
