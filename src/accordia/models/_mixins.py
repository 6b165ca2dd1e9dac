"""Column groups shared by several models."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.types import UTCDateTime, utcnow


class BilingualNameMixin:
    """Registry names as published: Chinese, English, and other scripts. At least one of zh/en."""

    name_zh: Mapped[str | None] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(500))
    name_other: Mapped[str | None] = mapped_column(String(500))


def has_name() -> CheckConstraint:
    """Check constraint: a named record has a Chinese or an English name (or both)."""
    return CheckConstraint("name_zh IS NOT NULL OR name_en IS NOT NULL", name="has_name")


class SourcedMixin:
    """Every row says where it came from and when we recorded it."""

    source: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


def event_columns(parent_table: str) -> type:
    """Build the mixin of an append-only status-event table pointing at ``parent_table``."""

    class _EventMixin:
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        parent_id: Mapped[int] = mapped_column(
            ForeignKey(f"{parent_table}.id", ondelete="CASCADE"), index=True
        )
        kind: Mapped[str] = mapped_column(String(32))
        effective_on: Mapped[dt.date] = mapped_column(Date)
        recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
        source: Mapped[str] = mapped_column(Text, default="")
        note: Mapped[str | None] = mapped_column(Text)
        scope: Mapped[list[str] | None] = mapped_column(JSON)

    return _EventMixin
