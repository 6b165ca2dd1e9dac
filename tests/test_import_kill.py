"""A large import killed with SIGKILL halfway leaves the database exactly as before it started:
same row counts in every table, same exported records (checksum of ``accordia export``)."""

from __future__ import annotations

import csv
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from accordia.db.base import Base
from accordia.db.session import session_factory
from accordia.importer.export import export_all
from tests.conftest import ON_POSTGRES, make_database

pytestmark = pytest.mark.slow
ROWS = 20_000


def counts(engine: Engine) -> dict[str, int]:
    with session_factory(engine)() as s:
        return {
            t.name: int(s.execute(select(func.count()).select_from(t)).scalar_one())
            for t in Base.metadata.sorted_tables
        }


def checksum(engine: Engine, out: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(export_all(engine, out, "csv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def writing_started(engine: Engine, wal: Path, wal_before: int) -> bool:
    """Whether the import's (uncommitted) transaction has begun writing rows."""
    if ON_POSTGRES:
        with engine.connect() as conn:
            held = conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE c.relname = 'organization' AND l.mode = 'RowExclusiveLock' "
                    "AND l.pid <> pg_backend_pid()"
                )
            ).scalar_one()
        return bool(held)
    return wal.exists() and wal.stat().st_size > wal_before + 256 * 1024


def test_sigkill_halfway_changes_nothing(tmp_path: Path) -> None:
    db = make_database(tmp_path / "db")
    try:
        source = tmp_path / "organizations.csv"
        with source.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["key", "name_zh", "name_en", "economy", "address_en", "source"])
            for i in range(ROWS):
                w.writerow(
                    [
                        f"KILL-{i:06d}",
                        f"测试企业{i}",
                        f"Kill Test Enterprise {i}",
                        "CN",
                        f"{i} Example Road",
                        "SYNTHETIC TEST DATA",
                    ]
                )
        before_counts = counts(db.engine)
        before_sum = checksum(db.engine, tmp_path / "before")
        wal = Path(db.url.removeprefix("sqlite:///") + "-wal") if not ON_POSTGRES else Path()
        wal_before = wal.stat().st_size if not ON_POSTGRES and wal.exists() else 0
        env = {**os.environ, "ACCORDIA_DATABASE_URL": db.url}
        proc = subprocess.Popen(
            [sys.executable, "-m", "accordia", "import", str(source), "--no-progress"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 120
            while not writing_started(db.engine, wal, wal_before):
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "the import never began writing"
                time.sleep(0.05)
            time.sleep(0.3)
            assert proc.poll() is None, "the import finished before it could be killed"
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == -signal.SIGKILL
        db.engine.dispose()  # fresh connections: SQLite recovers the WAL, PG the backend is gone
        assert counts(db.engine) == before_counts
        assert checksum(db.engine, tmp_path / "after") == before_sum
    finally:
        db.drop()
