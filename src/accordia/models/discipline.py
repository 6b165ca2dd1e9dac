"""Industry self-discipline (issue 7 §6): associations' codes of conduct, their versions over
time, and member bodies' commitments to them as an append-only history.

A code (``conduct_code``) is addressed by its association and its code id; its text lives in
versions (``conduct_code_version``: title and numbered provisions in Chinese and English, the
dates it was adopted and took effect, where it is published). The version in force on a date is
the latest one effective by then. A body's commitment to a code is a list of events
(``committed`` / ``withdrawn`` / ``expelled``, each with the date it took effect and the time it
was recorded); its status on a date is the last event effective by then.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.base import Base, IdMixin
from accordia.db.types import UTCDateTime, utcnow
from accordia.models._mixins import SourcedMixin

COMMITMENT_KINDS = ("committed", "withdrawn", "expelled")


class ConductCode(IdMixin, SourcedMixin, Base):
    """A code of conduct of an association, addressed by (association, code)."""

    __tablename__ = "conduct_code"
    __table_args__ = (UniqueConstraint("association_id", "code"),)

    association_id: Mapped[int] = mapped_column(
        ForeignKey("association.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(48))


class ConductCodeVersion(IdMixin, SourcedMixin, Base):
    """One version of a code of conduct: title and numbered provisions in zh/en."""

    __tablename__ = "conduct_code_version"
    __table_args__ = (
        UniqueConstraint("code_id", "version"),
        CheckConstraint("title_zh IS NOT NULL OR title_en IS NOT NULL", name="has_title"),
    )

    code_id: Mapped[int] = mapped_column(
        ForeignKey("conduct_code.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    title_zh: Mapped[str | None] = mapped_column(String(500))
    title_en: Mapped[str | None] = mapped_column(String(500))
    # [{"number": 1, "zh": "...", "en": "..."}, ...]
    provisions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    adopted_on: Mapped[dt.date] = mapped_column(Date)
    effective_on: Mapped[dt.date] = mapped_column(Date)
    source_url: Mapped[str | None] = mapped_column(String(500))


class ConductCommitmentEvent(Base):
    """A change of a body's commitment to a code: committed, withdrawn or expelled."""

    __tablename__ = "conduct_commitment_event"
    __table_args__ = (
        Index("ix_conduct_commitment_event_code_cab", "code_id", "cab_id"),
        CheckConstraint("kind IN ('committed', 'withdrawn', 'expelled')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("conduct_code.id", ondelete="CASCADE"))
    cab_id: Mapped[int] = mapped_column(ForeignKey("cab.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    effective_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str | None] = mapped_column(Text)
