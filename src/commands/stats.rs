//! `examgen stats`: a bank's counts by section × type × difficulty, as a table or stable JSON.

use std::io::Write;
use std::path::Path;

use super::write_failed;
use crate::cli::Format;
use crate::error::Result;
use crate::exam::stats;
use crate::input::bank::Bank;

pub fn run(bank: &Path, format: Format, out: &mut dyn Write) -> Result<()> {
    let bank = Bank::load(bank)?;
    let stats = stats::compute(&bank);
    let text = match format {
        Format::Text => stats::render_text(&stats),
        Format::Json => stats::render_json(&stats),
    };
    out.write_all(text.as_bytes()).map_err(write_failed)
}
