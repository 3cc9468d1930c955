//! Integration tests: one binary, one module per area.

/// Fixture paths and helpers.
mod util;

/// Whole-file errlog parsing of testdata/errlog: field values, accounting, damage.
mod errlog;

/// Errlog reader against an independent naive splitter, and property tests.
mod errlog_props;
