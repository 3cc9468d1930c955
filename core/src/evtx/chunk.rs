//! Chunks: the 512-byte chunk header and the walk over a chunk's records.
//!
//! ```text
//! 0x00 "ElfChnk\0"  0x08 first/0x10 last record number  0x18 first/0x20 last record id
//! 0x28 header size  0x2C last record offset  0x30 free space offset  0x34 records CRC32
//! 0x78 flags  0x7C header CRC32 (of 0..0x78 and 0x80..0x200)
//! 0x80 string table (64 × u32)  0x180 template table (32 × u32)  0x200 records…
//! ```
//!
//! # Invariants
//!
//! * The walk starts at 0x200 and stays below `min(free_space_offset, chunk length)`; it
//!   stops after the record whose id is the header's last record id.
//! * A record header that cannot be read is reported and the walk resynchronises on the
//!   next record magic whose header and size copy check out, whose id lies in the
//!   header's id range and which ends in the live area. Zeroes where a record should start
//!   end the walk silently when no live record follows (free space that the header
//!   overstates).
//! * Every step moves forward, so the walk ends in at most one pass over the chunk.

use super::header::{le32, le64};
use super::record::{RecordHeader, RecordHeaderError, RECORD_MAGIC};

/// `ElfChnk\0`.
pub const CHUNK_MAGIC: &[u8; 8] = b"ElfChnk\0";
/// Size of a chunk.
pub const CHUNK_SIZE: usize = 65536;
/// Size of a chunk header; the first record starts here.
pub const CHUNK_HEADER_SIZE: usize = 512;

/// The decoded chunk header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkHeader {
    /// First event record number.
    pub first_record_number: u64,
    /// Last event record number.
    pub last_record_number: u64,
    /// First event record id.
    pub first_record_id: u64,
    /// Last event record id.
    pub last_record_id: u64,
    /// Chunk offset of the last record.
    pub last_record_offset: u32,
    /// Chunk offset of the free space (end of the records).
    pub free_space_offset: u32,
    /// Stored CRC32 of the records area.
    pub records_checksum: u32,
    /// Chunk flags (0x1 dirty, 0x4 no CRC32).
    pub flags: u32,
    /// Stored CRC32 of the header.
    pub header_checksum: u32,
}

impl ChunkHeader {
    /// Parse a chunk header; `None` when the magic is wrong or fewer than 512 bytes exist.
    pub fn parse(chunk: &[u8]) -> Option<ChunkHeader> {
        let h = chunk.get(..CHUNK_HEADER_SIZE)?;
        if &h[..8] != CHUNK_MAGIC {
            return None;
        }
        Some(ChunkHeader {
            first_record_number: le64(h, 0x08),
            last_record_number: le64(h, 0x10),
            first_record_id: le64(h, 0x18),
            last_record_id: le64(h, 0x20),
            last_record_offset: le32(h, 0x2c),
            free_space_offset: le32(h, 0x30),
            records_checksum: le32(h, 0x34),
            flags: le32(h, 0x78),
            header_checksum: le32(h, 0x7c),
        })
    }

    /// The CRC32 the header should carry.
    pub fn computed_header_checksum(chunk: &[u8]) -> u32 {
        let mut c = crc32fast::Hasher::new();
        c.update(&chunk[..0x78.min(chunk.len())]);
        c.update(chunk.get(0x80..CHUNK_HEADER_SIZE).unwrap_or(&[]));
        c.finalize()
    }

    /// The CRC32 the records area should carry (`None` when the free space offset is
    /// outside the chunk).
    pub fn computed_records_checksum(&self, chunk: &[u8]) -> Option<u32> {
        chunk
            .get(CHUNK_HEADER_SIZE..self.free_space_offset as usize)
            .map(crc32fast::hash)
    }

    /// End of the live area.
    pub fn live_end(&self, chunk_len: usize) -> usize {
        (self.free_space_offset as usize).min(chunk_len)
    }
}

/// A record found by the walk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawRecord {
    /// Chunk offset of the record.
    pub(crate) offset: usize,
    pub(crate) header: RecordHeader,
}

/// One step of the walk.
pub(crate) enum WalkItem {
    Record(RawRecord),
    /// A record header that could not be read at `offset`.
    Bad {
        offset: usize,
        error: RecordHeaderError,
    },
}

/// Iterator over the records of one chunk, with resynchronisation.
pub(crate) struct RecordWalk<'a> {
    chunk: &'a [u8],
    header: ChunkHeader,
    next: Option<usize>,
}

impl<'a> RecordWalk<'a> {
    pub(crate) fn new(chunk: &'a [u8], header: ChunkHeader) -> Self {
        RecordWalk {
            chunk,
            header,
            next: Some(CHUNK_HEADER_SIZE),
        }
    }

    fn live_end(&self) -> usize {
        self.header.live_end(self.chunk.len())
    }

    /// The next plausible live record at or after `from`.
    fn resync(&self, mut from: usize) -> Option<usize> {
        let live_end = self.live_end();
        let search_end = live_end.min(self.header.last_record_offset as usize + 4);
        let ids = self.header.first_record_id..=self.header.last_record_id;
        let finder = memchr::memmem::Finder::new(RECORD_MAGIC);
        while from < search_end {
            let pos = from + finder.find(&self.chunk[from..search_end])?;
            if let Ok(h) = RecordHeader::parse(self.chunk, pos) {
                if h.size_copy_matches(self.chunk, pos)
                    && pos + h.size as usize <= live_end
                    && ids.contains(&h.record_id)
                {
                    return Some(pos);
                }
            }
            from = pos + 1;
        }
        None
    }
}

impl Iterator for RecordWalk<'_> {
    type Item = WalkItem;

    fn next(&mut self) -> Option<WalkItem> {
        loop {
            let at = self.next?;
            if at >= self.live_end() {
                self.next = None;
                return None;
            }
            match RecordHeader::parse(self.chunk, at) {
                Ok(header) => {
                    self.next = if header.record_id == self.header.last_record_id {
                        None
                    } else {
                        Some(at + header.size as usize)
                    };
                    return Some(WalkItem::Record(RawRecord { offset: at, header }));
                }
                Err(error) => {
                    self.next = self.resync(at + 1);
                    let blank = matches!(
                        error,
                        RecordHeaderError::BadMagic([0, 0, 0, 0]) | RecordHeaderError::Truncated
                    );
                    if self.next.is_some() || !blank {
                        return Some(WalkItem::Bad { offset: at, error });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_needs_magic_and_512_bytes() {
        let mut c = vec![0u8; CHUNK_HEADER_SIZE];
        assert!(ChunkHeader::parse(&c).is_none());
        c[..8].copy_from_slice(CHUNK_MAGIC);
        c[0x30] = 0x10;
        c[0x31] = 0x02;
        let h = ChunkHeader::parse(&c).unwrap();
        assert_eq!(h.free_space_offset, 0x210);
        assert_eq!(h.live_end(0x100), 0x100);
        assert!(ChunkHeader::parse(&c[..511]).is_none());
    }
}
