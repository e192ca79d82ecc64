//! `examgen sheet`: blank answer sheets (答题卡), one per variant.

use std::io::Write;
use std::path::Path;

use super::write_and_list;
use crate::cli::{DrawArgs, LookArgs};
use crate::error::Result;
use crate::workflow::drawn::Drawn;
use crate::workflow::sheet::blank_sheets;

pub fn run(
    args: &DrawArgs,
    dir: &Path,
    look: &LookArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let drawn = Drawn::load(&args.request(), err)?;
    let files = blank_sheets(&drawn, &look.look(), dir)?;
    write_and_list(&files, out)
}
