//! `examgen sheet`: blank answer sheets (答题卡), one per variant.

use std::io::Write;
use std::path::Path;

use super::write_and_list;
use crate::cli::DrawArgs;
use crate::error::Result;
use crate::workflow::Look;
use crate::workflow::drawn::Drawn;
use crate::workflow::sheet::blank_sheets;

pub fn run(
    args: &DrawArgs,
    dir: &Path,
    look: &Look,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let drawn = Drawn::load(&args.request(), err)?;
    let files = blank_sheets(&drawn, look, dir)?;
    write_and_list(&files, out)
}
