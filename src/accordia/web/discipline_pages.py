"""Industry self-discipline pages (public) and the regulator's dashboard.

Public: ``/associations`` (associations, members, codes), ``/associations/{economy}/{acronym}``
(codes in force and each member's commitment on a date) and
``/associations/{economy}/{acronym}/codes/{code}`` (provisions, versions, commitments with their
events). Each links its JSON twin under ``/api/v1/discipline``.

Writes from the pages: a signed-in regulator, or the association itself, sees forms to publish
a code (or a new version) on the association page and to record a commitment event on the code
page; they post to the same service as the API, CSRF-protected with the session's token.

Guarded: ``/supervision/dashboard`` (regulators) and ``/discipline/ratings/{cab}`` (regulators and
associations, for their members). A browser that is not signed in is sent to ``/login``; a
signed-in account of another role gets 403.

Charts are inline SVG drawn here on the server (the pages' CSP allows no script and no inline
style): each has a ``<title>`` and a ``<desc>`` it is labelled by, and a data table beside it
carries the same numbers; presentation attributes only, so they print as shown.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from html import escape
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from accordia.db.session import unit_of_work
from accordia.domain.supervision.rules import RULES
from accordia.services import authz
from accordia.services import dashboard as dash
from accordia.services import discipline as ds
from accordia.web.auth_pages import CSRF_FIELD, check_csrf, csrf_token, current_session
from accordia.web.i18n import N_, negotiate, translations
from accordia.web.templating import render

router = APIRouter(include_in_schema=False)

COMMITMENT_STATUS = {
    "committed": N_("Committed"),
    "withdrawn": N_("Commitment withdrawn"),
    "expelled": N_("Expelled"),
    "none": N_("Not committed"),
}
BANDS = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High")}
FACTOR_KINDS = {
    "finding": N_("Supervision findings"),
    "sanction": N_("Sanctions"),
    "complaint": N_("Upheld complaints"),
    "status": N_("Accreditation and approval status"),
    "conduct": N_("Code-of-conduct commitments"),
    "inspection": N_("Inspection results"),
}


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _on(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip()) if raw.strip() else _today()
    except ValueError:
        return _today()


def _q(value: str) -> str:
    return quote(value, safe="")


def _guard(request: Request, *roles: str) -> authz.Actor | Response:
    """The signed-in actor if it has one of ``roles``; a redirect to sign in for an anonymous
    browser; 403 for another role."""
    signed_in = current_session(request)
    if signed_in is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={_q(target)}", status_code=303)
    actor = signed_in[2]
    assert isinstance(actor, authz.Actor)
    if actor.role not in roles:
        raise StarletteHTTPException(403, "this page needs the role " + " or ".join(roles))
    return actor


# --------------------------------------------------------------------------- SVG charts

PALETTE = (
    "#1f4e79",
    "#c55a11",
    "#548235",
    "#7030a0",
    "#9c6500",
    "#2e75b6",
    "#843c0c",
    "#375623",
    "#b4004e",
    "#264478",
    "#595959",
    "#806000",
)
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
BAND_COLOURS = {"low": "#548235", "medium": "#9c6500", "high": "#c00000"}
GRADE_COLOURS = {"A": "#548235", "B": "#2e75b6", "C": "#9c6500", "D": "#c00000"}
_FONT = 'font-family="Noto Sans CJK SC, Noto Sans, sans-serif" font-size="12"'


def ticks(peak: int) -> list[int]:
    """Round y-axis ticks from 0 to at least ``peak`` (about four steps)."""
    if peak <= 0:
        return [0, 1]
    raw = peak / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw)
    step = max(1, int(step))
    top = math.ceil(peak / step) * step
    return list(range(0, top + 1, step))


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" id="{chart_id}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _axes(
    parts: list[str], left: int, top: int, plot_w: float, plot_h: float, ys: Sequence[int]
) -> float:
    """Horizontal grid lines with their values; returns the value→pixel scale."""
    scale = plot_h / (ys[-1] or 1)
    for v in ys:
        y = top + plot_h - v * scale
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" '
            f'stroke="{"#666666" if v == 0 else "#dddddd"}" stroke-width="1"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {_FONT}>{v}</text>')
    return scale


def _x_labels(parts: list[str], labels: Sequence[str], xs: Sequence[float], y: float) -> None:
    rotate = len(labels) > 6
    for label, x in zip(labels, xs, strict=True):
        if rotate:
            parts.append(
                f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="end" {_FONT} '
                f'transform="rotate(-40 {x:.1f} {y:.1f})">{escape(label)}</text>'
            )
        else:
            parts.append(
                f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" {_FONT}>{escape(label)}</text>'
            )


def _legend(
    parts: list[str],
    items: Sequence[tuple[str, str, str]],
    x: int,
    y: float,
    box: bool = False,
) -> None:
    """One legend row per (label, colour, dash) below the plot: a line sample, or a box for
    columns."""
    for i, (label, colour, dash_) in enumerate(items):
        yy = y + i * 18
        if box:
            parts.append(
                f'<rect x="{x + 8}" y="{yy - 10}" width="12" height="12" fill="{colour}" '
                'stroke="#000000" stroke-width="0.5"/>'
            )
        else:
            dash_attr = f' stroke-dasharray="{dash_}"' if dash_ else ""
            parts.append(
                f'<line x1="{x}" y1="{yy - 4}" x2="{x + 28}" y2="{yy - 4}" stroke="{colour}" '
                f'stroke-width="3"{dash_attr}/>'
            )
        parts.append(f'<text x="{x + 36}" y="{yy}" {_FONT}>{escape(label)}</text>')


def line_chart(
    chart_id: str,
    title: str,
    desc: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    width: int = 760,
) -> Markup:
    """One line per series over the x labels (e.g. findings per rule across scan runs); lines
    differ in colour and dash pattern, so they stay apart in grey print."""
    left, top, plot_h = 48, 16, 220
    bottom = 70 if len(x_labels) > 6 else 36
    plot_w = width - left - 20
    height = top + plot_h + bottom + 18 * len(series) + 8
    parts = _open(chart_id, title, desc, width, height)
    peak = max((v for _, vals in series for v in vals), default=0)
    scale = _axes(parts, left, top, plot_w, plot_h, ticks(peak))
    n = max(len(x_labels), 1)
    step = plot_w / n
    xs = [left + step * (i + 0.5) for i in range(len(x_labels))]
    for k, (name, values) in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        dash_ = DASHES[k % len(DASHES)]
        pts = [(x, top + plot_h - v * scale) for x, v in zip(xs, values, strict=True)]
        dash_attr = f' stroke-dasharray="{dash_}"' if dash_ else ""
        parts.append(f"<g><title>{escape(name)}</title>")
        if len(pts) > 1:
            joined = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            parts.append(
                f'<polyline points="{joined}" fill="none" stroke="{colour}" stroke-width="2"'
                f"{dash_attr}/>"
            )
        for (x, y), label, v in zip(pts, x_labels, values, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(name)} · {escape(label)}: {v}</title></circle>"
            )
        parts.append("</g>")
    _x_labels(parts, x_labels, xs, top + plot_h + 16)
    _legend(
        parts,
        [
            (name, PALETTE[k % len(PALETTE)], DASHES[k % len(DASHES)])
            for k, (name, _v) in enumerate(series)
        ],
        left,
        top + plot_h + bottom + 10,
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(
    chart_id: str,
    title: str,
    desc: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    colours: Sequence[str] | None = None,
    width: int = 760,
    legend: bool = True,
) -> Markup:
    """Grouped columns: one group per x label, one column per series (``colours`` per series,
    or per column when there is one series)."""
    left, top, plot_h = 48, 16, 200
    bottom = 70 if len(x_labels) > 6 else 36
    plot_w = width - left - 20
    rows = len(series) if legend else 0
    height = top + plot_h + bottom + 18 * rows + 8
    parts = _open(chart_id, title, desc, width, height)
    peak = max((v for _, vals in series for v in vals), default=0)
    scale = _axes(parts, left, top, plot_w, plot_h, ticks(peak))
    n = max(len(x_labels), 1)
    group = plot_w / n
    bar_w = group * 0.8 / max(len(series), 1)
    xs = [left + group * (i + 0.5) for i in range(len(x_labels))]
    for k, (name, values) in enumerate(series):
        for i, (label, v) in enumerate(zip(x_labels, values, strict=True)):
            if len(series) == 1 and colours:
                colour = colours[i % len(colours)]
            else:
                colour = (colours or PALETTE)[k % len(colours or PALETTE)]
            h = v * scale
            x = left + group * i + group * 0.1 + bar_w * k
            y = top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(bar_w - 1, 1):.1f}" '
                f'height="{h:.1f}" fill="{colour}" stroke="#000000" stroke-width="0.5">'
                f"<title>{escape(name)} · {escape(label)}: {v}</title></rect>"
            )
            if v:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                    f"{_FONT}>{v}</text>"
                )
    _x_labels(parts, x_labels, xs, top + plot_h + 16)
    if legend:
        _legend(
            parts,
            [
                (name, (colours or PALETTE)[k % len(colours or PALETTE)], "")
                for k, (name, _v) in enumerate(series)
            ],
            left,
            top + plot_h + bottom + 10,
            box=True,
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# --------------------------------------------------------------------------- public pages


@router.get("/associations")
def associations_page(request: Request, on: Annotated[str, Query(max_length=10)] = "") -> Response:
    lang = negotiate(request)
    day = _on(on)
    with unit_of_work(request.app.state.engine) as session:
        rows = ds.associations_overview(session, day)
    return render(
        request,
        lang,
        "discipline_associations.html",
        rows=rows,
        on=day.isoformat(),
        twin=f"/api/v1/discipline/associations?on={day.isoformat()}",
    )


def _writer(request: Request, economy: str, acronym: str) -> authz.Actor | None:
    """The signed-in actor when it may write this association's codes (a regulator, or the
    association itself), else None: the page then shows no form."""
    signed_in = current_session(request)
    if signed_in is None:
        return None
    actor = signed_in[2]
    assert isinstance(actor, authz.Actor)
    try:
        ds.authorize_association_write(actor, acronym, economy, "conduct_code")
    except authz.Forbidden:
        return None
    return actor


def _association_response(
    request: Request,
    economy: str,
    acronym: str,
    day: dt.date,
    *,
    status_code: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    lang = negotiate(request)
    try:
        with unit_of_work(request.app.state.engine) as session:
            doc = ds.association_detail(session, acronym, economy, day)
    except ds.DisciplineError as exc:
        raise StarletteHTTPException(404) from exc
    writer = _writer(request, economy, acronym)
    response: Response = render(
        request,
        lang,
        "discipline_association.html",
        status_code=status_code,
        a=doc,
        on=day.isoformat(),
        statuses=COMMITMENT_STATUS,
        can_write=writer is not None,
        csrf_token=csrf_token(request) if writer is not None else None,
        error=error,
        values=values or {},
        twin=f"/api/v1/discipline/associations/{_q(economy)}/{_q(acronym)}?on={day.isoformat()}",
    )
    if writer is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/associations/{economy}/{acronym}")
def association_page(
    request: Request,
    economy: str,
    acronym: str,
    on: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    return _association_response(request, economy, acronym, _on(on))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _form_date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None


@router.post("/associations/{economy}/{acronym}/codes")
def publish_code(
    request: Request,
    economy: str,
    acronym: str,
    code: Annotated[str, Form(max_length=48)] = "",
    title_zh: Annotated[str, Form(max_length=500)] = "",
    title_en: Annotated[str, Form(max_length=500)] = "",
    provisions_zh: Annotated[str, Form(max_length=100_000)] = "",
    provisions_en: Annotated[str, Form(max_length=100_000)] = "",
    adopted_on: Annotated[str, Form(max_length=10)] = "",
    effective_on: Annotated[str, Form(max_length=10)] = "",
    source_url: Annotated[str, Form(max_length=500)] = "",
    csrf_token_field: Annotated[str, Form(alias=CSRF_FIELD, max_length=100)] = "",
) -> Response:
    """Publish a code of conduct or a new version (the association itself or a regulator).
    Provisions: one per line, in the same order in both languages."""
    guard = _guard(request, authz.REGULATOR, authz.ASSOCIATION)
    if isinstance(guard, Response):
        return guard
    check_csrf(request, csrf_token_field)
    values = {
        "code": code, "title_zh": title_zh, "title_en": title_en,
        "provisions_zh": provisions_zh, "provisions_en": provisions_en,
        "adopted_on": adopted_on, "effective_on": effective_on, "source_url": source_url,
    }  # fmt: skip
    today = _today()
    adopted, effective = _form_date(adopted_on), _form_date(effective_on)
    if adopted is None or effective is None:
        return _association_response(
            request, economy, acronym, today, status_code=422,
            error=N_("The date must be written as YYYY-MM-DD."), values=values,
        )  # fmt: skip
    try:
        with unit_of_work(request.app.state.engine) as session:
            data = ds.add_code_version(
                session,
                guard,
                association=acronym,
                economy=economy,
                code=code,
                title_zh=title_zh,
                title_en=title_en,
                provisions_zh=_lines(provisions_zh),
                provisions_en=_lines(provisions_en),
                adopted_on=adopted,
                effective_on=effective,
                source_url=source_url or None,
                source=f"web form ({guard.name})",
            )
    except authz.Forbidden as exc:
        raise StarletteHTTPException(403, exc.message) from exc
    except ds.NotFoundError as exc:
        raise StarletteHTTPException(404) from exc
    except ds.DisciplineError as exc:
        return _association_response(
            request, economy, acronym, today, status_code=422, error=str(exc), values=values
        )
    target = (
        f"/associations/{_q(economy)}/{_q(acronym)}/codes/{_q(data['code'])}"
        f"?version={data['version']}&published=1"
    )
    return RedirectResponse(target, status_code=303)


def _code_response(
    request: Request,
    economy: str,
    acronym: str,
    code: str,
    day: dt.date,
    version: int | None = None,
    *,
    status_code: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    lang = negotiate(request)
    try:
        with unit_of_work(request.app.state.engine) as session:
            doc = ds.code_detail(session, acronym, economy, code, day)
    except ds.DisciplineError as exc:
        raise StarletteHTTPException(404) from exc
    shown = doc["in_force"]
    if version is not None:
        shown = next((v for v in doc["versions"] if v["version"] == version), None)
        if shown is None:
            raise StarletteHTTPException(404)
    writer = _writer(request, economy, acronym)
    response: Response = render(
        request,
        lang,
        "discipline_code.html",
        status_code=status_code,
        c=doc,
        shown=shown,
        on=day.isoformat(),
        statuses=COMMITMENT_STATUS,
        can_write=writer is not None,
        csrf_token=csrf_token(request) if writer is not None else None,
        error=error,
        values=values or {},
        notice=request.query_params.get("recorded") or request.query_params.get("published"),
        twin=(
            f"/api/v1/discipline/codes/{_q(economy)}/{_q(acronym)}/{_q(code)}?on={day.isoformat()}"
        ),
    )
    if writer is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/associations/{economy}/{acronym}/codes/{code}")
def code_page(
    request: Request,
    economy: str,
    acronym: str,
    code: str,
    on: Annotated[str, Query(max_length=10)] = "",
    version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> Response:
    return _code_response(request, economy, acronym, code, _on(on), version)


@router.post("/associations/{economy}/{acronym}/codes/{code}/commitments")
def record_commitment(
    request: Request,
    economy: str,
    acronym: str,
    code: str,
    cab: Annotated[str, Form(max_length=64)] = "",
    kind: Annotated[str, Form(max_length=16)] = "committed",
    effective_on: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    csrf_token_field: Annotated[str, Form(alias=CSRF_FIELD, max_length=100)] = "",
) -> Response:
    """Record a member's commitment, withdrawal or expulsion (the association or a regulator)."""
    guard = _guard(request, authz.REGULATOR, authz.ASSOCIATION)
    if isinstance(guard, Response):
        return guard
    check_csrf(request, csrf_token_field)
    values = {"cab": cab, "kind": kind, "effective_on": effective_on, "note": note}
    day = _form_date(effective_on)
    if day is None:
        return _code_response(
            request, economy, acronym, code, _today(), status_code=422,
            error=N_("The date must be written as YYYY-MM-DD."), values=values,
        )  # fmt: skip
    try:
        with unit_of_work(request.app.state.engine) as session:
            ds.record_commitment(
                session,
                guard,
                association=acronym,
                economy=economy,
                code=code,
                cab=cab,
                kind=kind,
                effective_on=day,
                note=note or None,
                source=f"web form ({guard.name})",
            )
    except authz.Forbidden as exc:
        raise StarletteHTTPException(403, exc.message) from exc
    except ds.DisciplineError as exc:
        if isinstance(exc, ds.NotFoundError) and exc.field != "cab":
            raise StarletteHTTPException(404) from exc
        return _code_response(
            request, economy, acronym, code, _today(), status_code=422, error=str(exc),
            values=values,
        )  # fmt: skip
    target = (
        f"/associations/{_q(economy)}/{_q(acronym)}/codes/{_q(code)}"
        f"?on={day.isoformat()}&recorded=1"
    )
    return RedirectResponse(target, status_code=303)


