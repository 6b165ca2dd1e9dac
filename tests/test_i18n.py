"""Every interface string is in both catalogues; Chinese has a translation for each."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from accordia.web.i18n import LANGUAGES, normalize, parse_accept_language, read_catalog

ROOT = Path(__file__).resolve().parent.parent
METHODS = [
    ("src/accordia/web/**.py", "python"),
    ("src/accordia/reports/**.py", "python"),
    ("src/accordia/templates/web/**.html", "jinja2"),
]
OPTIONS = {
    "src/accordia/templates/web/**.html": {
        "extensions": "jinja2.ext.i18n",
        "trim_blocks": "true",
        "lstrip_blocks": "true",
    }
}


def _singular(message_id: str | tuple[str, ...]) -> str:
    """A plural entry (``ngettext``) is keyed by its singular msgid."""
    return message_id if isinstance(message_id, str) else message_id[0]


def _translated(string: str | tuple[str, ...]) -> bool:
    return bool(string) if isinstance(string, str) else all(string)


def _msgids() -> set[str]:
    ids: set[str] = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT), method_map=METHODS, options_map=OPTIONS
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


@pytest.fixture(scope="module")
def msgids() -> set[str]:
    ids = _msgids()
    assert len(ids) > 100, "extraction found suspiciously few strings"
    return ids


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_catalogue_has_every_string(msgids: set[str], code: str) -> None:
    catalog = read_catalog(LANGUAGES[code][0])
    present = {_singular(m.id) for m in catalog if m.id}
    missing = sorted(msgids - present)
    assert not missing, f"{code} catalogue misses {missing}"
    if code == "zh":
        empty = sorted(
            _singular(m.id)
            for m in catalog
            if m.id and _singular(m.id) in msgids and not _translated(m.string)
        )
        assert not empty, f"zh_Hans has no translation for {empty}"


def test_chinese_placeholders_match(msgids: set[str]) -> None:
    import re

    catalog = read_catalog("zh_Hans")
    for m in catalog:
        if m.id and m.string:
            ids = (m.id,) if isinstance(m.id, str) else m.id
            forms = (m.string,) if isinstance(m.string, str) else m.string
            names = sorted(re.findall(r"%\((\w+)\)s", ids[-1]))  # plural msgid: its plural form
            for form in forms:
                assert sorted(re.findall(r"%\((\w+)\)s", form)) == names, m.id


def test_no_html_in_msgids(msgids: set[str]) -> None:
    assert not [i for i in msgids if "<" in i and ">" in i]


def test_language_codes() -> None:
    assert normalize("zh-CN") == "zh"
    assert normalize("zh_Hans") == "zh"
    assert normalize("EN-gb") == "en"
    assert normalize("fr") is None
    assert parse_accept_language("fr;q=1, en;q=0.5, zh-CN;q=0.8") == ["zh", "en"]
    assert parse_accept_language("zh;q=0, en") == ["en"]
    assert parse_accept_language("") == []


def test_area_catalogues_merge() -> None:
    """Area files (``supervision.po`` …) are merged after ``messages.po`` into one catalogue."""
    from accordia.web.i18n import po_paths

    for code in LANGUAGES:
        paths = po_paths(LANGUAGES[code][0])
        assert paths and paths[0].name == "messages.po"
        merged = read_catalog(LANGUAGES[code][0])
        assert len([m for m in merged if m.id]) >= 100
