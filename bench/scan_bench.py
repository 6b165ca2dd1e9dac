"""Supervision scan throughput against the unavoidable reads in the same run (issue 9).

    python bench/scan_bench.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_1m \\
        --json-out /work/bench/scan_pg_1m.json
    python bench/scan_bench.py --url sqlite:////tmp/scan_20k.db --scale 20000 --exhaustive

With ``--scale N`` a demo world of N certificates is built first in a fresh database (the
PostgreSQL database named in the URL is created, an SQLite file must not exist yet); without
it the database at ``--url`` is scanned as it is (the scan writes a scan run and its findings).

Times, in one process and one run: the baselines — ``SELECT count(*)`` of the certificate
table; one plain aggregate pass in the database over each table the scan has to read
(certificate, certificate_event, certificate_scope_item, certification_audit: the unavoidable
reads, ``db_pass``); a full streaming read into Python of the columns the scan reads from the
certificate and certificate_event tables — then the pre-filtered scan (and with
``--exhaustive`` the full per-certificate scan). Prints JSON; ``--json-out`` writes it to a
file too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from accordia import models as m
from accordia.db.engine import make_engine
from accordia.db.migrate import upgrade
from accordia.demo.generator import TODAY, generate
from accordia.reference import load_reference
from accordia.services import supervision as sv


def _fresh(url: str, scale: int) -> None:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and Path(u.database).exists():
            raise SystemExit(f"{u.database} exists: --scale builds a fresh database")
    else:
        admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            if c.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database}
            ).first():
                raise SystemExit(f"database {u.database} exists: --scale builds a fresh one")
            c.execute(text(f'CREATE DATABASE "{u.database}"'))
        admin.dispose()
    engine = make_engine(url)
    upgrade(engine)
    load_reference(engine)
    t = time.perf_counter()
    generate(engine, scale=scale, index=False)
    print(f"built {scale} certificates in {time.perf_counter() - t:.1f} s", flush=True)
    engine.dispose()


def _timed(fn: Any) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _stream(engine: Any, stmt: Any) -> int:
    n = 0
    with engine.connect() as conn:
        for part in (
            conn.execution_options(stream_results=True, yield_per=20_000).execute(stmt).partitions()
        ):
            n += len(part)
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--scale", type=int, help="build a demo world of N certificates first")
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--on", type=dt.date.fromisoformat, default=TODAY)
    ap.add_argument("--span", type=int, default=sv.RANGE, help="ids per pre-filter range")
    ap.add_argument(
        "--exhaustive", action="store_true", help="also time the full per-certificate scan"
    )
    a = ap.parse_args()
    if a.scale:
        _fresh(a.url, a.scale)
    engine = make_engine(a.url)
    c, e = m.Certificate, m.CertificateEvent
    count_s, n = _timed(
        lambda: engine.connect().execute(select(func.count()).select_from(c)).scalar_one()
    )
    si, au = m.CertificateScopeItem, m.CertificationAudit
    passes = [
        select(func.count(), func.max(c.issued_on), func.max(c.expires_on), func.max(c.kind)),
        select(func.count(), func.max(e.effective_on), func.max(e.kind)),
        select(func.count(), func.max(si.item)),
        select(func.count(), func.max(au.audit_on)),
    ]

    def db_pass() -> None:
        with engine.connect() as conn:
            for q in passes:
                conn.execute(q).all()

    db_pass_s, _ = _timed(db_pass)
    read_s, _ = _timed(lambda: _stream(engine, select(*sv._CERT_COLUMNS)))
    events_s, n_events = _timed(
        lambda: _stream(engine, select(e.parent_id, e.kind, e.effective_on, e.recorded_at))
    )
    scan_s, summary = _timed(lambda: sv.scan(engine, a.on, span=a.span))
    out: dict[str, Any] = {
        "engine": engine.dialect.name,
        "url": engine.url.render_as_string(hide_password=True),
        "on": a.on.isoformat(),
        "certificates": n,
        "certificate_events": n_events,
        "seconds": round(scan_s, 3),
        "findings": summary.findings,
        "certs_per_s": round(n / scan_s),
        "candidates": summary.candidates,
        "by_rule": summary.by_rule,
        "prefilter": summary.prefilter,
        "phases": {k: round(v, 3) for k, v in summary.phases.items()},
        "baseline_seconds": {
            "count": round(count_s, 3),
            "db_pass": round(db_pass_s, 3),
            "read_certificates": round(read_s, 3),
            "read_certificate_events": round(events_s, 3),
        },
        "ratio_scan_to_reads": round(scan_s / (read_s + events_s), 2),
        "ratio_scan_to_db_pass": round(scan_s / db_pass_s, 2),
    }
    if a.exhaustive:
        full_s, full = _timed(lambda: sv.scan(engine, a.on, full=True))
        out["full"] = {
            "seconds": round(full_s, 3),
            "certs_per_s": round(n / full_s),
            "findings": full.findings,
            "same_counts": full.by_rule == summary.by_rule,
        }
    text_out = json.dumps(out, indent=2, sort_keys=True)
    print(text_out)
    if a.json_out:
        a.json_out.parent.mkdir(parents=True, exist_ok=True)
        a.json_out.write_text(text_out + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
