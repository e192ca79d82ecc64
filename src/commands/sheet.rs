//! `examgen sheet`: blank answer sheets (答题卡), one per variant.

use std::io::Write;
use std::path::Path;

use super::write_and_list;
use crate::cli::DrawArgs;
use crate::error::{Error, Result};
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
    refuse_unsupported(look)?;
    crate::util::fs::check_output_folder(dir)?;
    let drawn = Drawn::load(&args.request(), err)?;
    let files = blank_sheets(&drawn, look, dir)?;
    write_and_list(dir, &files, out)
}

/// Answer sheets are one fixed A4 form (the bubbles and corner marks are placed for scanning on A4), so
/// the look flags that change pages are refused instead of silently ignored.
fn refuse_unsupported(look: &Look) -> Result<()> {
    let why =
        "answer sheets are always A4 and single-sided, so scanners and the corner marks line up";
    if let Some(layout) = look
        .layout
        .as_deref()
        .filter(|l| !l.eq_ignore_ascii_case("a4"))
    {
        return Err(Error::usage(format!("sheet --layout {layout}: {why}"))
            .because("leave --layout out (the paper itself can be a3-2col: examgen paper --layout a3-2col)"));
    }
    if look.margin.is_some() {
        return Err(Error::usage(format!("sheet --margin: {why}")).because("leave --margin out"));
    }
    if look.density.is_some() {
        return Err(Error::usage(format!("sheet --density: {why}")).because("leave --density out"));
    }
    if look.duplex {
        return Err(Error::usage(format!("sheet --duplex: {why}")).because("leave --duplex out"));
    }
    if look.teacher {
        return Err(Error::usage("sheet --edition teacher: an answer sheet has no teacher's edition")
            .because("the filled-in answers are in key-X.pdf (examgen paper) or teacher-X.pdf (examgen paper --edition teacher)"));
    }
    Ok(())
}
