//! Deterministic generators of realistic benchmark inputs.
//!
//! [`errlog`] writes CBEngine-style errlog text of a requested size in any encoding, with
//! documented MARS errors planted at a chosen density, from a fixed seed: the same
//! arguments always give the same bytes, so runs and machines can be compared.
//!
//! [`evtx`] writes a `.evtx` log of a requested size with the project's builder: a
//! deterministic mix of Security-Auditing logons and process events, Service Control
//! Manager state changes and CloudBackup (MARS agent) job events, with realistic
//! EventData (SIDs, logon ids, GUIDs, paths, command lines, error codes).

pub mod evtx_gen;
pub use evtx_gen::{evtx, FILTER_IDS};

use marslog::errlog::Entry;

/// What every errlog parse benchmark reads of an entry (`errlog/*/parse_all_fields`): every
/// numeric field of a record and its timestamp; text fields as borrowed slices.
pub fn entry_fields(e: &Entry<'_>) -> u64 {
    match e {
        Entry::Record(r) => u64::from(r.pid() ^ r.tid() ^ r.source_line())
            .wrapping_add(r.timestamp().map_or(0, |t| t.timestamp() as u64))
            .wrapping_add(r.pointer().unwrap_or(0))
            .wrapping_add(r.message_bytes().len() as u64),
        Entry::Unparsed(_) => 0,
    }
}

/// Encodings the generator can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without BOM, LF line ends.
    Utf8,
    /// UTF-16LE with BOM, CRLF line ends (what the agent writes).
    Utf16Le,
}

