"""The demo generator's fast path: the same seed gives the same rows whichever path and engine
builds them, deferred indexes come back as they were, and the optional extra seeders run."""

from __future__ import annotations

import hashlib
import sys
import types
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError

import accordia.demo.generator as generator
from accordia import models as m
from accordia.db.base import Base, table_of
from accordia.db.bulk import RowStream, deferred_indexes
from accordia.db.types import utcnow
from tests.conftest import ON_POSTGRES, TestDatabase, make_database

SCALE = 700  # beyond FAST_FROM, so both the reference and the fast path write rows
SEED = 3
TABLES = (
    "cab",
    "accreditation",
    "accreditation_scope_item",
    "accreditation_event",
    "organization",
    "site",
    "organization_identifier",
    "certificate",
    "certificate_scope_item",
    "certificate_event",
    "certification_audit",
    "market_acceptance",
)


def _canonical(v: Any) -> str:
    if isinstance(v, Decimal | float):
        return f"{float(v):.2f}"
    return repr(v)


def world_digest(engine: Engine) -> dict[str, tuple[int, str]]:
    """Rows and a hash of every demo table, in id order, read through the ORM's column types
    (so both engines' storage compare alike); the recording time is left out."""
    out = {}
    with engine.connect() as conn:
        for name in TABLES:
            table = Base.metadata.tables[name]
            cols = [c for c in table.c if c.name != "recorded_at"]
            h = hashlib.sha256()
            n = 0
            for row in conn.execute(select(*cols).order_by(table.c.id)):
                h.update("|".join(_canonical(v) for v in row).encode() + b"\n")
                n += 1
            out[name] = (n, h.hexdigest())
    return out


@pytest.fixture(scope="module")
def world(db: TestDatabase) -> tuple[generator.DemoResult, dict[str, tuple[int, str]]]:
    result = generator.generate(db.engine, scale=SCALE, seed=SEED, index=False)
    return result, world_digest(db.engine)


def test_fast_path_writes_what_the_reference_path_writes(
    world: tuple[generator.DemoResult, dict[str, tuple[int, str]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every certificate through the readable one-at-a-time code gives the same world as the
    tight loop: same rows, same ids, same planted irregularities."""
    result, digest = world
    assert digest["certificate"][0] == SCALE
    monkeypatch.setattr(generator, "FAST_FROM", SCALE)
    other = make_database(tmp_path / "reference")
    try:
        reference = generator.generate(other.engine, scale=SCALE, seed=SEED, index=False)
        assert world_digest(other.engine) == digest
        assert reference.planted == result.planted
        assert reference.counts == result.counts
    finally:
        other.drop()


def test_same_seed_same_rows_on_sqlite_and_this_engine(
    world: tuple[generator.DemoResult, dict[str, tuple[int, str]]], tmp_path: Path
) -> None:
    """A SQLite build (executemany) equals this engine's (binary COPY on PostgreSQL)."""
    from accordia.db.engine import make_engine
    from accordia.db.migrate import upgrade
    from accordia.reference import load_reference

    _, digest = world
    engine = make_engine(f"sqlite:///{tmp_path / 'twin.db'}")
    try:
        upgrade(engine)
        load_reference(engine)
        generator.generate(engine, scale=SCALE, seed=SEED, index=False)
        assert world_digest(engine) == digest
    finally:
        engine.dispose()


def test_another_seed_gives_another_world(
    world: tuple[generator.DemoResult, dict[str, tuple[int, str]]], tmp_path: Path
) -> None:
    _, digest = world
    other = make_database(tmp_path / "seed4")
    try:
        generator.generate(other.engine, scale=SCALE, seed=SEED + 1, index=False)
        changed = world_digest(other.engine)
        assert changed["certificate"][0] == SCALE
        assert changed["certificate"] != digest["certificate"]
    finally:
        other.drop()


def _schema(engine: Engine) -> set[tuple[str, ...]]:
    """Index and constraint definitions of the streamed tables (PostgreSQL)."""
    with engine.connect() as conn:
        indexes = conn.execute(
            text("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(:t)"),
            {"t": list(generator._STREAMED)},
        ).all()
        constraints = conn.execute(
            text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
                "convalidated::text FROM pg_constraint WHERE conrelid::regclass::text = ANY(:t)"
            ),
            {"t": list(generator._STREAMED)},
        ).all()
    return {tuple(r) for r in indexes} | {tuple(r) for r in constraints}


@pytest.mark.skipif(not ON_POSTGRES, reason="indexes are deferred on PostgreSQL only")
def test_deferred_indexes_come_back_as_they_were(tmp_path: Path) -> None:
    database = make_database(tmp_path / "deferred")
    try:
        before = _schema(database.engine)
        assert any(name == "uq_certificate_cab_id_number" for _, name, *_ in before)
        generator.generate(database.engine, scale=300, seed=SEED, index=False, defer_indexes=True)
        assert _schema(database.engine) == before
    finally:
        database.drop()


def test_a_duplicate_loaded_without_its_unique_index_fails_the_load(db: TestDatabase) -> None:
    """Rows COPYed while the unique constraint is away are checked when it comes back: the
    transaction fails and nothing of it stays (on SQLite the index never went away)."""
    table = table_of(m.Organization)
    with (
        pytest.raises(IntegrityError),
        db.engine.begin() as conn,
        deferred_indexes(conn, ["organization"]),
    ):
        stream = RowStream(
            conn,
            table,
            ("key", "name_en"),
            {"source": "test", "recorded_at": utcnow()},
        )
        emit = stream.emitter()
        emit(("DUP-KEY-1", "First Ltd"))
        emit(("DUP-KEY-1", "Second Ltd"))
        stream.flush()
    with db.engine.connect() as conn:
        assert not conn.execute(select(table.c.id).where(table.c.key == "DUP-KEY-1")).first()
    if ON_POSTGRES:
        assert any(name == "uq_organization_key" for _, name, *_ in _schema(db.engine))


def test_extras_run_after_the_world_and_absent_ones_are_skipped(
    db: TestDatabase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[Engine, int, int]] = []
    fake = types.ModuleType("accordia_test_demo_extra")
    fake.seed = lambda engine, *, seed, scale: calls.append((engine, seed, scale))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "accordia_test_demo_extra", fake)
    monkeypatch.setattr(
        generator, "DEMO_EXTRAS", ("accordia.demo.no_such_extra", "accordia_test_demo_extra")
    )
    assert generator.seed_extras(db.engine, seed=5, scale=40) == ["accordia_test_demo_extra"]
    assert calls == [(db.engine, 5, 40)]

    # an extra that is there but cannot import what it needs is an error, not a skip
    (tmp_path / "accordia_test_broken_extra.py").write_text("import accordia_no_such_dep\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(generator, "DEMO_EXTRAS", ("accordia_test_broken_extra",))
    with pytest.raises(ModuleNotFoundError, match="accordia_no_such_dep"):
        generator.seed_extras(db.engine, seed=5, scale=40)
