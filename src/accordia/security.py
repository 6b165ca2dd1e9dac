"""HTTP hardening for every response: security headers, the content security policy and rate
limits. :func:`install` adds it to the application (``create_app`` calls it).

Rate limits are fixed windows of ``rate_limit_window`` seconds, counted per API token (or
signed-in session) when the request carries one, else per client address; sign-in attempts
and requests that failed authentication are also counted per address against
``rate_limit_login``. Counters live in Redis when ``ACCORDIA_REDIS_URL`` is set (shared by all
server processes), else in the process. Over the limit: 429 in the API's error shape, with
``Retry-After``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

from fastapi import FastAPI

from accordia.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# The pages use no inline script or style (checked by tests/test_security.py).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The interactive API page (Swagger UI) loads its assets from jsDelivr and starts with an
# inline script; the stand-alone HTML report carries its own inline stylesheet.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
CSP_BY_PATH = {"/api/v1/docs": DOCS_CSP, "/api/v1/cooperation/report": REPORT_CSP}
NO_STORE_PREFIXES = ("/api/v1/audit", "/api/v1/tokens", "/api/v1/me", "/login", "/logout")
UNLIMITED_PREFIXES = ("/static/", "/api/v1/health")
LOGIN_PATHS = ("/login",)
SESSION_COOKIE = "accordia_session"


class Limiter(Protocol):
    def hit(self, key: str, window: int) -> int:
        """Count one request for ``key`` in the current window; the count so far."""

    def count(self, key: str, window: int) -> int:
        """The count of ``key`` in the current window, without counting."""


class MemoryLimiter:
    """Fixed-window counters in this process (one server process, or tests)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self._current = -1

    def _slot(self, key: str, window: int) -> str:
        now = int(self._clock()) // window
        if now != self._current:  # a new window: forget the old counters
            self._counts = {k: v for k, v in self._counts.items() if k.endswith(f"@{now}")}
            self._current = now
        return f"{key}@{now}"

    def hit(self, key: str, window: int) -> int:
        with self._lock:
            slot = self._slot(key, window)
            self._counts[slot] = self._counts.get(slot, 0) + 1
            return self._counts[slot]

    def count(self, key: str, window: int) -> int:
        with self._lock:
            return self._counts.get(self._slot(key, window), 0)


class RedisLimiter:
    """Fixed-window counters in Redis: ``INCR`` and ``EXPIRE`` in one round trip."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5)

    def _slot(self, key: str, window: int) -> str:
        return f"accordia:rl:{key}:{int(time.time()) // window}"

    def hit(self, key: str, window: int) -> int:
        slot = self._slot(key, window)
        pipe = self._redis.pipeline()
        pipe.incr(slot)
        pipe.expire(slot, window + 1)
        count, _ = pipe.execute()
        return int(count)

    def count(self, key: str, window: int) -> int:
        value = self._redis.get(self._slot(key, window))
        return int(value) if value else 0


def make_limiter(settings: Settings) -> Limiter:
    return RedisLimiter(settings.redis_url) if settings.redis_url else MemoryLimiter()


def _header(scope: Scope, name: bytes) -> str:
    for k, v in scope.get("headers", ()):
        if k == name:
            return str(v.decode("latin-1"))
    return ""


def _cookie(scope: Scope, name: str) -> str:
    for part in _header(scope, b"cookie").split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v
    return ""


class SecurityMiddleware:
    """Pure ASGI middleware: rate limits before the app, headers on every response."""

    def __init__(self, app: ASGIApp, settings: Settings, limiter: Limiter | None = None) -> None:
        self.app = app
        self.settings = settings
        self.limiter = limiter or make_limiter(settings)

    def client_address(self, scope: Scope) -> str:
        if self.settings.trust_forwarded_for:
            forwarded = _header(scope, b"x-forwarded-for").split(",")[0].strip()
            if forwarded:
                return forwarded
        client = scope.get("client")
        return str(client[0]) if client else "unknown"

    def is_https(self, scope: Scope) -> bool:
        if scope.get("scheme") == "https":
            return True
        return (
            self.settings.trust_forwarded_for
            and _header(scope, b"x-forwarded-proto").lower() == "https"
        )

    def _bucket(self, scope: Scope, address: str) -> tuple[str, int]:
        auth = _header(scope, b"authorization")
        if auth[:7].lower() == "bearer ":
            token = auth[7:].strip()
            if token.startswith("acc_"):
                return "token:" + token[4:].partition("_")[0][:16], self.settings.rate_limit_token
        cookie = _cookie(scope, SESSION_COOKIE)
        if cookie:
            digest = hashlib.sha256(cookie.encode()).hexdigest()[:24]
            return "session:" + digest, self.settings.rate_limit_token
        return "addr:" + address, self.settings.rate_limit_address

    def _limited(self, scope: Scope) -> tuple[str, int] | None:
        """(what was exceeded, seconds to wait) when the request is over a limit."""
        path: str = scope.get("path", "")
        if path.startswith(UNLIMITED_PREFIXES):
            return None
        window = self.settings.rate_limit_window
        wait = window - int(time.time()) % window
        address = self.client_address(scope)
        has_credentials = bool(_header(scope, b"authorization") or _cookie(scope, SESSION_COOKIE))
        if has_credentials and (
            self.limiter.count("authfail:" + address, window) >= self.settings.rate_limit_login
        ):
            return "failed sign-ins from this address", wait
        login = scope.get("method") == "POST" and path in LOGIN_PATHS
        if login and self.limiter.hit("login:" + address, window) > self.settings.rate_limit_login:
            return "sign-in attempts from this address", wait
        key, limit = self._bucket(scope, address)
        if self.limiter.hit(key, window) > limit:
            what = "requests with this token" if key[0] != "a" else "requests from this address"
            return what, wait
        return None

    def _headers(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        path: str = scope.get("path", "")
        csp = CSP_BY_PATH.get(path, PAGE_CSP)
        out = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", csp.encode()),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if self.is_https(scope) and self.settings.hsts_seconds:
            value = f"max-age={self.settings.hsts_seconds}; includeSubDomains"
            out.append((b"strict-transport-security", value.encode()))
        if path.startswith(NO_STORE_PREFIXES):
            out.append((b"cache-control", b"no-store"))
        return out

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._headers(scope)
        limited = self._limited(scope)
        if limited is not None:
            what, wait = limited
            body = json.dumps(
                {
                    "error": {
                        "code": "rate_limited",
                        "message": f"too many {what}; retry in {wait} s",
                        "field": None,
                    }
                }
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", str(wait).encode()),
                        *extra,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        address = self.client_address(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(k, v) for k, v in extra if k not in names]
                message["headers"] = headers
                if message.get("status") == 401:
                    self.limiter.hit("authfail:" + address, self.settings.rate_limit_window)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, settings: Settings, limiter: Limiter | None = None) -> None:
    """Add the security middleware to ``app`` (outermost, so it also covers error pages)."""
    app.add_middleware(SecurityMiddleware, settings=settings, limiter=limiter)
