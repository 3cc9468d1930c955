#!/usr/bin/env python3
"""Write the bundled sample logs in testdata/samples/ (deterministic; re-run to regenerate).

A support-case folder as an admin would hand it over: the MARS agent's Temp folder of one
server (UTF-16LE errlogs, rotated siblings, the console log), and a MABS server's DPM log
with a crash copy. Every line is synthetic, written here in the documented shapes; the
documented error texts are those of Microsoft's troubleshooting guide (see
core/catalog/mars.toml for the sources), planted among ordinary progress lines and
near-miss decoys ("Processed 34513 files") that must not be reported.
"""
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "samples")
JOB1 = "F3E32129-DC79-4A28-9ACC-3F30CB5810B6"
JOB2 = "0517B3DB-347D-45A8-9DAB-FD7D1EA7D134"
JOB3 = "9C1D5E7A-2B4F-4E6A-8D0C-1F3A5B7C9D2E"


def rec(date, time, nn, src, sev, msg, task="", ptr=None, pid="0F5C", tid="1A40"):
    if ptr is None:
        ptr = "" if ".cs(" in src else "[000000001A12E3F0]"
    return "\t".join([pid, tid, date, time, nn, src, ptr, task, sev, msg])


def progress(date, t0, task):
    phases = ["Prebackup started.", "Prebackup finished.", "Initialize Storage started.", "Initialize Storage finished.", "Data transfer started."]
    return [rec(date, t0 + f"{i:02d}.{i * 111 % 1000:03d}", "71", f"backupasync.cpp({1279 + i})", "NORMAL", "Backup Progress: " + p, task) for i, p in enumerate(phases)]


def write_utf16(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))


def main():
    temp = os.path.join(ROOT, "SRV-FS01", "Temp")
    older = [
        rec("03/02", "21:00:01.250", "69", "AzureServiceManagementHelper.cs(412)", "WARNING",
            "Registration failed: Invalid vault credentials provided. The file is either corrupted or doesn't have the latest credentials associated with recovery service. (ID: 34513)"),
        rec("03/02", "21:04:12.003", "79", "WcfClient.cs(998)", "WARNING",
            "Unable to make web service call | Params: {Exception: = System.Net.WebException: The remote server returned an error: (407) Proxy Authentication Required."),
        "   at System.Net.HttpWebRequest.GetResponse()",
        "   at Microsoft.Internal.CloudBackup.Client.Common.WcfClient.Invoke[T](Func`1 call)",
        rec("03/02", "21:04:12.010", "69", "AzureServiceManagementHelper.cs(320)", "FATAL",
            "The Microsoft Azure Recovery Service Agent was unable to connect to Microsoft Azure Backup. (ID: 100050) Check your network settings and ensure that you are able to connect to internet"),
        rec("03/03", "08:15:40.500", "71", "registrationhelper.cpp(233)", "WARNING",
            "Failed to set the encryption key for secure backups. Activation did not succeed completely but the encryption passphrase was saved to the following file."),
        rec("03/03", "08:15:40.520", "71", "registrationhelper.cpp(240)", "WARNING",
            "The activation did not complete successfully. The current operation failed due to an internal service error [0x1FC07]. Retry the operation after some time. If the issue persists, please contact Microsoft support."),
    ]
    write_utf16(os.path.join(temp, "CBEngine1.errlog"), older)
    current = (
        progress("03/14", "21:00:", JOB1)
        + [
            rec("03/14", "21:07:30.000", "18", "fsutils.cpp(1962)", "NORMAL", "Processed 34513 files, 407 retries, item id 100050", JOB1),
            rec("03/14", "21:07:31.250", "71", "backupasync.cpp(1184)", "WARNING", "Error 34506. The encryption passphrase stored on this computer is not correctly configured.", JOB1),
            rec("03/14", "21:07:31.300", "71", "backupasync.cpp(1338)", "NORMAL", "Backup Progress: Failed", JOB1),
        ]
        + progress("03/15", "21:00:", JOB2)
        + [
            rec("03/15", "21:12:02.417", "32", "scratchmanager.cpp(512)", "WARNING", "SalLowDiskSpace: not enough free space on the scratch volume C:\\Program Files\\Microsoft Azure Recovery Services Agent\\Scratch", JOB2),
            rec("03/15", "21:12:02.500", "71", "backupasync.cpp(1184)", "WARNING", "Failed: Hr: = [0x80780054] Offline Backup Progress: Failed", JOB2),
            rec("03/16", "02:00:00.000", "71", "backupasync.cpp(1607)", "WARNING", "Last completed state for Ds Id 34506 is 5 (TRANSFERRING_DATA)", JOB3),
            rec("03/16", "02:00:00.010", "71", "backupasync.cpp(1338)", "NORMAL", "Backup Progress: Succeeded", JOB3),
        ]
    )
    write_utf16(os.path.join(temp, "CBEngineCurr.errlog"), current)
    ui = [
        rec("03/03", "08:15:41.000", "12", "RegisterServerWizard.cs(88)", "WARNING",
            "Erreur 34506. La phrase secrète de chiffrement stockée sur cet ordinateur n’est pas correctement configurée", pid="2B10", tid="2B14"),
    ]
    write_utf16(os.path.join(temp, "CBUICurr.errlog"), ui)
    mabs = os.path.join(ROOT, "MABS01", "DPM", "Temp")
    crash = [
        rec("06/01", "20:54:55.393", "09", "AppAssert.cs(130)", "WARNING", "value of non-nullable parameter @RecoverableObjectMachineName is null", "8AE83798-7A85-466A-80CA-22CA66582965", pid="180C", tid="280C"),
        rec("06/01", "20:55:45.690", "09", "everettexception.cpp(761)", "CRITICAL", "Exception Message = Input string was not in a correct format. of type System.FormatException, process will terminate after generating dump", "8AE83798-7A85-466A-80CA-22CA66582965", ptr="", pid="180C", tid="280C"),
    ]
    write_utf16(os.path.join(mabs, "MSDPMCurr.errlog.2026-06-01_20-55-45.Crash"), crash)
    write_event_exports()


