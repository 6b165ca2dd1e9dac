"""The cooperation report: figures of the ledger as one sentence, tables and charts, zh or en.

``render_cooperation(figures, lang, fmt)`` renders Markdown, HTML (with inline SVG charts) and
JSON as text, and PDF (CJK font embedded, see :mod:`accordia.reports.pdf`) as bytes.

Interface wording goes through the gettext catalogues: the English msgids are marked below with
``N_`` / ``ngettext`` (extracted by Babel, checked by ``tests/test_i18n.py``) and translated with
:func:`accordia.web.i18n.translations`; their Chinese and English texts are in
``locale/*/LC_MESSAGES/reports.po``. Registry content (counterpart names, agreement titles) is
never translated: it is picked from the ``*_zh`` / ``*_en`` columns with a visible fallback.
"""

from __future__ import annotations

import datetime as dt
import gettext
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from accordia.domain.bilingual import Bilingual
from accordia.domain.cooperation import Change, ChangeKind, Figures, Headline
from accordia.reports.charts import bar_chart, column_chart

Lang = Literal["zh", "en"]
Format = Literal["md", "html", "json", "pdf"]

LANGS: tuple[Lang, ...] = ("zh", "en")
_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "reports"
_BABEL_LOCALE = {"zh": "zh_Hans_CN", "en": "en_GB"}


def N_(message: str) -> str:
    """Mark a msgid for Babel's extractor (``N_`` is a default keyword); translated where shown."""
    return message


# Labels the templates and the PDF show as ``t.<key>``.
LABELS: dict[str, str] = {
    "title": N_("International cooperation"),
    "figures": N_("Headline figures"),
    "by_type": N_("Agreements by type"),
    "by_economy": N_("Counterparts by economy"),
    "by_year": N_("Agreements by year of signature"),
    "chart_year": N_("Agreements signed per year"),
    "chart_economy": N_("Counterpart bodies per economy"),
    "type": N_("Type"),
    "signed": N_("Signed"),
    "in_force_col": N_("In force"),
    # "Economy" alone is 经济体 in messages.po; the report says 国家或地区
    "economy": N_("Economy (country or region)"),
    "bodies": N_("Bodies"),
    "agreements": N_("Agreements"),
    "year": N_("Year"),
    "coop": N_("Cooperation agreements and MoUs"),
    "cumulative": N_("Cumulative"),
    "date": N_("Date"),
    "what": N_("Change"),
    "name": N_("Name"),
    "detail": N_("Detail"),
    "no_changes": N_("No changes."),
    "economy_note": N_(
        "An agreement with counterparts in several economies is listed under each of them."
    ),
    "fallback_note": N_("† name given in the other language only."),
    "rules": N_(
        "Counted as of the date: what was signed or joined on or before it, each body, "
        "agreement and organisation once; terminated or expired agreements and "
        "organisations since left still count."
    ),
}
AGREEMENT_TYPES: dict[str, str] = {
    "cooperation_agreement": N_("Cooperation agreement"),
    "mou": N_("Memorandum of understanding"),
    "mutual_recognition_agreement": N_("Mutual recognition agreement"),
    "protocol": N_("Protocol"),
    # "Arrangement" alone is the accreditation arrangement (互认协议) in messages.po
    "arrangement": N_("Arrangement (type of agreement)"),
    "other": N_("Other"),
}
MEMBERSHIP_STATUSES: dict[str, str] = {
    "joined": N_("joined"),
    "observer": N_("observer"),
    "tracked": N_("tracked"),
    "left": N_("left"),
}
CHANGE_KINDS: dict[str, str] = {
    ChangeKind.AGREEMENT_SIGNED: N_("Agreement signed"),
    ChangeKind.AGREEMENT_ENDED: N_("Agreement terminated or expired"),
    ChangeKind.COUNTERPART_ADDED: N_("New counterpart"),
    ChangeKind.ECONOMY_ADDED: N_("New country or region"),
    ChangeKind.ORGANISATION_ADDED: N_("Organisation joined or tracked"),
    ChangeKind.MEMBERSHIP_CHANGED: N_("Membership status changed"),
    ChangeKind.SYSTEM_SIGNED: N_("Recognition system signed"),
    ChangeKind.ACCREDITATION_ARRANGEMENT_SIGNED: N_("Accreditation arrangement signed"),
}
AS_OF = N_("As of %(date)s")
SINCE = N_("Changes since %(date)s")
BEFORE = N_("On %(date)s: %(sentence)s")
IN_FORCE = N_("Agreement documents in force on %(date)s: %(in_force)s of %(agreements)s.")
ENGAGED = N_(
    "Organisations still joined, observed or tracked on %(date)s: %(engaged)s of %(total)s."
)
ACTIVE = N_(
    "Systems and arrangements not withdrawn on %(date)s: %(systems)s of %(systems_total)s "
    "systems, %(arrangements)s of %(arrangements_total)s accreditation arrangements."
)
# DOMAIN.md's sentence: each count is followed by its noun, singular or plural (``ngettext``
# below); the Chinese puts the counts and its measure words (个, 份) where its phrasing needs.
HEADLINE = N_(
    "Agreements with %(bodies)s %(bodies_noun)s in %(economies)s %(economies_noun)s, "
    "%(agreements)s %(agreements_noun)s, of which %(cooperation_and_mous)s "
    "%(cooperation_and_mous_noun)s; %(organisations)s %(organisations_noun)s joined or "
    "tracked; %(systems)s %(systems_noun)s and %(accreditation_arrangements)s "
    "%(accreditation_arrangements_noun)s signed."
)


