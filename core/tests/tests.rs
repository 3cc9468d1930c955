//! Integration tests: one binary, one module per area.

/// Fixture paths and helpers.
mod util;

/// Whole-file errlog parsing of testdata/errlog: field values, accounting, damage.
mod errlog;

/// Errlog reader against an independent naive splitter, and property tests.
mod errlog_props;

/// EVTX files written by the builder: fields, damage reports, filters.
mod evtx_builder;

/// Our EVTX reader against the `evtx` crate over the shared corpus (skipped when absent).
mod evtx_differential;

/// The catalog and the classifier.
mod classify;

/// Parsed entries classified in batches against one `classify_text` per entry.
mod classify_entries;

/// Catalog event rules on built .evtx files and XML exports.
mod classify_events;

/// Fuzz regression replay.
mod regression;

/// Truncated and corrupted corpus EVTX files (skipped when the corpus is absent).
mod evtx_damage;

/// Hostile sizes: gigabyte length fields, deep nesting, template loops, huge inputs.
mod hostile;
