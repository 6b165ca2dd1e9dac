"""Verification speed in one process, against the unavoidable work in the same run.

    python bench/verify_bench.py --url sqlite:////tmp/vbench.db --scale 20000 --n 3000
    python bench/verify_bench.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_1m \\
        --n 3000 --batch-rows 100000 --json-out /tmp/verify.json

Builds the demo world once when the database is empty (reused on later runs), draws a random
sample of certificate numbers, warms both paths, then times in interleaved rounds over the same
numbers (so that a change in machine load hits both alike):

* ``row``: the row fetch every verification needs (the certificate's row by its normalised
  number, as ``GET /api/v1/bench/certificate-row`` does);
* ``verdict``: what ``GET /api/v1/verify`` does per request: ``Verifier(session).verify(number,
  market="GB")`` and the JSON of the verdict (orjson);
* and its parts: ``statement`` (the one statement: certificate, holder, events, scope and chain
  fingerprint), ``domain`` (the pure verdict from loaded facts) and ``json`` (to_dict + orjson).

Then, unless ``--batch-rows 0``, writes a supplier list of that many rows (numbers drawn from the
database, every 20th unknown, messy formatting, every 7th row for market NZ, every 9th with its
issuer) and times ``accordia verify --batch LIST --market GB --out report.csv`` as a separate
process (wall time and peak RSS).

Prints a table; ``--json-out FILE`` writes the figures as JSON. ``--check-ms N`` sets
``ACCORDIA_VERIFY_CHAIN_CHECK_MS`` for the run (default: the setting, 1000; 0 reads the chain
fingerprint with every certificate).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.db.engine import make_engine
from accordia.db.migrate import current_revision, upgrade
from accordia.demo.generator import generate
from accordia.domain.identifiers import normalize_number
from accordia.domain.verification import Query, verify
from accordia.reference import load_reference
from accordia.services.verification import Verifier
from accordia.settings import get_settings

ROW = select(*m.Certificate.__table__.columns).where(
    m.Certificate.__table__.c.number_norm == bindparam("norm")
)
ON = dt.date(2026, 6, 1)
MARKET = "GB"


def sample_numbers(session: Session, n: int, seed: int) -> list[str]:
    """``n`` certificate numbers drawn at random (by id; with repeats when the world is
    smaller than ``n``)."""
    lo, hi = session.execute(select(func.min(m.Certificate.id), func.max(m.Certificate.id))).one()
    rng = random.Random(seed)
    total = hi - lo + 1
    ids = (
        rng.sample(range(lo, hi + 1), n) if n <= total else [rng.randint(lo, hi) for _ in range(n)]
    )
    by_id: dict[int, str] = {}
    q = select(m.Certificate.id, m.Certificate.number).where(
        m.Certificate.id.in_(bindparam("ids", expanding=True))
    )
    distinct = sorted(set(ids))
    for i in range(0, len(distinct), 5000):
        by_id.update(session.execute(q, {"ids": distinct[i : i + 5000]}).all())
    return [by_id[i] for i in ids if i in by_id]


def messy(number: str, i: int) -> str:
    """The number as people type it: case, spaces for dashes, surrounding blanks."""
    if i % 5 == 1:
        return number.lower()
    if i % 5 == 2:
        return f"  {number.replace('-', ' ')} "
    if i % 5 == 3:
        return number.replace("-", "")
    return number


def in_process(engine: Any, numbers: list[str], rounds: int) -> dict[str, Any]:
    """Rates of the row fetch, the verdict and its parts over the same numbers, interleaved."""
    norms = [normalize_number(x) for x in numbers]
    chunks = [list(range(i, len(numbers), rounds)) for i in range(rounds)]
    spent: dict[str, float] = dict.fromkeys(("row", "verdict", "statement", "domain", "json"), 0.0)
    cpu: dict[str, float] = dict.fromkeys(spent, 0.0)
    per_round: dict[str, list[float]] = {k: [] for k in ("row", "verdict")}
    with Session(engine) as s:
        warm = chunks[0][: min(len(chunks[0]), 1000)]
        for i in warm:  # the chain, every CAB met, the statements prepared, the pages read
            s.execute(ROW, {"norm": norms[i]}).mappings().all()
            orjson.dumps(Verifier(s).verify(numbers[i], market=MARKET, on=ON).to_dict())

        def row(idx: list[int]) -> None:
            for i in idx:
                s.execute(ROW, {"norm": norms[i]}).mappings().all()

        def verdict(idx: list[int]) -> None:
            for i in idx:
                orjson.dumps(Verifier(s).verify(numbers[i], market=MARKET, on=ON).to_dict())

        def parts(idx: list[int]) -> None:
            v = Verifier(s)
            found = []
            t, c = time.perf_counter(), time.process_time()
            for i in idx:
                found.append((i, v.candidates(numbers[i], None)))
            spent["statement"] += time.perf_counter() - t
            cpu["statement"] += time.process_time() - c
            facts = [(i, v._facts(rows[0])) for i, rows in found if len(rows) == 1]
            t, c = time.perf_counter(), time.process_time()
            verdicts = [
                verify(f, ON, MARKET, query=Query(numbers[i], ON, None, MARKET)) for i, f in facts
            ]
            spent["domain"] += time.perf_counter() - t
            cpu["domain"] += time.process_time() - c
            t, c = time.perf_counter(), time.process_time()
            for x in verdicts:
                orjson.dumps(x.to_dict())
            spent["json"] += time.perf_counter() - t
            cpu["json"] += time.process_time() - c

        for r, idx in enumerate(chunks):
            order = [("row", row), ("verdict", verdict)]
            for name, fn in order if r % 2 == 0 else order[::-1]:
                t, c = time.perf_counter(), time.process_time()
                fn(idx)
                took = time.perf_counter() - t
                spent[name] += took
                cpu[name] += time.process_time() - c
                per_round[name].append(len(idx) / took)
            parts(idx)
    n = len(numbers)
    rate = {k: n / v for k, v in spent.items() if v}
    ratios = [v / r for v, r in zip(per_round["verdict"], per_round["row"], strict=True)]
    return {
        "sample": n,
        "rounds": rounds,
        "per_second": {k: round(v, 1) for k, v in rate.items()},
        "ms_each": {k: round(v / n * 1000, 3) for k, v in spent.items()},
        "cpu_ms_each": {k: round(v / n * 1000, 3) for k, v in cpu.items()},
        "ratio_verdict_to_row": round(rate["verdict"] / rate["row"], 3),
        "ratio_median_of_rounds": round(statistics.median(ratios), 3),
    }


def batch(url: str, engine: Any, rows: int, check_ms: int) -> dict[str, Any]:
    """Time ``accordia verify --batch`` over a supplier list of ``rows`` rows."""
    with Session(engine) as s:
        known = sample_numbers(s, rows, seed=2)
        issuer = dict(
            s.execute(
                select(m.Certificate.number, m.Cab.registration_number)
                .join(m.Cab, m.Cab.id == m.Certificate.cab_id)
                .where(m.Certificate.number.in_(bindparam("n", expanding=True))),
                {"n": known[:: 9 * 50][:2000]},
            ).all()
        )
    with tempfile.TemporaryDirectory(prefix="verify-bench-") as tmp:
        src, out = Path(tmp) / "suppliers.csv", Path(tmp) / "report.csv"
        with src.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["number", "issuer", "market"])
            for i, number in enumerate(known):
                if i % 20 == 19:
                    number = f"NO-SUCH-{i:07d}"
                w.writerow([messy(number, i), issuer.get(number, ""), "NZ" if i % 7 == 0 else ""])
        env = {**os.environ, "ACCORDIA_DATABASE_URL": url}
        env["ACCORDIA_VERIFY_CHAIN_CHECK_MS"] = str(check_ms)
        cmd = [sys.executable, "-m", "accordia", "verify", "--batch", str(src)]
        cmd += ["--market", MARKET, "--on", ON.isoformat(), "--out", str(out), "--no-progress"]
        t = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        took = time.perf_counter() - t
        if done.returncode != 0:
            raise SystemExit(f"batch failed ({done.returncode}): {done.stderr[-2000:]}")
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_kb, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        with out.open(encoding="utf-8-sig") as fh:
            written = sum(1 for _ in csv.DictReader(fh))
    return {
        "rows": rows,
        "written": written,
        "seconds": round(took, 2),
        "rows_per_second": round(rows / took, 1),
        "cpu_seconds": round(cpu, 2),  # of the command's process (the database's not included)
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "summary": done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "",
        "command": " ".join(cmd[1:]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--scale", type=int, default=20000, help="demo scale when building")
    ap.add_argument("--n", type=int, default=3000, help="certificate numbers in the sample")
    ap.add_argument("--rounds", type=int, default=6, help="interleaved rounds")
    ap.add_argument("--batch-rows", type=int, default=100_000, help="0: no batch run")
    ap.add_argument(
        "--check-ms", type=int, help="ACCORDIA_VERIFY_CHAIN_CHECK_MS (default: the setting's)"
    )
    ap.add_argument("--json-out", type=Path, help="write the figures here as JSON")
    a = ap.parse_args()
    if a.check_ms is not None:
        os.environ["ACCORDIA_VERIFY_CHAIN_CHECK_MS"] = str(a.check_ms)
    check_ms = get_settings().verify_chain_check_ms
    engine = make_engine(a.url)
    with Session(engine) as s:
        fresh = current_revision(engine) is None or not s.execute(select(m.Cab.id).limit(1)).first()
    if fresh:
        upgrade(engine)
        load_reference(engine)
        generate(engine, scale=a.scale, index=False)
    with Session(engine) as s:
        count = s.execute(select(func.count(m.Certificate.id))).scalar_one()
        numbers = sample_numbers(s, a.n, seed=1)
    figures: dict[str, Any] = {
        "engine": engine.dialect.name,
        "certificates": count,
        "check_ms": check_ms,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "in_process": in_process(engine, numbers, a.rounds),
    }
    if a.batch_rows:
        figures["batch"] = batch(a.url, engine, a.batch_rows, check_ms)
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    ip = figures["in_process"]
    print(
        f"{figures['engine']}, {count:,} certificates, sample {ip['sample']:,}, "
        f"chain check {check_ms} ms, load {figures['load_average']}"
    )
    print("| path | per second | ms each (wall) | ms each (CPU of this process) |")
    print("|---|---|---|---|")
    for k in ("row", "verdict", "statement", "domain", "json"):
        print(f"| {k} | {ip['per_second'][k]:,.0f} | {ip['ms_each'][k]} | {ip['cpu_ms_each'][k]} |")
    print(
        f"verdict/row {ip['ratio_verdict_to_row']} "
        f"(median of rounds {ip['ratio_median_of_rounds']})"
    )
    if "batch" in figures:
        b = figures["batch"]
        print(
            f"batch {b['rows']:,} rows: {b['seconds']} s ({b['rows_per_second']:,.0f} rows/s, "
            f"{b['cpu_seconds']} s CPU in the command), "
            f"peak RSS {b['peak_rss_mb']} MB; {b['summary']}"
        )
    if a.json_out:
        a.json_out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
