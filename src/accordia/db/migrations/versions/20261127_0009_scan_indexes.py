"""scan indexes: the supervision scan's pre-filters (issue 9)

* ``certificate_scope_item(item)``: the distinct scope items, read by a loose index scan (one
  index probe per distinct value) to build the per-accreditation lists of uncovered items;
* ``supervision_finding(scan_run_id, cab_id, rule)``: the risk score's per-body counts and the
  findings of one CAB read from the index alone.

Revision ID: 0009_scan_indexes
Revises: 0005_supervision_cases
Create Date: 2026-11-27 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_scan_indexes"
down_revision: str | Sequence[str] | None = "0005_supervision_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_certificate_scope_item_item", "certificate_scope_item", ["item"])
    op.create_index(
        "ix_supervision_finding_run_cab_rule",
        "supervision_finding",
        ["scan_run_id", "cab_id", "rule"],
    )


def downgrade() -> None:
    op.drop_index("ix_supervision_finding_run_cab_rule", table_name="supervision_finding")
    op.drop_index("ix_certificate_scope_item_item", table_name="certificate_scope_item")
