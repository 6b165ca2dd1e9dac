"""Declarative base with a naming convention (needed by Alembic batch mode on SQLite)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every ORM model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    """Surrogate integer primary key. Never exposed: records are addressed by natural keys."""

    id: Mapped[int] = mapped_column(primary_key=True)


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class (for set-based inserts that bypass the ORM)."""
    return cast(Table, model.__table__)
