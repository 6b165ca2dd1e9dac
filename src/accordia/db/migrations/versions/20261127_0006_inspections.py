"""inspections: records planned from a draw or ad hoc, their status events, assigned and
recused inspectors, item outcomes and linked complaints/findings (issue 7 §4, §7)

Revision ID: 0006_inspections
Revises: 0005_supervision_cases
Create Date: 2026-11-27 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accordia.db.types

revision: str = "0006_inspections"
down_revision: str | Sequence[str] | None = "0005_supervision_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = accordia.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inspection",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("cab_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=True),
        sa.Column("planned_from", sa.Date(), nullable=False),
        sa.Column("planned_until", sa.Date(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("conclusion", sa.String(length=16), nullable=True),
        sa.Column("summary_zh", sa.Text(), nullable=True),
        sa.Column("summary_en", sa.Text(), nullable=True),
        sa.Column("signed_by", sa.JSON(), nullable=True),
        sa.Column("result_recorded_at", UTC, nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("sanction_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("recorded_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["cab_id"], ["cab.id"], name=op.f("fk_inspection_cab_id_cab")),
        sa.ForeignKeyConstraint(
            ["draw_id"],
            ["supervision_draw.id"],
            name=op.f("fk_inspection_draw_id_supervision_draw"),
        ),
        sa.ForeignKeyConstraint(
            ["sanction_id"], ["sanction.id"], name=op.f("fk_inspection_sanction_id_sanction")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
        sa.UniqueConstraint("code", name=op.f("uq_inspection_code")),
        sa.UniqueConstraint("draw_id", "cab_id", name=op.f("uq_inspection_draw_id_cab_id")),
    )
    with op.batch_alter_table("inspection") as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_cab_id"), ["cab_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_draw_id"), ["draw_id"], unique=False)

    op.create_table(
        "inspection_event",
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", UTC, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("scope", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_event_parent_id_inspection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_event")),
    )
    with op.batch_alter_table("inspection_event") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_event_parent_id"), ["parent_id"], unique=False
        )

    op.create_table(
        "inspection_inspector",
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_inspector_inspection_id_inspection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["inspector.id"],
            name=op.f("fk_inspection_inspector_inspector_id_inspector"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_inspector")),
        sa.UniqueConstraint(
            "inspection_id",
            "inspector_id",
            name=op.f("uq_inspection_inspector_inspection_id_inspector_id"),
        ),
    )
    with op.batch_alter_table("inspection_inspector") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_inspector_inspection_id"), ["inspection_id"], unique=False
        )

    op.create_table(
        "inspection_outcome",
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("note_zh", sa.Text(), nullable=True),
        sa.Column("note_en", sa.Text(), nullable=True),
        sa.Column("recorded_at", UTC, nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_outcome_inspection_id_inspection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inspection_item.id"],
            name=op.f("fk_inspection_outcome_item_id_inspection_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_outcome")),
        sa.UniqueConstraint(
            "inspection_id", "item_id", name=op.f("uq_inspection_outcome_inspection_id_item_id")
        ),
    )
    with op.batch_alter_table("inspection_outcome") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_outcome_inspection_id"), ["inspection_id"], unique=False
        )

    op.create_table(
        "inspection_reference",
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("finding_fingerprint", sa.String(length=300), nullable=True),
        sa.Column("finding_rule", sa.String(length=48), nullable=True),
        sa.Column("finding_subject", sa.String(length=200), nullable=True),
        sa.Column("origin", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_inspection_reference_complaint_id_complaint"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_reference_inspection_id_inspection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_reference")),
    )
    with op.batch_alter_table("inspection_reference") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_reference_inspection_id"), ["inspection_id"], unique=False
        )


def downgrade() -> None:
    for table in (
        "inspection_reference",
        "inspection_outcome",
        "inspection_inspector",
        "inspection_event",
        "inspection",
    ):
        op.drop_table(table)
