"""accounts: users, API tokens, page sessions

Revision ID: 0003_accounts
Revises: 0001
Create Date: 2026-11-27 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accordia.db.types

revision: str = "0003_accounts"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("cab", sa.String(length=64), nullable=True),
        sa.Column("body_acronym", sa.String(length=32), nullable=True),
        sa.Column("body_economy", sa.String(length=16), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", accordia.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", accordia.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    op.create_table(
        "api_token",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("created_at", accordia.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", accordia.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", accordia.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", accordia.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_api_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_token_prefix")),
    )
    op.create_table(
        "web_session",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", accordia.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", accordia.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_web_session_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_web_session_secret_hash")),
    )
    op.create_index("ix_web_session_user", "web_session", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_web_session_user", table_name="web_session")
    op.drop_table("web_session")
    op.drop_table("api_token")
    op.drop_table("user_account")