def event(provider, channel, eid, level, when, rid, data, unnamed=False):
    items = "".join(
        f"<Data>{v}</Data>" if unnamed else f"<Data Name='{k}'>{v}</Data>" for k, v in data
    )
    return (
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
        f"<Provider Name='{provider}'/><EventID>{eid}</EventID><Version>0</Version><Level>{level}</Level>"
        f"<Task>0</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>"
        f"<TimeCreated SystemTime='{when}'/><EventRecordID>{rid}</EventRecordID>"
        f"<Correlation/><Execution ProcessID='3012' ThreadID='4120'/><Channel>{channel}</Channel>"
        f"<Computer>SRV-FS01</Computer><Security/></System><EventData>{items}</EventData></Event>"
    )


def write_event_exports():
    """What `wevtutil qe CloudBackup /f:xml` and an Application-log export look like."""
    logs = os.path.join(ROOT, "SRV-FS01", "Logs")
    os.makedirs(logs, exist_ok=True)
    cloud = [
        event("CloudBackup", "CloudBackup", 1, 4, "2026-03-14T21:00:00.0000000Z", 101, [("JobId", JOB1)]),
        event("CloudBackup", "CloudBackup", 11, 2, "2026-03-14T21:07:31.5000000Z", 102, [("JobId", JOB1), ("ErrorCode", "34506")]),
        event("CloudBackup", "CloudBackup", 18, 2, "2026-03-15T21:00:00.1234567Z", 103, [("Message", "Scheduled backup failed in initialization phase")]),
        event("CloudBackup", "CloudBackup", 3, 4, "2026-03-16T02:00:00.01Z", 104, [("JobId", JOB3)]),
    ]
    with open(os.path.join(logs, "CloudBackup.xml"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(cloud) + "\n")
    app = [
        event("Application Error", "Application", 1000, 2, "2026-03-14T21:07:35Z", 5120,
              [("AppName", "cbengine.exe"), ("AppVersion", "2.0.9262.0"), ("ExceptionCode", "c0000005")]),
        event("Microsoft-Windows-TaskScheduler", "Microsoft-Windows-TaskScheduler/Operational", 101, 2,
              "2026-03-15T21:00:00Z", 9031, [("TaskName", "\\Microsoft\\OnlineBackup\\Microsoft-OnlineBackup"), ("ResultCode", "2147942402")]),
    ]
    with open(os.path.join(logs, "Application.xml"), "w", encoding="utf-8", newline="\n") as f:
        f.write("<?xml version='1.0' encoding='utf-8'?>\n<Events>\n" + "\n".join(app) + "\n</Events>\n")


if __name__ == "__main__":
    main()
