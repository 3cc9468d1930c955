"""marslog.scan over the bundled support case, the Report and its conversions."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pyarrow as pa
import pytest

import marslog
from conftest import SAMPLES, UTC

TEMP = SAMPLES / "SRV-FS01" / "Temp"
LOGS = SAMPLES / "SRV-FS01" / "Logs"

ERRLOG_LINE = "0F5C\t1A40\t03/02\t21:00:01.250\t69\tX.cs(412)\t\t\tWARNING\t{}\r\n"


@pytest.fixture(scope="module")
def report() -> marslog.Report:
    return marslog.scan(SAMPLES, year=2026)


def where(report: marslog.Report, id: str) -> list[tuple[str, int | None, int | None]]:
    return [(Path(f.file).name, f.line, f.record_id) for f in report if f.id == id]


def test_seed_errors_with_files_lines_and_record_ids(report: marslog.Report) -> None:
    assert report.files == 7 and report.errors == [] and report.damage == []
    assert report.bytes == sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert len(report) == 19
    assert where(report, "vault-credentials-invalid") == [("CBEngine1.errlog", 1, None)]
    assert where(report, "agent-cannot-connect") == [
        ("CBEngine1.errlog", 2, None),
        ("CBEngine1.errlog", 5, None),
    ]
    assert where(report, "encryption-key-set-failed") == [("CBEngine1.errlog", 6, None)]
    assert where(report, "activation-internal-error") == [("CBEngine1.errlog", 7, None)]
    assert where(report, "passphrase-misconfigured") == [
        ("CBEngineCurr.errlog", 7, None),
        ("CBUICurr.errlog", 1, None),
    ]
    assert where(report, "scheduled-backups-not-running") == [
        ("Application.xml", None, 9031),
        ("CloudBackup.xml", None, 103),
    ]
    assert where(report, "recovery-volume-mount-failed") == [("System.evtx", None, 4)]


def test_finding_values(report: marslog.Report) -> None:
    proxy = next(f for f in report if f.id == "agent-cannot-connect")
    assert (proxy.code, proxy.matched) == ("407", "(407) Proxy Authentication Required")
    assert proxy.codes == ("100050", "0x186D2", "407")
    assert proxy.level == "error"
    assert proxy.title == "The MARS agent was unable to connect to Microsoft Azure Backup"
    assert proxy.severity == "WARNING"
    assert proxy.timestamp == dt.datetime(2026, 3, 2, 21, 4, 12, 3000, tzinfo=UTC)
    assert proxy.message.count("\n") == 2, "continuation lines are part of the message"
    assert proxy.file == str(TEMP / "CBEngine1.errlog")
    activation = next(f for f in report if f.id == "activation-internal-error")
    assert (activation.code, activation.matched) == ("0x1FC07", "[0x1FC07]")
    p = report.findings[5]
    assert p.to_dict() == {
        "id": "passphrase-misconfigured",
        "codes": ["34506", "0x86CA"],
        "title": "Encryption passphrase not correctly configured",
        "level": "error",
        "file": str(TEMP / "CBEngineCurr.errlog"),
        "line": 7,
        "record_id": None,
        "offset": 1920,
        "timestamp": dt.datetime(2026, 3, 14, 21, 7, 31, 250000, tzinfo=UTC),
        "severity": "WARNING",
        "task_id": "F3E32129-DC79-4A28-9ACC-3F30CB5810B6",
        "code": "34506",
        "matched": "Error 34506.",
        "message": "Error 34506. The encryption passphrase stored on this computer is not "
        "correctly configured.",
    }
    mount = next(f for f in report if f.id == "recovery-volume-mount-failed")
    assert (mount.code, mount.matched, mount.severity) == ("event 1", "iScsiPrt event 1", "Error")
    assert mount.offset == 7304 and mount.line is None
    sched = next(f for f in report if f.id == "scheduled-backups-not-running" and f.record_id == 103)
    assert sched.matched == "CloudBackup event 18"
    # 100 ns precision in the XML, microseconds in Python
    assert sched.timestamp == dt.datetime(2026, 3, 15, 21, 0, 0, 123456, tzinfo=UTC)


def test_decoys_are_not_reported(report: marslog.Report) -> None:
    messages = [f.message for f in report]
    assert not any(m.startswith("Processed 34513 files") for m in messages)
    assert not any("Ds Id 34506" in m for m in messages)
    assert not any("MSDPMCurr" in f.file for f in report)


def test_sequence_protocol(report: marslog.Report) -> None:
    assert list(report) == report.findings
    assert report[-1] == report.findings[-1]
    with pytest.raises(IndexError):
        report[len(report)]
    with pytest.raises(TypeError):
        report["0"]  # type: ignore[index]
    assert repr(report) == "Report(files=7, bytes=82953, findings=19, entries=14, errors=0)"


def test_summary(report: marslog.Report) -> None:
    summary = report.summary()
    assert [s.id for s in summary][:2] == ["agent-cannot-connect", "passphrase-misconfigured"]
    assert [s.level for s in summary][-2:] == ["info", "info"]
    p = summary[1]
    assert p.count == 2
    assert p.codes == ("34506", "0x86CA")
    assert p.category == "encryption"
    assert p.first_seen == dt.datetime(2026, 3, 3, 8, 15, 41, tzinfo=UTC)
    assert p.last_seen == dt.datetime(2026, 3, 14, 21, 7, 31, 250000, tzinfo=UTC)
    assert [Path(f).name for f in p.files] == ["CBEngineCurr.errlog", "CBUICurr.errlog"]
    assert p.jobs == ("F3E32129-DC79-4A28-9ACC-3F30CB5810B6",)
    assert p.example == report.findings[5]
    assert p.causes and p.actions and isinstance(p.actions, tuple)
    assert p.source.url == "https://learn.microsoft.com/azure/backup/backup-azure-mars-troubleshoot"
    d = p.to_dict()
    assert d["example"]["line"] == 7 and d["source"]["doc"] == p.source.doc
    assert list(d) == [
        "id", "codes", "title", "category", "level", "count", "first_seen", "last_seen",
        "files", "jobs", "example", "message", "causes", "actions", "source",
    ]  # fmt: skip


def test_french(report: marslog.Report) -> None:
    fr = marslog.scan(SAMPLES, lang="fr", year=2026)
    assert fr.lang == "fr" and report.lang == "en"
    p = next(f for f in fr if f.id == "passphrase-misconfigured")
    assert p.title.startswith("Erreur 34506. La phrase secrète de chiffrement")
    s = next(s for s in fr.summary() if s.id == "passphrase-misconfigured")
    assert s.causes[0] == "Le dossier temporaire se situe sur un volume dont l’espace est insuffisant."
    # no French text in the catalog: English
    engine = next(s for s in fr.summary() if s.id == "engine-unreachable")
    assert engine.title == "Cannot connect to the OBEngine service (engine stopped or crashing)"
    html = fr._repr_html_()
    assert "Actions recommandées" in html and "Causes possibles" in html
    with pytest.raises(ValueError, match="lang must be 'en' or 'fr', not 'de'"):
        marslog.scan(SAMPLES, lang="de")  # type: ignore[arg-type]


def test_paths_one_or_many_files_and_folders() -> None:
    one = marslog.scan(str(TEMP / "CBEngine1.errlog"), year=2026)
    assert [f.line for f in one] == [1, 2, 5, 6, 7]
    many = marslog.scan([TEMP / "CBEngine1.errlog", LOGS], year=2026)
    assert many.files == 4 and len(many) == 5 + 9
    assert marslog.scan(p for p in [TEMP]).files == 3
    assert marslog.scan([]).files == 0


def test_years_from_modification_time(tmp_path: Path) -> None:
    path = tmp_path / "CBEngineCurr.errlog"
    path.write_text(ERRLOG_LINE.format("(ID: 34513)"), encoding="utf-8")
    when = dt.datetime(2024, 6, 1, tzinfo=UTC).timestamp()
    os.utime(path, (when, when))
    assert marslog.scan(path)[0].timestamp == dt.datetime(2024, 3, 2, 21, 0, 1, 250000, tzinfo=UTC)
    assert marslog.scan(path, year=2020)[0].timestamp.year == 2020  # type: ignore[union-attr]


def test_a_bad_input_does_not_stop_the_scan(tmp_path: Path) -> None:
    broken = tmp_path / "broken.evtx"
    broken.write_bytes((LOGS / "System.evtx").read_bytes()[:100])
    r = marslog.scan(["/nonexistent/CBEngineCurr.errlog", broken, TEMP], year=2026)
    assert r.files == 3 and len(r) == 10
    missing, truncated = r.errors
    assert missing.path == "/nonexistent/CBEngineCurr.errlog"
    assert missing.error_type == "FileNotFoundError"
    assert missing.message == "/nonexistent/CBEngineCurr.errlog: No such file or directory"
    assert isinstance(missing.exception, FileNotFoundError)
    assert missing.exception.filename == "/nonexistent/CBEngineCurr.errlog"
    assert truncated.error_type == "ParseError"
    assert isinstance(truncated.exception, marslog.ParseError)
    assert truncated.exception.path == str(broken)
    assert str(truncated) == (
        f"{broken}: byte 0: truncated evtx file header: need 128 bytes, have 100"
    )
    with pytest.raises(marslog.ParseError):
        raise truncated.exception
    html = r._repr_html_()
    assert "FileNotFoundError: /nonexistent/CBEngineCurr.errlog" in html


def user_catalog(path: Path, title: str = "Contoso job failed", url: str = "") -> Path:
    path.write_text(
        "version = 1\n[[entry]]\n"
        'id = "contoso-job-failed"\ncategory = "backup-job"\nseverity = "error"\n'
        'texts = ["Contoso nightly job <failed>"]\n'
        f'en = {{ title = "{title}", message = "", causes = ["<img src=x onerror=alert(1)>"], '
        'actions = ["Call Contoso & co"] }\n'
        f'source = {{ doc = "runbook.md", url = "{url}" }}\n',
        encoding="utf-8",
    )
    return path


def test_user_catalog(tmp_path: Path) -> None:
    log = tmp_path / "CBEngineCurr.errlog"
    log.write_text(ERRLOG_LINE.format("Contoso nightly job <failed> (ID: 34513)"), encoding="utf-8")
    cat = user_catalog(tmp_path / "extra.toml")
    r = marslog.scan(log, catalog=cat, year=2026)
    assert [f.id for f in r] == ["contoso-job-failed", "vault-credentials-invalid"]
    assert r[0].title == "Contoso job failed" and r[0].code == ""
    c = marslog.Classifier([cat])
    assert len(c) == len(marslog.catalog()) + 1
    assert c.catalog()[-1].origin == str(cat)
    assert c.scan(log, year=2026).findings == r.findings


def test_bad_catalog_raises_catalog_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('version = 1\n[[entry]]\nid = "x"\ncolour = 1\n', encoding="utf-8")
    with pytest.raises(marslog.CatalogError) as info:
        marslog.scan(SAMPLES, catalog=bad)
    e = info.value
    assert (e.path, e.line) == (str(bad), 4)
    assert "colour" in str(e) and str(e).startswith(f"{bad}: line 4: colour:")
    text = user_catalog(tmp_path / "c.toml").read_text(encoding="utf-8")
    bad_category = _write(tmp_path / "d.toml", text.replace("backup-job", "nope"))
    with pytest.raises(marslog.CatalogError, match="entry.category") as info:
        marslog.Classifier(bad_category)
    assert (info.value.path, info.value.line) == (str(bad_category), 2)
    with pytest.raises(FileNotFoundError):
        marslog.explain(34513, catalog="/nonexistent/catalog.toml")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_arrow_schema_and_dtypes(report: marslog.Report) -> None:
    table = report.to_arrow()
    dictionary = pa.dictionary(pa.int32(), pa.string())
    assert table.schema == pa.schema(
        [
            pa.field("id", dictionary, nullable=False),
            pa.field("codes", pa.list_(pa.string()), nullable=False),
            pa.field("title", pa.string(), nullable=False),
            pa.field("level", dictionary, nullable=False),
            pa.field("file", dictionary, nullable=False),
            pa.field("line", pa.int64()),
            pa.field("record_id", pa.int64()),
            pa.field("offset", pa.int64(), nullable=False),
            pa.field("timestamp", pa.timestamp("us", tz="UTC")),
            pa.field("severity", pa.string()),
            pa.field("task_id", pa.string()),
            pa.field("code", pa.string(), nullable=False),
            pa.field("matched", pa.string(), nullable=False),
            pa.field("message", pa.string(), nullable=False),
        ]
    )
    assert table.num_rows == 19
    assert table.column_names == list(report[0].to_dict())
    assert table.column("id").to_pylist() == [f.id for f in report]
    assert table.column("codes").to_pylist()[0] == ["34513", "0x86D1"]
    assert table.column("timestamp").to_pylist() == [f.timestamp for f in report]
    assert pa.table(report).equals(table)

    df = report.to_pandas()
    assert str(df["timestamp"].dtype) == "datetime64[us, UTC]"
    assert str(df["id"].dtype) == "category"
    assert df.loc[5, "matched"] == "Error 34506."
    counts = df.groupby("id", observed=True).size()
    assert counts["agent-cannot-connect"] == 2

    pl = pytest.importorskip("polars")
    frame = report.to_polars()
    assert frame.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert frame.schema["codes"] == pl.List(pl.String)
    assert frame.height == 19


def test_empty_report_has_the_schema(tmp_path: Path) -> None:
    r = marslog.scan(tmp_path)
    assert (r.files, len(r), r.summary()) == (0, 0, [])
    table = r.to_arrow()
    assert table.num_rows == 0 and table.schema == report_schema()
    assert "No documented MARS error found." in r._repr_html_()


def report_schema() -> pa.Schema:
    return marslog.scan(TEMP / "CBUICurr.errlog").to_arrow().schema


def test_repr_html_escapes(tmp_path: Path) -> None:
    log = tmp_path / "CBEngineCurr.errlog"
    log.write_text(
        ERRLOG_LINE.format("<script>alert(1)</script> Contoso nightly job <failed>"),
        encoding="utf-8",
    )
    cat = user_catalog(tmp_path / "x.toml", title="Job <b>failed</b> & co", url="javascript:alert(1)")
    r = marslog.scan(log, catalog=cat, year=2026)
    assert [f.id for f in r] == ["contoso-job-failed"]
    html = r._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>failed</b>" not in html and "Job &lt;b&gt;failed&lt;/b&gt; &amp; co" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Call Contoso &amp; co" in html
    assert 'href="javascript' not in html
    entry = marslog.Classifier(cat).explain("contoso-job-failed")[0]
    assert "Job &lt;b&gt;failed&lt;/b&gt;" in entry._repr_html_()


def test_repr_html_of_the_samples(report: marslog.Report) -> None:
    html = report._repr_html_()
    assert html.startswith("<div class='marslog-report'>")
    assert "7 files, 0.1 MB, 19 findings in 14 documented errors" in html
    assert "Recommended actions" in html and "Possible causes" in html
    assert "Invalid vault credentials <code>vault-credentials-invalid</code>" in html
    assert html.count("<details open>") == 12  # not for the two info entries
    assert (
        '<a href="https://learn.microsoft.com/azure/backup/backup-azure-mars-troubleshoot"'
        in html
    )
