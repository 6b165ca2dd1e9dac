"""The national-scale benchmark suite of issue 9: one command, one report.

    python bench/run.py --pg-1m URL [--pg-10m URL] [--sqlite-1m URL] [--build] \\
        [--out docs/performance.md]
    python bench/run.py --smoke            # tiny worlds, every step, report in a temp dir

For every dataset given (a demo database of 1 M or 10 M certificates; ``--build`` builds a
missing one with ``accordia db upgrade`` and ``accordia demo --scale N``) it runs the steps:

* ``http``   — bench/http_load.py: ``/api/v1/verify`` under wrk load against the trivial and
  row-fetch endpoints of the same server in the same run, p50/p99, server RSS;
* ``verify`` — bench/verify_bench.py: in-process verdicts against the row fetch, 100 k batch;
* ``import`` — bench/import_bench.py: ``accordia import`` against raw COPY, import memory
  (once per engine: it builds its own databases next to the dataset's);
* ``search`` — bench/search_bench.py: search p95 (on the dataset's search index);
* ``scan``   — bench/scan_bench.py: ``accordia supervise scan`` over all certificates.

Each step is a script called as a subprocess with ``--url URL --json-out FILE``; its JSON
figures are merged. A missing script, a failed step or a missing dataset is recorded in the
report as such — never replaced by a figure. The report (machine, date, commit, the exact
command, a table per dataset, issue 9's targets with met / not met computed from the figures,
notes) is written between the ``<!-- bench:begin -->`` and ``<!-- bench:end -->`` markers of
``--out``; the rest of that file is left as it is.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BENCH,
    PYTHON,
    ROOT,
    StepRun,
    certificate_count,
    create_database,
    database_exists,
    drop_database,
    drop_databases_prefixed,
    engine_name,
    git_commit,
    machine_facts,
    make_engine,
    run_json_script,
    script_options,
    table_rows,
    utcnow,
    write_json,
)
from sqlalchemy import text
from sqlalchemy.engine import make_url

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"
DEFAULT_OUT = ROOT / "docs" / "performance.md"
SMOKE_SCALE = 300


# --- options ------------------------------------------------------------------------------------


@dataclass
class Dataset:
    key: str  # pg-1m, pg-10m, sqlite-1m, smoke-sqlite, smoke-postgresql
    label: str
    url: str
    scale: int  # certificates it is built with

    @property
    def engine(self) -> str:
        return engine_name(self.url)


@dataclass
class Options:
    smoke: bool
    duration: int
    warmup: int
    connections: int
    threads: int
    workers: int
    sample: int
    client: str
    import_scale: int
    import_mem_sizes: str
    search_n: int
    search_queries: int
    search_urls: dict[str, str]  # engine → a search database already built (--search-pg ...)
    step_timeout: float
    steps: list[str]
    workdir: Path
    prewarm: bool = True
    created: list[str] = field(default_factory=list)  # databases this run created


@dataclass
class Step:
    key: str
    title: str
    script: str
    # options wanted besides --url/--json-out: (full run, smoke run); an option the script's
    # --help does not list is left out (and noted), so a renamed option never breaks the run
    args: Callable[[Dataset, Options], list[str]]
    once_per_engine: bool = False
    # options without which the step must not run (e.g. it would write into the dataset)
    required: tuple[str, ...] = ()
    # the database the step runs on (default: the dataset's)
    target: Callable[[Dataset, Options], str] | None = None


def _http_args(d: Dataset, o: Options) -> list[str]:
    return [
        "--duration",
        str(o.duration),
        "--warmup",
        str(o.warmup),
        "--connections",
        str(o.connections),
        "--threads",
        str(o.threads),
        "--workers",
        str(o.workers),
        "--sample",
        str(o.sample),
        "--client",
        o.client,
    ]


def _verify_args(d: Dataset, o: Options) -> list[str]:
    if o.smoke:
        return ["--n", "100", "--rounds", "1", "--batch-rows", "200"]
    return ["--batch-rows", "100000"]


def _import_args(d: Dataset, o: Options) -> list[str]:
    return ["--scale", str(o.import_scale), "--mem-sizes", o.import_mem_sizes]


def sibling_url(url: str, suffix: str) -> str:
    """A database next to the dataset's: ``bench_1m`` → ``bench_1m_search``; SQLite
    ``/x/sqlite_1m.db`` → ``/x/sqlite_1m.search.db``."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        path = Path(str(u.database))
        ext = path.suffix or ".db"
        return f"sqlite:///{path.with_name(f'{path.stem}.{suffix}{ext}')}"
    return u.set(database=f"{u.database}_{suffix}").render_as_string(hide_password=False)


def _search_target(d: Dataset, o: Options) -> str:
    """search_bench.py indexes its own labelled organizations (and drops the search tables of
    the database it is given), so it never runs on the dataset itself: on the search database
    named for the engine (--search-pg / --search-sqlite), else on a sibling it builds once."""
    named = o.search_urls.get(d.engine)
    if named:  # someone else's: used as it is, never created nor rebuilt
        if not database_exists(named):
            raise RuntimeError(f"the search database {mask_url(named)} does not exist")
        return named
    url = sibling_url(d.url, "search")
    if not database_exists(url):
        create_database(url)
        o.created.append(url)
    return url


