//! marslog: read and classify Azure Backup MARS agent logs.
//!
//! * [`errlog`] — CBEngine / DPM `.errlog` text logs: zero-copy records, every line accounted for.
//! * [`classify`] — the documented-error catalog and the classifier.
//! * [`evtx`] — Windows event logs.
//! * [`text`] — encoding sniffing and raw line splitting shared by the text formats.
//! * [`source`] — opening files (memory-mapped) with their metadata.
#![warn(missing_docs)]

pub mod classify;
pub mod errlog;
pub mod error;
pub mod evtx;
#[doc(hidden)]
pub mod fuzzing;
pub mod position;
pub mod source;
pub mod text;

pub use error::{Error, ErrorKind, Format, Result};
pub use position::{Position, Span};
pub use source::Input;
pub use text::TextEncoding;
