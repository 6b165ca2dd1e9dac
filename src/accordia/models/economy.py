"""Economies: ISO 3166 countries and territories, and the groupings arrangements use."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.base import Base, IdMixin
from accordia.models._mixins import BilingualNameMixin, SourcedMixin, has_name


class Economy(IdMixin, BilingualNameMixin, SourcedMixin, Base):
    """A country or territory (ISO 3166-1 alpha-2 code) or a grouping (EU, APEC, SADC ...)."""

    __tablename__ = "economy"
    __table_args__ = (has_name(),)

    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="country")  # country | grouping
    alpha3: Mapped[str | None] = mapped_column(String(3))


class EconomyGroupMember(IdMixin, SourcedMixin, Base):
    """Membership of an economy in a grouping (e.g. DE in EU)."""

    __tablename__ = "economy_group_member"
    __table_args__ = (UniqueConstraint("group_id", "member_id"),)

    group_id: Mapped[int] = mapped_column(ForeignKey("economy.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("economy.id", ondelete="CASCADE"))
