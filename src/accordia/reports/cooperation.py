"""The cooperation report: figures of the ledger as one sentence, tables and charts, zh or en.

``render_cooperation(figures, lang, fmt)`` renders Markdown, HTML (with inline SVG charts) and
JSON as text, and PDF (CJK font embedded, see :mod:`accordia.reports.pdf`) as bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from accordia.domain.bilingual import Bilingual
from accordia.domain.cooperation import Change, ChangeKind, Figures, Headline
from accordia.reports.charts import bar_chart, column_chart
from accordia.reports.strings import STRINGS, headline_en, headline_zh

Lang = Literal["zh", "en"]
Format = Literal["md", "html", "json", "pdf"]

_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "reports"
_BABEL_LOCALE = {"zh": "zh_Hans_CN", "en": "en_GB"}


def headline_sentence(headline: Headline, lang: Lang) -> str:
    """DOMAIN.md's one-sentence summary of the figures, in ``lang``."""
    _check_lang(lang)
    return headline_zh(headline) if lang == "zh" else headline_en(headline)


def _check_lang(lang: str) -> None:
    if lang not in STRINGS:
        raise ValueError(f"unsupported language {lang!r}: use one of {sorted(STRINGS)}")


def fmt_date(value: dt.date, lang: Lang) -> str:
    """A date written out for ``lang``: ``2023年8月31日`` / ``31 August 2023``."""
    return str(format_date(value, "long", locale=_BABEL_LOCALE[lang]))


@dataclass(frozen=True, slots=True)
class Row:
    """One table row as rendered: cells already in the report's language."""

    cells: tuple[str, ...]


def _label(zh: str | None, en: str | None, fallback: str, lang: Lang) -> tuple[str, bool]:
    picked = Bilingual(zh, en).pick(lang)
    if not picked.text:
        return fallback, False
    return picked.text, picked.fallback


def _change_detail(c: Change, t: dict[str, str]) -> str:
    if c.kind in (ChangeKind.AGREEMENT_SIGNED, ChangeKind.AGREEMENT_ENDED):
        return t.get(f"type.{c.detail}", c.detail)
    if c.kind == ChangeKind.MEMBERSHIP_CHANGED:
        return t.get(f"status.{c.detail}", c.detail)
    return c.detail


def context(figures: Figures, lang: Lang) -> dict[str, Any]:
    """Everything the templates show, already worded in ``lang`` (shared by md, html, pdf)."""
    _check_lang(lang)
    t = STRINGS[lang]
    h = figures.headline
    on = fmt_date(figures.on, lang)
    fallback_used = False

    economies: list[Row] = []
    economy_chart: list[tuple[str, int]] = []
    for r in figures.by_economy:
        name, fell_back = _label(r.name_zh, r.name_en, r.code, lang)
        fallback_used |= fell_back
        label = name if name == r.code else f"{name} ({r.code})"
        label += " †" if fell_back else ""
        economies.append(Row((label, str(r.bodies), str(r.agreements))))
        economy_chart.append((name, r.bodies))

    changes: dict[str, Any] | None = None
    if figures.changes is not None:
        items = []
        for c in figures.changes.items:
            name, fell_back = _label(c.name_zh, c.name_en, c.key, lang)
            fallback_used |= fell_back
            what = t[f"change.{c.kind}"]
            detail = _change_detail(c, t)
            items.append(Row((c.on.isoformat(), what, name + (" †" if fell_back else ""), detail)))
        changes = {
            "heading": t["since"].format(date=fmt_date(figures.changes.since, lang)),
            "before": t["before"].format(
                date=fmt_date(figures.changes.since, lang),
                sentence=headline_sentence(figures.changes.before, lang),
            ),
            "items": items,
        }

    return {
        "lang": lang,
        "t": t,
        "title": t["title"],
        "as_of": t["as_of"].format(date=on),
        "on_iso": figures.on.isoformat(),
        "sentence": headline_sentence(h, lang),
        "context_lines": [
            t["in_force"].format(date=on, in_force=h.agreements_in_force, agreements=h.agreements),
            t["engaged"].format(date=on, engaged=h.organisations_engaged, total=h.organisations),
            t["active"].format(
                date=on,
                systems=h.systems_active,
                systems_total=h.systems,
                arrangements=h.accreditation_arrangements_active,
                arrangements_total=h.accreditation_arrangements,
            ),
        ],
        "by_type": [
            Row((t.get(f"type.{r.type}", r.type), str(r.signed), str(r.in_force)))
            for r in figures.by_type
        ],
        "by_economy": economies,
        "by_year": [
            Row((str(r.year), str(r.agreements), str(r.cooperation_and_mous), str(r.cumulative)))
            for r in figures.by_year
        ],
        "year_chart": [(str(r.year), r.agreements) for r in figures.by_year],
        "economy_chart": economy_chart,
        "changes": changes,
        "fallback_used": fallback_used,
    }


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["mdcell"] = _md_cell
    return env


def render_cooperation(
    figures: Figures, lang: Lang = "en", fmt: Format = "md", *, font_path: str | None = None
) -> str | bytes:
    """Render the cooperation report.

    Args:
        figures: from :func:`accordia.domain.cooperation.figures`.
        lang: ``zh`` or ``en``.
        fmt: ``md``, ``html`` or ``json`` (text) or ``pdf`` (bytes).
        font_path: for PDF, a CJK font file to embed (default: the first one found of
            :data:`accordia.reports.pdf.CJK_FONT_CANDIDATES`).

    Raises:
        ValueError: unknown language or format.
    """
    _check_lang(lang)
    if fmt == "json":
        doc = {
            "report": "cooperation",
            "lang": lang,
            "sentence": headline_sentence(figures.headline, lang),
        }
        doc.update(figures.to_dict())
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    ctx = context(figures, lang)
    if fmt == "pdf":
        from accordia.reports.pdf import render_pdf  # needs fpdf2, imported only for PDF

        return render_pdf(ctx, font_path=font_path)
    if fmt == "md":
        return _environment().get_template("cooperation.md.j2").render(ctx)
    if fmt == "html":
        ctx["year_svg"] = Markup(column_chart(ctx["year_chart"], ctx["t"]["chart_year"]))
        ctx["economy_svg"] = Markup(bar_chart(ctx["economy_chart"], ctx["t"]["chart_economy"]))
        return _environment().get_template("cooperation.html.j2").render(ctx)
    raise ValueError(f"unsupported format {fmt!r}: use md, html, json or pdf")