def _translations(lang: Lang) -> gettext.NullTranslations:
    # imported here: accordia.web imports this package (cooperation pages)
    from accordia.web.i18n import translations

    return translations(lang)


def wording(lang: Lang) -> dict[str, str]:
    """:data:`LABELS` translated into ``lang`` (the templates' ``t``)."""
    _check_lang(lang)
    gt = _translations(lang).gettext
    return {key: gt(msgid) for key, msgid in LABELS.items()}


def headline_sentence(headline: Headline, lang: Lang) -> str:
    """DOMAIN.md's one-sentence summary of the figures, in ``lang`` (English: singular for 1)."""
    _check_lang(lang)
    tr = _translations(lang)
    ngettext = tr.ngettext
    h = headline
    nouns = {
        "bodies": ngettext("body", "bodies", h.bodies),
        "economies": ngettext("country or region", "countries and regions", h.economies),
        "agreements": ngettext("agreement document", "agreement documents", h.agreements),
        "cooperation_and_mous": ngettext(
            "cooperation agreement or MoU",
            "cooperation agreements and MoUs",
            h.cooperation_and_mous,
        ),
        "organisations": ngettext(
            "international or regional organisation",
            "international or regional organisations",
            h.organisations,
        ),
        "systems": ngettext(
            "multilateral testing and certification recognition system",
            "multilateral testing and certification recognition systems",
            h.systems,
        ),
        "accreditation_arrangements": ngettext(
            "accreditation arrangement", "accreditation arrangements", h.accreditation_arrangements
        ),
    }
    values: dict[str, object] = {}
    for field, noun in nouns.items():
        values[field] = getattr(h, field)
        values[f"{field}_noun"] = noun
    return tr.gettext(HEADLINE) % values


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}: use one of {sorted(LANGS)}")


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


def _word(gt: Callable[[str], str], table: dict[str, str], code: str) -> str:
    """A vocabulary code (agreement type, membership status) in words; unknown codes as is."""
    return gt(table[code]) if code in table else code


def _change_detail(c: Change, gt: Callable[[str], str]) -> str:
    if c.kind in (ChangeKind.AGREEMENT_SIGNED, ChangeKind.AGREEMENT_ENDED):
        return _word(gt, AGREEMENT_TYPES, c.detail)
    if c.kind == ChangeKind.MEMBERSHIP_CHANGED:
        return _word(gt, MEMBERSHIP_STATUSES, c.detail)
    return c.detail


def context(figures: Figures, lang: Lang) -> dict[str, Any]:
    """Everything the templates show, already worded in ``lang`` (shared by md, html, pdf)."""
    t = wording(lang)
    gt = _translations(lang).gettext
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
            what = gt(CHANGE_KINDS[c.kind])
            detail = _change_detail(c, gt)
            items.append(Row((c.on.isoformat(), what, name + (" †" if fell_back else ""), detail)))
        changes = {
            "heading": gt(SINCE) % {"date": fmt_date(figures.changes.since, lang)},
            "before": gt(BEFORE)
            % {
                "date": fmt_date(figures.changes.since, lang),
                "sentence": headline_sentence(figures.changes.before, lang),
            },
            "items": items,
        }

    return {
        "lang": lang,
        "t": t,
        "title": t["title"],
        "as_of": gt(AS_OF) % {"date": on},
        "on_iso": figures.on.isoformat(),
        "sentence": headline_sentence(h, lang),
        "context_lines": [
            gt(IN_FORCE)
            % {"date": on, "in_force": h.agreements_in_force, "agreements": h.agreements},
            gt(ENGAGED)
            % {"date": on, "engaged": h.organisations_engaged, "total": h.organisations},
            gt(ACTIVE)
            % {
                "date": on,
                "systems": h.systems_active,
                "systems_total": h.systems,
                "arrangements": h.accreditation_arrangements_active,
                "arrangements_total": h.accreditation_arrangements,
            },
        ],
        "by_type": [
            Row((_word(gt, AGREEMENT_TYPES, r.type), str(r.signed), str(r.in_force)))
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
