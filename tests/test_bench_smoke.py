"""The benchmark suite cannot rot: its smoke mode runs every step at tiny scale on the engine
this test run uses, and the report it writes has every section with figures that are numbers.
Also the operations endpoints it loads: liveness, readiness and the row-fetch baseline.

No speed is asserted here (the figures of a one-second load on a shared machine mean
nothing); speed lives in docs/performance.md, written by ``python bench/run.py``.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import accordia.examples as examples
from accordia import __version__
from accordia.app import create_app
from accordia.db.engine import make_engine
from accordia.importer.run import import_files
from accordia.settings import Settings
from tests.conftest import ON_POSTGRES, backend_name

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import run as bench_run  # noqa: E402

STEP_KEYS = [s.key for s in bench_run.STEPS]


# --- the operations endpoints ------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(db):  # type: ignore[no-untyped-def]
    files = sorted(Path(examples.__path__[0]).glob("*.csv"))
    assert import_files(db.engine, files, actor="test").problem_count == 0
    return db


def _client(db: Any, **settings: Any) -> TestClient:
    return TestClient(create_app(Settings(database_url=db.url, **settings), engine=db.engine))


def test_liveness_and_readiness(world: Any) -> None:
    with _client(world) as c:
        r = c.get("/api/v1/health")
        assert r.status_code == 200
        assert r.json() == {"status": "ok", "version": __version__}
        r = c.get("/api/v1/health/ready")
        assert r.status_code == 200
        assert r.json()["status"] == "ready"
        assert r.json()["database"] == backend_name()


def test_liveness_needs_no_database_and_readiness_says_it_is_gone(tmp_path: Path) -> None:
    gone = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")
    app = create_app(Settings(database_url=str(gone.url)), engine=gone)
    with TestClient(app) as c:
        assert c.get("/api/v1/health").status_code == 200
        r = c.get("/api/v1/health/ready")
        assert r.status_code == 503
        assert r.json()["error"]["code"] == "database_unavailable"


def test_row_endpoint_is_absent_unless_switched_on(world: Any) -> None:
    with _client(world) as c:
        r = c.get("/api/v1/bench/certificate-row", params={"number": "EXQ-2024-0001"})
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"
        # even a malformed request is a 404: the path does not exist
        assert c.get("/api/v1/bench/certificate-row").status_code == 404
        paths = c.get("/api/v1/openapi.json").json()["paths"]
        assert "/api/v1/bench/certificate-row" not in paths
        assert "/api/v1/health/ready" in paths


def test_row_endpoint_fetches_the_row_by_normalised_number(world: Any) -> None:
    with _client(world, bench_endpoints=True) as c:
        r = c.get("/api/v1/bench/certificate-row", params={"number": "exq 2024/0001"})
        assert r.status_code == 200
        rows = r.json()["rows"]
        assert len(rows) == 1
        assert rows[0]["number"] == "EXQ-2024-0001"
        assert rows[0]["standard"] == "ISO 9001"
        assert rows[0]["expires_on"] == "2027-05-31"
        r = c.get("/api/v1/bench/certificate-row", params={"number": "NO-SUCH-NUMBER"})
        assert r.status_code == 200 and r.json()["rows"] == []
        assert c.get("/api/v1/bench/certificate-row").status_code == 422


# --- the suite's smoke run ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One smoke run of ``bench/run.py`` on this test run's engine (PostgreSQL: a throw-away
    database on the server of ``ACCORDIA_DATABASE_URL``, dropped by the run)."""
    out = tmp_path_factory.mktemp("bench")
    report, figures = out / "performance.md", out / "results.json"
    cmd = [
        sys.executable,
        str(ROOT / "bench" / "run.py"),
        "--smoke",
        "--smoke-engines",
        backend_name(),
        "--out",
        str(report),
        "--json-out",
        str(figures),
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert report.exists() and figures.exists(), proc.stderr[-3000:]
    return {
        "report": report.read_text(encoding="utf-8"),
        "results": json.loads(figures.read_text(encoding="utf-8")),
        "stderr": proc.stderr,
    }


def _dataset(smoke: dict[str, Any]) -> dict[str, Any]:
    datasets = smoke["results"]["datasets"]
    key = f"smoke-{backend_name()}"
    assert list(datasets) == [key]
    d: dict[str, Any] = datasets[key]
    assert not d.get("error"), d.get("error")
    return d


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def test_smoke_report_has_every_section(smoke: dict[str, Any]) -> None:
    text = smoke["report"]
    assert text.count(bench_run.BEGIN) == 1 and text.count(bench_run.END) == 1
    for heading in ("## Suite run", "### Targets of issue 9", "### Notes", "Smoke run"):
        assert heading in text, heading
    for fact in ("Command: `python bench/run.py --smoke", "Commit:", "Machine:", "CPUs"):
        assert fact in text, fact
    for step in bench_run.STEPS:
        assert f"`bench/{step.script}`" in text, step.key
    for target in smoke["results"]["targets"]:
        assert target["text"] in text
    results = smoke["results"]
    assert _number(results["machine"]["cpus"]) and _number(results["machine"]["memory_gib"])
    if ON_POSTGRES:
        assert results["machine"]["postgresql"]


def test_smoke_world_was_built_by_the_demo_generator(smoke: dict[str, Any]) -> None:
    d = _dataset(smoke)
    assert d["certificates"] == bench_run.SMOKE_SCALE
    assert d["build_commands"] == [f"accordia demo --scale {bench_run.SMOKE_SCALE}"]


def test_smoke_http_figures_are_numbers(smoke: dict[str, Any]) -> None:
    http = _dataset(smoke)["steps"]["http"]
    assert http["ok"], http.get("error")
    f = http["figures"]
    assert set(f["endpoints"]) == {"trivial", "row", "verify", "verify_light"}
    for name, e in f["endpoints"].items():
        for key in ("requests_per_s", "p50_ms", "p99_ms", "rss_total_max_mb"):
            assert _number(e[key]) and e[key] > 0, (name, key, e[key])
        # every request answered 2xx: the endpoints did the work being measured
        assert e["non_2xx"] == 0 and e["socket_errors"] == 0, (name, e)
    assert f["sanity"]["verify_outcome"] in ("found", "ambiguous")
    for key in ("verify_vs_row", "verify_vs_trivial"):
        assert _number(f["ratios"][key]) and f["ratios"][key] > 0
    assert f["settings"]["unknown_numbers"] >= 1
    text = smoke["report"]
    assert "| verify | `/api/v1/verify` |" in text
    if f["client_is_wrk"]:
        assert f["client"].startswith("wrk")
    else:  # no silent fallback: the report says which client measured
        assert "Python fallback" in text and "wrk was not installed" in text


@pytest.mark.parametrize("step", [s for s in STEP_KEYS if s != "http"])
def test_smoke_step_ran_and_wrote_numeric_figures(smoke: dict[str, Any], step: str) -> None:
    s = _dataset(smoke)["steps"][step]
    assert s["ok"], f"{step}: {s.get('error')}\n{s.get('stdout_tail', '')}"
    flat = bench_run.flatten(s["figures"])
    numbers = [k for k, v in flat.items() if _number(v)]
    assert numbers, f"{step} wrote no numeric figure: {flat}"
    assert not [k for k, v in flat.items() if isinstance(v, float) and not math.isfinite(v)]
    assert s["command"].startswith(f"python bench/{bench_run.STEPS[STEP_KEYS.index(step)].script}")


def test_report_replaces_only_the_generated_block(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(
        "# Performance\n\nHow to run.\n\n"
        f"{bench_run.BEGIN}\nold figures\n{bench_run.END}\n\n## History\n\nkept\n",
        encoding="utf-8",
    )
    bench_run.write_report(f"{bench_run.BEGIN}\nnew figures\n{bench_run.END}\n", doc)
    text = doc.read_text(encoding="utf-8")
    assert "new figures" in text and "old figures" not in text
    assert text.startswith("# Performance\n\nHow to run.") and text.endswith("## History\n\nkept\n")
