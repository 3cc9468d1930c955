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
    /// Find the documented MARS errors in logs: what happened, why, and what to do.
    Triage(TriageArgs),
    /// Explain a documented error: by id, code (34513, 0x1FC07, 0x80780054, 407) or name.
    Explain(ExplainArgs),
    /// List the documented errors of the catalog.
    Catalog(CatalogArgs),
}

/// Language of titles, causes and actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// French (falls back to English where the documentation has no French text).
    Fr,
}

impl From<LangArg> for marslog::classify::Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::En => marslog::classify::Lang::En,
            LangArg::Fr => marslog::classify::Lang::Fr,
        }
    }
}

/// Output formats of `triage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TriageFormat {
    /// A readable summary per documented error (colour on a terminal).
    Table,
    /// The whole report as one JSON document.
    Json,
    /// One finding per line.
    Jsonl,
    /// One finding per row.
    Csv,
    /// A summary to paste into a ticket.
    Markdown,
}

/// `marslog triage`.
#[derive(Debug, clap::Args)]
pub struct TriageArgs {
    /// Files or folders (searched recursively for logs); `-` reads an errlog from standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TriageFormat,
    /// Language of titles, causes and actions.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
    /// Additional catalog files (same schema as core/catalog/mars.toml).
    #[arg(long = "catalog", value_name = "FILE")]
    pub catalogs: Vec<PathBuf>,
    /// Read errlogs block by block instead of memory-mapping them: memory stays at a few MB
    /// whatever their size, with the same findings (always so for `-`, standard input).
    #[arg(long)]
    pub stream: bool,
    /// Reading options.
    #[command(flatten)]
    pub read: ReadOptions,
}

/// `marslog explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// An entry id, an error id (34513), a hex alias (0x1FC07), an HRESULT, an HTTP status or a name.
    pub code: String,
    /// Language.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
    /// Additional catalog files.
    #[arg(long = "catalog", value_name = "FILE")]
    pub catalogs: Vec<PathBuf>,
}

/// Output formats of `catalog`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    /// Aligned columns.
    Table,
    /// The entries as JSON.
    Json,
    /// One row per entry.
    Csv,
    /// A Markdown table.
    Markdown,
}

/// `marslog catalog`.
#[derive(Debug, clap::Args)]
pub struct CatalogArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: CatalogFormat,
    /// Language of the titles.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
    /// Additional catalog files.
    #[arg(long = "catalog", value_name = "FILE")]
    pub catalogs: Vec<PathBuf>,
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
    /// Files or folders (searched for errlogs, .evtx and event XML); `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: ParseFormat,
    /// Put unparsed lines in the output as `{"unparsed": …}` objects instead of warnings on stderr.
    #[arg(long)]
    pub include_unparsed: bool,
    /// Event logs: keep only these event ids (repeat or comma-separate).
    #[arg(long = "event-id", value_name = "ID", value_delimiter = ',')]
    pub event_ids: Vec<u32>,
    /// Event logs: keep only these providers (repeat or comma-separate).
    #[arg(long = "provider", value_name = "NAME", value_delimiter = ',')]
    pub providers: Vec<String>,
    /// Reading options.
    #[command(flatten)]
    pub read: ReadOptions,
}
