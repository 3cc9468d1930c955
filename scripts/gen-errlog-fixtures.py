#!/usr/bin/env python3
"""Write the errlog fixtures in testdata/errlog/ (deterministic; re-run to regenerate).

Every line is synthetic: it follows the shapes documented in ../shared/docs/errlog-format.md
(10 TAB-separated columns) but is written here. The tests in core/tests/errlog.rs assert the
field values of these files, so change both together.
"""
import os
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "errlog")
TASK = "6F1C2D3E-4A5B-4C6D-8E9F-0A1B2C3D4E5F"
TASK2 = "A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D"


def line(pid, tid, date, time, nn, src, ptr, task, sev, msg):
    return "\t".join([pid, tid, date, time, nn, src, ptr, task, sev, msg])


# A MARS engine log: progress, a multi-line exception, a failure with an HRESULT, French text.
MARS = [
    line("1A2C", "0F3C", "03/14", "08:00:01.125", "71", "backupasync.cpp(1279)", "[0000000002B4C1F0]", TASK, "NORMAL", "Backup Progress: Prebackup started."),
    line("1A2C", "0F3C", "03/14", "08:00:17.500", "71", "backupasync.cpp(1281)", "[0000000002B4C1F0]", TASK, "NORMAL", "Backup Progress: Prebackup finished."),
    line("1A2C", "2210", "03/14", "08:01:02.003", "79", "WcfClient.cs(998)", "", TASK, "WARNING", "Unable to make web service call | Params: {Exception: = System.Net.WebException: The remote server returned an error: (407) Proxy Authentication Required."),
    "   at System.Net.HttpWebRequest.GetResponse()",
    "   at Microsoft.Internal.CloudBackup.Client.WcfClient.Invoke()",
    line("1A2C", "0F3C", "03/14", "08:01:02.010", "71", "backupasync.cpp(1184)", "[0000000002B4C1F0]", TASK, "WARNING", "Failed: Hr: = [0x80780054] Offline Backup Progress: Failed"),
    line("1A2C", "0F3C", "03/14", "08:01:02.011", "32", "fileprovider.cpp(1479)", "[0000000002B4D000]", "", "NORMAL", "Fichier ignoré : C:\\Données\\Comptabilité\\été.xlsx"),
    line("1A2C", "0F3C", "03/14", "08:01:03.000", "71", "backupasync.cpp(1338)", "[0000000002B4C1F0]", TASK, "NORMAL", "Backup Progress: Failed"),
]

# DPM service log with CRITICAL and an empty pointer column.
DPM = [
    line("180C", "280C", "06/01", "20:54:55.393", "09", "AppAssert.cs(130)", "", TASK2, "WARNING", "value of non-nullable parameter @RecoverableObjectMachineName is null"),
    line("180C", "280C", "06/01", "20:55:45.690", "09", "everettexception.cpp(761)", "", TASK2, "CRITICAL", "Exception Message = Input string was not in a correct format. of type System.FormatException, process will terminate after generating dump"),
]

ROLLOVER = [
    line("0990", "17D8", "12/31", "23:59:58.900", "31", "vsssnapshotrequestor.cpp(585)", "[00000000003970D0]", "", "NORMAL", "last record of the year"),
    line("0990", "17D8", "01/01", "00:00:01.250", "31", "vsssnapshotrequestor.cpp(590)", "[00000000003970D0]", "", "NORMAL", "first record of the new year"),
    line("0990", "17D8", "01/02", "10:00:00.000", "31", "vsssnapshotrequestor.cpp(595)", "[00000000003970D0]", "", "INFO", "an unusual severity word"),
]


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def utf16le_bom(lines, eol="\r\n", final_eol=True):
    text = eol.join(lines) + (eol if final_eol else "")
    return b"\xff\xfe" + text.encode("utf-16-le")


def main():
    os.makedirs(OUT, exist_ok=True)
    write("CBEngineCurr.errlog", utf16le_bom(MARS))
    write("mars-utf8.errlog", ("\n".join(MARS) + "\n").encode("utf-8"))
    write("mars-utf8-bom-crlf.errlog", b"\xef\xbb\xbf" + ("\r\n".join(MARS) + "\r\n").encode("utf-8"))
    write("mars-utf16be.errlog", b"\xfe\xff" + ("\r\n".join(MARS) + "\r\n").encode("utf-16-be"))
    write("mars-utf16le-nobom.errlog", ("\r\n".join(MARS) + "\r\n").encode("utf-16-le"))
    write("mars-ansi.errlog", ("\r\n".join(MARS) + "\r\n").encode("cp1252"))
    write("mars-lone-cr.errlog", ("\r".join(MARS) + "\r").encode("utf-8"))
    collapsed = [" ".join(x for x in l.split("\t") if x) if "\t" in l else l for l in MARS]
    write("mars-collapsed.errlog", ("\r\n".join(collapsed) + "\r\n").encode("utf-8"))
    write("MSDPMCurr.errlog", utf16le_bom(DPM))
    write("MSDPMCurr.errlog.2016-06-01_20-55-45.Crash", utf16le_bom(DPM))
    write("rollover.errlog", utf16le_bom(ROLLOVER))
    garbage = ["Log opened by a viewer", "=== copy of C:\\Program Files\\Microsoft Azure Recovery Services Agent\\Temp ===", ""]
    write("garbage-first.errlog", ("\r\n".join(garbage + MARS[:2]) + "\r\n").encode("utf-8"))
    write("truncated.errlog", utf16le_bom(MARS[:2] + [MARS[5][:20]], final_eol=False))
    write("truncated-message.errlog", utf16le_bom(MARS[:2] + [MARS[5][:-10]], final_eol=False))
    blanks = [MARS[2], "", MARS[3], "  ", MARS[4], "", MARS[5], "", ""]
    write("blank-lines.errlog", ("\r\n".join(blanks)).encode("utf-8"))
    malformed = [MARS[0], "1A2C\t0F3C\t03/14\t08:00:99.000\t71\tx.cpp(1)\t\t\tNORMAL\tbad time", "   orphan continuation", MARS[1]]
    write("malformed.errlog", ("\n".join(malformed) + "\n").encode("utf-8"))
    write("empty.errlog", b"")
    write("bom-only.errlog", b"\xff\xfe")
    write("not-an-errlog.bin", bytes(range(256)) * 4)
    print(f"wrote fixtures to {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
