//! The file header: the first 128 bytes of the 4096-byte header block.
//!
//! ```text
//! 0x00 "ElfFile\0"   0x08 first chunk u64   0x10 last chunk u64   0x18 next record id u64
//! 0x20 header size u32 (128)   0x24 minor u16   0x26 major u16   0x28 block size u16 (4096)
//! 0x2A chunk count u16   0x78 flags u32   0x7C CRC32 of bytes 0x00..0x78
//! ```
//!
//! # Invariants
//!
//! Only the magic and the presence of 128 bytes are required. The counters are stale in
//! dirty files and the chunk count overflows past 4 GiB, so the reader never uses them to
//! find chunks: it walks every 64 KiB slot present in the buffer. The CRC is reported,
//! never enforced.

use crate::{Error, ErrorKind, Format, Result};

/// `ElfFile\0`.
pub const FILE_MAGIC: &[u8; 8] = b"ElfFile\0";
/// Size of the header block; chunk 0 starts here.
pub const HEADER_BLOCK_SIZE: usize = 4096;
/// Bytes of the header that carry data.
pub const HEADER_SIZE: usize = 128;

/// The decoded file header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileHeader {
    /// Number of the oldest chunk (may be after `last_chunk` in a wrapped log).
    pub first_chunk: u64,
    /// Number of the current chunk.
    pub last_chunk: u64,
    /// Next record identifier (stale in dirty files).
    pub next_record_id: u64,
    /// Minor format version (1 or 2).
    pub minor_version: u16,
    /// Major format version (3).
    pub major_version: u16,
    /// Chunk count as stored (untrusted).
    pub chunk_count: u16,
    /// File flags: 0x1 dirty, 0x2 full, 0x4 no CRC32.
    pub flags: u32,
    /// Stored CRC32 of bytes 0..0x78.
    pub checksum: u32,
    /// Whether `checksum` matches the bytes.
    pub checksum_ok: bool,
}

impl FileHeader {
    /// Flag: the log was not closed cleanly.
    pub const DIRTY: u32 = 0x1;
    /// Flag: the log is full.
    pub const FULL: u32 = 0x2;
    /// Flag: checksums are not maintained.
    pub const NO_CRC32: u32 = 0x4;

    /// Parse the header at the start of `buf`.
    pub fn parse(buf: &[u8]) -> Result<FileHeader> {
        if buf.len() < FILE_MAGIC.len() || &buf[..8] != FILE_MAGIC {
            return Err(Error::not_format(Format::Evtx, 0, "no ElfFile magic"));
        }
        let Some(h) = buf.get(..HEADER_SIZE) else {
            return Err(ErrorKind::Truncated {
                format: Format::Evtx,
                what: "file header",
                offset: 0,
                need: HEADER_SIZE as u64,
                have: buf.len() as u64,
            }
            .into());
        };
        let checksum = le32(h, 0x7c);
        Ok(FileHeader {
            first_chunk: le64(h, 0x08),
            last_chunk: le64(h, 0x10),
            next_record_id: le64(h, 0x18),
            minor_version: le16(h, 0x24),
            major_version: le16(h, 0x26),
            chunk_count: le16(h, 0x2a),
            flags: le32(h, 0x78),
            checksum,
            checksum_ok: crc32fast::hash(&h[..0x78]) == checksum,
        })
    }

    /// True when the dirty flag is set.
    pub fn is_dirty(&self) -> bool {
        self.flags & Self::DIRTY != 0
    }
}

// Callers pass offsets inside a slice whose length they checked.
pub(crate) fn le16(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

pub(crate) fn le32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

pub(crate) fn le64(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map_or(0, |s| {
        u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<u8> {
        let mut h = vec![0u8; HEADER_BLOCK_SIZE];
        h[..8].copy_from_slice(FILE_MAGIC);
        h[0x10] = 2;
        h[0x18] = 7;
        h[0x20] = 128;
        h[0x24] = 1;
        h[0x26] = 3;
        h[0x28..0x2a].copy_from_slice(&4096u16.to_le_bytes());
        h[0x2a] = 3;
        h[0x78] = 1;
        let crc = crc32fast::hash(&h[..0x78]);
        h[0x7c..0x80].copy_from_slice(&crc.to_le_bytes());
        h
    }

    #[test]
    fn parses_fields_and_checks_crc() {
        let mut h = header();
        let fh = FileHeader::parse(&h).unwrap();
        assert_eq!(
            (fh.last_chunk, fh.next_record_id, fh.chunk_count),
            (2, 7, 3)
        );
        assert_eq!((fh.major_version, fh.minor_version), (3, 1));
        assert!(fh.checksum_ok && fh.is_dirty());
        h[0x18] = 8;
        assert!(!FileHeader::parse(&h).unwrap().checksum_ok);
    }

    #[test]
    fn rejects_other_input() {
        let table: &[(&[u8], &str)] = &[
            (b"", "byte 0: not evtx: no ElfFile magic"),
            (b"ElfChnk\0", "byte 0: not evtx: no ElfFile magic"),
            (
                b"ElfFile\0abc",
                "byte 0: truncated evtx file header: need 128 bytes, have 11",
            ),
        ];
        for (input, want) in table {
            assert_eq!(FileHeader::parse(input).unwrap_err().to_string(), *want);
        }
    }
}
