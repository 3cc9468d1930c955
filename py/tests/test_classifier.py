"""Classifier, explain and catalog: codes of every kind, languages, spans as str indices."""

from __future__ import annotations

import threading

import pytest

import marslog

FRENCH = (
    "Échec de l’opération « sauvegarde » à 21 h : Erreur 34506. La phrase secrète de "
    "chiffrement stockée sur cet ordinateur n’est pas correctement configurée"
)


@pytest.mark.parametrize(
    ("code", "id"),
    [
        (34513, "vault-credentials-invalid"),
        ("34513", "vault-credentials-invalid"),
        ("0x1FC07", "activation-internal-error"),
        ("[0x1fc07]", "activation-internal-error"),
        (130055, "activation-internal-error"),
        (407, "agent-cannot-connect"),
        (403, "vault-credentials-download-failed"),
        ("SalLowDiskSpace", "scratch-low-disk-space"),
        ("0x80780054", "import-job-name-mismatch"),
        (10054, "tls-connection-reset"),
        ("passphrase-misconfigured", "passphrase-misconfigured"),
    ],
)
def test_explain_accepts_every_kind_of_code(code: int | str, id: str) -> None:
    found = marslog.explain(code)
    assert [e.id for e in found] == [id]
    assert found[0].actions and found[0].lang == "en"


def test_explain_unknown_and_bad_arguments() -> None:
    with pytest.raises(KeyError, match="no documented MARS error for '999999'"):
        marslog.explain(999999)
    with pytest.raises(LookupError):
        marslog.explain("nope")
    with pytest.raises(TypeError, match="code must be an int or a str, not float"):
        marslog.explain(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        marslog.explain(True)


def test_catalog_entry_fields() -> None:
    (e,) = marslog.explain(34513)
    assert e.codes == ("34513", "0x86D1")
    assert (e.category, e.level) == ("registration", "error")
    assert e.title == "Invalid vault credentials"
    assert e.message.endswith("(ID: 34513)")
    assert isinstance(e.causes, tuple) and isinstance(e.actions, tuple)
    assert (e.source.doc, e.source.section) == ("seed-mars-troubleshoot-fr.md", "A1")
    assert "TS-2025" in e.source.refs
    assert "tls-connection-reset" in e.related
    assert e.origin == "<embedded>/core/catalog/mars.toml"
    d = e.to_dict()
    assert d["codes"] == ["34513", "0x86D1"] and d["source"]["section"] == "A1"
    assert list(d)[:8] == [
        "id", "codes", "category", "level", "title", "message", "causes", "actions",
    ]  # fmt: skip
    assert e == marslog.explain("0x86D1")[0]
    assert repr(e) == (
        "CatalogEntry(id='vault-credentials-invalid', level='error', "
        "title='Invalid vault credentials')"
    )
    html = e._repr_html_()
    assert "Invalid vault credentials" in html and "Recommended actions" in html
    with pytest.raises(AttributeError):
        e.id = "x"  # type: ignore[misc]


def test_french_with_english_fallback() -> None:
    (fr,) = marslog.explain(34506, lang="fr")
    assert fr.lang == "fr"
    assert fr.title.startswith("Erreur 34506. La phrase secrète")
    assert fr.causes[0].startswith("Le dossier temporaire")
    assert "Actions recommandées" in fr._repr_html_()
    (untranslated,) = marslog.explain("engine-unreachable", lang="fr")
    (en,) = marslog.explain("engine-unreachable")
    assert (untranslated.title, untranslated.causes) == (en.title, en.causes)


def test_catalog() -> None:
    entries = marslog.catalog()
    assert len(entries) >= 40
    ids = [e.id for e in entries]
    assert len(set(ids)) == len(ids)
    assert {e.level for e in entries} == {"error", "warning", "info"}
    assert [e.id for e in marslog.catalog("fr")] == ids
    assert marslog.Classifier().catalog() == entries
    assert len(marslog.Classifier()) == len(entries)


def test_classify_spans_are_str_indices_on_accented_text() -> None:
    c = marslog.Classifier()
    (m,) = c.classify(FRENCH)
    assert (m.id, m.code, m.matched) == ("passphrase-misconfigured", "34506", "Erreur 34506.")
    start, end = m.span
    assert FRENCH[start:end] == "Erreur 34506."
    assert start == FRENCH.index("Erreur")
    # UTF-8 byte offsets would be larger: É, ’, «, », à are multi-byte
    assert len(FRENCH[:start].encode()) > start


def test_classify_several_entries_leftmost_first() -> None:
    text = "😀 Registration failed (ID: 34513) then (407) Proxy Authentication Required"
    got = [(m.id, m.code, text[m.span[0] : m.span[1]]) for m in marslog.Classifier().classify(text)]
    assert got == [
        ("vault-credentials-invalid", "34513", "(ID: 34513)"),
        ("agent-cannot-connect", "407", "(407) Proxy Authentication Required"),
    ]
    for m in marslog.Classifier().classify(text):
        assert text[m.span[0] : m.span[1]] == m.matched


def test_classify_decoys_and_texts() -> None:
    c = marslog.Classifier()
    assert c.classify("Processed 34513 files, 407 retries, item id 100050") == []
    assert c.classify("Last completed state for Ds Id 34506 is 5") == []
    (m,) = c.classify("Failed to set the encryption key for secure backups. Activation …")
    assert (m.id, m.code) == ("encryption-key-set-failed", "")
    assert repr(m).startswith("Match(id='encryption-key-set-failed', code='', matched=")


def test_classifier_is_shared_between_threads() -> None:
    c = marslog.Classifier()
    results: list[list[str]] = []

    def work() -> None:
        results.append([m.id for m in c.classify(FRENCH)])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [["passphrase-misconfigured"]] * 8
