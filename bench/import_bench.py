"""Import throughput and memory: certificate rows per second through `import_files` (full
validation, audit trail), against two baselines measured in the same run, and the peak memory
of `accordia import` as the file grows.

    python bench/import_bench.py --url sqlite:////tmp/bench.db --scale 20000
    python bench/import_bench.py --url postgresql+psycopg://postgres@127.0.0.1/bench \\
        --scale 20000 --mem-sizes 20000,100000,500000 --json-out import.json

The source world is the demo generator's (at the largest size asked for). Its certificates and
certificate events are exported to CSV; every import goes into a copy of the same world with
the certificates removed ("base"), so organizations, CABs and accreditations are there.

Baselines, for the same rows:
- raw: the plainest bulk load the engine offers (``COPY`` on PostgreSQL, ``executemany`` on
  SQLite) of the CSV rows into a bare all-text table: no parsing, no checks, no indexes;
- store: writing the rows the import itself wrote (certificates, scope items, events and audit
  entries) into the real tables of a fresh base, with their indexes and foreign keys (binary
  ``COPY`` / ``executemany``): the database work no import of these rows can avoid.

Memory: ``accordia import`` runs in a subprocess per file size (the first N certificate rows)
under ``/usr/bin/time``; its peak RSS is reported per size.

Prints a markdown table; ``--json-out`` writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from accordia.db.engine import make_engine
from accordia.db.migrate import upgrade
from accordia.demo.generator import generate
from accordia.importer.export import _write
from accordia.importer.kind import REGISTRY
from accordia.importer.run import import_files
from accordia.reference import load_reference

# the tables a certificate import writes, children after parents
WRITTEN = ("certificate", "certificate_scope_item", "certificate_event", "audit_entry")
CERT_TABLES = (
    "certificate_site",
    "certificate_scope_item",
    "certificate_event",
    "certification_audit",
    "certificate",
)


def _admin(url: str) -> Engine:
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def db_url(url: str, suffix: str) -> str:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"sqlite:///{u.database}.{suffix}"
    return u.set(database=f"{u.database}_{suffix}").render_as_string(hide_password=False)


def drop(url: str) -> None:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        for p in (Path(str(u.database)), Path(f"{u.database}-wal"), Path(f"{u.database}-shm")):
            p.unlink(missing_ok=True)
        return
    admin = _admin(url)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
    admin.dispose()


def fresh(url: str, suffix: str, template: str | None = None) -> str:
    """A new empty database (or a copy of ``template``, a URL of the same engine)."""
    new = db_url(url, suffix)
    drop(new)
    u = make_url(new)
    if u.get_backend_name() == "sqlite":
        if template:
            shutil.copyfile(str(make_url(template).database), str(u.database))
        return new
    admin = _admin(url)
    with admin.connect() as c:
        tpl = f' TEMPLATE "{make_url(template).database}"' if template else ""
        c.execute(text(f'CREATE DATABASE "{u.database}"{tpl}'))
    admin.dispose()
    return new


def build_base(url: str, scale: int, out: Path) -> str:
    """The demo world at ``scale`` without its certificates; exports them to ``out``."""
    src_url = fresh(url, "src")
    src = make_engine(src_url)
    upgrade(src)
    load_reference(src)
    generate(src, scale=scale, index=False)
    from accordia.db.session import session_factory

    session = session_factory(src)()
    try:
        for kind in ("certificate", "certificate_event"):
            k = REGISTRY[kind]
            _write(k, k.export(session), out / f"{k.plural}.csv", "csv")
    finally:
        session.close()
    with src.begin() as conn:
        if src.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE certificate CASCADE"))
        else:
            for t in CERT_TABLES:
                conn.execute(text(f"DELETE FROM {t}"))
    src.dispose()
    return src_url


def head(src: Path, dst: Path, n: int, keep: set[tuple[str, str]] | None = None) -> int:
    """Copy the header and the first ``n`` rows of ``src`` (or, with ``keep``, the rows whose
    (cab, number) is in it); the number of rows written."""
    written = 0
    with src.open(encoding="utf-8", newline="") as fi, dst.open("w", encoding="utf-8") as fo:
        reader, writer = csv.reader(fi), csv.writer(fo)
        header = next(reader)
        writer.writerow(header)
        cab = header.index("cab")
        number = header.index("number" if "number" in header else "certificate")
        for row in reader:
            if keep is not None:
                if (row[cab], row[number]) not in keep:
                    continue
            elif written >= n:
                break
            writer.writerow(row)
            written += 1
    return written


def keys_of(path: Path) -> set[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {(r["cab"], r["number"]) for r in csv.DictReader(fh)}


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


def store_load(
    done_url: str, base_url: str, operation: str, n: int
) -> tuple[float, dict[str, float]]:
    """Rows/s (of the import file) of writing what the import wrote into a fresh base, and
    the seconds per table (and for the commit)."""
    src = make_engine(done_url)
    dst_url = fresh(base_url, "store", template=base_url)
    dst = make_engine(dst_url)
    data: dict[str, Any] = {}
    with src.connect() as conn:
        for t in WRITTEN:
            where = "WHERE operation = :op" if t == "audit_entry" else ""
            if src.dialect.name == "postgresql":
                raw = conn.connection.driver_connection
                buf = bytearray()
                with (
                    raw.cursor() as cur,  # type: ignore[union-attr]
                    cur.copy(
                        f"COPY (SELECT * FROM {t} {where.replace(':op', repr(operation))}) "
                        "TO STDOUT (FORMAT BINARY)"
                    ) as cp,
                ):
                    for block in cp:
                        buf += block
                data[t] = bytes(buf)
            else:
                res = conn.execute(text(f"SELECT * FROM {t} {where}"), {"op": operation})
                data[t] = (list(res.keys()), [tuple(r) for r in res])
    src.dispose()
    tables: dict[str, float] = {}
    with dst.begin() as conn:
        t0 = time.perf_counter()
        for t in WRITTEN:
            t1 = time.perf_counter()
            if dst.dialect.name == "postgresql":
                raw = conn.connection.driver_connection
                with (
                    raw.cursor() as cur,  # type: ignore[union-attr]
                    cur.copy(f"COPY {t} FROM STDIN (FORMAT BINARY)") as cp,
                ):
                    cp.write(data[t])
            else:
                cols, rows = data[t]
                marks = ", ".join("?" for _ in cols)
                conn.connection.driver_connection.executemany(  # type: ignore[union-attr]
                    f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({marks})", rows
                )
            tables[t] = round(time.perf_counter() - t1, 3)
        t1 = time.perf_counter()
    tables["commit"] = round(time.perf_counter() - t1, 3)
    elapsed = time.perf_counter() - t0
    dst.dispose()
    drop(dst_url)
    return n / elapsed, tables


def timed_import(url: str, paths: list[Path]) -> tuple[float, str]:
    engine = make_engine(url)
    t = time.perf_counter()
    r = import_files(engine, paths, actor="bench")
    elapsed = time.perf_counter() - t
    assert r.problem_count == 0, [str(p) for p in r.problems[:3]]
    engine.dispose()
    return elapsed, r.operation


def peak_rss(url: str, path: Path) -> tuple[float, float]:
    """Peak RSS (MB) and seconds of ``accordia import path`` in a subprocess."""
    exe = Path(sys.executable).with_name("accordia")
    cmd = [
        "/usr/bin/time",
        "-f",
        "%M %e",
        str(exe),
        "import",
        str(path),
        "--actor",
        "bench",
        "--no-progress",
        "--no-reindex",
    ]
    env = {**os.environ, "ACCORDIA_DATABASE_URL": url}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"accordia import failed: {done.stdout}{done.stderr}")
    kb, seconds = done.stderr.strip().splitlines()[-1].split()
    return int(kb) / 1024, float(seconds)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--scale", type=int, default=20000, help="certificate rows timed")
    ap.add_argument(
        "--mem-sizes", default="", help="comma-separated file sizes (rows) for peak RSS"
    )
    ap.add_argument("--json-out", type=Path, help="write the figures as JSON")
    a = ap.parse_args()
    sizes = [int(s) for s in a.mem_sizes.split(",") if s.strip()]
    engine_name = make_url(a.url).get_backend_name()
    figures: dict[str, Any] = {"engine": engine_name, "files": [], "memory": []}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        base = build_base(a.url, max([a.scale, *sizes]), out)
        certs, events = out / "certificates.csv", out / "certificate_events.csv"
        cert_file = out / "bench_certificates.csv"
        n = head(certs, cert_file, a.scale)
        event_file = out / "bench_certificate_events.csv"
        m = head(events, event_file, 0, keep=keys_of(cert_file))
        dst = fresh(a.url, "dst", template=base)
        for path, rows, name in ((cert_file, n, "certificates.csv"), (event_file, m, None)):
            name = name or "certificate_events.csv"
            elapsed, operation = timed_import(dst, [path])
            raw = raw_load(fresh(a.url, "raw"), path)
            entry = {
                "file": name,
                "rows": rows,
                "import_rows_per_s": rows / elapsed,
                "raw_rows_per_s": raw,
                "ratio": rows / elapsed / raw,
            }
            if name == "certificates.csv":
                store, by_table = store_load(dst, base, operation, rows)
                entry["store_rows_per_s"] = store
                entry["ratio_to_store"] = rows / elapsed / store
                entry["store_seconds_by_table"] = by_table
            figures["files"].append(entry)
        drop(dst)
        drop(db_url(a.url, "raw"))
        for size in sizes:
            path = out / f"mem_{size}.csv"
            rows = head(certs, path, size)
            target = fresh(a.url, "mem", template=base)
            rss, seconds = peak_rss(target, path)
            figures["memory"].append(
                {"rows": rows, "peak_rss_mb": round(rss, 1), "seconds": seconds}
            )
            drop(target)
        drop(base)
    print("| engine | file | rows | import rows/s | raw load rows/s | ratio | store rows/s |")
    print("|---|---|---|---|---|---|---|")
    for f in figures["files"]:
        store_s = f"{f['store_rows_per_s']:,.0f}" if "store_rows_per_s" in f else "–"
        print(
            f"| {engine_name} | {f['file']} | {f['rows']:,} | {f['import_rows_per_s']:,.0f} "
            f"| {f['raw_rows_per_s']:,.0f} | {f['ratio']:.3f} | {store_s} |"
        )
    if figures["memory"]:
        print()
        print("| engine | certificate rows | `accordia import` peak RSS (MB) | seconds |")
        print("|---|---|---|---|")
        for mem in figures["memory"]:
            print(f"| {engine_name} | {mem['rows']:,} | {mem['peak_rss_mb']} | {mem['seconds']} |")
    if a.json_out:
        a.json_out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
