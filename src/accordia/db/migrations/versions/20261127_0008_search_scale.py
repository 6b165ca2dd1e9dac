"""search at scale: certificates found through their holder; index book-keeping (issue 6)

Revision ID: 0008_search_scale
Revises: 0002_search
Create Date: 2026-11-27 07:30:00

``search_entity.holder_key`` (indexed): a certificate's holder organization key. A certificate
is found by name through its holder, so only its number is indexed as a term (one term per
certificate instead of a copy of every form of the holder's names). ``search_state`` records
the last audit-trail entry the index holds, for incremental indexing. The index is derived
data: after upgrading, rebuild it with ``accordia search reindex --full``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_search_scale"
down_revision: str | Sequence[str] | None = "0002_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("search_entity") as batch_op:
        batch_op.add_column(sa.Column("holder_key", sa.String(length=200), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_search_entity_holder_key"), ["holder_key"], unique=False
        )
    op.create_table(
        "search_state",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_search_state")),
    )


def downgrade() -> None:
    op.drop_table("search_state")
    with op.batch_alter_table("search_entity") as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_entity_holder_key"))
        batch_op.drop_column("holder_key")
