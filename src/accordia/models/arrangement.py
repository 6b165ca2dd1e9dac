"""Arrangements (IAF MLA, ILAC MRA, regional, sector schemes, bilateral) and their signatories."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.base import Base, IdMixin
from accordia.models._mixins import BilingualNameMixin, SourcedMixin, event_columns, has_name


class ArrangementKind(StrEnum):
    """How an arrangement is constituted."""

    GLOBAL = "global"  # IAF MLA, ILAC MRA, and their successor
    REGIONAL = "regional"  # APAC, EA, IAAC, AFRAC, ARAC, SADCA arrangements
    SECTOR_SCHEME = "sector_scheme"  # IECEE CB Scheme, IECEx, IECQ
    GOVERNMENT = "government"  # plurilateral government MRAs (APEC TEL MRA)
    BILATERAL = "bilateral"  # government-to-government (China-New Zealand EEE, 2008)


class Arrangement(IdMixin, BilingualNameMixin, SourcedMixin, Base):
    """A recognition arrangement, addressed by ``key`` (``IAF-MLA``, ``CN-NZ-EEE`` ...)."""

    __tablename__ = "arrangement"
    __table_args__ = (has_name(),)

    key: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    acronym: Mapped[str | None] = mapped_column(String(40))
    operator: Mapped[str | None] = mapped_column(String(200))
    established_on: Mapped[dt.date | None] = mapped_column(Date)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("arrangement.id"))
    succeeded_on: Mapped[dt.date | None] = mapped_column(Date)  # when signatories carry over


class ArrangementParty(IdMixin, SourcedMixin, Base):
    """An economy that is a party to a government or bilateral arrangement."""

    __tablename__ = "arrangement_party"
    __table_args__ = (UniqueConstraint("arrangement_id", "economy_id"),)

    arrangement_id: Mapped[int] = mapped_column(ForeignKey("arrangement.id", ondelete="CASCADE"))
    economy_id: Mapped[int] = mapped_column(ForeignKey("economy.id"))


class ArrangementRecognition(IdMixin, SourcedMixin, Base):
    """A global arrangement recognizes a regional one for a scope (e.g. IAF MLA ⇐ APAC MLA, MS).

    Its status over time is in :class:`RecognitionEvent`.
    """

    __tablename__ = "arrangement_recognition"
    __table_args__ = (UniqueConstraint("recognizing_id", "recognized_id", "scope"),)

    recognizing_id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"))
    recognized_id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"))
    scope: Mapped[str] = mapped_column(String(100))  # e.g. MLA:MS or ILAC:TESTING


class RecognitionEvent(event_columns("arrangement_recognition"), Base):  # type: ignore[misc]
    """Status history of a recognition of a regional arrangement."""

    __tablename__ = "recognition_event"


class Signatory(IdMixin, SourcedMixin, Base):
    """A participant of an arrangement: an accreditation body, or a CAB designated under it."""

    __tablename__ = "signatory"
    __table_args__ = (
        UniqueConstraint("arrangement_id", "accreditation_body_id", "cab_id"),
        CheckConstraint(
            "(accreditation_body_id IS NULL) <> (cab_id IS NULL)", name="one_participant"
        ),
    )

    arrangement_id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"), index=True)
    accreditation_body_id: Mapped[int | None] = mapped_column(
        ForeignKey("accreditation_body.id"), index=True
    )
    cab_id: Mapped[int | None] = mapped_column(ForeignKey("cab.id"), index=True)


class SignatoryScope(IdMixin, SourcedMixin, Base):
    """One scope of a signatory's participation (``MLA:MS/QMS``, ``ILAC:TESTING``, ``HS:85``)."""

    __tablename__ = "signatory_scope"
    __table_args__ = (UniqueConstraint("signatory_id", "scope"),)

    signatory_id: Mapped[int] = mapped_column(ForeignKey("signatory.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(100))


class SignatoryEvent(event_columns("signatory_scope"), Base):  # type: ignore[misc]
    """Status history of a signatory for one scope: admitted, suspended, restored, withdrawn."""

    __tablename__ = "signatory_event"
