"""The Jinja2 environment of the pages: one per interface language, with gettext installed and
helpers to show bilingual registry content (asked language first, marked fallback)."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request

from accordia.web.i18n import LANGUAGES, N_, translations

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "web"

# Interface words for registry vocabularies (translated where shown).
STATUS = {
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "withdrawn": N_("Withdrawn"),
    "expired": N_("Expired"),
    "not_yet": N_("Not yet in effect"),
}
LINK_STATUS = {
    "ok": N_("Holds"),
    "failed": N_("Fails"),
    "not_applicable": N_("Not applicable"),
}
LINKS = {
    "certificate": N_("Certificate"),
    "accreditation": N_("Accreditation"),
    "arrangement": N_("Arrangement"),
    "market": N_("Market"),
}
NODES = {
    "certificate": N_("Certificate"),
    "cab": N_("Certification body"),
    "accreditation": N_("Accreditation"),
    "accreditation_body": N_("Accreditation body"),
    "arrangement": N_("Arrangement"),
    "market": N_("Market"),
}
KINDS = {
    "ms_certificate": N_("Management-system certificate"),
    "product_certificate": N_("Product certificate"),
    "persons_certificate": N_("Certificate of persons"),
    "test_report": N_("Test report"),
    "calibration_certificate": N_("Calibration certificate"),
    "medical_report": N_("Medical laboratory report"),
    "inspection_report": N_("Inspection report"),
    "verification_statement": N_("Verification statement"),
    "validation_statement": N_("Validation statement"),
}
EVENTS = {
    "granted": N_("Granted"),
    "renewed": N_("Renewed"),
    "suspended": N_("Suspended"),
    "restored": N_("Restored"),
    "withdrawn": N_("Withdrawn"),
    "expired": N_("Expired"),
    "scope_reduced": N_("Scope reduced"),
    "scope_extended": N_("Scope extended"),
    "surveillance": N_("Surveillance audit"),
}


def _word(table: dict[str, str], lang: str, value: str | None) -> str:
    if value is None:
        return ""
    label = table.get(value)
    return translations(lang).gettext(label) if label else value


def bilingual(value: Any, lang: str) -> Markup:
    """Registry content in the asked language; the other language, marked, when it is missing."""
    if not isinstance(value, dict):
        return escape(value or "")
    other = "en" if lang == "zh" else "zh"
    text = value.get(lang)
    if text:
        return escape(text)
    text = value.get(other)
    if not text:
        return Markup("")
    gt = translations(lang).gettext
    if other == "zh":
        title = gt(N_("Not recorded in English; shown in Chinese"))
    else:
        title = gt(N_("Not recorded in Chinese; shown in English"))
    badge = "中" if other == "zh" else "EN"
    html_lang = LANGUAGES[other][1]
    return Markup(
        '<span lang="{l}">{t}</span> <abbr class="fallback" title="{title}">{b}</abbr>'
    ).format(l=html_lang, t=text, title=title, b=badge)


def _q(value: str) -> str:
    return quote(value, safe="")


def accreditation_anchor(key: str) -> str:
    """The ``id`` of an accreditation on its CAB page, from ``"<AB key> <number>"``
    (``"CNAS/CN CNAS L0001"``), the key the verification chain gives its accreditation node."""
    return "accreditation-" + (re.sub(r"[^\w]+", "-", key).strip("-") or "x")


def node_url(node: dict[str, Any], v: dict[str, Any]) -> str | None:
    """Where a node of the drawn chain links to."""
    key = node.get("key")
    if not key:
        return None
    kind = node["node"]
    if kind == "certificate" and v.get("certificate"):
        return f"/certificates/{_q(v['certificate']['issuer'])}/{quote(key)}"
    if kind == "cab":
        return f"/cabs/{_q(key)}"
    if kind == "accreditation" and v.get("certificate"):
        return f"/cabs/{_q(v['certificate']['issuer'])}#{accreditation_anchor(key)}"
    if kind == "accreditation_body" and "/" in key:
        acronym, economy = key.rsplit("/", 1)
        return f"/accreditation-bodies/{_q(economy)}/{_q(acronym)}"
    if kind == "arrangement":
        return f"/arrangements/{_q(key)}"
    return None


@functools.cache
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals["node_url"] = node_url
    env.globals["accreditation_anchor"] = accreditation_anchor
    env.filters["bi"] = lambda v: bilingual(v, lang)
    env.filters["status"] = lambda v: _word(STATUS, lang, v)
    env.filters["link_status"] = lambda v: _word(LINK_STATUS, lang, v)
    env.filters["link_name"] = lambda v: _word(LINKS, lang, v)
    env.filters["node_name"] = lambda v: _word(NODES, lang, v)
    env.filters["kind"] = lambda v: _word(KINDS, lang, v)
    env.filters["event"] = lambda v: _word(EVENTS, lang, v)
    return env


def url_with(request: Request, **params: str | None) -> str:
    """The current URL with some query parameters replaced (None removes one)."""
    query = dict(request.query_params)
    for k, v in params.items():
        if v is None:
            query.pop(k, None)
        else:
            query[k] = v
    path = request.url.path
    return f"{path}?{urlencode(query)}" if query else path


def render(
    request: Request, lang: str, template: str, status_code: int = 200, **context: Any
) -> Any:
    from starlette.responses import HTMLResponse

    env = environment(lang)
    html = env.get_template(template).render(
        request=request,
        lang=lang,
        html_lang=LANGUAGES[lang][1],
        languages=[
            (code, name, url_with(request, lang=code)) for code, (_d, _h, name) in LANGUAGES.items()
        ],
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    chosen = request.query_params.get("lang")
    if chosen and chosen in LANGUAGES:
        response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, samesite="lax", path="/")
    response.headers["Content-Language"] = LANGUAGES[lang][1]
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response
