//! The event record header.
//!
//! ```text
//! 0x00 "**\0\0"  0x04 size u32 (whole record, ≥ 28)  0x08 record id u64  0x10 written FILETIME u64
//! 0x18 BinXML (size − 28 bytes)  size−4: copy of size u32
//! ```
//!
//! # Invariants
//!
//! The record size, not an EOF token, ends a record. A header is accepted only when its
//! size is at least 28 and the record fits in the chunk; the trailing size copy is checked
//! only when resynchronising (live records with a bad copy are still read, as Windows does).

use super::header::{le32, le64};

/// `**\0\0`.
pub const RECORD_MAGIC: &[u8; 4] = b"\x2a\x2a\x00\x00";
/// Size of the record header.
pub const RECORD_HEADER_SIZE: usize = 24;
/// Smallest valid record: header plus size copy.
pub const MIN_RECORD_SIZE: u32 = 28;
/// Latest FILETIME accepted in a record header (9999-12-31T23:59:59.9999999Z).
pub const MAX_FILETIME: u64 = 2_650_467_743_999_999_999;

/// Why a record header was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordHeaderError {
    /// Fewer than 24 bytes left.
    Truncated,
    /// The magic is not `**\0\0` (`[0; 4]` means free space).
    BadMagic([u8; 4]),
    /// The size field is below 28.
    SizeTooSmall(u32),
    /// The record runs past the end of its chunk.
    SizeTooLarge(u32),
    /// The written time is past year 9999.
    BadTimestamp(u64),
}

/// A record header at some chunk offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    /// Size of the whole record.
    pub size: u32,
    /// EventRecordID.
    pub record_id: u64,
    /// When the record was written (FILETIME).
    pub written: u64,
}

impl RecordHeader {
    /// Parse the header at `at` in `chunk`, checking it fits.
    pub fn parse(chunk: &[u8], at: usize) -> Result<RecordHeader, RecordHeaderError> {
        let h = chunk
            .get(at..at + RECORD_HEADER_SIZE)
            .ok_or(RecordHeaderError::Truncated)?;
        let magic = [h[0], h[1], h[2], h[3]];
        if &magic != RECORD_MAGIC {
            return Err(RecordHeaderError::BadMagic(magic));
        }
        let size = le32(h, 4);
        let header = RecordHeader {
            size,
            record_id: le64(h, 8),
            written: le64(h, 16),
        };
        if size < MIN_RECORD_SIZE {
            return Err(RecordHeaderError::SizeTooSmall(size));
        }
        if at + size as usize - 4 > chunk.len() {
            return Err(RecordHeaderError::SizeTooLarge(size));
        }
        if header.written > MAX_FILETIME {
            return Err(RecordHeaderError::BadTimestamp(header.written));
        }
        Ok(header)
    }

    /// Whether the size copy at the end of the record matches.
    pub fn size_copy_matches(&self, chunk: &[u8], at: usize) -> bool {
        let end = at + self.size as usize;
        end >= 4 && chunk.get(end - 4..end).is_some() && le32(chunk, end - 4) == self.size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(size: u32, id: u64) -> Vec<u8> {
        let mut r = Vec::new();
        r.extend(RECORD_MAGIC);
        r.extend(size.to_le_bytes());
        r.extend(id.to_le_bytes());
        r.extend(1u64.to_le_bytes());
        r.resize(size.max(28) as usize - 4, 0);
        r.extend(size.to_le_bytes());
        r
    }

    #[test]
    fn headers() {
        let ok = record(32, 5);
        let h = RecordHeader::parse(&ok, 0).unwrap();
        assert_eq!((h.size, h.record_id, h.written), (32, 5, 1));
        assert!(h.size_copy_matches(&ok, 0));
        let table: &[(Vec<u8>, RecordHeaderError)] = &[
            (record(0, 1), RecordHeaderError::SizeTooSmall(0)),
            (ok[..20].to_vec(), RecordHeaderError::Truncated),
            (vec![0; 28], RecordHeaderError::BadMagic([0; 4])),
            (
                {
                    let mut r = record(32, 1);
                    r[4] = 200;
                    r
                },
                RecordHeaderError::SizeTooLarge(200),
            ),
        ];
        for (bytes, want) in table {
            assert_eq!(RecordHeader::parse(bytes, 0), Err(*want));
        }
    }
}
