//! A deterministic generator of realistic `.evtx` logs (see [`evtx`]).

use marslog::evtx::builder::{DataValue, EventSpec, EvtxBuilder};

use crate::Rng;

/// Event ids that are rare in the generated logs: the "handful of ids" a filtered scan
/// looks for (failed logons, service crashes, MARS job failures).
pub const FILTER_IDS: [u32; 5] = [4625, 7031, 7034, 11, 18];

const SECURITY: &str = "Microsoft-Windows-Security-Auditing";
const SECURITY_GUID: [u8; 16] = [
    0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49, 0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3, 0x0d,
];
const SCM: &str = "Service Control Manager";
const SCM_GUID: [u8; 16] = [
    0xd1, 0x08, 0x59, 0x55, 0xd7, 0xa6, 0x95, 0x46, 0x8e, 0x1e, 0x26, 0x93, 0x1d, 0x20, 0x12, 0xf4,
];
const COMPUTERS: [&str; 4] = [
    "MABS01.contoso.local",
    "FS02.contoso.local",
    "SQL03.contoso.local",
    "DC01.contoso.local",
];
const USERS: [&str; 6] = ["alice", "bob", "svc_backup", "carol", "SQLSERVICE", "dave"];
const SERVICES: [&str; 8] = [
    "Microsoft Azure Recovery Services Agent",
    "Microsoft Azure Recovery Services Management Agent",
    "Windows Update",
    "Background Intelligent Transfer Service",
    "Volume Shadow Copy",
    "Windows Modules Installer",
    "Microsoft Software Shadow Copy Provider",
    "SQL Server VSS Writer",
];
const PROCESSES: [&str; 6] = [
    "C:\\Program Files\\Microsoft Azure Recovery Services Agent\\bin\\cbengine.exe",
    "C:\\Program Files\\Microsoft Azure Recovery Services Agent\\bin\\OBRecoveryServicesManagementAgent.exe",
    "C:\\Windows\\System32\\svchost.exe",
    "C:\\Windows\\System32\\vssvc.exe",
    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
    "C:\\Windows\\System32\\cmd.exe",
];
const MARS_ERRORS: [(u32, &str); 4] = [
    (
        0x0001_FC07,
        "The current operation failed due to an internal service error. Retry the operation after some time.",
    ),
    (
        0x8007_0005,
        "Access is denied. Make sure the agent service account can read the protected items.",
    ),
    (
        0x0001_30E5,
        "The encryption passphrase stored on this computer is not correctly configured.",
    ),
    (
        0x8007_0057,
        "The Microsoft Azure Recovery Service Agent was unable to connect to Microsoft Azure Backup.",
    ),
];

fn sid(rng: &mut Rng, well_known: bool) -> Vec<u8> {
    if well_known {
        // S-1-5-18
        return vec![1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0];
    }
    let mut s = vec![1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0];
    for v in [
        3_623_811_015u32,
        3_361_044_348,
        30_300_820,
        1000 + rng.below(50) as u32,
    ] {
        s.extend(v.to_le_bytes());
    }
    s
}

