"""Accounts: users, passwords, API tokens, page sessions, and reading the audit trail.

Passwords are hashed with scrypt (stdlib ``hashlib.scrypt``, parameters stored with the hash).
Token and session secrets are 256-bit random values shown once; only their SHA-256 is stored.
Every change to an account or token lands in the audit trail (never a secret or a hash). The
caller owns the transaction.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.db.types import utcnow
from accordia.models.account import ApiToken, User, WebSession
from accordia.services import authz

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 12
SCOPES = ("read", "write")
TOKEN_PREFIX = "acc_"

# scrypt cost: N=2^15, r=8, p=1 (32 MiB, ~0.1 s): above the OWASP minimum for interactive logins.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1
_DUMMY_HASH: str | None = None


class AccountError(ValueError):
    """An account operation was refused; ``field`` names the input at fault."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message


# -- passwords -------------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, n: int = _SCRYPT_N, r: int = _SCRYPT_R) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=_SCRYPT_P, maxmem=256 * n * r, dklen=32
    )
    return f"scrypt${n}${r}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored`` (constant time; False for no hash)."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=256 * int(n) * int(r),
            dklen=len(want),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            "password", "weak_password", f"a password has at least {MIN_PASSWORD} characters"
        )
    if len(password) > 1024:
        raise AccountError("password", "too_long", "a password has at most 1024 characters")


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# -- audit of account changes ----------------------------------------------------------------------
def _audit(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    key: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    session.execute(
        insert(m.AuditEntry),
        [
            {
                "at": utcnow(),
                "actor": actor[:120],
                "action": action,
                "entity": entity,
                "record_key": key[:300],
                "before": before,
                "after": after,
                "operation": "accounts-" + uuid.uuid4().hex[:12],
            }
        ],
    )


def user_view(user: User) -> dict[str, Any]:
    """An account as shown to its owner and regulators (never the password hash)."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "cab": user.cab,
        "body_acronym": user.body_acronym,
        "body_economy": user.body_economy,
        "active": user.active,
        "created_at": user.created_at.isoformat() if user.created_at else None,
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }


# -- users -----------------------------------------------------------------------------------------
def _check_binding(
    session: Session,
    role: str,
    cab: str | None,
    body_acronym: str | None,
    body_economy: str | None,
) -> None:
    if role not in authz.ROLES:
        raise AccountError("role", "invalid_role", f"role must be one of {', '.join(authz.ROLES)}")
    if role == authz.CAB:
        if not cab:
            raise AccountError("cab", "required", "a cab account names its registration number")
        if session.execute(select(m.Cab.id).filter_by(registration_number=cab)).first() is None:
            raise AccountError("cab", "unknown_reference", f"no CAB {cab!r} in the registry")
    elif cab:
        raise AccountError("cab", "not_allowed", f"a {role} account has no CAB binding")
    if role in (authz.ACCREDITATION_BODY, authz.ASSOCIATION):
        if not (body_acronym and body_economy):
            raise AccountError(
                "body", "required", f"a {role} account names its body's acronym and economy"
            )
        model = m.AccreditationBody if role == authz.ACCREDITATION_BODY else m.Association
        found = session.execute(
            select(model.id)
            .join(m.Economy, m.Economy.id == model.economy_id)
            .where(model.acronym == body_acronym, m.Economy.code == body_economy.upper())
        ).first()
        if found is None:
            raise AccountError(
                "body",
                "unknown_reference",
                f"no {role.replace('_', ' ')} {body_acronym} / {body_economy} in the registry",
            )
    elif body_acronym or body_economy:
        raise AccountError("body", "not_allowed", f"a {role} account has no body binding")


def create_user(
    session: Session,
    *,
    username: str,
    role: str,
    actor: str,
    display_name: str = "",
    password: str | None = None,
    cab: str | None = None,
    body_acronym: str | None = None,
    body_economy: str | None = None,
) -> User:
    """Create an account; ``actor`` is who creates it (for the audit trail)."""
    if not USERNAME.match(username):
        raise AccountError(
            "username",
            "invalid_username",
            "a username is 2-64 characters: lower-case letters, digits, '.', '_' or '-'",
        )
    if session.execute(select(User.id).filter_by(username=username)).first() is not None:
        raise AccountError("username", "exists", f"an account {username!r} exists already")
    _check_binding(session, role, cab, body_acronym, body_economy)
    if password is not None:
        check_password_policy(password)
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password) if password is not None else None,
        role=role,
        cab=cab or None,
        body_acronym=body_acronym or None,
        body_economy=body_economy.upper() if body_economy else None,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    _audit(session, actor, "create", "user", username, None, user_view(user))
    return user


def get_user(session: Session, username: str) -> User:
    user = session.execute(select(User).filter_by(username=username)).scalar_one_or_none()
    if user is None:
        raise AccountError("username", "not_found", f"no account {username!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.username)).scalars())


def set_password(session: Session, username: str, password: str, actor: str) -> None:
    check_password_policy(password)
    user = get_user(session, username)
    user.password_hash = hash_password(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    _audit(session, actor, "update", "user", username, None, {"password": "changed"})


def set_active(session: Session, username: str, active: bool, actor: str) -> None:
    """Enable or disable an account; disabling ends its sessions (tokens stop working too)."""
    user = get_user(session, username)
    before = user_view(user)
    user.active = active
    if not active:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.flush()
    _audit(session, actor, "update", "user", username, before, user_view(user))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active account ``username`` when ``password`` is right, else None (same cost)."""
    global _DUMMY_HASH
    user = session.execute(select(User).filter_by(username=username)).scalar_one_or_none()
    if user is None or not user.password_hash:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password(secrets.token_hex(16))
        verify_password(password, _DUMMY_HASH)  # spend the same time
        return None
    if not verify_password(password, user.password_hash) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


# -- API tokens ------------------------------------------------------------------------------------
@dataclass
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def token_view(token: ApiToken, username: str | None = None) -> dict[str, Any]:
    def iso(v: dt.datetime | None) -> str | None:
        return v.isoformat() if v else None

    return {
        "id": token.prefix,
        "user": username,
        "name": token.name,
        "scope": token.scope,
        "created_at": iso(token.created_at),
        "expires_at": iso(token.expires_at),
        "revoked_at": iso(token.revoked_at),
        "last_used_at": iso(token.last_used_at),
    }


def issue_token(
    session: Session, user: User, *, name: str, scope: str, days: int, actor: str
) -> IssuedToken:
    """A new token for ``user``: ``acc_<id>_<secret>``, valid ``days`` days."""
    if scope not in SCOPES:
        raise AccountError("scope", "invalid_scope", "scope is read or write")
    if not 1 <= days <= 3660:
        raise AccountError("days", "invalid_days", "a token lives 1 to 3660 days")
    if len(name) > 100:
        raise AccountError("name", "too_long", "a token name has at most 100 characters")
    if scope == "write" and user.role == authz.PUBLIC:
        raise AccountError("scope", "invalid_scope", "a public account has read tokens only")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        prefix=prefix,
        secret_hash=_sha256(secret),
        name=name,
        scope=scope,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    session.add(token)
    session.flush()
    _audit(session, actor, "create", "api_token", prefix, None, token_view(token, user.username))
    return IssuedToken(token, f"{TOKEN_PREFIX}{prefix}_{secret}")


def resolve_token(session: Session, presented: str) -> tuple[User, ApiToken] | None:
    """The account and token of a presented bearer token when valid now, else None."""
    if not presented.startswith(TOKEN_PREFIX) or len(presented) > 200:
        return None
    prefix, _, secret = presented[len(TOKEN_PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    token = session.execute(select(ApiToken).filter_by(prefix=prefix)).scalar_one_or_none()
    if token is None or not hmac.compare_digest(token.secret_hash, _sha256(secret)):
        return None
    now = utcnow()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        token.last_used_at = now
    return user, token


def list_tokens(session: Session, username: str | None = None) -> list[dict[str, Any]]:
    q = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
    if username is not None:
        q = q.where(User.username == username)
    rows = session.execute(q.order_by(ApiToken.created_at, ApiToken.id)).all()
    return [token_view(t, u) for t, u in rows]


def revoke_token(session: Session, token_id: str, actor: str, owner: str | None = None) -> None:
    """Revoke token ``token_id`` (its prefix); ``owner``: only if it belongs to that account."""
    q = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
    row = session.execute(q.where(ApiToken.prefix == token_id)).first()
    if row is None or (owner is not None and row[1] != owner):
        raise AccountError("id", "not_found", f"no token {token_id!r}")
    token, username = row
    if token.revoked_at is None:
        before = token_view(token, username)
        token.revoked_at = utcnow()
        session.flush()
        _audit(session, actor, "update", "api_token", token_id, before, token_view(token, username))


# -- page sessions ---------------------------------------------------------------------------------
def start_session(session: Session, user: User, hours: int) -> tuple[str, WebSession]:
    """A new page session: the cookie value (secret) and the row holding its CSRF token."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    row = WebSession(
        user_id=user.id,
        secret_hash=_sha256(secret),
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    return secret, row


def resolve_session(session: Session, secret: str) -> tuple[User, WebSession] | None:
    if not secret or len(secret) > 200:
        return None
    row = session.execute(
        select(WebSession).filter_by(secret_hash=_sha256(secret))
    ).scalar_one_or_none()
    if row is None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return user, row


def end_session(session: Session, secret: str) -> None:
    session.execute(delete(WebSession).where(WebSession.secret_hash == _sha256(secret or "")))


# -- the audit trail -------------------------------------------------------------------------------
def read_audit(
    session: Session,
    *,
    entity: str | None = None,
    key: str | None = None,
    actor: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """Audit entries, newest first, filtered by entity, record key and actor."""
    q = select(m.AuditEntry)
    if entity:
        q = q.where(m.AuditEntry.entity == entity)
    if key:
        q = q.where(m.AuditEntry.record_key == key)
    if actor:
        q = q.where(m.AuditEntry.actor == actor)
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    rows = session.execute(
        q.order_by(m.AuditEntry.at.desc(), m.AuditEntry.id.desc()).limit(limit).offset(offset)
    ).scalars()
    items = [
        {
            "at": a.at.isoformat(),
            "actor": a.actor,
            "action": a.action,
            "entity": a.entity,
            "key": a.record_key,
            "operation": a.operation,
            "before": a.before,
            "after": a.after,
        }
        for a in rows
    ]
    return int(total), items
