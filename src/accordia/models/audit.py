"""The audit trail: who changed which record, when, and what it looked like before and after.

Separate from the domain events, which record what happened in the world.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.base import Base, IdMixin
from accordia.db.types import UTCDateTime, utcnow


class AuditEntry(IdMixin, Base):
    """One write by one actor."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_record", "entity", "record_key"),
        Index("ix_audit_entry_actor", "actor"),
    )

    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(16))  # create | update | event | delete
    entity: Mapped[str] = mapped_column(String(48))
    record_key: Mapped[str] = mapped_column(String(300))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    operation: Mapped[str | None] = mapped_column(String(64))  # import run / request id
    message: Mapped[str | None] = mapped_column(Text)
