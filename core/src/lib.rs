//! marslog: read and classify Azure Backup MARS agent logs.
pub mod error;
pub mod evtx;
pub mod position;

pub use error::{Error, ErrorKind, Format, Result};
pub use position::{Position, Span};
