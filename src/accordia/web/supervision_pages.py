"""Supervision pages: the complaint form and case status pages (social supervision) and the
public disclosure page ``/supervision`` (sanctions, draws, published inspection results,
published complaint outcomes; the inspection pages are :mod:`accordia.web.inspection_pages`).

The complaint form is CSRF-protected (:func:`accordia.web.auth_pages.check_csrf`); a case's
status page shows only the case number, subject, status, deadline and published outcome —
never the complainant's name, contact, attachment or the assignee.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from accordia.db.session import unit_of_work
from accordia.services import supervision as sv
from accordia.services.inspections import published_results
from accordia.web.auth_pages import CSRF_FIELD, _set_csrf_cookie, check_csrf, csrf_token
from accordia.web.i18n import N_, negotiate
from accordia.web.templating import render

router = APIRouter(include_in_schema=False)

SANCTION_KINDS = {
    "warning": N_("Warning"),
    "rectification": N_("Rectification order"),
    "fine": N_("Fine"),
    "suspension": N_("Suspension"),
    "revocation": N_("Revocation"),
}
CASE_STATUSES = {
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "substantiated": N_("Substantiated"),
    "rejected": N_("Rejected"),
}
SUBJECT_KINDS = {"certificate": N_("Certificate"), "body": N_("Certification body")}
CONCLUSION_LABELS = {
    "conforming": N_("Conforming"),
    "minor": N_("Minor nonconformities"),
    "major": N_("Major nonconformities"),
}


def _form(
    request: Request, status_code: int = 200, error: str | None = None, **values: object
) -> Response:
    lang = negotiate(request)
    response: Response = render(
        request,
        lang,
        "complaint_new.html",
        status_code=status_code,
        csrf_token=csrf_token(request),
        error=error,
        values=values,
        subject_kinds=SUBJECT_KINDS,
        max_mb=sv.MAX_ATTACHMENT_BYTES // (1024 * 1024),
    )
    _set_csrf_cookie(request, response)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/complaints/new")
def complaint_form(request: Request) -> Response:
    return _form(request)


@router.post("/complaints/new")
async def complaint_submit(
    request: Request,
    subject_kind: Annotated[str, Form(max_length=16)] = "",
    subject: Annotated[str, Form(max_length=200)] = "",
    summary: Annotated[str, Form(max_length=20000)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    contact: Annotated[str, Form(max_length=500)] = "",
    anonymous: Annotated[str, Form(max_length=8)] = "",
    attachment: Annotated[UploadFile | None, File()] = None,
    csrf_token_field: Annotated[str, Form(alias=CSRF_FIELD, max_length=100)] = "",
) -> Response:
    check_csrf(request, csrf_token_field)
    keep = {"subject_kind": subject_kind, "subject": subject, "summary": summary}
    data: bytes | None = None
    if attachment is not None and attachment.filename:
        data = await attachment.read(sv.MAX_ATTACHMENT_BYTES + 1)
        if len(data) > sv.MAX_ATTACHMENT_BYTES:
            return _form(request, 413, N_("The attachment is larger than 2 MB."), **keep)
    if subject_kind not in SUBJECT_KINDS or not subject.strip() or not summary.strip():
        return _form(request, 422, N_("Please fill in the subject and the description."), **keep)
    try:
        with unit_of_work(request.app.state.engine) as session:
            case = sv.file_complaint(
                session,
                subject_kind=subject_kind,
                subject=subject,
                summary=summary,
                name=name,
                contact=contact,
                anonymous=bool(anonymous),
                attachment=data or None,
                attachment_name=attachment.filename if data and attachment else None,
                attachment_type=attachment.content_type if data and attachment else None,
            )
    except sv.SupervisionError:
        msg = N_("No certificate or body with that number is in the registry.")
        return _form(request, 422, msg, **keep)
    return RedirectResponse(f"/complaints/{case['case_number']}?filed=1", status_code=303)


@router.get("/complaints/{case}")
def complaint_status(request: Request, case: str) -> Response:
    lang = negotiate(request)
    try:
        with unit_of_work(request.app.state.engine) as session:
            data = sv.get_case(session, case)
    except sv.SupervisionError as exc:
        raise StarletteHTTPException(404) from exc
    response: Response = render(
        request,
        lang,
        "complaint.html",
        case=data,
        filed=request.query_params.get("filed") == "1",
        statuses=CASE_STATUSES,
        subject_kinds=SUBJECT_KINDS,
        twin=f"/api/v1/complaints/{data['case_number']}",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/supervision")
def disclosure(request: Request) -> Response:
    lang = negotiate(request)
    with unit_of_work(request.app.state.engine) as session:
        data = sv.disclosures(session)
        results = published_results(session)
    return render(
        request,
        lang,
        "supervision.html",
        data=data,
        results=results,
        kinds=SANCTION_KINDS,
        statuses=CASE_STATUSES,
        conclusion_labels=CONCLUSION_LABELS,
        twin="/api/v1/supervision/disclosures",
    )
