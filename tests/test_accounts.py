# ruff: noqa: E501
"""Accounts: passwords, API tokens (scope, expiry, revocation, last use), page sign-in with
CSRF, the audit trail endpoint and the ``users`` / ``tokens`` / ``audit`` commands."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from accordia import models as m
from accordia.app import create_app
from accordia.cli import app as cli
from accordia.db.session import engine_for, session_factory
from accordia.db.types import utcnow
from accordia.models.account import ApiToken, User
from accordia.services import accounts
from accordia.settings import get_settings
from tests.conftest import TestDatabase

PASSWORD = "correct horse battery staple"


def test_password_hashing() -> None:
    stored = accounts.hash_password(PASSWORD, n=2**12)
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert accounts.verify_password(PASSWORD, stored)
    assert not accounts.verify_password(PASSWORD + "x", stored)
    assert not accounts.verify_password(PASSWORD, None)
    assert not accounts.verify_password(PASSWORD, "md5$abc")
    assert accounts.hash_password(PASSWORD, n=2**12) != stored  # salted


@pytest.fixture(scope="module")
def users(db: TestDatabase) -> Iterator[TestDatabase]:
    with session_factory(db.engine)() as s:
        accounts.create_user(s, username="reg", role="regulator", actor="t", password=PASSWORD)
        accounts.create_user(s, username="pub", role="public", actor="t", password=PASSWORD)
        s.commit()
    yield db


def issue(db: TestDatabase, username: str, scope: str = "write", days: int = 1) -> str:
    with session_factory(db.engine)() as s:
        user = accounts.get_user(s, username)
        secret = accounts.issue_token(s, user, name="t", scope=scope, days=days, actor="t").secret
        s.commit()
    return secret


def client(db: TestDatabase) -> TestClient:
    return TestClient(create_app(engine=db.engine))


def test_account_rules(users: TestDatabase) -> None:
    with session_factory(users.engine)() as s:
        for kwargs, code in [
            ({"username": "Bad Name", "role": "public"}, "invalid_username"),
            ({"username": "reg", "role": "public"}, "exists"),
            ({"username": "x1", "role": "king"}, "invalid_role"),
            ({"username": "x1", "role": "cab"}, "required"),
            ({"username": "x1", "role": "cab", "cab": "NO-SUCH"}, "unknown_reference"),
            ({"username": "x1", "role": "association", "body_acronym": "NO", "body_economy": "CN"}, "unknown_reference"),
            ({"username": "x1", "role": "public", "cab": "X"}, "not_allowed"),
            ({"username": "x1", "role": "public", "password": "short"}, "weak_password"),
        ]:  # fmt: skip
            with pytest.raises(accounts.AccountError) as caught:
                accounts.create_user(s, actor="t", **kwargs)  # type: ignore[arg-type]
            assert caught.value.code == code, kwargs
        s.rollback()


def test_token_lifecycle(users: TestDatabase) -> None:
    secret = issue(users, "reg")
    c = client(users)
    auth = {"Authorization": f"Bearer {secret}"}
    me = c.get("/api/v1/me", headers=auth)
    assert me.status_code == 200 and me.json()["role"] == "regulator"
    prefix = secret.split("_")[1]
    with session_factory(users.engine)() as s:
        token = s.execute(select(ApiToken).filter_by(prefix=prefix)).scalar_one()
        assert token.last_used_at is not None
        assert secret.split("_", 2)[2] not in token.secret_hash  # only the hash is stored
    # tampered secret
    bad = c.get("/api/v1/me", headers={"Authorization": f"Bearer {secret[:-2]}xx"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_token"
    # expiry
    with session_factory(users.engine)() as s:
        s.execute(
            update(ApiToken)
            .where(ApiToken.prefix == prefix)
            .values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )
        s.commit()
    assert c.get("/api/v1/me", headers=auth).status_code == 401
    # revocation through the API, by its owner
    other = issue(users, "reg")
    auth2 = {"Authorization": f"Bearer {other}"}
    listed = c.get("/api/v1/tokens", headers=auth2).json()["items"]
    assert {t["id"] for t in listed} >= {prefix, other.split("_")[1]}
    assert all("secret" not in json.dumps(t) for t in listed)
    r = c.delete(f"/api/v1/tokens/{other.split('_')[1]}", headers=auth2)
    assert r.status_code == 204
    assert c.get("/api/v1/me", headers=auth2).status_code == 401


def test_disabled_account_tokens_stop_working(users: TestDatabase) -> None:
    with session_factory(users.engine)() as s:
        accounts.create_user(s, username="temp", role="regulator", actor="t")
        s.commit()
    secret = issue(users, "temp")
    c = client(users)
    assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    with session_factory(users.engine)() as s:
        accounts.set_active(s, "temp", False, "t")
        s.commit()
    assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_create_token_through_the_api(users: TestDatabase) -> None:
    c = client(users)
    read = issue(users, "reg", scope="read")
    r = c.post(
        "/api/v1/tokens",
        json={"scope": "write", "name": "x"},
        headers={"Authorization": f"Bearer {read}"},
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "read_only"
    write = issue(users, "reg")
    r = c.post(
        "/api/v1/tokens",
        json={"scope": "read", "days": 7},
        headers={"Authorization": f"Bearer {write}"},
    )
    assert r.status_code == 201, r.text
    new = r.json()["token"]
    assert c.get("/api/v1/me", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    assert c.post("/api/v1/tokens", json={}).status_code == 401


def test_audit_trail_is_for_regulators_only(users: TestDatabase) -> None:
    c = client(users)
    reg = {"Authorization": f"Bearer {issue(users, 'reg', scope='read')}"}
    pub = {"Authorization": f"Bearer {issue(users, 'pub', scope='read')}"}
    assert c.get("/api/v1/audit").status_code == 401
    refused = c.get("/api/v1/audit", headers=pub)
    assert refused.status_code == 403 and set(refused.json()) == {"error"}
    page = c.get("/api/v1/audit", params={"entity": "user", "key": "pub"}, headers=reg).json()
    assert page["total"] == 1 and page["items"][0]["action"] == "create"
    assert "password_hash" not in json.dumps(page)
    by_actor = c.get("/api/v1/audit", params={"actor": "t", "limit": 2}, headers=reg).json()
    assert by_actor["total"] >= 2 and len(by_actor["items"]) == 2
    assert all(i["actor"] == "t" for i in by_actor["items"])


# -- pages: sign in, CSRF, sign out ---------------------------------------------------------------
def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def test_login_needs_csrf_and_right_password(users: TestDatabase) -> None:
    c = client(users)
    page = c.get("/login")
    assert page.status_code == 200 and 'type="password"' in page.text
    token = _csrf(page.text)
    no_csrf = c.post("/login", data={"username": "reg", "password": PASSWORD})
    assert no_csrf.status_code == 403
    forged = c.post(
        "/login", data={"username": "reg", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    wrong = c.post("/login", data={"username": "reg", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401 and "accordia_session" not in wrong.cookies
    ok = c.post(
        "/login",
        data={"username": "reg", "password": PASSWORD, "csrf_token": token, "next": "//evil"},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    cookie = ok.headers["set-cookie"]
    assert "accordia_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    signed_in = c.get("/login?lang=en")
    assert "Signed in as reg" in signed_in.text
    # the session reads the API but may not write through it (no CSRF for cookies there)
    assert c.get("/api/v1/me").json()["via"] == "session"
    r = c.post("/api/v1/cooperation/counterparts", json={"key": "X"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "token_required"
    # sign-out is a POST form with the session's CSRF token
    session_token = _csrf(signed_in.text)
    assert c.post("/logout", data={}).status_code == 403
    out = c.post("/logout", data={"csrf_token": session_token}, follow_redirects=False)
    assert out.status_code == 303
    assert c.get("/api/v1/me").status_code == 401


def test_login_page_in_chinese(users: TestDatabase) -> None:
    page = client(users).get("/login?lang=zh")
    assert "登录" in page.text and "用户名" in page.text


# -- the command line -----------------------------------------------------------------------------
@pytest.fixture
def cli_db(users: TestDatabase, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestDatabase]:
    monkeypatch.setenv("ACCORDIA_DATABASE_URL", users.url)
    get_settings.cache_clear()
    engine_for.cache_clear()
    yield users
    get_settings.cache_clear()
    engine_for.cache_clear()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_cli_users_tokens_audit(cli_db: TestDatabase) -> None:
    code, out, err = run(
        "users", "add", "cab1", "--role", "cab", "--cab", "NO-SUCH", "--no-password"
    )
    assert code == 64 and "cab" in err
    code, out, _ = run(
        "users", "add", "ops", "--role", "regulator", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert code == 0, out
    code, out, _ = run("users", "list", "--json")
    assert {u["username"] for u in json.loads(out)} >= {"reg", "pub", "ops"}
    assert "password" not in out
    # a non-regulator may not manage accounts nor read the audit trail
    assert run("users", "list", "--actor", "pub")[0] == 1
    assert run("audit", "--as", "pub")[0] == 1
    assert run("users", "list", "--actor", "ghost")[0] == 1
    # tokens: the secret is printed once; list shows ids only
    code, secret, _ = run("tokens", "create", "ops", "--scope", "write", "--days", "3")
    assert code == 0 and secret.startswith("acc_")
    token_id = secret.split("_")[1]
    code, out, _ = run("tokens", "list", "--user", "ops", "--json")
    listed = json.loads(out)
    assert [t["id"] for t in listed] == [token_id] and secret.strip() not in out
    assert run("tokens", "create", "reg", "--actor", "pub")[0] == 1  # not its own
    assert run("tokens", "revoke", token_id)[0] == 0
    code, out, _ = run("tokens", "list", "--user", "ops", "--json")
    assert json.loads(out)[0]["revoked_at"]
    # the audit trail per record and per actor
    code, out, _ = run("audit", "--entity", "api_token", "--key", token_id, "--json")
    actions = [json.loads(line)["action"] for line in out.splitlines()]
    assert actions == ["update", "create"]
    code, out, _ = run("audit", "--actor", "cli", "--json")
    assert code == 0 and all(json.loads(x)["actor"] == "cli" for x in out.splitlines())
    # disabling an account ends its access
    assert run("users", "disable", "ops")[0] == 0
    with session_factory(cli_db.engine)() as s:
        assert s.execute(select(User.active).filter_by(username="ops")).scalar_one() is False
        audited = s.execute(select(m.AuditEntry.action).filter_by(entity="user", record_key="ops"))
        assert sorted(audited.scalars()) == ["create", "update"]