fn guid(rng: &mut Rng) -> [u8; 16] {
    let mut g = [0u8; 16];
    g[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    g[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
    g
}

fn s(v: impl Into<String>) -> DataValue {
    DataValue::Str(v.into())
}

fn security(rng: &mut Rng, spec: EventSpec, id: u16) -> EventSpec {
    let mut e = spec;
    e.provider_guid = Some(SECURITY_GUID);
    e.level = 0;
    e.keywords = 0x8020_0000_0000_0000;
    e.process_thread = (628, 700 + rng.below(64) as u32);
    let user = USERS[rng.below(USERS.len() as u64) as usize];
    let logon_id = 0x3e7 + rng.below(1 << 24) * 0x10;
    let subject = |e: EventSpec, rng: &mut Rng| {
        e.data("SubjectUserSid", DataValue::Sid(sid(rng, true)))
            .data("SubjectUserName", s("MABS01$"))
            .data("SubjectDomainName", s("CONTOSO"))
            .data("SubjectLogonId", DataValue::Hex64(0x3e7))
    };
    match id {
        4624 | 4625 => {
            e.task = 12544;
            let logon_type = [2u32, 3, 5, 10][rng.below(4) as usize];
            let e = subject(e, rng)
                .data("TargetUserSid", DataValue::Sid(sid(rng, false)))
                .data("TargetUserName", s(user))
                .data("TargetDomainName", s("CONTOSO"));
            let e = if id == 4625 {
                e.data("Status", DataValue::Hex32(0xc000_006d))
                    .data("FailureReason", s("%%2313"))
                    .data("SubStatus", DataValue::Hex32(0xc000_006a))
            } else {
                e.data("TargetLogonId", DataValue::Hex64(logon_id))
            };
            e.data("LogonType", DataValue::U32(logon_type))
                .data("LogonProcessName", s("NtLmSsp "))
                .data("AuthenticationPackageName", s("NTLM"))
                .data("WorkstationName", s(format!("WKS{:03}", rng.below(200))))
                .data("LogonGuid", DataValue::Guid(guid(rng)))
                .data("TransmittedServices", s("-"))
                .data("LmPackageName", s("NTLM V2"))
                .data("KeyLength", DataValue::U32(128))
                .data("ProcessId", DataValue::Hex64(0))
                .data("ProcessName", s("-"))
                .data(
                    "IpAddress",
                    s(format!("10.0.{}.{}", rng.below(8), 2 + rng.below(250))),
                )
                .data("IpPort", s(format!("{}", 49152 + rng.below(16000))))
                .data("ImpersonationLevel", s("%%1833"))
                .data("RestrictedAdminMode", s("-"))
                .data("TargetOutboundUserName", s("-"))
                .data("TargetOutboundDomainName", s("-"))
                .data("VirtualAccount", s("%%1843"))
                .data("TargetLinkedLogonId", DataValue::Hex64(0))
                .data("ElevatedToken", s("%%1842"))
        }
        4634 => {
            e.task = 12545;
            e.data("TargetUserSid", DataValue::Sid(sid(rng, false)))
                .data("TargetUserName", s(user))
                .data("TargetDomainName", s("CONTOSO"))
                .data("TargetLogonId", DataValue::Hex64(logon_id))
                .data("LogonType", DataValue::U32(3))
        }
        4672 => {
            e.task = 12548;
            subject(e, rng).data(
                "PrivilegeList",
                s("SeAssignPrimaryTokenPrivilege\r\n\t\t\tSeTcbPrivilege\r\n\t\t\tSeSecurityPrivilege\r\n\t\t\tSeTakeOwnershipPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\tSeRestorePrivilege\r\n\t\t\tSeDebugPrivilege"),
            )
        }
        _ => {
            e.task = 13312;
            let proc = PROCESSES[rng.below(PROCESSES.len() as u64) as usize];
            let parent = PROCESSES[rng.below(PROCESSES.len() as u64) as usize];
            subject(e, rng)
                .data(
                    "NewProcessId",
                    DataValue::Hex64(0x1000 + rng.below(60000) * 4),
                )
                .data("NewProcessName", s(proc))
                .data("TokenElevationType", s("%%1936"))
                .data("ProcessId", DataValue::Hex64(0x1000 + rng.below(60000) * 4))
                .data(
                    "CommandLine",
                    s(format!(
                        "\"{proc}\" -Embedding -JobId {:08x}-{:04x} /Verbose",
                        rng.next_u64() as u32,
                        rng.below(65536)
                    )),
                )
                .data(
                    "TargetUserSid",
                    DataValue::Sid(vec![1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
                )
                .data("TargetUserName", s("-"))
                .data("TargetDomainName", s("-"))
                .data("TargetLogonId", DataValue::Hex64(0))
                .data("ParentProcessName", s(parent))
                .data(
                    "MandatoryLabel",
                    DataValue::Sid(vec![1, 1, 0, 0, 0, 0, 0, 16, 0, 0x40, 0, 0]),
                )
        }
    }
}

fn scm(rng: &mut Rng, spec: EventSpec, id: u16) -> EventSpec {
    let mut e = spec;
    e.provider_guid = Some(SCM_GUID);
    e.keywords = 0x8080_0000_0000_0000;
    e.process_thread = (640, 1200 + rng.below(64) as u32);
    let svc = SERVICES[rng.below(SERVICES.len() as u64) as usize];
    match id {
        7036 => {
            let state = if rng.below(2) == 0 {
                "running"
            } else {
                "stopped"
            };
            let name: Vec<u8> = svc
                .split(' ')
                .next()
                .unwrap_or("svc")
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect();
            e.qualifiers(16384)
                .data("param1", s(svc))
                .data("param2", s(state))
                .data("Binary", DataValue::Binary(name))
        }
        7040 => e
            .qualifiers(16384)
            .data("param1", s(svc))
            .data("param2", s("demand start"))
            .data("param3", s("auto start"))
            .data("param4", s("obengine")),
        7045 => e
            .qualifiers(16384)
            .data("ServiceName", s(svc))
            .data("ImagePath", s(PROCESSES[rng.below(2) as usize]))
            .data("ServiceType", s("user mode service"))
            .data("StartType", s("auto start"))
            .data("AccountName", s("LocalSystem")),
        _ => e
            .qualifiers(49152)
            .level(2)
            .data("param1", s(svc))
            .data("param2", DataValue::U32(1 + rng.below(3) as u32))
            .data("param3", DataValue::U32(60000))
            .data("param4", DataValue::U32(1))
            .data("param5", s("Restart the service")),
    }
}

fn cloud_backup(rng: &mut Rng, spec: EventSpec, id: u16) -> EventSpec {
    let mut e = spec;
    e.process_thread = (4120, 4200 + rng.below(64) as u32);
    let job = format!(
        "{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
        rng.next_u64() as u32,
        rng.below(65536),
        rng.below(65536),
        rng.below(65536),
        rng.next_u64() & 0xffff_ffff_ffff
    );
    match id {
        11 | 18 => {
            let (code, msg) = MARS_ERRORS[rng.below(MARS_ERRORS.len() as u64) as usize];
            e.level(2)
                .data("JobId", s(job))
                .data("DatasourceId", DataValue::U64(34506 + rng.below(8)))
                .data("ErrorCode", DataValue::Hex32(code))
                .data("ErrorMessage", s(msg))
                .data("RetryCount", DataValue::U32(rng.below(4) as u32))
        }
        _ => e
            .data("JobId", s(job))
            .data("DatasourceId", DataValue::U64(34506 + rng.below(8)))
            .data(
                "Volume",
                s(["C:\\", "D:\\", "E:\\SQLData\\"][rng.below(3) as usize]),
            )
            .data("BytesTransferred", DataValue::U64(rng.below(1 << 36)))
            .data("FilesProcessed", DataValue::U32(rng.below(100_000) as u32))
            .data("Success", DataValue::Bool(id != 3)),
    }
}

/// Generate a `.evtx` log of about `size` bytes (whole 64 KiB chunks) from `seed`: the
/// same arguments always give the same bytes.
///
/// The mix, by share of records: Security-Auditing 4624/4634/4672/4688 ≈ 55 % (4625
/// rare), Service Control Manager 7036/7040/7045 ≈ 25 % (7031/7034 rare), CloudBackup
/// job events 1/3/5/14 ≈ 20 % (11/18 rare), over four computers.
pub fn evtx(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut b = EvtxBuilder::new();
    // 2024-01-01T00:00:00Z, then 0..2 s between events.
    let mut time: u64 = 133_485_408_000_000_000;
    // Stop once the builder has finished the requested number of chunks (checked every
    // 256 records).
    let target_chunks = size.div_ceil(65536).max(1);
    let mut n: u64 = 0;
    loop {
        n += 1;
        if n.is_multiple_of(256) && b.chunk_count() >= target_chunks {
            break;
        }
        time += rng.below(20_000_000);
        let computer = COMPUTERS[rng.below(COMPUTERS.len() as u64) as usize];
        let roll = rng.below(1000);
        let (provider, channel, id) = match roll {
            0..=179 => (SECURITY, "Security", 4624),
            180..=279 => (SECURITY, "Security", 4634),
            280..=409 => (SECURITY, "Security", 4672),
            410..=547 => (SECURITY, "Security", 4688),
            548..=549 => (SECURITY, "Security", 4625),
            550..=709 => (SCM, "System", 7036),
            710..=769 => (SCM, "System", 7040),
            770..=796 => (SCM, "System", 7045),
            797 => (SCM, "System", 7034),
            798 => (SCM, "System", 7031),
            799..=849 => ("CloudBackup", "CloudBackup/Operational", 1),
            850..=899 => ("CloudBackup", "CloudBackup/Operational", 14),
            900..=949 => ("CloudBackup", "CloudBackup/Operational", 5),
            950..=997 => ("CloudBackup", "CloudBackup/Operational", 3),
            998 => ("CloudBackup", "CloudBackup/Operational", 11),
            _ => ("CloudBackup", "CloudBackup/Operational", 18),
        };
        let mut spec = EventSpec::new(provider, channel, id).computer(computer);
        spec.time = time;
        let spec = match provider {
            SECURITY => security(&mut rng, spec, id),
            SCM => scm(&mut rng, spec, id),
            _ => cloud_backup(&mut rng, spec, id),
        };
        b.push(spec);
    }
    b.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use marslog::evtx::{EventFilter, EvtxFile};

    #[test]
    fn deterministic_and_readable() {
        let a = evtx(1 << 20, 7);
        assert_eq!(a, evtx(1 << 20, 7));
        let file = EvtxFile::parse(&a).unwrap();
        let (events, damage) = file.par_events(&EventFilter::new());
        assert!(damage.is_empty(), "{damage:?}");
        assert!(events.len() > 500);
        for e in &events {
            assert!(!e.data().unwrap().is_empty());
        }
        let f = EventFilter::new().event_ids(FILTER_IDS);
        let (hits, _) = file.par_events(&f);
        assert!(!hits.is_empty() && hits.len() * 50 < events.len());
    }
}