/// A small xorshift generator (deterministic, no dependency).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator (seed 0 is replaced by a constant).
    pub fn new(seed: u64) -> Self {
        Rng(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }
    /// Next pseudo-random value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

const NORMAL: &[(&str, &str, &str)] = &[
    (
        "71",
        "backupasync.cpp(1279)",
        "Backup Progress: Prebackup started.",
    ),
    (
        "71",
        "backupasync.cpp(1299)",
        "Backup Progress: Data transfer started.",
    ),
    ("32", "fileprovider.cpp(1479)", "==>FileProvider::EndData"),
    ("32", "fileprovider.cpp(1479)", "<--FileProvider::EndData"),
    (
        "70",
        "itemcatalogupdater.cpp(652)",
        "Uploading 500 RO entries",
    ),
    (
        "75",
        "OMUtils.cs(309)",
        "cbpVersion 2.0.9167.0 , latestVersion 2.0.9167.0",
    ),
    (
        "18",
        "fsutils.cpp(1962)",
        "Processed 34513 files in 120 seconds, 407 retries, 0 errors",
    ),
    (
        "71",
        "backupasync.cpp(1607)",
        "Last completed state for Ds Id 34506 is 5 (TRANSFERRING_DATA)",
    ),
    (
        "3",
        "registryutils.cpp(211)",
        "RegQueryValueEx returned ERROR_FILE_NOT_FOUND for LastBackupTime, using the default",
    ),
];

/// Documented error messages planted by the generator (each classifies to a catalog entry).
pub const PLANTED: &[(&str, &str, &str)] = &[
    ("79", "WcfClient.cs(998)", "Registration failed: Invalid vault credentials provided. The file is either corrupted or does not have the latest credentials associated with recovery service. (ID: 34513)"),
    ("79", "WcfClient.cs(998)", "Unable to make web service call | Params: {Exception: = System.Net.WebException: The remote server returned an error: (407) Proxy Authentication Required."),
    ("71", "backupasync.cpp(1184)", "The activation did not complete successfully. The current operation failed due to an internal service error [0x1FC07]. Retry the operation after some time."),
    ("71", "backupasync.cpp(1190)", "Error 34506. The encryption passphrase stored on this computer is not correctly configured."),
    ("69", "AzureServiceManagementHelper.cs(320)", "The Microsoft Azure Recovery Service Agent was unable to connect to Microsoft Azure Backup. (ID: 100050) Check your network settings."),
    // a generic HRESULT that the catalog lists (0x80070002): harmless in practice, but a finding
    ("3", "registryutils.cpp(249)", "Failed: Hr: = [0x80070002] : Encountered Failure: : lVal : (UINT)RegDeleteValue(hReg, pwstrValueName)"),
];

/// Generate about `size` bytes of errlog text in `enc`, planting one documented error every
/// `1 / density` records (density 0 plants none): only planted records are findings, so a
/// density-0.001 file has about 0.1 % finding records. Ordinary records include near misses
/// (`Processed 34513 files`, `Ds Id 34506`, `backupasync.cpp(1184)`, `ERROR_FILE_NOT_FOUND`).
pub fn errlog(size: usize, enc: Encoding, density: f64, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut text = String::with_capacity(size + 512);
    let task = "F3E32129-DC79-4A28-9ACC-3F30CB5810B6";
    let eol = if enc == Encoding::Utf16Le {
        "\r\n"
    } else {
        "\n"
    };
    let unit = if enc == Encoding::Utf16Le { 2 } else { 1 };
    let mut ms: u64 = 0;
    let every = if density > 0.0 {
        (1.0 / density).round().max(1.0) as u64
    } else {
        u64::MAX
    };
    let mut n: u64 = 0;
    while text.len() * unit < size {
        n += 1;
        ms += rng.below(900);
        let (month, day) = (1 + (ms / 86_400_000 / 28) % 12, 1 + (ms / 86_400_000) % 28);
        let t = ms % 86_400_000;
        let (col5, src, msg) = if n.is_multiple_of(every) {
            PLANTED[rng.below(PLANTED.len() as u64) as usize]
        } else {
            NORMAL[rng.below(NORMAL.len() as u64) as usize]
        };
        let managed = src.contains(".cs(");
        let pointer = if managed {
            String::new()
        } else {
            format!("[{:016X}]", 0x1A12_E3F0 + rng.below(4096) * 16)
        };
        text.push_str(&format!(
            "{:04X}\t{:04X}\t{month:02}/{day:02}\t{:02}:{:02}:{:02}.{:03}\t{col5}\t{src}\t{pointer}\t{task}\t{}\t{msg}{eol}",
            0x44B4,
            0x3968 + rng.below(8),
            t / 3_600_000,
            t / 60_000 % 60,
            t / 1000 % 60,
            t % 1000,
            if msg.starts_with("Failed") || n.is_multiple_of(every) { "WARNING" } else { "NORMAL" },
        ));
        if n.is_multiple_of(97) {
            text.push_str(&format!(
                "   at Microsoft.Internal.CloudBackup.Worker.Run(Int32 attempt){eol}"
            ));
        }
    }
    match enc {
        Encoding::Utf8 => text.into_bytes(),
        Encoding::Utf16Le => {
            let mut out = Vec::with_capacity(text.len() * 2 + 2);
            out.extend_from_slice(&[0xFF, 0xFE]);
            out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_parseable() {
        let a = errlog(64 << 10, Encoding::Utf16Le, 0.01, 7);
        assert_eq!(a, errlog(64 << 10, Encoding::Utf16Le, 0.01, 7));
        let log = marslog::errlog::ErrlogParser::new()
            .with_year(2025)
            .parse(&a);
        let s = log.stats();
        assert!(s.records > 100);
        assert_eq!(s.unparsed_lines, 0);
        assert!(s.continuation_lines > 0);
        assert!(s.reconciles());
    }

    #[test]
    fn findings_follow_the_density() {
        let c = marslog::classify::Classifier::new();
        let parser = marslog::errlog::ErrlogParser::new().with_year(2025);
        for density in [0.0, 0.001, 0.01] {
            let buf = errlog(4 << 20, Encoding::Utf8, density, 3);
            let records = parser.parse(&buf).stats().records as f64;
            let mut lines: Vec<_> = c
                .scan_errlog(&buf, &parser)
                .iter()
                .map(|f| f.line)
                .collect();
            lines.dedup();
            let findings = lines.len() as f64;
            assert!(
                (findings - records * density).abs() <= 2.0 + records * density * 0.05,
                "density {density}: {findings} findings in {records} records"
            );
        }
    }
}
