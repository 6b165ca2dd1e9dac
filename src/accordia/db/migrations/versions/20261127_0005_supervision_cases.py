"""supervision cases: sanction amounts; complaint subject, anonymity, deadline, assignee,
published outcome and attachment (issue 7)

Revision ID: 0005_supervision_cases
Revises: 0004_supervision
Create Date: 2026-11-27 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_supervision_cases"
down_revision: str | Sequence[str] | None = "0004_supervision"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sanction", sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=True))
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("subject_kind", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("subject", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("complainant_name", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("anonymous", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("deadline", sa.Date(), nullable=True))
        batch.add_column(sa.Column("assignee", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("outcome_published_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("attachment", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("attachment_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("attachment_type", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        for name in (
            "attachment_type",
            "attachment_name",
            "attachment",
            "outcome_published_on",
            "assignee",
            "deadline",
            "anonymous",
            "complainant_name",
            "subject",
            "subject_kind",
        ):
            batch.drop_column(name)
    op.drop_column("sanction", "amount")
