"""``/cooperation``: the international cooperation report as a page (issue 8).

The page calls the same service as its JSON twin (``/api/v1/cooperation/report``): figures of
the ledger as of ``on`` (default today) and the changes since ``since``. The headline sentence
is the report's own (:func:`accordia.reports.headline_sentence`), so page, JSON, Markdown and
PDF say the same; headings, labels and vocabulary words come from the gettext catalogues.
``/cooperation/report.pdf`` and ``/cooperation/report.md`` are the downloads.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.responses import Response

from accordia.api.deps import get_session
from accordia.domain.cooperation import Figures
from accordia.reports import headline_sentence, render_cooperation
from accordia.reports.charts import bar_chart, column_chart
from accordia.reports.cooperation import fmt_date
from accordia.services import cooperation as svc
from accordia.web.i18n import N_, negotiate, translations
from accordia.web.templating import render

router = APIRouter(include_in_schema=False)

SessionDep = Annotated[Session, Depends(get_session)]

AGREEMENT_TYPES = {
    "cooperation_agreement": N_("Cooperation agreement"),
    "mou": N_("Memorandum of understanding"),
    "mutual_recognition_agreement": N_("Mutual recognition agreement"),
    "protocol": N_("Protocol"),
    "arrangement": N_("Arrangement (type of agreement)"),
    "other": N_("Other"),
}
MEMBERSHIP_STATUS = {
    "joined": N_("joined"),
    "observer": N_("observer"),
    "tracked": N_("tracked"),
    "left": N_("left"),
}
CHANGES = {
    "agreement_signed": N_("Agreement signed"),
    "agreement_ended": N_("Agreement terminated or expired"),
    "counterpart_added": N_("New counterpart"),
    "economy_added": N_("New country or region"),
    "organisation_added": N_("Organisation joined or tracked"),
    "membership_changed": N_("Membership status changed"),
    "system_signed": N_("Recognition system signed"),
    "accreditation_arrangement_signed": N_("Accreditation arrangement signed"),
}
CHART_YEAR = N_("Agreements per year")
CHART_ECONOMY = N_("Counterpart bodies by economy")
BAD_DATE = N_("The date must be written as YYYY-MM-DD.")
BAD_ORDER = N_("The date of comparison must not be after the report date.")


def _parse(raw: str) -> tuple[dt.date | None, bool]:
    """``(date, ok)``: empty is ``(None, True)``, unreadable is ``(None, False)``."""
    if not raw.strip():
        return None, True
    try:
        return dt.date.fromisoformat(raw.strip()), True
    except ValueError:
        return None, False


def _bi(zh: str | None, en: str | None, fallback: str) -> dict[str, str] | str:
    """Registry content for the ``bi`` filter (its fallback badge), or a code when unnamed."""
    if not zh and not en:
        return fallback
    return {"zh": zh or "", "en": en or ""}


def page_context(f: Figures, lang: str) -> dict[str, Any]:
    """What the template shows: vocabulary translated, registry names left bilingual."""
    gt = translations(lang).gettext

    def word(table: dict[str, str], code: str) -> str:
        return gt(table[code]) if code in table else code

    h = f.headline
    economy_chart: list[tuple[str, int]] = []
    by_economy = []
    for r in f.by_economy:
        name = _bi(r.name_zh, r.name_en, r.code)
        by_economy.append({"code": r.code, "name": name, "bodies": r.bodies, "n": r.agreements})
        label = r.code
        if isinstance(name, dict):
            label = name.get(lang) or name.get("en" if lang == "zh" else "zh") or r.code
        economy_chart.append((label, r.bodies))
    changes = None
    if f.changes is not None:
        items = []
        for c in f.changes.items:
            if c.kind in ("agreement_signed", "agreement_ended"):
                detail = word(AGREEMENT_TYPES, c.detail)
            elif c.kind == "membership_changed":
                detail = word(MEMBERSHIP_STATUS, c.detail)
            else:
                detail = c.detail
            items.append(
                {
                    "on": c.on.isoformat(),
                    "what": word(CHANGES, c.kind),
                    "key": c.key,
                    "name": _bi(c.name_zh, c.name_en, c.key),
                    "detail": detail,
                }
            )
        changes = {
            "since": fmt_date(f.changes.since, lang),  # type: ignore[arg-type]
            "before": headline_sentence(f.changes.before, lang),  # type: ignore[arg-type]
            "items": items,
        }
    return {
        "on_text": fmt_date(f.on, lang),  # type: ignore[arg-type]
        "sentence": headline_sentence(h, lang),  # type: ignore[arg-type]
        "h": h,
        "by_type": [
            {"type": word(AGREEMENT_TYPES, r.type), "signed": r.signed, "in_force": r.in_force}
            for r in f.by_type
        ],
        "by_economy": by_economy,
        "by_year": f.by_year,
        "year_svg": Markup(
            column_chart([(str(r.year), r.agreements) for r in f.by_year], gt(CHART_YEAR))
        ),
        "economy_svg": Markup(bar_chart(economy_chart, gt(CHART_ECONOMY))),
        "changes": changes,
    }


def _query(on: dt.date, since: dt.date | None, **extra: str) -> str:
    params = {"on": on.isoformat(), **({"since": since.isoformat()} if since else {}), **extra}
    return urlencode(params)


@router.get("/cooperation")
def cooperation_page(
    request: Request,
    session: SessionDep,
    on: Annotated[str, Query(max_length=10)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    lang = negotiate(request)
    on_day, on_ok = _parse(on)
    since_day, since_ok = _parse(since)
    errors: list[str] = []
    if not (on_ok and since_ok):
        errors.append(BAD_DATE)
    day = on_day or svc.today()
    if since_day is not None and since_day > day:
        errors.append(BAD_ORDER)
    form = {"on": on or day.isoformat(), "since": since}
    if errors:
        return render(
            request,
            lang,
            "cooperation.html",
            status_code=400,
            errors=errors,
            form=form,
            twin="/api/v1/cooperation/report",
            r=None,
        )
    figures = svc.cooperation_figures(session, day, since_day)
    q = _query(day, since_day)
    return render(
        request,
        lang,
        "cooperation.html",
        errors=[],
        form=form,
        twin=f"/api/v1/cooperation/report?{q}",
        downloads={
            "md": f"/cooperation/report.md?{_query(day, since_day, lang=lang)}",
            "pdf": f"/cooperation/report.pdf?{_query(day, since_day, lang=lang)}",
        },
        r=page_context(figures, lang),
    )


def _download_figures(
    request: Request, session: Session, on: str, since: str
) -> tuple[str, Figures] | Response:
    lang = negotiate(request)
    on_day, on_ok = _parse(on)
    since_day, since_ok = _parse(since)
    day = on_day or svc.today()
    if not (on_ok and since_ok) or (since_day is not None and since_day > day):
        gt = translations(lang).gettext
        return Response(gt(BAD_DATE if not (on_ok and since_ok) else BAD_ORDER), status_code=400)
    return lang, svc.cooperation_figures(session, day, since_day)


@router.get("/cooperation/report.pdf")
def cooperation_pdf(
    request: Request,
    session: SessionDep,
    on: Annotated[str, Query(max_length=10)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    got = _download_figures(request, session, on, since)
    if isinstance(got, Response):
        return got
    lang, figures = got
    pdf = render_cooperation(figures, lang, "pdf")  # type: ignore[arg-type]
    name = f"cooperation-{figures.on.isoformat()}-{lang}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/cooperation/report.md")
def cooperation_md(
    request: Request,
    session: SessionDep,
    on: Annotated[str, Query(max_length=10)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    got = _download_figures(request, session, on, since)
    if isinstance(got, Response):
        return got
    lang, figures = got
    md = render_cooperation(figures, lang, "md")  # type: ignore[arg-type]
    name = f"cooperation-{figures.on.isoformat()}-{lang}.md"
    return Response(
        md,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
