//! Command-line flags.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Read and triage Azure Backup MARS agent logs (CBEngine/DPM errlogs) and Windows event logs.
#[derive(Debug, Parser)]
#[command(name = "marslog", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse logs into records (JSON Lines, CSV or a table).
    Parse(ParseArgs),
}

/// Output formats of `parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParseFormat {
    /// One JSON object per record.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
    /// Aligned columns for reading.
    Table,
}

/// Options shared by every command that reads errlogs.
#[derive(Debug, Clone, clap::Args)]
pub struct ReadOptions {
    /// Year of the first record (errlog times have none); default: inferred from each
    /// file's modification time (or a .Crash copy's name) so the last record is not after it.
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i32>,
    /// Accept copies whose TABs were collapsed into spaces (pasted text).
    #[arg(long)]
    pub tolerant: bool,
}

/// `marslog parse`.
#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// Files or folders (folders are searched for errlogs); `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: ParseFormat,
    /// Put unparsed lines in the output as `{"unparsed": …}` objects instead of warnings on stderr.
    #[arg(long)]
    pub include_unparsed: bool,
    /// Reading options.
    #[command(flatten)]
    pub read: ReadOptions,
}
