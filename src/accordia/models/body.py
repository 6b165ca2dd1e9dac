"""Accreditation bodies, conformity assessment bodies, regulators and associations."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.base import Base, IdMixin
from accordia.models._mixins import BilingualNameMixin, SourcedMixin, event_columns, has_name


class CabKind(StrEnum):
    """Kinds of conformity assessment body, each with the standard it is accredited to."""

    MS_CB = "ms_cb"  # management-system certification, ISO/IEC 17021-1
    PRODUCT_CB = "product_cb"  # product certification, ISO/IEC 17065
    PERSONS_CB = "persons_cb"  # certification of persons, ISO/IEC 17024
    TESTING_LAB = "testing_lab"  # ISO/IEC 17025
    CALIBRATION_LAB = "calibration_lab"  # ISO/IEC 17025
    MEDICAL_LAB = "medical_lab"  # ISO 15189
    INSPECTION_BODY = "inspection_body"  # ISO/IEC 17020
    PT_PROVIDER = "pt_provider"  # ISO/IEC 17043
    RM_PRODUCER = "rm_producer"  # ISO 17034
    VVB = "vvb"  # validation/verification, ISO/IEC 17029
    GHG_VVB = "ghg_vvb"  # greenhouse-gas validation/verification, ISO 14065


CAB_STANDARD: dict[CabKind, str] = {
    CabKind.MS_CB: "ISO/IEC 17021-1",
    CabKind.PRODUCT_CB: "ISO/IEC 17065",
    CabKind.PERSONS_CB: "ISO/IEC 17024",
    CabKind.TESTING_LAB: "ISO/IEC 17025",
    CabKind.CALIBRATION_LAB: "ISO/IEC 17025",
    CabKind.MEDICAL_LAB: "ISO 15189",
    CabKind.INSPECTION_BODY: "ISO/IEC 17020",
    CabKind.PT_PROVIDER: "ISO/IEC 17043",
    CabKind.RM_PRODUCER: "ISO 17034",
    CabKind.VVB: "ISO/IEC 17029",
    CabKind.GHG_VVB: "ISO 14065",
}


class AccreditationBody(IdMixin, BilingualNameMixin, SourcedMixin, Base):
    """An accreditation body (ISO/IEC 17011), addressed by acronym + economy."""

    __tablename__ = "accreditation_body"
    __table_args__ = (
        has_name(),
        UniqueConstraint("acronym", "economy_id"),
    )

    acronym: Mapped[str] = mapped_column(String(32))
    economy_id: Mapped[int] = mapped_column(ForeignKey("economy.id"), index=True)
    website: Mapped[str | None] = mapped_column(String(300))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))


class Cab(IdMixin, BilingualNameMixin, SourcedMixin, Base):
    """A conformity assessment body, addressed by its registration number."""

    __tablename__ = "cab"
    __table_args__ = (has_name(),)

    registration_number: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    acronym: Mapped[str | None] = mapped_column(String(32))
    economy_id: Mapped[int] = mapped_column(ForeignKey("economy.id"), index=True)
    website: Mapped[str | None] = mapped_column(String(300))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    auditor_count: Mapped[int | None] = mapped_column()


class BodyApprovalEvent(event_columns("cab"), Base):  # type: ignore[misc]
    """A change of a CAB's approval by its regulator (e.g. CNCA's approval of a certifier)."""

    __tablename__ = "body_approval_event"

    regulator_id: Mapped[int | None] = mapped_column(ForeignKey("regulator.id"))


class Regulator(IdMixin, BilingualNameMixin, SourcedMixin, Base):
    """A government authority supervising certification and accreditation (e.g. CNCA)."""

    __tablename__ = "regulator"
    __table_args__ = (
        has_name(),
        UniqueConstraint("acronym", "economy_id"),
    )

    acronym: Mapped[str] = mapped_column(String(32))
    economy_id: Mapped[int] = mapped_column(ForeignKey("economy.id"), index=True)
    website: Mapped[str | None] = mapped_column(String(300))


class Association(IdMixin, BilingualNameMixin, SourcedMixin, Base):
    """An industry association (e.g. CCAA) with member bodies and codes of conduct."""

    __tablename__ = "association"
    __table_args__ = (
        has_name(),
        UniqueConstraint("acronym", "economy_id"),
    )

    acronym: Mapped[str] = mapped_column(String(32))
    economy_id: Mapped[int] = mapped_column(ForeignKey("economy.id"), index=True)
    website: Mapped[str | None] = mapped_column(String(300))


class AssociationMembership(IdMixin, SourcedMixin, Base):
    """A CAB's membership of an association, from ``since`` (inclusive) to ``until`` (inclusive)."""

    __tablename__ = "association_membership"
    __table_args__ = (UniqueConstraint("association_id", "cab_id", "since"),)

    association_id: Mapped[int] = mapped_column(ForeignKey("association.id", ondelete="CASCADE"))
    cab_id: Mapped[int] = mapped_column(ForeignKey("cab.id", ondelete="CASCADE"), index=True)
    since: Mapped[dt.date] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date)
