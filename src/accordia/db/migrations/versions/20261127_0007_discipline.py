"""discipline: codes of conduct, their versions, commitment events (issue 7 §6)

Revision ID: 0007_discipline
Revises: 0005_supervision_cases
Create Date: 2026-11-27 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accordia.db.types

revision: str = "0007_discipline"
down_revision: str | Sequence[str] | None = "0005_supervision_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conduct_code",
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("recorded_at", accordia.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["association.id"],
            name=op.f("fk_conduct_code_association_id_association"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conduct_code")),
        sa.UniqueConstraint(
            "association_id", "code", name=op.f("uq_conduct_code_association_id_code")
        ),
    )
    op.create_index(
        op.f("ix_conduct_code_association_id"), "conduct_code", ["association_id"], unique=False
    )
    op.create_table(
        "conduct_code_version",
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title_zh", sa.String(length=500), nullable=True),
        sa.Column("title_en", sa.String(length=500), nullable=True),
        sa.Column("provisions", sa.JSON(), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("source_url", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("recorded_at", accordia.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "title_zh IS NOT NULL OR title_en IS NOT NULL",
            name=op.f("ck_conduct_code_version_has_title"),
        ),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["conduct_code.id"],
            name=op.f("fk_conduct_code_version_code_id_conduct_code"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conduct_code_version")),
        sa.UniqueConstraint(
            "code_id", "version", name=op.f("uq_conduct_code_version_code_id_version")
        ),
    )
    op.create_index(
        op.f("ix_conduct_code_version_code_id"), "conduct_code_version", ["code_id"], unique=False
    )
    op.create_table(
        "conduct_commitment_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("cab_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", accordia.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('committed', 'withdrawn', 'expelled')",
            name=op.f("ck_conduct_commitment_event_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["cab_id"],
            ["cab.id"],
            name=op.f("fk_conduct_commitment_event_cab_id_cab"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["conduct_code.id"],
            name=op.f("fk_conduct_commitment_event_code_id_conduct_code"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conduct_commitment_event")),
    )
    op.create_index(
        op.f("ix_conduct_commitment_event_cab_id"),
        "conduct_commitment_event",
        ["cab_id"],
        unique=False,
    )
    op.create_index(
        "ix_conduct_commitment_event_code_cab",
        "conduct_commitment_event",
        ["code_id", "cab_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_conduct_commitment_event_code_cab", table_name="conduct_commitment_event")
    op.drop_index(op.f("ix_conduct_commitment_event_cab_id"), table_name="conduct_commitment_event")
    op.drop_table("conduct_commitment_event")
    op.drop_index(op.f("ix_conduct_code_version_code_id"), table_name="conduct_code_version")
    op.drop_table("conduct_code_version")
    op.drop_index(op.f("ix_conduct_code_association_id"), table_name="conduct_code")
    op.drop_table("conduct_code")
