//! One thin module per subcommand: each turns its arguments into a library request, calls the job and
//! prints what it wrote. `run` only dispatches.

mod batch;
mod calibrate;
mod check;
mod draw;
mod export;
mod grade;
mod handout;
mod import;
mod init;
mod paper;
mod review_book;
mod scan;
mod sheet;
mod stats;

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, Command};
use crate::error::{Error, Result};
use crate::workflow::OutFile;

/// Runs one command; all output goes to `out` (stdout) and `err` (stderr, for warnings and progress).
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    match cli.command {
        Command::Check {
            bank,
            deny_warnings,
            font_dir,
            verbose,
        } => check::run(&bank, deny_warnings, font_dir.as_deref(), verbose, out, err),
        Command::Stats { bank, format } => stats::run(&bank, format, out),
        Command::Draw { draw, format } => draw::run(&draw, format, out, err),
        Command::Paper {
            draw,
            out: dir,
            look,
            format,
        } => paper::run(&draw, &dir, &look.look_as(&format), out, err),
        Command::Sheet {
            draw,
            out: dir,
            look,
        } => sheet::run(&draw, &dir, &look.look(), out, err),
        Command::Batch { .. } => batch::run(cli.command, out, err),
        Command::Handout { .. } => handout::run(cli.command, out, err),
        Command::Grade { .. } => grade::run(cli.command, out, err),
        Command::ReviewBook { .. } => review_book::run(cli.command, out, err),
        Command::Calibrate { grades, bank } => calibrate::run(&grades, bank.as_deref(), out, err),
        Command::Scan {
            manifest,
            inputs,
            out: dir,
        } => scan::run(&manifest, &inputs, &dir, out, err),
        Command::Init { dir, templates } => init::run(dir.as_deref(), templates.as_deref(), out),
        Command::Import {
            file,
            out: dir,
            section_column,
        } => import::run(&file, &dir, section_column.as_deref(), out, err),
        Command::Export {
            bank,
            format,
            out: target,
            headers,
        } => export::run(&bank, format, target, headers, out, err),
        Command::Completions { shell } => {
            // clap_complete panics when its writer fails; into memory first, so a closed pipe is quiet.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "examgen", &mut script);
            out.write_all(&script).map_err(write_failed)
        }
    }
}

fn write_failed(e: std::io::Error) -> Error {
    Error::stdout(e)
}

/// Writes a run's files into `dir` together, then says what was written, one line each.
fn write_and_list(dir: &std::path::Path, files: &[OutFile], out: &mut dyn Write) -> Result<()> {
    crate::workflow::write_files(dir, files)?;
    for f in files {
        writeln!(out, "{}", f.describe()).map_err(write_failed)?;
    }
    Ok(())
}
