//! `examgen draw`: draws a paper and prints its questions and answers, or the manifest as JSON.

use std::io::Write;

use super::write_failed;
use crate::cli::{DrawArgs, Format};
use crate::error::Result;
use crate::workflow::drawn::Drawn;

pub fn run(
    args: &DrawArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let drawn = Drawn::load(&args.request(), err)?;
    let text = match format {
        Format::Json => drawn.manifest().to_json(),
        Format::Text => drawn.listing(),
    };
    out.write_all(text.as_bytes()).map_err(write_failed)
}
