"""Market acceptance: which arrangements a market accepts, for which attestations and scopes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.base import Base, IdMixin
from accordia.models._mixins import SourcedMixin


class MarketAcceptance(IdMixin, SourcedMixin, Base):
    """Market ``economy`` accepts attestations recognized through ``arrangement``.

    ``attestation_kind`` empty means any kind; ``scope`` empty means any scope, otherwise a
    scope item or prefix (``HS:85`` accepts ``HS:8516``). ``valid_from``/``valid_until`` bound
    the acceptance in time (inclusive).
    """

    __tablename__ = "market_acceptance"
    __table_args__ = (
        UniqueConstraint("economy_id", "arrangement_id", "attestation_kind", "scope"),
    )

    economy_id: Mapped[int] = mapped_column(ForeignKey("economy.id"), index=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"))
    attestation_kind: Mapped[str] = mapped_column(String(32), default="")
    scope: Mapped[str] = mapped_column(String(100), default="")
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    note_zh: Mapped[str | None] = mapped_column(Text)
    note_en: Mapped[str | None] = mapped_column(Text)
