"""supervision: audit records, scan runs and findings, directories and draws, sanctions,
complaints (issue 7)

Revision ID: 0004_supervision
Revises: 0001
Create Date: 2026-11-27 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accordia.db.types

revision: str = "0004_supervision"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inspection_item",
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("basis_zh", sa.Text(), nullable=True),
        sa.Column("basis_en", sa.Text(), nullable=True),
        sa.Column("rule", sa.String(length=48), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_item")),
        sa.UniqueConstraint("code", name=op.f("uq_inspection_item_code")),
    )
    op.create_table(
        "inspector",
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=True),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=48), nullable=False),
        sa.Column("specialties", sa.JSON(), nullable=False),
        sa.Column("past_employers", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspector")),
        sa.UniqueConstraint("code", name=op.f("uq_inspector_code")),
    )
    op.create_table(
        "supervision_draw",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("committed_at", accordia.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ratio", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("inspectors_per_target", sa.Integer(), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("directory", sa.JSON(), nullable=False),
        sa.Column("directory_digest", sa.String(length=64), nullable=False),
        sa.Column("seed", sa.String(length=200), nullable=True),
        sa.Column("revealed_at", accordia.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("result_digest", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_draw")),
        sa.UniqueConstraint("code", name=op.f("uq_supervision_draw_code")),
    )
    op.create_table(
        "supervision_scan_run",
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("started_at", accordia.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", accordia.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=True),
        sa.Column("certificates", sa.Integer(), nullable=False),
        sa.Column("finding_count", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_scan_run")),
    )
    op.create_table(
        "sanction",
        sa.Column("cab_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("basis_zh", sa.Text(), nullable=True),
        sa.Column("basis_en", sa.Text(), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("recorded_at", accordia.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cab_id"], ["cab.id"], name=op.f("fk_sanction_cab_id_cab")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanction")),
    )
    with op.batch_alter_table("sanction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sanction_cab_id"), ["cab_id"], unique=False)

    op.create_table(
        "certification_audit",
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("audit_type", sa.String(length=24), nullable=False),
        sa.Column("audit_on", sa.Date(), nullable=False),
        sa.Column("application_on", sa.Date(), nullable=True),
        sa.Column("auditor_days", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("complexity", sa.String(length=16), nullable=True),
        sa.Column("sites_audited", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("recorded_at", accordia.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificate.id"],
            name=op.f("fk_certification_audit_certificate_id_certificate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_audit")),
    )
    with op.batch_alter_table("certification_audit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certification_audit_certificate_id"), ["certificate_id"], unique=False
        )

    op.create_table(
        "complaint",
        sa.Column("case_number", sa.String(length=32), nullable=False),
        sa.Column("cab_id", sa.Integer(), nullable=True),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cab_id"], ["cab.id"], name=op.f("fk_complaint_cab_id_cab")),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificate.id"],
            name=op.f("fk_complaint_certificate_id_certificate"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
        sa.UniqueConstraint("case_number", name=op.f("uq_complaint_case_number")),
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaint_cab_id"), ["cab_id"], unique=False)

    op.create_table(
        "supervision_finding",
        sa.Column("scan_run_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=48), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=300), nullable=False),
        sa.Column("cab_id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("message_zh", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cab_id"], ["cab.id"], name=op.f("fk_supervision_finding_cab_id_cab")
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificate.id"],
            name=op.f("fk_supervision_finding_certificate_id_certificate"),
        ),
        sa.ForeignKeyConstraint(
            ["scan_run_id"],
            ["supervision_scan_run.id"],
            name=op.f("fk_supervision_finding_scan_run_id_supervision_scan_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_finding")),
        sa.UniqueConstraint(
            "scan_run_id",
            "fingerprint",
            name=op.f("uq_supervision_finding_scan_run_id_fingerprint"),
        ),
    )
    with op.batch_alter_table("supervision_finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_finding_cab_id"), ["cab_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_supervision_finding_certificate_id"), ["certificate_id"], unique=False
        )
        batch_op.create_index("ix_supervision_finding_rule", ["rule"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_supervision_finding_scan_run_id"), ["scan_run_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("supervision_finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_finding_scan_run_id"))
        batch_op.drop_index("ix_supervision_finding_rule")
        batch_op.drop_index(batch_op.f("ix_supervision_finding_certificate_id"))
        batch_op.drop_index(batch_op.f("ix_supervision_finding_cab_id"))

    op.drop_table("supervision_finding")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_cab_id"))

    op.drop_table("complaint")
    with op.batch_alter_table("certification_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certification_audit_certificate_id"))

    op.drop_table("certification_audit")
    with op.batch_alter_table("sanction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sanction_cab_id"))

    op.drop_table("sanction")
    op.drop_table("supervision_scan_run")
    op.drop_table("supervision_draw")
    op.drop_table("inspector")
    op.drop_table("inspection_item")
