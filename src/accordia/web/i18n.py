"""Interface language: negotiation (``?lang=`` → cookie → ``Accept-Language`` → English) and the
gettext catalogues, read from the ``.po`` files at start-up (no compiled ``.mo`` in the tree)."""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
COOKIE = "lang"
DEFAULT = "en"

# URL/cookie code → (catalogue directory, HTML ``lang`` attribute, name in its own language)
LANGUAGES: dict[str, tuple[str, str, str]] = {
    "zh": ("zh_Hans", "zh-Hans", "中文"),
    "en": ("en", "en", "English"),
}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translated where shown)."""
    return message


def normalize(code: str | None) -> str | None:
    """``zh``, ``zh-CN``, ``zh_Hans``, ``en-GB`` … → ``zh`` / ``en``; anything else → None."""
    if not code:
        return None
    primary = code.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def parse_accept_language(header: str | None) -> list[str]:
    """Languages of an ``Accept-Language`` header we support, best first."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        code = normalize(tag)
        if code and q > 0:
            ranked.append((-q, i, code))
    out: list[str] = []
    for _q, _i, code in sorted(ranked):
        if code not in out:
            out.append(code)
    return out


def negotiate(request: Request) -> str:
    """The interface language of a request."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        code = normalize(candidate)
        if code:
            return code
    accepted = parse_accept_language(request.headers.get("accept-language"))
    return accepted[0] if accepted else DEFAULT


def po_path(directory: str) -> Path:
    """The language's main catalogue."""
    return LOCALE_DIR / directory / "LC_MESSAGES" / "messages.po"


def po_paths(directory: str) -> list[Path]:
    """Every ``.po`` file of a language: ``messages.po`` first, then one per area
    (``supervision.po`` …), in name order. A msgid in several files keeps its first translation."""
    folder = LOCALE_DIR / directory / "LC_MESSAGES"
    main = po_path(directory)
    rest = sorted(p for p in folder.glob("*.po") if p != main)
    return ([main] if main.exists() else []) + rest


def read_catalog(directory: str) -> Catalog:
    """All of a language's ``.po`` files merged into one catalogue."""
    merged = Catalog(locale=directory)
    for path in po_paths(directory):
        with path.open("rb") as f:
            part = read_po(f, locale=directory)
        for message in part:
            if message.id and message.id not in merged:
                merged[message.id] = message
    return merged


@functools.cache
def translations(code: str) -> gettext.NullTranslations:
    """A gettext translations object built from the language's ``.po`` files."""
    directory = LANGUAGES[code][0]
    if not po_paths(directory):
        return gettext.NullTranslations()
    catalog = read_catalog(directory)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


def gettext_for(code: str) -> Any:
    return translations(code).gettext
