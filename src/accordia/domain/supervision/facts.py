"""The plain facts the supervision rules read, and the hits they return."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from accordia.domain.bilingual import Bilingual
from accordia.domain.status import Event


@dataclass(frozen=True, slots=True)
class AccreditationFacts:
    """An accreditation of a CAB: its granted scope items and status events."""

    number: str
    cab_standard: str
    scope: tuple[str, ...]
    events: tuple[Event, ...]
    valid_until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class BodyFacts:
    """A CAB: its accreditations, its regulator approval events and its auditor count."""

    registration_number: str
    kind: str = "ms_cb"
    auditor_count: int | None = None
    accreditations: tuple[AccreditationFacts, ...] = ()
    approval_events: tuple[Event, ...] = ()

    def accreditation(self, number: str | None, cab_standard: str | None) -> AccreditationFacts:
        """The accreditation a certificate names, else the CAB's one for its CAB standard."""
        for a in self.accreditations:
            if number is not None and a.number == number:
                return a
        for a in self.accreditations:
            if cab_standard is None or a.cab_standard == cab_standard:
                return a
        raise LookupError("no accreditation")


@dataclass(frozen=True, slots=True)
class AuditFacts:
    """One audit behind a certificate (see ``CertificationAudit``)."""

    audit_type: str  # initial | surveillance | recertification
    audit_on: dt.date
    application_on: dt.date | None = None
    auditor_days: float | None = None
    complexity: str | None = None
    sites_audited: int | None = None


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """A certificate with everything the per-certificate rules read."""

    number: str
    cab: str  # registration number of the issuing CAB
    kind: str
    standard: str
    issued_on: dt.date
    expires_on: dt.date | None = None
    organization: str = ""
    scope: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()
    accreditation: str | None = None  # accreditation number named by the certificate
    personnel: int | None = None
    site_count: int | None = None
    audits: tuple[AuditFacts, ...] = ()
    id: int | None = None  # database id, carried through for the service


@dataclass(frozen=True, slots=True)
class Hit:
    """One violation of one rule: what, where, and the evidence."""

    rule: str
    cab: str
    subject: str  # certificate number, or "CAB/year" for body rules
    message: Bilingual
    evidence: dict[str, Any] = field(default_factory=dict)
    certificate: str | None = None
    certificate_id: int | None = None

    @property
    def fingerprint(self) -> str:
        return f"{self.rule}|{self.cab}|{self.subject}"
