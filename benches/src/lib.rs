//! Benchmark support: deterministic input generators.
