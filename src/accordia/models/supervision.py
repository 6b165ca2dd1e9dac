"""Supervision (issue 7): audit records, scan runs and findings, the "double random, one public"
directories and draws, sanctions and complaints, inspections and their results.

Findings belong to a scan run; a later completed run supersedes the earlier ones (the current
findings are those of the latest completed run). Draws keep the published commitment, the
directory snapshot it was made over, the revealed seed and the result, so anyone can re-run them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.base import Base, IdMixin
from accordia.db.types import UTCDateTime, utcnow
from accordia.models._mixins import SourcedMixin, event_columns


class CertificationAudit(IdMixin, SourcedMixin, Base):
    """One audit behind a certificate (ISO/IEC 17021-1 cl. 9): its type, when the client
    applied, when it took place, the auditor-days spent (IAF MD 5) and the sites visited
    (IAF MD 1)."""

    __tablename__ = "certification_audit"

    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificate.id", ondelete="CASCADE"), index=True
    )
    audit_type: Mapped[str] = mapped_column(String(24))  # initial | surveillance | recertification
    audit_on: Mapped[dt.date] = mapped_column(Date)  # last day of the audit
    application_on: Mapped[dt.date | None] = mapped_column(Date)  # application received
    auditor_days: Mapped[float | None] = mapped_column(Numeric(8, 2))
    complexity: Mapped[str | None] = mapped_column(String(16))  # IAF MD 5 complexity category
    sites_audited: Mapped[int | None] = mapped_column(Integer)  # excluding the central function


class ScanRun(IdMixin, Base):
    """One run of every supervision rule over the registry, as of a date."""

    __tablename__ = "supervision_scan_run"

    on: Mapped[dt.date] = mapped_column(Date)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|done|superseded
    parameters: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    certificates: Mapped[int] = mapped_column(Integer, default=0)
    finding_count: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float | None] = mapped_column(Numeric(12, 3))


class Finding(IdMixin, Base):
    """One rule violation found by a scan run, with its evidence."""

    __tablename__ = "supervision_finding"
    __table_args__ = (
        UniqueConstraint("scan_run_id", "fingerprint"),
        Index("ix_supervision_finding_rule", "rule"),
        # risk scores and per-CAB findings of one run (issue 9)
        Index("ix_supervision_finding_run_cab_rule", "scan_run_id", "cab_id", "rule"),
    )

    scan_run_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_scan_run.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(48))
    severity: Mapped[str] = mapped_column(String(16))
    fingerprint: Mapped[str] = mapped_column(String(300))  # rule + subject: stable across runs
    cab_id: Mapped[int] = mapped_column(ForeignKey("cab.id"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))  # certificate number, or CAB + year
    message_zh: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class InspectionItem(IdMixin, Base):
    """An entry of the published list of inspection items ("one list")."""

    __tablename__ = "inspection_item"

    code: Mapped[str] = mapped_column(String(48), unique=True)
    title_zh: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    basis_zh: Mapped[str | None] = mapped_column(Text)
    basis_en: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[str | None] = mapped_column(String(48))  # the scan rule that checks it, if any


class Inspector(IdMixin, Base):
    """An entry of the inspector directory: specialties, region, past employers (CAB numbers)."""

    __tablename__ = "inspector"

    code: Mapped[str] = mapped_column(String(48), unique=True)
    name_zh: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(48), default="")
    specialties: Mapped[list[str]] = mapped_column(JSON)
    past_employers: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)


class Draw(IdMixin, Base):
    """A "double random" draw: committed (seed hash and directories published), then revealed."""

    __tablename__ = "supervision_draw"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    committed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ratio: Mapped[float] = mapped_column(Numeric(6, 4))
    inspectors_per_target: Mapped[int] = mapped_column(Integer, default=2)
    commitment: Mapped[str] = mapped_column(String(64))  # SHA-256 hex of the secret seed
    directory: Mapped[dict[str, Any]] = mapped_column(JSON)  # targets + inspectors as drawn over
    directory_digest: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str | None] = mapped_column(String(200))
    revealed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result_digest: Mapped[str | None] = mapped_column(String(64))


class Sanction(IdMixin, SourcedMixin, Base):
    """An administrative sanction on a body: warning, rectification order, fine, suspension,
    revocation, with its legal basis and effective dates."""

    __tablename__ = "sanction"

    cab_id: Mapped[int] = mapped_column(ForeignKey("cab.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    effective_until: Mapped[dt.date | None] = mapped_column(Date)
    basis_zh: Mapped[str | None] = mapped_column(Text)
    basis_en: Mapped[str | None] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(100))  # decision number
    note: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[float | None] = mapped_column(Numeric(14, 2))  # fines, in CNY


class Complaint(IdMixin, Base):
    """A complaint about a certificate or a body (social supervision). Complainant contact data
    stay private; only the case number, subject, status, deadline and the published outcome are
    public."""

    __tablename__ = "complaint"

    case_number: Mapped[str] = mapped_column(String(32), unique=True)
    cab_id: Mapped[int | None] = mapped_column(ForeignKey("cab.id"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))
    received_on: Mapped[dt.date] = mapped_column(Date)
    # open | in_progress | substantiated | rejected
    status: Mapped[str] = mapped_column(String(16), default="open")
    summary: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)  # never published
    outcome: Mapped[str | None] = mapped_column(Text)  # public once outcome_published_on is set
    subject_kind: Mapped[str | None] = mapped_column(String(16))  # certificate | body
    subject: Mapped[str | None] = mapped_column(String(200))  # certificate no. or CAB regno
    complainant_name: Mapped[str | None] = mapped_column(Text)  # never published
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    assignee: Mapped[str | None] = mapped_column(String(64))  # never published
    outcome_published_on: Mapped[dt.date | None] = mapped_column(Date)
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)  # <= 2 MB, never published
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_type: Mapped[str | None] = mapped_column(String(100))


# --------------------------------------------------------------------------- inspections


class Inspection(IdMixin, SourcedMixin, Base):
    """An inspection of one body: planned from a revealed draw (one per drawn target) or ad hoc
    (from a complaint or a finding). Its status is the history of :class:`InspectionEvent`
    (``status`` caches the latest one); its result is the item outcomes, signed by inspectors
    assigned to it, and the conclusion derived from them, published on completion."""

    __tablename__ = "inspection"
    __table_args__ = (UniqueConstraint("draw_id", "cab_id"),)

    code: Mapped[str] = mapped_column(String(32), unique=True)
    cab_id: Mapped[int] = mapped_column(ForeignKey("cab.id"), index=True)
    origin: Mapped[str] = mapped_column(String(16))  # draw | complaint | finding
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_draw.id"), index=True)
    planned_from: Mapped[dt.date] = mapped_column(Date)
    planned_until: Mapped[dt.date] = mapped_column(Date)
    checklist: Mapped[list[str]] = mapped_column(JSON)  # inspection item codes to check
    status: Mapped[str] = mapped_column(String(16), default="planned")
    conclusion: Mapped[str | None] = mapped_column(String(16))  # conforming | minor | major
    summary_zh: Mapped[str | None] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    signed_by: Mapped[list[str] | None] = mapped_column(JSON)  # inspector codes
    result_recorded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    sanction_id: Mapped[int | None] = mapped_column(ForeignKey("sanction.id"))


class InspectionEvent(event_columns("inspection"), Base):  # type: ignore[misc]
    """A status change of an inspection: ``planned``, ``in_progress``, ``completed`` or
    ``cancelled``, with its effective date, recorded time and the actor."""

    __tablename__ = "inspection_event"

    actor: Mapped[str | None] = mapped_column(String(64))


class InspectionInspector(IdMixin, Base):
    """An inspector assigned to an inspection (``inspector``) or recused from it (``recused``,
    conflict of interest), as the draw or the regulator decided."""

    __tablename__ = "inspection_inspector"
    __table_args__ = (UniqueConstraint("inspection_id", "inspector_id"),)

    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspection.id", ondelete="CASCADE"), index=True
    )
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspector.id"))
    role: Mapped[str] = mapped_column(String(16))  # inspector | recused


class InspectionOutcome(IdMixin, Base):
    """The outcome of one published inspection item in an inspection, with notes."""

    __tablename__ = "inspection_outcome"
    __table_args__ = (UniqueConstraint("inspection_id", "item_id"),)

    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspection.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_item.id"))
    # conforming | nonconforming_minor | nonconforming_major | not_applicable
    outcome: Mapped[str] = mapped_column(String(24))
    note_zh: Mapped[str | None] = mapped_column(Text)
    note_en: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class InspectionReference(IdMixin, Base):
    """A complaint case or a scan finding an inspection comes from (``origin``) or is linked to.
    Findings are kept by fingerprint (``rule|cab|subject``, stable across scan runs)."""

    __tablename__ = "inspection_reference"

    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspection.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # complaint | finding
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"))
    finding_fingerprint: Mapped[str | None] = mapped_column(String(300))
    finding_rule: Mapped[str | None] = mapped_column(String(48))
    finding_subject: Mapped[str | None] = mapped_column(String(200))
    origin: Mapped[bool] = mapped_column(Boolean, default=False)
