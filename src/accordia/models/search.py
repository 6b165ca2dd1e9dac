"""Search index: one row per searchable entity, one row per searchable form of it.

The index is derived data: :func:`accordia.search.index_entities` (re)builds it from plain
dicts, so it can be dropped and rebuilt at any time. Engine-specific structures (SQLite FTS5
trigram table + triggers, PostgreSQL ``pg_trgm`` GIN index) are created by
:func:`install_search_ddl`, which the Alembic migration calls after creating these tables
(autogenerate cannot express them). ``Base.metadata.create_all`` runs it too, through a table
event, so tests and fresh databases get the full index without a migration.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.base import Base
from accordia.db.types import JSONType

# Byte-order collation on PostgreSQL, so that the B-tree on ``text`` serves prefix ranges
# (``text >= :p AND text < :p || U+10FFFF``) exactly as SQLite's BINARY collation does.
_TermText = String(500).with_variant(String(500, collation="C"), "postgresql")

#: Names of the engine-specific objects made by :func:`install_search_ddl`; Alembic's
#: ``include_object`` hook should skip them (see :func:`is_search_ddl_object`).
FTS_TABLE = "search_term_fts"
TRGM_INDEX = "ix_search_term_text_trgm"


class SearchEntity(Base):
    """A searchable record: organization, CAB, accreditation body or certificate."""

    __tablename__ = "search_entity"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    #: Natural key: organization key, CAB registration number, ``ECONOMY/ACRONYM`` of an
    #: accreditation body, ``CAB-REGNO/NUMBER`` of a certificate.
    key: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(500))
    name_other: Mapped[str | None] = mapped_column(String(500))
    acronym: Mapped[str | None] = mapped_column(String(64))
    economy_code: Mapped[str | None] = mapped_column(String(8), index=True)
    #: For a certificate: the key of its holder organization. Such an entity is found by name
    #: through its holder (its names are the holder's and are not indexed again); only its own
    #: identifiers (the certificate number) are indexed.
    holder_key: Mapped[str | None] = mapped_column(String(200), index=True)
    #: Free data shown with a hit and usable by filters (standard, status periods, holder ...).
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class SearchTerm(Base):
    """One searchable form (``form``) of one field (``field``) of an entity, normalised."""

    __tablename__ = "search_term"
    __table_args__ = (Index("ix_search_term_text", "text"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(
        ForeignKey("search_entity.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(16))
    form: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(_TermText)
    weight: Mapped[float] = mapped_column(Float, default=1.0)


class SearchToken(Base):
    """Vocabulary of Latin words in the index (typo correction), with document frequency."""

    __tablename__ = "search_token"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    freq: Mapped[int] = mapped_column(Integer, default=0)


class SearchState(Base):
    """Book-keeping of the index: ``last_audit_id`` is the last audit-trail entry whose
    changes the index holds (incremental indexing reads the entries after it)."""

    __tablename__ = "search_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


_SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "text, content='search_term', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS search_term_fts_ai AFTER INSERT ON search_term BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS search_term_fts_ad AFTER DELETE ON search_term BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS search_term_fts_au AFTER UPDATE ON search_term BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); "
    f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END",
)
_POSTGRES_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON search_term USING gin (text gin_trgm_ops)",
)


def install_search_ddl(connection: Connection) -> None:
    """Create the engine-specific search structures (idempotent; call after the tables exist).

    SQLite: an external-content FTS5 table with the ``trigram`` tokenizer over
    ``search_term.text`` and triggers that keep it in step (and a rebuild from existing rows).
    PostgreSQL: the ``pg_trgm`` extension and a GIN trigram index on ``search_term.text``.
    """
    name = connection.dialect.name
    if name == "sqlite":
        existed = connection.execute(
            text("SELECT 1 FROM sqlite_master WHERE name = :n"), {"n": FTS_TABLE}
        ).first()
        for stmt in _SQLITE_DDL:
            connection.execute(text(stmt))
        if not existed:
            connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))
    elif name == "postgresql":
        for stmt in _POSTGRES_DDL:
            connection.execute(text(stmt))


def drop_search_ddl(connection: Connection) -> None:
    """Undo :func:`install_search_ddl` (for the migration's downgrade)."""
    name = connection.dialect.name
    if name == "sqlite":
        for trig in ("search_term_fts_ai", "search_term_fts_ad", "search_term_fts_au"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {trig}"))
        connection.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))
    elif name == "postgresql":
        connection.execute(text(f"DROP INDEX IF EXISTS {TRGM_INDEX}"))


def is_search_ddl_object(name: str | None) -> bool:
    """True for objects made by :func:`install_search_ddl` (to skip in Alembic autogenerate)."""
    return bool(name) and (str(name).startswith(FTS_TABLE) or name == TRGM_INDEX)


@event.listens_for(SearchTerm.__table__, "after_create")
def _after_create(_target: Any, connection: Connection, **_kw: Any) -> None:
    install_search_ddl(connection)


@event.listens_for(SearchTerm.__table__, "before_drop")
def _before_drop(_target: Any, connection: Connection, **_kw: Any) -> None:
    drop_search_ddl(connection)
