"""Test fixtures. The whole suite runs once per database engine: SQLite by default, PostgreSQL
when ``ACCORDIA_DATABASE_URL`` names one (``.ci/run`` does both). Each test module that needs a
database gets a fresh one built by the migrations, with the reference data loaded."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from accordia.db.engine import make_engine
from accordia.db.migrate import upgrade
from accordia.db.session import engine_for
from accordia.settings import get_settings

BASE_URL = os.environ.get("ACCORDIA_DATABASE_URL", "")
ON_POSTGRES = BASE_URL.startswith("postgresql")


def backend_name() -> str:
    return "postgresql" if ON_POSTGRES else "sqlite"


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where tests leave artefacts a person may want to look at (screenshots, reports)."""
    d = Path(os.environ.get("ACCORDIA_TEST_OUTPUT", "test-output")) / backend_name()
    d.mkdir(parents=True, exist_ok=True)
    return d


class TestDatabase:
    __test__ = False

    """A throw-away database of the configured engine."""

    def __init__(self, tmp: Path) -> None:
        if ON_POSTGRES:
            base = make_url(BASE_URL)
            self.name = f"accordia_t_{uuid.uuid4().hex[:10]}"
            self._admin = create_engine(
                base.set(drivername="postgresql+psycopg", database="postgres"),
                isolation_level="AUTOCOMMIT",
            )
            with self._admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{self.name}"'))
            self.url = base.set(
                drivername="postgresql+psycopg", database=self.name
            ).render_as_string(hide_password=False)
        else:
            tmp.mkdir(parents=True, exist_ok=True)
            self.url = f"sqlite:///{tmp / 'accordia.db'}"
        self.engine: Engine = make_engine(self.url)

    def drop(self) -> None:
        self.engine.dispose()
        if ON_POSTGRES:
            with self._admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self._admin.dispose()


def make_database(tmp: Path, reference: bool = True) -> TestDatabase:
    db = TestDatabase(tmp)
    upgrade(db.engine)
    if reference:
        from accordia.reference import load_reference

        result = load_reference(db.engine)
        assert result.problem_count == 0, [str(p) for p in result.problems]
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabase]:
    """A fresh migrated database with the reference data, shared by one test module."""
    database = make_database(tmp_path_factory.mktemp("db"))
    yield database
    database.drop()


@pytest.fixture()
def use_db(db: TestDatabase, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestDatabase]:
    """Point the settings (and so the CLI) at the module's database."""
    monkeypatch.setenv("ACCORDIA_DATABASE_URL", db.url)
    get_settings.cache_clear()
    engine_for.cache_clear()
    yield db
    get_settings.cache_clear()
    engine_for.cache_clear()
