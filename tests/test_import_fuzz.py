"""The importer fuzzed with hypothesis: whatever the bytes or rows, ``import_files`` never raises
anything but :class:`ImportAborted` (with a message); every rejected row is a ``Problem``
naming the file, line, field and rule."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from accordia.importer.kind import ORDER, REGISTRY
from accordia.importer.run import ImportAborted, ImportResult, import_files
from tests.conftest import TestDatabase, make_database

pytestmark = pytest.mark.slow
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    db: TestDatabase = make_database(tmp_path_factory.mktemp("fuzz"))
    yield db.engine
    db.drop()


def run_import(engine: Engine, name: str, data: bytes, kind: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            result = import_files(engine, [path], actor="fuzz", kind=kind)
        except ImportAborted as exc:
            assert str(exc).strip(), "an abort without a message"
            return
    check_result(result, name)


def check_result(result: ImportResult, name: str) -> None:
    assert result.problem_count >= len(result.problems)
    for p in result.problems:
        assert p.file == name
        assert p.line >= 1
        assert p.field and p.rule and p.message, p
        assert p.rule.replace("_", "").isalnum(), p.rule
    if result.problem_count:
        assert not result.committed  # no reject file: nothing written


NAMES = st.sampled_from(
    ["organizations.csv", "certificates.csv", "cabs.csv", "economies.csv", "data.csv", "x.json"]
)


@FUZZ
@given(name=NAMES, data=st.binary(max_size=3000))
def test_random_bytes(engine: Engine, name: str, data: bytes) -> None:
    run_import(engine, name, data)


CELL = st.one_of(
    st.just(""),
    st.text(max_size=30),
    st.text(alphabet="0123456789-;:/ ", max_size=12),
    st.sampled_from(
        [
            "2024-02-30",
            "20240101",
            "2024-01-01",
            "CN",
            "ISO 9001",
            "IAF:19",
            "HS:8516",
            "EX-CB-001",
            "ms_certificate",
            "granted",
            "1e309",
            "-1",
            "NaN",
            "x" * 5000,
            "=cmd|' /C calc'!A0",
            "中文;English;",
            "\x00",
        ]
    ),
)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = REGISTRY[draw(st.sampled_from(ORDER))]
    columns = draw(
        st.lists(
            st.one_of(st.sampled_from(kind.field_names), st.text(min_size=1, max_size=8)),
            min_size=1,
            max_size=len(kind.field_names) + 2,
            unique=True,
        )
    )
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=len(columns) + 1), max_size=8))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    w.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return f"{kind.plural}.csv", buf.getvalue().encode(encoding, errors="replace")


@settings(FUZZ, max_examples=200)
@given(file=csv_files())
def test_generated_rows(engine: Engine, file: tuple[str, bytes]) -> None:
    name, data = file
    run_import(engine, name, data)
