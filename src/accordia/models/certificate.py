"""Certificates and the other attestations (test reports, inspection reports, statements)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.base import Base, IdMixin
from accordia.models._mixins import SourcedMixin, event_columns


class AttestationKind(StrEnum):
    """Kinds of attestation (ISO/IEC 17000) the registry holds."""

    MS_CERTIFICATE = "ms_certificate"  # management-system certificate (ISO/IEC 17021-1)
    PRODUCT_CERTIFICATE = "product_certificate"  # ISO/IEC 17065 (incl. CCC, CB test certificates)
    PERSONS_CERTIFICATE = "persons_certificate"  # ISO/IEC 17024
    TEST_REPORT = "test_report"  # ISO/IEC 17025 testing
    CALIBRATION_CERTIFICATE = "calibration_certificate"  # ISO/IEC 17025 calibration
    MEDICAL_REPORT = "medical_report"  # ISO 15189
    INSPECTION_REPORT = "inspection_report"  # ISO/IEC 17020
    VERIFICATION_STATEMENT = "verification_statement"  # ISO 14065 / ISO/IEC 17029
    VALIDATION_STATEMENT = "validation_statement"


class Certificate(IdMixin, SourcedMixin, Base):
    """An attestation, addressed by issuing CAB (registration number) + number.

    ``number_norm`` is the number normalised for look-up (case, spaces, dashes, full width).
    Status is never stored here: it is derived from :class:`CertificateEvent` rows and the
    printed ``expires_on``.
    """

    __tablename__ = "certificate"
    __table_args__ = (
        UniqueConstraint("cab_id", "number"),
        Index("ix_certificate_number_norm", "number_norm"),
    )

    number: Mapped[str] = mapped_column(String(80))
    number_norm: Mapped[str] = mapped_column(String(80))
    cab_id: Mapped[int] = mapped_column(ForeignKey("cab.id"))
    kind: Mapped[str] = mapped_column(String(32))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    standard: Mapped[str] = mapped_column(String(80))  # certified against, e.g. ISO 9001
    accreditation_id: Mapped[int | None] = mapped_column(ForeignKey("accreditation.id"), index=True)
    scope_zh: Mapped[str | None] = mapped_column(Text)
    scope_en: Mapped[str | None] = mapped_column(Text)
    original_issue_on: Mapped[dt.date | None] = mapped_column(Date)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    personnel: Mapped[int | None] = mapped_column()  # effective personnel (IAF MD 5)
    site_count: Mapped[int | None] = mapped_column()  # sites covered (IAF MD 1)


class CertificateScopeItem(IdMixin, Base):
    """Technical scope of an attestation: ``IAF:19`` sectors, ``HS:8516`` products ..."""

    __tablename__ = "certificate_scope_item"
    __table_args__ = (
        UniqueConstraint("certificate_id", "item"),
        Index("ix_certificate_scope_item_item", "item"),  # the scan's distinct items (issue 9)
    )

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(100))


class CertificateSite(IdMixin, Base):
    """A site covered by a certificate."""

    __tablename__ = "certificate_site"
    __table_args__ = (UniqueConstraint("certificate_id", "site_id"),)

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))


class CertificateEvent(event_columns("certificate"), Base):  # type: ignore[misc]
    """Status history of an attestation: issued, surveillance, suspended, withdrawn ..."""

    __tablename__ = "certificate_event"


class GhgFigure(IdMixin, SourcedMixin, Base):
    """Verified greenhouse-gas figures stated by a verification statement (ISO 14064-1/-3)."""

    __tablename__ = "ghg_figure"

    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificate.id", ondelete="CASCADE"), unique=True
    )
    tco2e: Mapped[float] = mapped_column(Numeric(18, 3))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    boundary_zh: Mapped[str | None] = mapped_column(Text)
    boundary_en: Mapped[str | None] = mapped_column(Text)
