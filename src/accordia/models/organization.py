"""Organizations (legal entities that hold certificates) with identifiers and sites."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.base import Base, IdMixin
from accordia.models._mixins import BilingualNameMixin, SourcedMixin, has_name


class Organization(IdMixin, BilingualNameMixin, SourcedMixin, Base):
    """A legal entity. Its natural key is ``key`` (by convention its USCC or LEI when known)."""

    __tablename__ = "organization"
    __table_args__ = (has_name(),)

    key: Mapped[str] = mapped_column(String(120), unique=True)
    economy_id: Mapped[int | None] = mapped_column(ForeignKey("economy.id"), index=True)
    address_zh: Mapped[str | None] = mapped_column(String(500))
    address_en: Mapped[str | None] = mapped_column(String(500))


class OrganizationIdentifier(IdMixin, SourcedMixin, Base):
    """An identifier of an organization (USCC, LEI, national registry numbers ...)."""

    __tablename__ = "organization_identifier"
    __table_args__ = (UniqueConstraint("scheme", "value"),)

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    scheme: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(64))


class Site(IdMixin, SourcedMixin, Base):
    """A site (location) of an organization, addressed by ``organization key`` + ``key``."""

    __tablename__ = "site"
    __table_args__ = (UniqueConstraint("organization_id", "key"),)

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str | None] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(500))
    address_zh: Mapped[str | None] = mapped_column(String(500))
    address_en: Mapped[str | None] = mapped_column(String(500))
    economy_id: Mapped[int | None] = mapped_column(ForeignKey("economy.id"))
