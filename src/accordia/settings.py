"""Settings, read from the environment (prefix ``ACCORDIA_``).

Every setting is declared once here with its help text; ``docs/settings.md`` lists them and a
test keeps the two in step.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration of Accordia."""

    model_config = SettingsConfigDict(env_prefix="ACCORDIA_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./accordia.db",
        description=(
            "SQLAlchemy URL of the database. The default is an embedded SQLite file "
            "`accordia.db` in the working directory; production uses PostgreSQL, e.g. "
            "`postgresql+psycopg://user@host/accordia`."
        ),
    )
    default_locale: str = Field(
        default="en", description="Interface language when the request names none (`en` or `zh`)."
    )
    actor: str = Field(
        default="cli",
        description=(
            "Actor of writes made from the command line (imports), recorded in the audit trail "
            "and resolved to an account: the default `cli` is a built-in local administrator "
            "with the regulator role unless an account of that name exists (docs/security.md)."
        ),
    )
    page_size_max: int = Field(
        default=500, description="Largest page size a list endpoint of the API accepts."
    )
    echo_sql: bool = Field(default=False, description="Log every SQL statement (debugging).")
    session_hours: int = Field(
        default=12, ge=1, description="Lifetime of a signed-in page session, in hours."
    )
    token_days: int = Field(
        default=90,
        ge=1,
        description="Default lifetime of a new API token, in days (`--days` / `days` overrides).",
    )
    rate_limit_window: int = Field(
        default=60, ge=1, description="Length of the rate-limit window, in seconds."
    )
    rate_limit_address: int = Field(
        default=300,
        ge=1,
        description="Requests one client address may make per window (unauthenticated).",
    )
    rate_limit_token: int = Field(
        default=1200,
        ge=1,
        description="Requests one API token or signed-in session may make per window.",
    )
    rate_limit_login: int = Field(
        default=10,
        ge=1,
        description="Sign-in attempts (page or API) one client address may make per window.",
    )
    redis_url: str = Field(
        default="",
        description=(
            "Redis URL for the rate-limit counters shared by several server processes, e.g. "
            "`redis://localhost:6379/0`; empty: counters are kept in each process."
        ),
    )
    trust_forwarded_for: bool = Field(
        default=False,
        description=(
            "Take the client address from the first `X-Forwarded-For` entry (only behind a "
            "reverse proxy that sets it); otherwise the TCP peer address is used."
        ),
    )
    hsts_seconds: int = Field(
        default=31_536_000,
        ge=0,
        description="`max-age` of the Strict-Transport-Security header sent on HTTPS requests.",
    )
    bench_endpoints: bool = Field(
        default=False,
        description=(
            "Serve the benchmark baseline `GET /api/v1/bench/certificate-row` (a bare row fetch "
            "that `bench/run.py` loads next to verification); off: that path is a 404."
        ),
    )
    verify_chain_check_ms: int = Field(
        default=1000,
        ge=0,
        description=(
            "How often a server process re-checks that its in-memory copy of the upper chain "
            "(CABs, accreditations, signatories, arrangements, recognitions, market rules) is "
            "current, in milliseconds. A change written by another process shows in verdicts "
            "at most this late; a write committed in the same process, and a certificate's own "
            "row and events, always show at once. 0: check with every verdict, in the same "
            "statement that reads the certificate. See docs/verify.md."
        ),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once from the environment)."""
    return Settings()
