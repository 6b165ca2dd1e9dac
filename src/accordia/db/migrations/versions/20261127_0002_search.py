"""search index (issue 6)

Revision ID: 0002_search
Revises: 0001
Create Date: 2026-11-27 04:34:05.494502

The index tables of :mod:`accordia.models.search`, then the engine-specific structures that
autogenerate cannot express (SQLite FTS5 trigram table and triggers, PostgreSQL pg_trgm GIN
index) through :func:`accordia.models.search.install_search_ddl`. The index is derived data:
fill it with ``accordia search --reindex``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from accordia.models.search import drop_search_ddl, install_search_ddl

revision: str = "0002_search"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_entity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("name_zh", sa.String(length=500), nullable=True),
        sa.Column("name_en", sa.String(length=500), nullable=True),
        sa.Column("name_other", sa.String(length=500), nullable=True),
        sa.Column("acronym", sa.String(length=64), nullable=True),
        sa.Column("economy_code", sa.String(length=8), nullable=True),
        sa.Column("extra", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entity")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_search_entity_kind_key")),
    )
    op.create_index(
        op.f("ix_search_entity_economy_code"), "search_entity", ["economy_code"], unique=False
    )
    op.create_table(
        "search_token",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("freq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_search_token")),
    )
    op.create_table(
        "search_term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column(
            "text",
            sa.String(length=500).with_variant(sa.String(length=500, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["search_entity.id"],
            name=op.f("fk_search_term_entity_id_search_entity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_term")),
    )
    op.create_index(op.f("ix_search_term_entity_id"), "search_term", ["entity_id"], unique=False)
    op.create_index("ix_search_term_text", "search_term", ["text"], unique=False)
    install_search_ddl(op.get_bind())


def downgrade() -> None:
    drop_search_ddl(op.get_bind())
    op.drop_index("ix_search_term_text", table_name="search_term")
    op.drop_index(op.f("ix_search_term_entity_id"), table_name="search_term")
    op.drop_table("search_term")
    op.drop_table("search_token")
    op.drop_index(op.f("ix_search_entity_economy_code"), table_name="search_entity")
    op.drop_table("search_entity")
