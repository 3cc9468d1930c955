//! Subcommands.

mod catalog;
mod explain;
mod parse;
mod triage;

use crate::args::{Cli, Command};

/// Run a command; the result is the process exit status.
pub fn run(cli: Cli) -> std::io::Result<u8> {
    match cli.command {
        Command::Parse(args) => parse::run(&args),
        Command::Triage(args) => triage::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Catalog(args) => catalog::run(&args),
    }
}

/// The classifier for `--catalog` files; a bad file is reported and ends the command.
pub(crate) fn classifier(
    files: &[std::path::PathBuf],
) -> Result<marslog::classify::Classifier, u8> {
    marslog::classify::Classifier::with_files(files).map_err(|e| {
        eprintln!("marslog: {e}");
        2
    })
}
