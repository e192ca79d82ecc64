//! The command line: subcommands, their arguments and their help texts (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub const DEFAULT_BANK: &str = "question-bank";

#[derive(Debug, Parser)]
#[command(
    name = "examgen",
    version,
    about = "Turn a YAML question bank into printable Chinese exam papers, answer keys and handouts (PDF).",
    after_help = "Examples:\n  examgen check                       validate the bank in ./question-bank\n  examgen stats --format json         counts by section, type and difficulty\n  examgen completions bash > examgen.bash\n\nExit codes: 0 ok, 1 bad input (bank, blueprint, roster...), 2 usage error, 3 internal error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a question bank and print a one-line summary
    #[command(after_help = "Examples:\n  examgen check\n  examgen check path/to/my-bank\n\nEvery problem in the bank is listed as file:line:column with the offending line.")]
    Check {
        /// The bank folder (every *.yaml directly in it is one section)
        #[arg(default_value = DEFAULT_BANK)]
        bank: PathBuf,
        /// Treat warnings as errors
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Count a bank's questions by section, type and difficulty
    #[command(after_help = "Examples:\n  examgen stats\n  examgen stats question-bank --format json > stats.json")]
    Stats {
        #[arg(default_value = DEFAULT_BANK)]
        bank: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print shell completions
    #[command(after_help = "Examples:\n  examgen completions bash > ~/.local/share/bash-completion/completions/examgen\n  examgen completions zsh > ~/.zfunc/_examgen\n  examgen completions fish > ~/.config/fish/completions/examgen.fish")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}
