//! Runs a parsed command line: each subcommand wires the pipeline stages together and prints the result.

use std::io::Write;

use clap::CommandFactory;

use crate::bank::{Bank, QuestionType};
use crate::cli::{Cli, Command, Format};
use crate::diag;
use crate::error::{Error, Result};
use crate::stats;

/// Runs one command; all output goes to `out` (stdout) and `err` (stderr, for warnings and progress).
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    match cli.command {
        Command::Check { bank, deny_warnings } => {
            let bank = Bank::load(&bank)?;
            print_warnings(&bank, err);
            if deny_warnings && !bank.warnings.is_empty() {
                return Err(Error::input(format!(
                    "{} warning(s) and --deny-warnings was given",
                    bank.warnings.len()
                )));
            }
            writeln!(out, "{}", summary(&bank)).map_err(write_failed)?;
            Ok(())
        }
        Command::Stats { bank, format } => {
            let bank = Bank::load(&bank)?;
            let stats = stats::compute(&bank);
            let text = match format {
                Format::Text => stats::render_text(&stats),
                Format::Json => stats::render_json(&stats),
            };
            out.write_all(text.as_bytes()).map_err(write_failed)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "examgen", out);
            Ok(())
        }
    }
}

fn print_warnings(bank: &Bank, err: &mut dyn Write) {
    if !bank.warnings.is_empty() {
        // Warnings are advice; failing to print them must not fail the command.
        let _ = writeln!(err, "{}", diag::render_all(&bank.warnings));
    }
}

/// `question-bank: 6 sections, 120 notes, 295 questions (182 single, ...); no errors, 3 warnings`
pub fn summary(bank: &Bank) -> String {
    let by_type: Vec<String> = QuestionType::ALL
        .iter()
        .map(|t| format!("{} {}", bank.questions.iter().filter(|q| q.kind == *t).count(), t))
        .collect();
    format!(
        "{}: {} sections, {} notes, {} questions ({}); no errors, {} warning{}",
        bank.root.display(),
        bank.sections.len(),
        bank.notes.len(),
        bank.questions.len(),
        by_type.join(", "),
        bank.warnings.len(),
        if bank.warnings.len() == 1 { "" } else { "s" }
    )
}

fn write_failed(e: std::io::Error) -> Error {
    Error::internal("cannot write the output").because(e)
}