def _search_args(d: Dataset, o: Options) -> list[str]:
    named = o.search_urls.get(d.engine)
    url = named or sibling_url(d.url, "search")
    # A search database named on the command line is never rebuilt (it may be someone else's):
    # without an index there, the step fails. The suite's own sibling is built on first use
    # and reused after (its build is then not timed).
    reuse = ["--skip-build"] if named or (table_rows(url, "search_entity") and not o.smoke) else []
    return ["--n", str(o.search_n), "--queries", str(o.search_queries), *reuse]


def _scan_args(d: Dataset, o: Options) -> list[str]:
    return []


STEPS = (
    Step("http", "HTTP: verification against trivial and row-fetch endpoints", "http_load.py",
         _http_args),
    Step("verify", "Verification in process; 100 k-row batch", "verify_bench.py", _verify_args),
    Step("import", "Bulk import against raw COPY; import memory", "import_bench.py",
         _import_args, once_per_engine=True),
    Step("search", "Search latency", "search_bench.py", _search_args,
         once_per_engine=True, target=_search_target),
    Step("scan", "Supervision scan over all certificates", "scan_bench.py", _scan_args),
)  # fmt: skip
STEP_KEYS = tuple(s.key for s in STEPS)


# --- running --------------------------------------------------------------------------------------


