"""Accreditations: an accreditation body attests a CAB's competence for a standard and scope."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.base import Base, IdMixin
from accordia.models._mixins import SourcedMixin, event_columns


class Accreditation(IdMixin, SourcedMixin, Base):
    """An accreditation, addressed by accreditation body + accreditation number."""

    __tablename__ = "accreditation"
    __table_args__ = (UniqueConstraint("accreditation_body_id", "number"),)

    accreditation_body_id: Mapped[int] = mapped_column(ForeignKey("accreditation_body.id"))
    number: Mapped[str] = mapped_column(String(64))
    cab_id: Mapped[int] = mapped_column(ForeignKey("cab.id"), index=True)
    cab_standard: Mapped[str] = mapped_column(String(80))  # e.g. ISO/IEC 17021-1
    valid_until: Mapped[dt.date | None] = mapped_column(Date)  # last day of validity, if set


class AccreditationScopeItem(IdMixin, Base):
    """One item of the scope as granted: ``STD:ISO 9001``, ``IAF:19``, ``HS:8516``, ``ILAC:…``.

    Later extensions and reductions are events (see :class:`AccreditationEvent`), so the scope
    on any date is derived, never overwritten.
    """

    __tablename__ = "accreditation_scope_item"
    __table_args__ = (
        UniqueConstraint("accreditation_id", "item"),
        Index("ix_accreditation_scope_item_item", "item"),
    )

    accreditation_id: Mapped[int] = mapped_column(
        ForeignKey("accreditation.id", ondelete="CASCADE")
    )
    item: Mapped[str] = mapped_column(String(100))


class AccreditationEvent(event_columns("accreditation"), Base):  # type: ignore[misc]
    """Status history of an accreditation: granted, suspended, restored, scope changes ..."""

    __tablename__ = "accreditation_event"
