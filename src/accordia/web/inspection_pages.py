"""Inspection pages: the regulator's workbench (list, detail with the start / result /
complete / cancel forms, planning from a draw) and the public page of a published result.

Workbench pages need a signed-in regulator: an anonymous browser is sent to ``/login``, any
other role gets 403 (the service's :func:`accordia.services.authz.require_regulator` and
:func:`~accordia.services.authz.authorize_write` decide; the page only maps their refusal).
Every form is CSRF-protected (:func:`accordia.web.auth_pages.check_csrf`) and is one unit of
work: a refused change leaves the database as it was and shows the page again with the reason.

``/supervision/inspection-results/{code}`` is public: what :func:`public_result` publishes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from accordia.db.session import unit_of_work
from accordia.services import authz
from accordia.services import inspections as ins
from accordia.services import supervision as sv
from accordia.web.auth_pages import CSRF_FIELD, check_csrf, csrf_token, current_session
from accordia.web.i18n import N_, negotiate
from accordia.web.supervision_pages import CONCLUSION_LABELS, SANCTION_KINDS
from accordia.web.templating import render

router = APIRouter(include_in_schema=False)

OUTCOME_LABELS = {
    "conforming": N_("Conforming"),
    "nonconforming_minor": N_("Nonconforming (minor)"),
    "nonconforming_major": N_("Nonconforming (major)"),
    "not_applicable": N_("Not applicable"),
}
STATUS_LABELS = {
    "planned": N_("Planned"),
    "in_progress": N_("In progress"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
}
ORIGIN_LABELS = {
    "draw": N_("Random draw"),
    "complaint": N_("Complaint"),
    "finding": N_("Scan finding"),
}
# why a change was refused, by the service's rule (the service's own message follows it)
RULE_MESSAGES = {
    "assigned_inspectors_only": N_("Only inspectors assigned to this inspection may sign it."),
    "two_inspectors": N_("The result needs the signatures of two assigned inspectors."),
    "every_item_checked": N_("Every item of the checklist needs an outcome before completion."),
    "items_checked": N_("At least one item must have been checked."),
    "checklist": N_("The item is not on this inspection's checklist."),
    "outcome_vocabulary": N_("The outcome is not one of the allowed values."),
    "status_transition": N_("This change is not possible in the inspection's current status."),
    "in_progress": N_("Results are recorded while the inspection is in progress."),
    "dates_in_order": N_("The date is before the inspection's last change."),
    "required": N_("A required field is empty."),
    "sanction_needs_nonconformity": N_("A sanction needs a nonconforming result."),
    "window_order": N_("The planned window ends before it starts."),
    "draw_revealed": N_("The draw has not been revealed yet."),
    "planned_once": N_("Inspections were already planned from this draw."),
    "exists": N_("A record named in the form does not exist."),
}
REFUSED = N_("The change was refused.")


def _date(raw: Any, field: str) -> dt.date | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ins.InspectionError(
            f"{text!r} is not a date (YYYY-MM-DD)", field=field, rule="date"
        ) from exc


def _actor(request: Request) -> authz.Actor | None:
    found = current_session(request)
    if found is None:
        return None
    actor = found[2]
    assert isinstance(actor, authz.Actor)
    return actor


def _login(request: Request) -> Response:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


def _labels() -> dict[str, Any]:
    return {
        "outcome_labels": OUTCOME_LABELS,
        "conclusion_labels": CONCLUSION_LABELS,
        "status_labels": STATUS_LABELS,
        "origin_labels": ORIGIN_LABELS,
        "sanction_kinds": SANCTION_KINDS,
        "rule_messages": RULE_MESSAGES,
    }


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------- workbench


@router.get("/supervision/inspections")
def workbench(request: Request, status: str = "") -> Response:
    actor = _actor(request)
    if actor is None:
        return _login(request)
    lang = negotiate(request)
    try:
        with unit_of_work(request.app.state.engine) as session:
            rows = ins.list_inspections(session, actor, status or None)
            draws = [d for d in sv.list_draws(request.app.state.engine) if d["revealed"]]
    except authz.Forbidden as exc:
        raise StarletteHTTPException(403, exc.message) from exc
    except ins.InspectionError as exc:
        raise StarletteHTTPException(400, str(exc)) from exc
    return _no_store(
        render(
            request,
            lang,
            "inspections.html",
            rows=rows,
            draws=draws,
            status=status,
            csrf_token=csrf_token(request),
            csrf_field=CSRF_FIELD,
            error=request.query_params.get("error"),
            twin="/api/v1/supervision/inspections",
            **_labels(),
        )
    )


@router.post("/supervision/inspections/plan")
async def plan(request: Request) -> Response:
    actor = _actor(request)
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD) or ""))
    if actor is None:
        return _login(request)
    try:
        with unit_of_work(request.app.state.engine) as session:
            frm = _date(form.get("planned_from"), "planned_from")
            until = _date(form.get("planned_until"), "planned_until")
            if frm is None or until is None:
                raise ins.InspectionError(
                    "the planned window needs both dates", field="planned_from", rule="required"
                )
            ins.plan_from_draw(
                session,
                actor,
                str(form.get("draw") or ""),
                planned_from=frm,
                planned_until=until,
            )
    except authz.Forbidden as exc:
        raise StarletteHTTPException(403, exc.message) from exc
    except sv.SupervisionError as exc:
        rule = getattr(exc, "rule", "")
        return RedirectResponse(
            f"/supervision/inspections?error={quote(rule or 'invalid')}", status_code=303
        )
    return RedirectResponse("/supervision/inspections?status=planned", status_code=303)


def _detail(
    request: Request,
    actor: authz.Actor,
    code: str,
    status_code: int = 200,
    error: sv.SupervisionError | None = None,
) -> Response:
    lang = negotiate(request)
    try:
        with unit_of_work(request.app.state.engine) as session:
            data = ins.regulator_view(session, actor, code)
    except authz.Forbidden as exc:
        raise StarletteHTTPException(403, exc.message) from exc
    except sv.SupervisionError as exc:  # unknown (or unreadable) inspection code
        raise StarletteHTTPException(404) from exc
    rule = getattr(error, "rule", "") if error else ""
    return _no_store(
        render(
            request,
            lang,
            "inspection.html",
            status_code=status_code,
            i=data,
            error=None
            if error is None
            else {"rule": RULE_MESSAGES.get(rule), "detail": str(error)},
            csrf_token=csrf_token(request),
            csrf_field=CSRF_FIELD,
            outcomes=ins.OUTCOMES,
            today=dt.datetime.now(dt.UTC).date().isoformat(),
            twin=f"/api/v1/supervision/inspections/{quote(data['code'])}",
            **_labels(),
        )
    )


@router.get("/supervision/inspections/{code}")
def inspection(request: Request, code: str) -> Response:
    actor = _actor(request)
    if actor is None:
        return _login(request)
    return _detail(request, actor, code)


async def _change(request: Request, code: str, action: str) -> Response:
    actor = _actor(request)
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD) or ""))
    if actor is None:
        return _login(request)
    try:
        with unit_of_work(request.app.state.engine) as session:
            if action == "start":
                ins.start(
                    session,
                    actor,
                    code,
                    on=_date(form.get("on"), "on"),
                    note=str(form.get("note") or "") or None,
                )
            elif action == "cancel":
                ins.cancel(
                    session,
                    actor,
                    code,
                    on=_date(form.get("on"), "on"),
                    reason=str(form.get("reason") or ""),
                )
            elif action == "result":
                data = ins.regulator_view(session, actor, code)
                items = []
                for it in data["items"]:
                    outcome = str(form.get(f"outcome:{it['code']}") or "").strip()
                    if not outcome:
                        continue
                    items.append(
                        {
                            "item": it["code"],
                            "outcome": outcome,
                            "note_zh": str(form.get(f"note_zh:{it['code']}") or ""),
                            "note_en": str(form.get(f"note_en:{it['code']}") or ""),
                        }
                    )
                ins.record_result(
                    session,
                    actor,
                    code,
                    items=items,
                    signed_by=[str(v) for v in form.getlist("signed_by")],
                    summary_zh=str(form.get("summary_zh") or ""),
                    summary_en=str(form.get("summary_en") or ""),
                    complaints=_lines(form.get("complaints")),
                    findings=_lines(form.get("findings")),
                )
            else:
                day = _date(form.get("on"), "on")
                sanction = None
                kind = str(form.get("sanction_kind") or "").strip()
                if kind:
                    amount = str(form.get("amount") or "").strip()
                    try:
                        value = float(amount) if amount else None
                    except ValueError as exc:
                        raise ins.InspectionError(
                            f"{amount!r} is not a number", field="amount", rule="number"
                        ) from exc
                    sanction = {
                        "kind": kind,
                        "effective_on": _date(form.get("effective_on"), "effective_on")
                        or day
                        or dt.datetime.now(dt.UTC).date(),
                        "until": _date(form.get("until"), "until"),
                        "basis_zh": str(form.get("basis_zh") or ""),
                        "basis_en": str(form.get("basis_en") or ""),
                        "amount": value,
                    }
                ins.complete(
                    session,
                    actor,
                    code,
                    on=day,
                    note=str(form.get("note") or "") or None,
                    sanction=sanction,
                )
    except authz.Forbidden as exc:
        raise StarletteHTTPException(403, exc.message) from exc
    except ins.InspectionNotFound as exc:
        raise StarletteHTTPException(404) from exc
    except sv.SupervisionError as exc:
        return _detail(request, actor, code, 422, exc)
    return RedirectResponse(f"/supervision/inspections/{quote(code)}", status_code=303)


def _lines(raw: Any) -> list[str]:
    text = str(raw or "")
    return [p.strip() for p in text.replace(",", "\n").splitlines() if p.strip()]


@router.post("/supervision/inspections/{code}/start")
async def start(request: Request, code: str) -> Response:
    return await _change(request, code, "start")


@router.post("/supervision/inspections/{code}/result")
async def result(request: Request, code: str) -> Response:
    return await _change(request, code, "result")


@router.post("/supervision/inspections/{code}/complete")
async def complete(request: Request, code: str) -> Response:
    return await _change(request, code, "complete")


@router.post("/supervision/inspections/{code}/cancel")
async def cancel(request: Request, code: str) -> Response:
    return await _change(request, code, "cancel")


# --------------------------------------------------------------------------- public


@router.get("/supervision/inspection-results/{code}")
def public_result(request: Request, code: str) -> Response:
    lang = negotiate(request)
    try:
        with unit_of_work(request.app.state.engine) as session:
            data = ins.public_result(session, code)
    except sv.SupervisionError as exc:  # not published, unknown or unreadable code
        raise StarletteHTTPException(404) from exc
    return render(
        request,
        lang,
        "inspection_result.html",
        r=data,
        twin=f"/api/v1/supervision/inspection-results/{quote(data['code'])}",
        **_labels(),
    )
