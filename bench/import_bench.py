"""Import throughput: certificate rows per second through `import_files` (full validation),
against a raw bulk load of the same rows into a bare table in the same run.

    python bench/import_bench.py --url sqlite:////tmp/bench.db --scale 20000
    python bench/import_bench.py --url postgresql+psycopg://postgres@127.0.0.1/bench --scale 20000

The source world is the demo generator's; it is exported to CSV, then every file is imported
into a fresh database of the same engine. Prints a markdown table row.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from accordia.db.engine import make_engine
from accordia.db.migrate import upgrade
from accordia.demo.generator import generate
from accordia.importer.export import export_all
from accordia.importer.run import import_files
from accordia.reference import load_reference


def fresh(url: str, suffix: str) -> str:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        path = Path(f"{u.database}.{suffix}")
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    name = f"{u.database}_{suffix}"
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return u.set(database=name).render_as_string(hide_password=False)


def raw_load(url: str, path: Path) -> float:
    """Rows/s of the plainest bulk load the engine offers (COPY / executemany), no checks."""
    engine = make_engine(url)
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    cols = ", ".join(f'"{h}"' for h in header)
    with engine.begin() as conn:
        ddl = ", ".join(f"{c} TEXT" for c in cols.split(", "))
        conn.execute(text(f"CREATE TABLE raw_cert ({ddl})"))
        t = time.perf_counter()
        if engine.dialect.name == "postgresql":
            raw = conn.connection.driver_connection
            cur = raw.cursor()  # type: ignore[union-attr]
            with cur.copy(f"COPY raw_cert ({cols}) FROM STDIN") as cp:
                for r in body:
                    cp.write_row(r)
        else:
            marks = ", ".join("?" for _ in header)
            conn.connection.driver_connection.executemany(  # type: ignore[union-attr]
                f"INSERT INTO raw_cert VALUES ({marks})", body
            )
        elapsed = time.perf_counter() - t
    engine.dispose()
    return len(body) / elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--scale", type=int, default=20000)
    a = ap.parse_args()
    src = make_engine(fresh(a.url, "src"))
    upgrade(src)
    load_reference(src)
    generate(src, scale=a.scale, index=False)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        export_all(src, out, "csv")
        dst_url = fresh(a.url, "dst")
        dst = make_engine(dst_url)
        upgrade(dst)
        load_reference(dst)
        before = sorted(
            p for p in out.iterdir() if p.name not in ("certificates.csv", "certificate_events.csv")
        )
        r = import_files(dst, before, actor="bench")
        assert r.problem_count == 0, [str(p) for p in r.problems[:3]]
        rows = []
        for name in ("certificates.csv", "certificate_events.csv"):
            path = out / name
            n = sum(1 for _ in path.open(encoding="utf-8")) - 1
            t = time.perf_counter()
            r = import_files(dst, [path], actor="bench")
            elapsed = time.perf_counter() - t
            assert r.problem_count == 0, [str(p) for p in r.problems[:3]]
            raw = raw_load(fresh(a.url, "raw_" + path.stem), path)
            rows.append((name, n, n / elapsed, raw))
    engine = make_url(a.url).get_backend_name()
    print("| engine | file | rows | import rows/s | raw load rows/s | ratio |")
    print("|---|---|---|---|---|---|")
    for name, n, rate, raw in rows:
        print(f"| {engine} | {name} | {n} | {rate:,.0f} | {raw:,.0f} | {rate / raw:.3f} |")


if __name__ == "__main__":
    main()
