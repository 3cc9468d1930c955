//! The `marslog` command. Argument parsing lives in `args`, each subcommand in `commands`.

mod args;
mod commands;
mod events;
mod inputs;
mod output;
mod render;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("marslog: {e}");
            ExitCode::from(2)
        }
    }
}
