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
        description="Name recorded in the audit trail for writes made from the command line.",
    )
    page_size_max: int = Field(
        default=500, description="Largest page size a list endpoint of the API accepts."
    )
    echo_sql: bool = Field(default=False, description="Log every SQL statement (debugging).")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once from the environment)."""
    return Settings()
