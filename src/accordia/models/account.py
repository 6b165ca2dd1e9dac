"""Accounts: users with a role and an ownership binding, their API tokens and page sessions.

Never exposed on public pages or public endpoints. Secrets are stored hashed only: passwords
with scrypt, token and session secrets (high-entropy random values) with SHA-256.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.base import Base, IdMixin
from accordia.db.types import UTCDateTime, utcnow


class User(IdMixin, Base):
    """A person or system account that acts on the registry.

    ``role`` is one of ``regulator``, ``accreditation_body``, ``cab``, ``association``,
    ``public``. The binding names the record the account acts for, by natural key:
    ``cab`` (registration number) for a CAB account, ``body_acronym`` + ``body_economy`` for
    an accreditation body or an association account.
    """

    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None: cannot log in
    role: Mapped[str] = mapped_column(String(24))
    cab: Mapped[str | None] = mapped_column(String(64))
    body_acronym: Mapped[str | None] = mapped_column(String(32))
    body_economy: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ApiToken(IdMixin, Base):
    """A bearer token ``acc_<prefix>_<secret>``: looked up by prefix, secret stored hashed."""

    __tablename__ = "api_token"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100), default="")
    scope: Mapped[str] = mapped_column(String(8))  # read | write
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class WebSession(IdMixin, Base):
    """A signed-in browser: the cookie holds a random secret, the table its SHA-256 and the
    session's CSRF token. Signing out deletes the row."""

    __tablename__ = "web_session"
    __table_args__ = (Index("ix_web_session_user", "user_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
