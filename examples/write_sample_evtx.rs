//! Write the bundled sample System log (`testdata/samples/SRV-FS01/Logs/System.evtx`) with
//! marslog's own EVTX builder: the Windows events around a failing MARS agent.
//!
//! `cargo run -p marslog-examples --example write_sample_evtx -- OUT.evtx`

use chrono::{TimeZone, Utc};
use marslog::evtx::builder::{DataValue, EventSpec, EvtxBuilder};

fn main() -> std::io::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "System.evtx".into());
    let t = |d: u32, h: u32, m: u32, s: u32| Utc.with_ymd_and_hms(2026, 3, d, h, m, s).unwrap();
    let scm = "Service Control Manager";
    let s = |v: &str| DataValue::Str(v.to_string());
    let events = vec![
        EventSpec::new(scm, "System", 7036)
            .time(t(14, 20, 59, 1))
            .computer("SRV-FS01")
            .data("param1", s("Windows Update"))
            .data("param2", s("running")),
        EventSpec::new(scm, "System", 7031)
            .time(t(14, 21, 7, 40))
            .level(2)
            .qualifiers(0xC000)
            .computer("SRV-FS01")
            .data("param1", s("Microsoft Azure Recovery Services Agent"))
            .data("param2", DataValue::U32(1))
            .data("param3", DataValue::U32(60000))
            .data("param4", DataValue::U32(1))
            .data("param5", s("Restart the service"))
            .data("param6", s("obengine")),
        EventSpec::new("Schannel", "System", 36871)
            .time(t(15, 21, 0, 2))
            .level(2)
            .computer("SRV-FS01")
            .data("Type", s("client"))
            .data("ErrorState", DataValue::U32(10013)),
        EventSpec::new("iScsiPrt", "System", 1)
            .time(t(16, 9, 30, 0))
            .level(2)
            .computer("SRV-FS01")
            .data("0", s("\\Device\\RaidPort0"))
            .data("1", s("Initiator failed to connect to the target.")),
        EventSpec::new("Microsoft-Windows-Kernel-General", "System", 16)
            .time(t(16, 9, 31, 0))
            .computer("SRV-FS01"),
    ];
    let mut b = EvtxBuilder::new();
    for e in events {
        b.push(e);
    }
    std::fs::write(&out, b.build())?;
    eprintln!("wrote {out}");
    Ok(())
}