# --------------------------------------------------------------------------- guarded pages


@router.get("/discipline/ratings/{cab}")
def rating_page(
    request: Request, cab: str, on: Annotated[str, Query(max_length=10)] = ""
) -> Response:
    guard = _guard(request, authz.REGULATOR, authz.ASSOCIATION)
    if isinstance(guard, Response):
        return guard
    lang = negotiate(request)
    day = _on(on)
    try:
        r = ds.rating(request.app.state.engine, cab, day, guard).as_dict()
    except ds.DisciplineError as exc:
        raise StarletteHTTPException(404) from exc
    response: Response = render(
        request,
        lang,
        "discipline_rating.html",
        r=r,
        on=day.isoformat(),
        factor_kinds=FACTOR_KINDS,
        twin=f"/api/v1/discipline/ratings/{_q(cab)}?on={day.isoformat()}",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _charts(data: dict[str, Any], lang: str) -> dict[str, Markup]:
    gt = translations(lang).gettext
    trend = data["findings_trend"]
    run_labels = [f"#{r['run']} {r['on']}" for r in trend["runs"]]

    def rule_title(rule: str) -> str:
        spec = RULES.get(rule)
        if spec is None:
            return rule
        return (spec.title.zh if lang == "zh" else spec.title.en) or rule

    findings_svg = line_chart(
        "chart-findings",
        gt(N_("Findings by rule across scan runs")),
        gt(
            N_(
                "One line per rule: the number of findings in each of the last %(n)s scan "
                "runs. The table below gives the same numbers."
            )
        )
        % {"n": len(run_labels)},
        run_labels,
        [(rule_title(rule), trend["series"][rule]) for rule in trend["rules"]],
    )
    monthly = data["monthly"]
    monthly_svg = column_chart(
        "chart-monthly",
        gt(N_("Sanctions and complaints per month")),
        gt(
            N_(
                "For each of the last %(n)s months, the sanctions that took effect and the "
                "complaints received. The table below gives the same numbers."
            )
        )
        % {"n": len(monthly["months"])},
        monthly["months"],
        [
            (gt(N_("Sanctions")), monthly["sanctions"]),
            (gt(N_("Complaints")), monthly["complaints"]),
        ],
        colours=("#1f4e79", "#f4b183"),
    )
    buckets = data["risk_distribution"]["buckets"]
    risk_svg = column_chart(
        "chart-risk",
        gt(N_("Distribution of risk scores")),
        gt(
            N_(
                "Number of bodies per band of %(width)s risk points; colours mark the low, "
                "medium and high risk bands. The table below gives the same numbers."
            )
        )
        % {"width": dash.BUCKET},
        [b["label"] for b in buckets],
        [(gt(N_("Bodies")), [b["count"] for b in buckets])],
        colours=[BAND_COLOURS[b["band"]] for b in buckets],
        legend=False,
    )
    grades = data["grades"]["counts"]
    grade_svg = column_chart(
        "chart-grades",
        gt(N_("Credit grades")),
        gt(N_("Number of bodies holding each credit grade, A to D.")),
        list(grades),
        [(gt(N_("Bodies")), list(grades.values()))],
        colours=[GRADE_COLOURS[g] for g in grades],
        legend=False,
    )
    return {
        "findings": findings_svg,
        "monthly": monthly_svg,
        "risk": risk_svg,
        "grades": grade_svg,
    }


@router.get("/supervision/dashboard")
def dashboard_page(
    request: Request,
    on: Annotated[str, Query(max_length=10)] = "",
    top: Annotated[int, Query(ge=1, le=1000)] = dash.RANKED,
) -> Response:
    guard = _guard(request, authz.REGULATOR)
    if isinstance(guard, Response):
        return guard
    lang = negotiate(request)
    day = _on(on)
    data = dash.dashboard(request.app.state.engine, day, top=top)

    def rule_title(rule: str) -> dict[str, str | None]:
        spec = RULES.get(rule)
        return spec.title.as_dict() if spec else {"zh": rule, "en": rule}

    response: Response = render(
        request,
        lang,
        "dashboard.html",
        d=data,
        charts=_charts(data, lang),
        rule_title=rule_title,
        bands=BANDS,
        on=day.isoformat(),
        twin=f"/api/v1/supervision/dashboard?on={day.isoformat()}&top={top}",
    )
    response.headers["Cache-Control"] = "no-store"
    return response
