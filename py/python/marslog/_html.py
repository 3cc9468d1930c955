"""HTML for Jupyter: ``Report._repr_html_`` and ``CatalogEntry._repr_html_`` call these.

Every text that comes from a log or a catalog file is escaped (a log line can hold
``<script>``); a link is made only for ``http``/``https`` URLs. The markup is plain tables
and lists with inline styles, so it renders the same in Jupyter, VS Code and nbviewer.
"""

from __future__ import annotations

import html
import datetime as dt
from typing import TYPE_CHECKING, Iterable, Optional

if TYPE_CHECKING:
    from marslog._native import CatalogEntry, DocSource, Finding, Report, Summary

_COLOURS = {"error": "#c62828", "warning": "#ef6c00", "info": "#607d8b"}

_WORDS = {
    "en": {
        "error": "ERROR",
        "warning": "WARNING",
        "info": "INFO",
        "files": "files",
        "findings": "findings",
        "in": "in",
        "documented": "documented errors",
        "unreadable": "unreadable inputs",
        "none": "No documented MARS error found.",
        "level": "level",
        "title": "error",
        "codes": "codes",
        "count": "count",
        "first": "first",
        "last": "last",
        "example": "e.g.",
        "causes": "Possible causes",
        "actions": "Recommended actions",
        "source": "Source",
        "related": "Related",
        "message": "Message",
        "category": "category",
        "jobs": "jobs",
        "errors": "Not scanned",
    },
    "fr": {
        "error": "ERREUR",
        "warning": "AVERTISSEMENT",
        "info": "INFO",
        "files": "fichiers",
        "findings": "occurrences",
        "in": "pour",
        "documented": "erreurs documentées",
        "unreadable": "entrées illisibles",
        "none": "Aucune erreur MARS documentée trouvée.",
        "level": "niveau",
        "title": "erreur",
        "codes": "codes",
        "count": "nombre",
        "first": "première",
        "last": "dernière",
        "example": "ex.",
        "causes": "Causes possibles",
        "actions": "Actions recommandées",
        "source": "Source",
        "related": "Voir aussi",
        "message": "Message",
        "category": "catégorie",
        "jobs": "travaux",
        "errors": "Non analysés",
    },
}

_CELL = "padding:2px 8px;text-align:left;vertical-align:top"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _time(t: Optional[dt.datetime]) -> str:
    if t is None:
        return "-"
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _level(level: str, lang: str) -> str:
    colour = _COLOURS.get(level, "#000")
    word = _WORDS[lang].get(level, level.upper())
    return f'<span style="color:{colour};font-weight:bold">{_e(word)}</span>'


def _list(items: Iterable[str]) -> str:
    return "<ul style='margin:2px 0'>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


def _source(src: DocSource) -> str:
    text = _e(src.doc) + (f" §{_e(src.section)}" if src.section else "")
    url = src.url or ""
    if url.lower().startswith(("https://", "http://")):
        text += f' — <a href="{_e(url)}" target="_blank" rel="noopener">{_e(url)}</a>'
    elif url:
        text += f" — {_e(url)}"
    return text


def _location(f: Finding) -> str:
    if f.record_id is not None:
        return f"{f.file} record {f.record_id}"
    if f.line is not None:
        return f"{f.file}:{f.line}"
    return f.file


def _first_line(s: str) -> str:
    return s.splitlines()[0] if s else ""


def _details(s: Summary, w: dict[str, str]) -> str:
    ex = s.example
    jobs = f"<div>{_e(w['jobs'])}: {_e(', '.join(s.jobs))}</div>" if s.jobs else ""
    return (
        f"<div>{_e(w['example'])} <code>{_e(_location(ex))}</code> "
        f"{_e(_first_line(ex.message))}</div>{jobs}"
        f"<div><b>{_e(w['causes'])}</b>{_list(s.causes)}</div>"
        f"<div><b>{_e(w['actions'])}</b>{_list(s.actions)}</div>"
        f"<div>{_e(w['source'])}: {_source(s.source)}</div>"
    )


def report_html(report: Report) -> str:
    """The report's summary as HTML: one row per documented error, then its causes,
    actions and source; then the inputs that could not be scanned."""
    lang = report.lang if report.lang in _WORDS else "en"
    w = _WORDS[lang]
    summary = report.summary()
    errors = report.errors
    head = (
        f"<b>marslog</b>: {report.files} {_e(w['files'])}, {report.bytes / 1e6:.1f} MB, "
        f"{len(report)} {_e(w['findings'])} {_e(w['in'])} {len(summary)} {_e(w['documented'])}"
    )
    if errors:
        head += f", {len(errors)} {_e(w['unreadable'])}"
    parts = [f"<div class='marslog-report'><p>{head}</p>"]
    if not summary:
        parts.append(f"<p>{_e(w['none'])}</p>")
    else:
        header = "".join(
            f"<th style='{_CELL}'>{_e(w[k])}</th>"
            for k in ("level", "title", "codes", "count", "first", "last", "files")
        )
        parts.append(f"<table style='border-collapse:collapse'><thead><tr>{header}</tr></thead><tbody>")
        for s in summary:
            cells = [
                _level(s.level, lang),
                f"{_e(s.title)} <code>{_e(s.id)}</code>",
                _e(", ".join(s.codes)),
                str(s.count),
                _e(_time(s.first_seen)),
                _e(_time(s.last_seen)),
                str(len(s.files)),
            ]
            parts.append(
                "<tr style='border-top:1px solid #ccc'>"
                + "".join(f"<td style='{_CELL}'>{c}</td>" for c in cells)
                + "</tr>"
            )
            if s.level != "info":
                parts.append(
                    f"<tr><td></td><td colspan='6' style='{_CELL}'><details open>"
                    f"<summary>{_e(w['causes'])} / {_e(w['actions'])}</summary>"
                    f"{_details(s, w)}</details></td></tr>"
                )
        parts.append("</tbody></table>")
    if errors:
        items = "".join(f"<li>{_e(e.error_type)}: {_e(e.message)}</li>" for e in errors)
        parts.append(f"<p><b>{_e(w['errors'])}</b></p><ul>{items}</ul>")
    parts.append("</div>")
    return "".join(parts)


def entry_html(entry: CatalogEntry) -> str:
    """One catalog entry as HTML: title, codes, message, causes, actions, source."""
    lang = entry.lang if entry.lang in _WORDS else "en"
    w = _WORDS[lang]
    parts = [
        f"<div class='marslog-entry'><p>{_level(entry.level, lang)} <b>{_e(entry.title)}</b> "
        f"<code>{_e(entry.id)}</code></p>",
        f"<div>{_e(w['codes'])}: {_e(', '.join(entry.codes))} · "
        f"{_e(w['category'])}: {_e(entry.category)}</div>",
    ]
    if entry.message:
        parts.append(f"<div><b>{_e(w['message'])}</b>: {_e(entry.message)}</div>")
    parts.append(f"<div><b>{_e(w['causes'])}</b>{_list(entry.causes)}</div>")
    parts.append(f"<div><b>{_e(w['actions'])}</b>{_list(entry.actions)}</div>")
    parts.append(f"<div>{_e(w['source'])}: {_source(entry.source)}</div>")
    if entry.related:
        parts.append(f"<div>{_e(w['related'])}: {_e(', '.join(entry.related))}</div>")
    parts.append("</div>")
    return "".join(parts)
