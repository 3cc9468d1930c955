//! Builds valid `.evtx` bytes for tests and benchmarks (work in progress).
