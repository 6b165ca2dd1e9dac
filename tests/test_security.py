"""The public surface: security headers and CSP on pages and API, HSTS on HTTPS, no inline
script or style in the page templates, rate limits (429 in the error shape, per address and
per token, in-process and in Redis), and no account data on public routes."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accordia.app import create_app
from accordia.security import PAGE_CSP, MemoryLimiter, RedisLimiter
from accordia.settings import Settings
from tests.conftest import TestDatabase

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "accordia" / "templates" / "web"


def app_client(db: TestDatabase, https: bool = False, **settings: object) -> TestClient:
    # windows are fixed (aligned to the clock): an hour-long one keeps a test's few requests in
    # one window, so a count is never split by a boundary on a slow machine
    settings.setdefault("rate_limit_window", 3600)
    s = Settings(database_url=db.url, **settings)  # type: ignore[arg-type]
    base = "https://testserver" if https else "http://testserver"
    return TestClient(create_app(s, engine=db.engine), base_url=base)


PATHS = [
    "/",
    "/search?q=x",
    "/login",
    "/api/v1/health",
    "/api/v1/economies",
    "/nowhere",
    "/api/v1/me",
]


@pytest.mark.parametrize("path", PATHS)
def test_headers_on_pages_and_api(db: TestDatabase, path: str) -> None:
    r = app_client(db).get(path)
    h = r.headers
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "same-origin"
    assert h["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert "strict-transport-security" not in h  # plain HTTP


def test_hsts_on_https(db: TestDatabase) -> None:
    r = app_client(db, https=True, hsts_seconds=600).get("/")
    assert r.headers["strict-transport-security"] == "max-age=600; includeSubDomains"


def test_page_csp_allows_no_inline_code() -> None:
    assert "'unsafe-inline'" not in PAGE_CSP and "script-src 'self'" in PAGE_CSP
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert "<style" not in text and " style=" not in text, template.name
        assert not re.search(r"\son[a-z]+=", text), template.name  # onclick= …
        assert "javascript:" not in text, template.name


def test_private_routes_need_credentials_and_are_not_cached(db: TestDatabase) -> None:
    c = app_client(db)
    for path in ("/api/v1/me", "/api/v1/tokens", "/api/v1/audit"):
        r = c.get(path)
        assert r.status_code == 401, path
        assert r.headers["cache-control"] == "no-store"


def test_no_account_data_in_the_public_schema(db: TestDatabase) -> None:
    schema = app_client(db).get("/api/v1/openapi.json").json()
    text = str(schema)
    assert "password" not in text and "secret_hash" not in text
    private = {"/api/v1/me", "/api/v1/tokens", "/api/v1/tokens/{token_id}", "/api/v1/audit"}
    for path, item in schema["paths"].items():
        if path in private:
            for op in item.values():
                assert "401" in op["responses"], path


def test_rate_limit_per_address(db: TestDatabase) -> None:
    c = app_client(db, rate_limit_address=3)
    codes = [c.get("/api/v1/economies").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = c.get("/")
    assert r.status_code == 429
    assert r.json() == {
        "error": {"code": "rate_limited", "message": r.json()["error"]["message"], "field": None}
    }
    assert int(r.headers["retry-after"]) >= 1
    assert r.headers["x-content-type-options"] == "nosniff"
    assert c.get("/static/accordia.css").status_code == 200  # static files are not counted


def test_rate_limit_per_token_is_separate(db: TestDatabase) -> None:
    c = app_client(db, rate_limit_address=2, rate_limit_token=3, rate_limit_login=100)
    bogus = {"Authorization": "Bearer acc_aaaa_bbbb"}
    codes = [c.get("/api/v1/economies", headers=bogus).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # counted per token (3), not per address (2)
    assert c.get("/api/v1/economies").status_code == 200


def test_failed_authentication_is_limited_per_address(db: TestDatabase) -> None:
    c = app_client(db, rate_limit_login=2, rate_limit_token=1000)
    for i in range(2):
        r = c.get("/api/v1/me", headers={"Authorization": f"Bearer acc_{i}_x"})
        assert r.status_code == 401
    r = c.get("/api/v1/me", headers={"Authorization": "Bearer acc_9_x"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"


def test_login_attempts_are_limited(db: TestDatabase) -> None:
    c = app_client(db, rate_limit_login=2)
    codes = [c.post("/login", data={}).status_code for _ in range(3)]
    assert codes == [403, 403, 429]  # (no CSRF token: refused, and counted)


def test_memory_limiter_windows() -> None:
    now = [1000.0]
    limiter = MemoryLimiter(clock=lambda: now[0])
    assert [limiter.hit("k", 60) for _ in range(3)] == [1, 2, 3]
    now[0] += 60
    assert limiter.count("k", 60) == 0 and limiter.hit("k", 60) == 1


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [server, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_redis_limiter_is_shared_between_apps(db: TestDatabase, redis_url: str) -> None:
    pytest.importorskip("redis")
    limiter = RedisLimiter(redis_url)
    assert limiter.hit("probe", 60) == 1 and limiter.count("probe", 60) == 1
    one = app_client(db, redis_url=redis_url, rate_limit_address=3)
    two = app_client(db, redis_url=redis_url, rate_limit_address=3)  # another "process"
    codes = [c.get("/api/v1/health").status_code for c in (one, two)]  # health: not counted
    codes += [c.get("/api/v1/economies").status_code for c in (one, two, one, two)]
    assert codes == [200, 200, 200, 200, 200, 429]