def log(msg: str) -> None:
    print(f"[bench {utcnow():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def build_dataset(d: Dataset, timeout: float | None, smoke: bool = False) -> dict[str, Any]:
    """``accordia db upgrade`` then ``accordia demo --scale N`` on the dataset's database (the
    smoke run saves a process start: ``accordia demo`` migrates and loads the reference data
    itself, as ``db upgrade`` does)."""
    create_database(d.url)
    env = {**os.environ, "ACCORDIA_DATABASE_URL": d.url}
    started = time.perf_counter()
    commands = [
        [PYTHON, "-m", "accordia", "db", "upgrade"],
        [PYTHON, "-m", "accordia", "demo", "--scale", str(d.scale)],
    ][1 if smoke else 0 :]
    for cmd in commands:
        log(f"{d.key}: {' '.join(cmd[2:])}")
        out = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
        if out.returncode != 0:
            tail = " | ".join(out.stderr.strip().splitlines()[-5:])
            raise RuntimeError(f"`accordia {' '.join(cmd[3:])}` failed: {tail}")
    return {
        "built": True,
        "build_seconds": round(time.perf_counter() - started, 1),
        "build_commands": [" ".join(["accordia", *c[3:]]) for c in commands],
    }


_OPTIONS: dict[str, set[str] | None] = {}


def prefetch_options(keys: list[str]) -> None:
    """Ask every step script for its options at once (each ``--help`` imports Accordia)."""
    from concurrent.futures import ThreadPoolExecutor

    todo = [s for s in STEPS if s.key in keys and (BENCH / s.script).exists()]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for step, opts in zip(
            todo, pool.map(lambda s: script_options(BENCH / s.script), todo), strict=True
        ):
            _OPTIONS[step.key] = opts


def run_step(step: Step, d: Dataset, o: Options) -> dict[str, Any]:
    script = BENCH / step.script
    if not script.exists():
        return {"ok": False, "error": f"bench/{step.script} does not exist (not built yet)"}
    options = _OPTIONS[step.key] if step.key in _OPTIONS else script_options(script)
    if options is None:
        return {"ok": False, "error": f"`python bench/{step.script} --help` fails"}
    missing = [opt for opt in ("--url", "--json-out", *step.required) if opt not in options]
    if missing:
        return {
            "ok": False,
            "error": f"bench/{step.script} does not accept {', '.join(missing)} yet: not run",
        }
    url = step.target(d, o) if step.target else d.url  # created here when missing
    wanted = step.args(d, o)
    args: list[str] = []
    dropped: list[str] = []
    i = 0
    while i < len(wanted):
        opt = wanted[i]
        has_value = i + 1 < len(wanted) and not wanted[i + 1].startswith("--")
        if opt in options:
            args += wanted[i : i + 2] if has_value else [opt]
        else:
            dropped.append(opt)
        i += 2 if has_value else 1
    json_out = o.workdir / f"{d.key}-{step.key}.json"
    command = [PYTHON, str(script), "--url", url, "--json-out", str(json_out), *args]
    log(f"{d.key}: {step.key}: {' '.join(command[1:])}")
    run: StepRun = run_json_script(command, json_out, timeout=o.step_timeout)
    result = run.as_dict()
    result["command"] = display_command(["python", f"bench/{step.script}", *command[2:]])
    if dropped:
        result["options_not_offered"] = dropped
    log(f"{d.key}: {step.key}: {'ok' if run.ok else 'FAILED: ' + str(run.error)}")
    return result


def prewarm(url: str) -> dict[str, Any]:
    """Read the dataset's tables and indexes once, into the OS page cache."""
    t0 = time.perf_counter()
    if engine_name(url) == "sqlite":
        path = Path(make_url(url).database or "")
        size = 0
        with path.open("rb") as f:
            while chunk := f.read(1 << 24):
                size += len(chunk)
        return {"mb": round(size / 2**20), "seconds": round(time.perf_counter() - t0, 1)}
    engine = make_engine(url)
    try:
        with engine.begin() as c:
            c.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
            blocks = c.execute(
                text(
                    "SELECT coalesce(sum(pg_prewarm(c.oid, 'read')), 0) FROM pg_class c "
                    "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i')"
                )
            ).scalar_one()
            block_size = int(c.execute(text("SHOW block_size")).scalar_one())
    finally:
        engine.dispose()
    return {
        "mb": round(int(blocks) * block_size / 2**20),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def run_dataset(d: Dataset, o: Options, build: bool, engines_done: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "label": d.label,
        "url": mask_url(d.url),
        "engine": d.engine,
        "scale": d.scale,
        "steps": {},
    }
    try:
        count = certificate_count(d.url)
        if not count and build:
            # no time limit in a full run: 10 M certificates take hours on this machine
            out.update(build_dataset(d, o.step_timeout if o.smoke else None, smoke=o.smoke))
            count = certificate_count(d.url)
    except Exception as exc:
        out["error"] = f"could not open or build the dataset: {exc}"
        return out
    out["certificates"] = count
    if not count:
        out["error"] = "the dataset has no certificates: build it (--build) or name another URL"
        return out
    if o.prewarm:
        try:
            out["prewarm"] = prewarm(d.url)
            log(f"{d.key}: prewarmed {out['prewarm']['mb']:,} MB in {out['prewarm']['seconds']} s")
        except Exception as exc:  # reported, the steps still run (on a cold cache)
            out["prewarm"] = {"error": f"{type(exc).__name__}: {exc}"}
    for step in STEPS:
        if step.key not in o.steps:
            continue
        if step.once_per_engine and d.engine in engines_done:
            out["steps"][step.key] = {
                "ok": None,
                "error": f"run once per engine: see the first {d.engine} dataset",
            }
            continue
        try:
            out["steps"][step.key] = run_step(step, d, o)
        except Exception as exc:  # a bench bug is reported, the others still run
            out["steps"][step.key] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    engines_done.add(d.engine)
    return out


# --- reading figures ------------------------------------------------------------------------------


def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` → ``{"a.b": 1}``; lists of scalars stay lists."""
    out: dict[str, Any] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}{k}."))
    elif isinstance(obj, list) and any(isinstance(x, dict | list) for x in obj):
        for i, v in enumerate(obj):
            out.update(flatten(v, f"{prefix}{i}."))
    else:
        out[prefix[:-1]] = obj
    return out


def is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def figures_of(results: dict[str, Any], dataset: str, step: str) -> dict[str, Any] | None:
    s = results["datasets"].get(dataset, {}).get("steps", {}).get(step)
    if not s or not s.get("ok"):
        return None
    figs = s.get("figures")
    return figs if isinstance(figs, dict) else None


def find(
    figs: dict[str, Any] | None, include: str, prefer: str | None = None, pick: str = "max"
) -> tuple[str, float] | None:
    """The numeric figure whose flattened key matches ``include`` (a regex); among several, the
    one matching ``prefer``, else the largest (``pick="max"``) or smallest — the conservative
    choice for a target that is an upper or a lower bound."""
    if not figs:
        return None
    hits = [(k, float(v)) for k, v in flatten(figs).items() if re.search(include, k) and
            is_number(v)]  # fmt: skip
    if not hits:
        return None
    if prefer:
        preferred = [h for h in hits if re.search(prefer, h[0])]
        if preferred:
            hits = preferred
    return max(hits, key=lambda h: h[1]) if pick == "max" else min(hits, key=lambda h: h[1])


# --- targets --------------------------------------------------------------------------------------


@dataclass
class Target:
    text: str
    measured: str = "not measured"
    met: bool | None = None
    where: str = ""
    notes: list[str] = field(default_factory=list)


def target_dataset(results: dict[str, Any]) -> str | None:
    """Issue 9's targets are stated at 10 M on PostgreSQL: that dataset, else the largest
    PostgreSQL one measured, else any."""
    ds = results["datasets"]
    ok = [k for k, v in ds.items() if v.get("certificates")]
    pg = [k for k in ok if ds[k]["engine"] == "postgresql"]
    pool = pg or ok
    return max(pool, key=lambda k: ds[k]["certificates"]) if pool else None


def server_memory(http: dict[str, Any]) -> float:
    """The server's memory under load: the PSS sum when measured, else the RSS sum."""
    return float(http.get("memory_max_mb") or http["rss_max_mb"])


def engine_step(results: dict[str, Any], key: str | None, step: str) -> str | None:
    """The dataset whose run of a once-per-engine step (import, search) serves ``key``'s
    engine."""
    if not key:
        return None
    ds = results["datasets"]
    for k, v in ds.items():
        if v["engine"] == ds[key]["engine"] and figures_of(results, k, step):
            return str(k)
    return None


def evaluate_targets(results: dict[str, Any]) -> list[Target]:
    ds = results["datasets"]
    key = target_dataset(results)
    where = ""
    if key:
        where = f"{ds[key]['label']}"
    http = figures_of(results, key, "http") if key else None
    targets: list[Target] = []

    def ratio_target(text: str, ratio_key: str, bound: float) -> Target:
        t = Target(text, where=where)
        if http:
            r = http["ratios"][ratio_key]
            t.measured = f"{r:.2f}×"
            t.met = r >= bound
            if not http.get("client_is_wrk"):
                t.met = None
                t.notes.append("Python fallback client: not comparable")
        return t

    targets.append(ratio_target("verification ≥ 0.8× row-fetch throughput", "verify_vs_row", 0.8))
    targets.append(
        ratio_target("verification ≥ 0.5× trivial-endpoint throughput", "verify_vs_trivial", 0.5)
    )
    t = Target("verification p99 ≤ 20 ms", where=where)
    if http:
        p99 = http["endpoints"]["verify"]["p99_ms"]
        t.measured = f"{p99:.1f} ms"
        t.met = p99 <= 20
        light = http["endpoints"].get("verify_light")
        if light:
            t.notes.append(
                f"{light['p99_ms']:.1f} ms with {light['connections']} connection(s), "
                "without queueing"
            )
    targets.append(t)

    # import: run once per engine; read it on the target dataset's engine
    imp_key = engine_step(results, key, "import")
    imp = figures_of(results, imp_key, "import") if imp_key else None
    t = Target("import ≥ 0.3× raw COPY", where=ds[imp_key]["label"] if imp_key else where)
    files = imp.get("files") if imp else None
    cert = next(
        (f for f in files or [] if isinstance(f, dict) and f.get("file") == "certificates.csv"),
        None,
    )
    if cert and is_number(cert.get("ratio")):
        t.measured = (
            f"{cert['ratio']:.3f}× ({cert.get('import_rows_per_s', 0):,.0f} against "
            f"{cert.get('raw_rows_per_s', 0):,.0f} rows/s, "
            f"{cert.get('rows', 0):,} certificate rows)"
        )
        t.met = cert["ratio"] >= 0.3
    elif hit := find(imp, r"ratio|vs_copy|vs_raw", prefer=r"certificates(?!_event)", pick="min"):
        t.measured = f"{hit[1]:.3f}× (`{hit[0]}`)"
        t.met = hit[1] >= 0.3
    targets.append(t)

    search_key = engine_step(results, key, "search")
    t = Target("search p95 ≤ 50 ms", where=ds[search_key]["label"] if search_key else where)
    sfigs = figures_of(results, search_key, "search") if search_key else None
    if sfigs and is_number(sfigs.get("n")):
        t.notes.append(f"over {sfigs['n']:,} indexed organizations")
    hit = find(
        sfigs,
        r"p95",
        prefer=r"(^|[._])(all|overall|total)([._]|$)",
    )
    if hit:
        t.measured = f"{hit[1]:.1f} ms (`{hit[0]}`)"
        t.met = hit[1] <= 50
    targets.append(t)

    t = Target("full supervision scan ≤ 60 s", where=where)
    hit = find(
        figures_of(results, key, "scan") if key else None,
        r"(^|[._])(scan_)?(seconds|elapsed_s|duration_s|total_s|wall_s)$",
        prefer=r"^(scan_)?seconds$",
    )
    if hit:
        t.measured = f"{hit[1]:.1f} s (`{hit[0]}`)"
        t.met = hit[1] <= 60
    targets.append(t)

    t = Target("100 k-row batch verification ≤ 10 s", where=where)
    vfigs = figures_of(results, key, "verify") if key else None
    hit = find(vfigs, r"batch.*(seconds|_s)$|(seconds|_s)$.*batch", prefer=r"100")
    if hit:
        t.measured = f"{hit[1]:.1f} s (`{hit[0]}`)"
        t.met = hit[1] <= 10
        rows = find(vfigs, r"batch[._]rows$")
        if rows and rows[1] < 100_000:
            t.notes.append(f"batch of {rows[1]:,.0f} rows, not 100,000")
            t.met = None
    targets.append(t)

    t = Target("server RSS ≤ 300 MB under load", where=where)
    if http:
        mem = server_memory(http)
        t.measured = (
            f"{mem:.0f} MB ({http.get('memory_measure', 'sum of RSS')} over "
            f"{http.get('server_processes', '?')} processes; largest process RSS "
            f"{http['rss_process_max_mb']:.0f} MB)"
        )
        t.met = mem <= 300
    targets.append(t)

    # RSS flat with data size: the same server at 1 M and at 10 M certificates
    t = Target("server RSS flat with data size (1 M → 10 M, ≤ +15 %)")
    pairs = []
    for engine in ("postgresql", "sqlite"):
        sized = [
            (v["certificates"], k)
            for k, v in ds.items()
            if v["engine"] == engine and figures_of(results, k, "http")
        ]
        if len(sized) >= 2:
            sized.sort()
            pairs.append((engine, sized[0], sized[-1]))
    if pairs:
        engine, (n_small, small), (n_big, big) = pairs[0]
        a = server_memory(figures_of(results, small, "http") or {})
        b = server_memory(figures_of(results, big, "http") or {})
        t.measured = f"{a:.0f} MB at {n_small:,} → {b:.0f} MB at {n_big:,}"
        t.met = b <= a * 1.15
        t.where = engine
    else:
        t.notes.append("needs the HTTP step on two sizes of one engine (--pg-1m and --pg-10m)")
    targets.append(t)

    t = Target(
        "import memory flat with file size (≤ +15 %)",
        where=ds[imp_key]["label"] if imp_key else "",
    )
    flat = None
    sizes = sorted(
        (m["rows"], m["peak_rss_mb"])
        for m in (imp or {}).get("memory") or []
        if isinstance(m, dict) and is_number(m.get("rows")) and is_number(m.get("peak_rss_mb"))
    )
    if len(sizes) >= 2:
        (r0, m0), (r1, m1) = sizes[0], sizes[-1]
        t.measured = f"peak RSS {m0:.0f} MB at {r0:,} rows → {m1:.0f} MB at {r1:,} rows"
        t.met = m1 <= m0 * 1.15
    elif imp:
        for k, v in flatten(imp).items():
            if re.search(r"flat", k) and isinstance(v, bool):
                flat = (k, v)
        peak = find(imp, r"(rss|mem).*(mb|kib|bytes)|peak", pick="max")
        if flat:
            t.met = flat[1]
            t.measured = f"`{flat[0]}` = {flat[1]}"
            if peak:
                t.measured += f"; peak {peak[1]:,.0f} (`{peak[0]}`)"
        elif peak:
            t.measured = f"peak {peak[1]:,.0f} (`{peak[0]}`)"
            t.notes.append("no flatness verdict in the import figures")
    targets.append(t)
    return targets


# --- the report -----------------------------------------------------------------------------------


def mask_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def display_command(argv: list[str]) -> str:
    shown = []
    for a in argv:
        shown.append(mask_url(a) if "://" in a else a)
    return shlex.join(shown)


def fmt(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.3g}" if abs(v) < 1 else f"{v:,.1f}"
    if isinstance(v, list):
        return json.dumps(v, ensure_ascii=False)[:120]
    return str(v).replace("|", "\\|").replace("\n", " ")[:160]


def verdict(met: bool | None) -> str:
    return {True: "**met**", False: "**not met**", None: "not evaluated"}[met]


def fmt_mb(v: Any) -> str:
    return f"{v:.0f}" if is_number(v) else "–"


def render_http(f: dict[str, Any]) -> list[str]:
    s = f["settings"]
    lines = [
        f"Load generator: {f['client']}, {s['threads']} thread(s), {s['connections']} "
        f"connections, {s['warmup_s']} s warm-up then {s['duration_s']} s per endpoint; server "
        f"`{f['server_command']}` ({s['server_workers']} worker(s)); "
        f"{s['sample_numbers']:,} real certificate numbers drawn at random plus "
        f"{s['unknown_numbers']} unknown ones, cycled; verification with market "
        f"{s['market']}.",
        "",
        "| endpoint | path | connections | req/s | p50 ms | p99 ms | max ms | non-2xx | errors | "
        "server PSS / RSS max MB (largest process RSS) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, e in f["endpoints"].items():
        conns = e.get("connections", s["connections"])
        lines.append(
            f"| {name} | `{e['path']}` | {conns} | {e['requests_per_s']:,.0f} | "
            f"{e['p50_ms']:.2f} | {e['p99_ms']:.2f} | {e['max_ms']:.1f} | {e['non_2xx']} | "
            f"{e['socket_errors'] + e['timeouts']} | {fmt_mb(e.get('pss_total_max_mb'))} / "
            f"{e['rss_total_max_mb']:.0f} ({e['rss_process_max_mb']:.0f}) |"
        )
    r = f["ratios"]
    lines += [
        "",
        f"Ratios: verify / row fetch **{r['verify_vs_row']:.2f}×**, verify / trivial "
        f"**{r['verify_vs_trivial']:.2f}×**, row fetch / trivial {r['row_vs_trivial']:.2f}×. "
        f"Server memory ({f.get('memory_measure', 'sum of RSS')} over "
        f"{f.get('server_processes', '?')} processes): idle "
        f"{fmt_mb(f.get('pss_idle_mb') or f['rss_idle_mb'])} MB, max under load "
        f"{server_memory(f):.0f} MB.",
    ]
    bad = {k: e["non_2xx"] + e["socket_errors"] for k, e in f["endpoints"].items()}
    if any(bad.values()):
        lines.append(f"\n⚠ error responses during the load (figures suspect): {bad}")
    if not f.get("client_is_wrk"):
        lines.append(
            "\n⚠ wrk was not installed: these figures come from the Python fallback client "
            "and are not comparable with wrk's."
        )
    return lines


def render_step(key: str, s: dict[str, Any]) -> list[str]:
    step = next(x for x in STEPS if x.key == key)
    lines = [f"#### {step.title} (`bench/{step.script}`)", ""]
    if s.get("ok") is None:
        return [*lines, f"Not run here: {s.get('error')}.", ""]
    if s.get("command"):
        lines += [f"`{s['command']}` — {s.get('seconds', 0):.0f} s", ""]
    if not s.get("ok"):
        lines += [f"**Failed:** {fmt(s.get('error'))}", ""]
        if s.get("stdout_tail"):
            lines += ["```", s["stdout_tail"], "```", ""]
        return lines
    if s.get("options_not_offered"):
        lines += [f"(options not offered by the script, left out: {s['options_not_offered']})", ""]
    figs = s["figures"]
    if key == "http":
        return [*lines, *render_http(figs), ""]
    return [*lines, *render_figures(figs)]


def _is_record_list(v: Any) -> bool:
    """A list of dicts of scalars (per file, per size, ...): drawn as one table."""
    return (
        isinstance(v, list)
        and bool(v)
        and all(
            isinstance(r, dict) and r and all(not isinstance(x, dict | list) for x in r.values())
            for r in v
        )
    )


def _is_matrix(v: Any) -> bool:
    """A dict of dicts of scalars (per query type, per file, ...): drawn as one table."""
    return (
        isinstance(v, dict)
        and len(v) > 1
        and all(
            isinstance(r, dict) and r and all(not isinstance(x, dict | list) for x in r.values())
            for r in v.values()
        )
    )


def render_figures(figs: dict[str, Any], limit: int = 60) -> list[str]:
    """A step's JSON figures as they are: scalars in a figure/value table, each dict of
    same-shaped dicts as a table of its own, anything else flattened."""
    lines: list[str] = []
    scalars: dict[str, Any] = {}
    for k, v in figs.items():
        if _is_record_list(v) or _is_matrix(v):
            if isinstance(v, list):
                v = {str(i + 1): row for i, row in enumerate(v)}
            cols: list[str] = []
            for row in v.values():
                cols += [c for c in row if c not in cols]
            lines += [f"`{k}`:", "", "| | " + " | ".join(cols) + " |"]
            lines.append("|---" * (len(cols) + 1) + "|")
            for name, row in v.items():
                lines.append(f"| {name} | " + " | ".join(fmt(row.get(c, "")) for c in cols) + " |")
            lines.append("")
        else:
            scalars.update(flatten({k: v}))
    if scalars:
        table = ["| figure | value |", "|---|---|"]
        for k, v in list(scalars.items())[:limit]:
            table.append(f"| `{k}` | {fmt(v)} |")
        if len(scalars) > limit:
            table.append(f"| … | {len(scalars) - limit} more in the JSON figures |")
        lines = [*table, "", *lines]
    return lines


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        BEGIN,
        "<!-- generated by bench/run.py: do not edit by hand between these markers -->",
        "",
        f"## Suite run {results['date']}",
        "",
        f"Command: `{results['command']}`  ",
        f"Commit: `{results['commit']}`  ",
        f"Date: {results['started']} → {results['finished']} (UTC), {results['seconds']:.0f} s",
        "",
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB RAM, Linux "
        f"{m['kernel']}; Python {m['python']}, SQLite {m['sqlite']}, PostgreSQL "
        f"{m['postgresql'] or '(not used)'}; load generator {m['wrk'] or 'wrk not installed'}; "
        f"load average at start {m['load_average_at_start']}. The database, the server and the "
        "load generator share the machine.",
        "",
    ]
    if results.get("smoke"):
        lines += [
            "**Smoke run**: tiny worlds and seconds-long loads, to check that every step runs. "
            "These figures say nothing about speed.",
            "",
        ]
    lines += ["### Targets of issue 9", ""]
    key = target_dataset(results)
    if key:
        d = results["datasets"][key]
        note = ""
        if d["engine"] != "postgresql" or d["certificates"] < 10_000_000:
            note = " — the targets are stated at 10 M certificates on PostgreSQL"
        lines += [f"Read on: {d['label']}, {d['certificates']:,} certificates{note}.", ""]
    lines += ["| target | measured | | on | notes |", "|---|---|---|---|---|"]
    for t in results["targets"]:
        lines.append(
            f"| {t['text']} | {t['measured']} | {verdict(t['met'])} | {t['where']} | "
            f"{'; '.join(t['notes'])} |"
        )
    lines.append("")
    for _k, d in results["datasets"].items():
        lines += [f"### {d['label']}", ""]
        count = d.get("certificates")
        lines += [f"Database `{d['url']}`, {fmt(count) if count else 'no'} certificates."]
        warm = d.get("prewarm")
        if warm and "error" in warm:
            lines += [f"Prewarm failed ({warm['error']}): the steps ran on a cold cache."]
        elif warm:
            lines += [
                f"Prewarmed: {warm['mb']:,} MB of tables and indexes read into the page cache "
                f"in {warm['seconds']} s before the steps (`--no-prewarm` measures a cold cache)."
            ]
        if d.get("built"):
            lines += [
                f"Built by this run ({'; '.join(d['build_commands'])}) in "
                f"{d['build_seconds']:.0f} s."
            ]
        lines.append("")
        if d.get("error"):
            lines += [f"**Not measured:** {d['error']}", ""]
            continue
        for step_key, s in d["steps"].items():
            lines += render_step(step_key, s)
    lines += ["### Notes", ""]
    lines += [f"- {n}" for n in results["notes"]]
    lines += ["", END]
    return "\n".join(lines) + "\n"


NOTES = [
    "Throughput figures are read as ratios against baselines measured on the same server in "
    "the same run (this machine swings by ~35 % between runs). The trivial endpoint is "
    "`GET /api/v1/health` (no database); the row fetch is `GET /api/v1/bench/certificate-row`, "
    "served only with `ACCORDIA_BENCH_ENDPOINTS=true`: the same session dependency as "
    "verification, one indexed SELECT of the certificate row by normalised number, the row as "
    "JSON.",
    "The server runs with the rate limits lifted (`ACCORDIA_RATE_LIMIT_ADDRESS` and "
    "`_TOKEN` = 10⁹): one load generator is one client address. The limiter's bookkeeping is "
    "still done on the row and verify paths; `/api/v1/health` is exempt from it in production "
    "too.",
    "Server memory: the server process, its workers and multiprocessing's resource tracker, "
    "sampled every 0.25 s during each load. The target is read on the sum of their PSS "
    "(`/proc/<pid>/smaps_rollup`: pages shared between them, such as the Python runtime and "
    "its libraries, counted once); the sum of `VmRSS`, which counts those pages once per "
    "process, and the largest single process's RSS are shown beside it. 'Flat with data size' "
    "compares the maximum at the smallest and the largest dataset of one engine (≤ +15 %).",
    "Latency under a closed loop of C connections that saturates the server is at least "
    "C / throughput (every connection waits for the requests ahead of it), so the p99 of the "
    "32-connection run measures queueing as much as service time; `verify_light` repeats "
    "verification with one connection per server worker, whose p99 is closer to the service "
    "time alone. A p99 ≤ 20 ms at 32 connections needs ≥ 1,600 verdicts/s.",
    "A step's figures are its script's JSON output (`--json-out`), shown as they are; a target "
    "is read from the figure named in its row. A step that failed or is not built is shown as "
    "such and its targets as 'not evaluated'.",
]


def write_report(text: str, out: Path) -> None:
    """Replace the generated block of ``out`` (or add one after its title), keep the rest."""
    if out.exists():
        old = out.read_text(encoding="utf-8")
        if BEGIN in old and END in old:
            head, rest = old.split(BEGIN, 1)
            tail = rest.split(END, 1)[1]
            new = head + text.rstrip("\n") + tail
        else:
            lines = old.splitlines(keepends=True)
            cut = 1 if lines and lines[0].startswith("# ") else 0
            new = "".join(lines[:cut]) + "\n" + text + "\n" + "".join(lines[cut:])
    else:
        new = "# Performance\n\n" + text
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(new, encoding="utf-8")


# --- main -----------------------------------------------------------------------------------------


def smoke_datasets(workdir: Path, engines: list[str]) -> tuple[list[Dataset], list[str]]:
    """Tiny worlds the smoke run builds itself: a SQLite file in ``workdir`` and, when
    ``ACCORDIA_DATABASE_URL`` names PostgreSQL, a throw-away database on that server."""
    out, to_drop = [], []
    if "sqlite" in engines:
        url = f"sqlite:///{workdir / 'smoke.db'}"
        out.append(
            Dataset("smoke-sqlite", "SQLite, smoke world", url,
                    SMOKE_SCALE)
        )  # fmt: skip
        to_drop.append(url)
    base = os.environ.get("ACCORDIA_DATABASE_URL", "")
    if "postgresql" in engines and base.startswith("postgresql"):
        url = (
            make_url(base)
            .set(drivername="postgresql+psycopg", database=f"accbench_smoke_{uuid.uuid4().hex[:8]}")
            .render_as_string(hide_password=False)
        )
        out.append(
            Dataset(
                "smoke-postgresql",
                "PostgreSQL, smoke world",
                url,
                SMOKE_SCALE,
            )
        )
        to_drop.append(url)
    return out, to_drop


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Accordia's benchmark suite (issue 9): runs every step on every dataset "
        "given and writes the report between the bench markers of --out.",
    )
    ap.add_argument("--pg-1m", metavar="URL", help="PostgreSQL demo database, 1 M certificates")
    ap.add_argument("--pg-10m", metavar="URL", help="PostgreSQL demo database, 10 M certificates")
    ap.add_argument("--sqlite-1m", metavar="URL", help="SQLite demo database, 1 M certificates")
    ap.add_argument(
        "--build",
        action="store_true",
        help="build a missing dataset (accordia db upgrade; accordia demo --scale N)",
    )
    ap.add_argument("--smoke", action="store_true", help="tiny worlds, every step, seconds each")
    ap.add_argument(
        "--smoke-engines",
        default="sqlite,postgresql",
        help="engines of the smoke run (postgresql needs ACCORDIA_DATABASE_URL to name one)",
    )
    ap.add_argument("--out", type=Path, help="report file (default docs/performance.md; smoke: "
                    "a temporary directory)")  # fmt: skip
    ap.add_argument("--json-out", type=Path, help="also write all figures as one JSON file")
    ap.add_argument("--steps", default=",".join(STEP_KEYS), help="steps to run, comma-separated")
    ap.add_argument("--duration", type=int, help="seconds of HTTP load per endpoint (10)")
    ap.add_argument("--warmup", type=int, help="seconds of warm-up per endpoint (3)")
    ap.add_argument("--connections", type=int, help="HTTP connections (32)")
    ap.add_argument("--threads", type=int, help="wrk threads (1)")
    ap.add_argument("--workers", type=int, help="server worker processes (2)")
    ap.add_argument("--sample", type=int, help="certificate numbers cycled by the load (5000)")
    ap.add_argument(
        "--client",
        choices=("wrk", "python", "auto"),
        help="HTTP load generator (wrk; the smoke run: auto = wrk if installed, else the "
        "labelled Python fallback)",
    )
    ap.add_argument("--import-scale", type=int, help="certificates of the import step (100000)")
    ap.add_argument(
        "--import-mem-sizes",
        help="file sizes (certificate rows) at which import memory is measured "
        "(20000,100000,500000)",
    )
    ap.add_argument("--search-n", type=int, help="organizations of the search step (1000000)")
    ap.add_argument("--search-queries", type=int, help="queries of the search step (600)")
    ap.add_argument(
        "--search-pg",
        metavar="URL",
        help="PostgreSQL database already built by bench/search_bench.py (default: a sibling "
        "<dataset>_search, built on first use and reused)",
    )
    ap.add_argument("--search-sqlite", metavar="URL", help="the same for SQLite")
    ap.add_argument("--step-timeout", type=float, help="seconds before a step is abandoned")
    ap.add_argument(
        "--prewarm",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="read each dataset into memory before its steps (PostgreSQL: pg_prewarm in "
        "'read' mode, i.e. the OS page cache; SQLite: the file), so that the figures are of a "
        "server whose data fits its memory, not of the first touch of each page (default on)",
    )
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    raw_argv = list(sys.argv[1:] if argv is None else argv)
    a = parse_args(raw_argv)
    started = utcnow()
    t0 = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="accordia-bench-"))
    smoke = a.smoke
    steps = [s.strip() for s in a.steps.split(",") if s.strip()]
    unknown = [s for s in steps if s not in STEP_KEYS]
    if unknown:
        print(f"unknown step(s) {unknown}; choose from {', '.join(STEP_KEYS)}", file=sys.stderr)
        return 64

    def pick(value: Any, full: Any, tiny: Any) -> Any:
        return value if value is not None else (tiny if smoke else full)

    opts = Options(
        smoke=smoke,
        duration=pick(a.duration, 10, 1),
        warmup=pick(a.warmup, 3, 1),
        connections=pick(a.connections, 32, 4),
        threads=pick(a.threads, 1, 1),
        workers=pick(a.workers, 2, 1),
        sample=pick(a.sample, 5000, 100),
        client=pick(a.client, "wrk", "auto"),
        import_scale=pick(a.import_scale, 100_000, 200),
        import_mem_sizes=pick(a.import_mem_sizes, "20000,100000,500000", "100,200"),
        search_n=pick(a.search_n, 1_000_000, 300),
        search_queries=pick(a.search_queries, 600, 40),
        search_urls={
            k: v for k, v in (("postgresql", a.search_pg), ("sqlite", a.search_sqlite)) if v
        },
        step_timeout=pick(a.step_timeout, 4 * 3600, 300),
        steps=steps,
        workdir=workdir,
        prewarm=a.prewarm,
    )
    to_drop: list[str] = []
    if smoke:
        datasets, to_drop = smoke_datasets(workdir, a.smoke_engines.split(","))
        build = True
        out = a.out or workdir / "performance.md"
    else:
        datasets = [
            Dataset(key, label, url, scale)
            for key, label, url, scale in (
                ("pg-1m", "PostgreSQL, 1 M certificates", a.pg_1m, 1_000_000),
                ("pg-10m", "PostgreSQL, 10 M certificates", a.pg_10m, 10_000_000),
                ("sqlite-1m", "SQLite, 1 M certificates", a.sqlite_1m, 1_000_000),
            )
            if url
        ]
        build = a.build
        out = a.out or DEFAULT_OUT
        if not datasets:
            print("name at least one dataset (--pg-1m, --pg-10m, --sqlite-1m) or --smoke",
                  file=sys.stderr)  # fmt: skip
            return 64
    pg_url = next((d.url for d in datasets if d.engine == "postgresql"), None)
    results: dict[str, Any] = {
        "smoke": smoke,
        "date": f"{started:%Y-%m-%d}",
        "started": f"{started:%Y-%m-%d %H:%M:%S}",
        "command": display_command(["python", "bench/run.py", *raw_argv]),
        "commit": git_commit(),
        "options": {k: v for k, v in vars(opts).items() if k not in ("workdir", "created")},
        "datasets": {},
    }
    engines_done: set[str] = set()
    prefetch_options(steps)
    try:
        for d in datasets:
            log(f"dataset {d.key}: {mask_url(d.url)}")
            results["datasets"][d.key] = run_dataset(d, opts, build, engines_done)
        # the machine facts after the datasets exist (the PostgreSQL version needs a database)
        results["machine"] = machine_facts(pg_url)
    finally:
        if smoke:  # the smoke run's databases, and those its steps derived from them
            for url in [*opts.created, *to_drop]:
                try:
                    drop_database(url)
                    drop_databases_prefixed(url)
                except Exception as exc:
                    log(f"could not drop {mask_url(url)}: {exc}")
    finished = utcnow()
    results["finished"] = f"{finished:%Y-%m-%d %H:%M:%S}"
    results["seconds"] = time.perf_counter() - t0
    results["targets"] = [vars(t) for t in evaluate_targets(results)]
    results["notes"] = list(NOTES)
    if opts.created and not smoke:
        results["notes"].append(
            "Databases created by this run and kept for the next: "
            + ", ".join(f"`{mask_url(u)}`" for u in opts.created)
            + "."
        )
    if smoke:
        results["notes"].append(
            f"Smoke run: worlds of {SMOKE_SCALE} certificates built by this run and dropped "
            "after it; HTTP loads of a second per endpoint."
        )
    write_report(render(results), out)
    results["report"] = str(out)
    json_out = a.json_out or (workdir / "results.json" if smoke else None)
    if json_out:
        write_json(json_out, results)
    log(f"report written to {out}" + (f"; figures in {json_out}" if json_out else ""))
    keep = [p for p in (out, json_out) if p and workdir in Path(p).resolve().parents]
    if not keep:  # the steps' JSON files are merged into the results: nothing else to keep
        shutil.rmtree(workdir, ignore_errors=True)
    failed = [
        f"{k}/{s}"
        for k, d in results["datasets"].items()
        for s, r in d["steps"].items()
        if r.get("ok") is False
    ] + [k for k, d in results["datasets"].items() if d.get("error")]
    if failed:
        log(f"failed or not run: {', '.join(failed)}")
    print(json.dumps({"report": str(out), "json": str(json_out) if json_out else None,
                      "failed": failed}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
