//! Subcommands.

mod parse;

use crate::args::{Cli, Command};

/// Run a command; the result is the process exit status.
pub fn run(cli: Cli) -> std::io::Result<u8> {
    match cli.command {
        Command::Parse(args) => parse::run(&args),
    }
}
