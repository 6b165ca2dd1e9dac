"""Shared helpers of the benchmark suite (bench/run.py, bench/http_load.py): machine facts,
databases named by URL, samples of real certificate numbers, process memory from /proc, and
running a step script that writes its figures as JSON.

No figure is ever invented here: a helper that cannot measure something returns ``None`` or
raises, and the report says so.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PYTHON = sys.executable


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- databases --------------------------------------------------------------------------------


def engine_name(url: str) -> str:
    """``postgresql`` or ``sqlite`` (the SQLAlchemy backend name)."""
    return make_url(url).get_backend_name()


def make_engine(url: str) -> Engine:
    from accordia.db.engine import make_engine as accordia_engine

    engine: Engine = accordia_engine(url)
    return engine


def _pg_admin(url: str) -> Engine:
    u = make_url(url)
    return create_engine(
        u.set(drivername="postgresql+psycopg", database="postgres"), isolation_level="AUTOCOMMIT"
    )


def database_exists(url: str) -> bool:
    """Whether the database named by ``url`` exists (a SQLite file, a PostgreSQL database)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return bool(u.database) and Path(str(u.database)).exists()
    admin = _pg_admin(url)
    try:
        with admin.connect() as c:
            return bool(
                c.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database}
                ).first()
            )
    finally:
        admin.dispose()


def create_database(url: str) -> None:
    """Create the (empty) database of ``url`` unless it exists."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        Path(str(u.database)).parent.mkdir(parents=True, exist_ok=True)
        return
    if database_exists(url):
        return
    admin = _pg_admin(url)
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{u.database}"'))
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    """Drop the database of ``url`` (used only for the smoke run's own temporary databases)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{u.database}{suffix}").unlink(missing_ok=True)
        return
    admin = _pg_admin(url)
    try:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def drop_databases_prefixed(url: str) -> list[str]:
    """Drop the databases whose names start with the name of ``url``'s plus ``_`` (those a step
    derived from it, e.g. import_bench.py's ``_src``/``_dst``); SQLite: files ``<path>.*``. Used
    only for the smoke run's uniquely named throw-away databases."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        path = Path(str(u.database))
        gone = [p for p in path.parent.glob(f"{path.name}*") if p.is_file()]
        gone += [p for p in path.parent.glob(f"{path.stem}.*") if p.is_file()]
        for p in set(gone):
            p.unlink(missing_ok=True)
        return sorted(str(p) for p in set(gone))
    admin = _pg_admin(url)
    dropped = []
    try:
        with admin.connect() as c:
            like = str(u.database).replace("_", r"\_") + r"\_%"
            names = c.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": like}
            ).scalars()
            for name in list(names):
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                dropped.append(name)
    finally:
        admin.dispose()
    return dropped


def certificate_count(url: str) -> int | None:
    """Certificates in the database, or ``None`` when it has no certificate table yet."""
    if not database_exists(url):
        return None
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            try:
                return int(c.execute(text("SELECT count(*) FROM certificate")).scalar_one())
            except Exception:
                return None
    finally:
        engine.dispose()


def table_rows(url: str, table: str) -> int | None:
    """Whether ``table`` has rows (1) or not (0) in the database; ``None`` when it is absent."""
    if not database_exists(url):
        return None
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            try:
                return len(c.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).all())
            except Exception:
                return None
    finally:
        engine.dispose()


def postgres_version(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            return str(c.execute(text("SHOW server_version")).scalar_one())
    except Exception:
        return None
    finally:
        engine.dispose()


def sample_numbers(url: str, n: int, seed: int = 9) -> list[str]:
    """Up to ``n`` distinct real certificate numbers drawn at random (by id) from the database."""
    engine = make_engine(url)
    rng = random.Random(seed)
    found: dict[int, str] = {}
    try:
        with engine.connect() as c:
            lo, hi = c.execute(text("SELECT min(id), max(id) FROM certificate")).one()
            if lo is None:
                return []
            total = int(c.execute(text("SELECT count(*) FROM certificate")).scalar_one())
            want = min(n, total)
            for _round in range(20):
                if len(found) >= want:
                    break
                ids = {rng.randint(lo, hi) for _ in range(2 * (want - len(found)) + 10)} - set(
                    found
                )
                batch = sorted(ids)
                for i in range(0, len(batch), 1000):
                    chunk = batch[i : i + 1000]
                    marks = ", ".join(str(int(x)) for x in chunk)
                    for cid, number in c.execute(
                        text(f"SELECT id, number FROM certificate WHERE id IN ({marks})")
                    ):
                        found[int(cid)] = str(number)
    finally:
        engine.dispose()
    numbers = sorted(set(found.values()))
    rng.shuffle(numbers)
    return numbers[:n]


# --- machine ----------------------------------------------------------------------------------


def _first_line(cmd: list[str]) -> str | None:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text_ = (out.stdout or out.stderr).strip()
    return text_.splitlines()[0] if text_ else None


def wrk_path() -> str | None:
    return shutil.which("wrk")


def wrk_version() -> str | None:
    path = wrk_path()
    if not path:
        return None
    line = _first_line([path, "-v"])
    return line.split(" Copyright")[0].strip() if line else None


def memory_total_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def git_commit() -> str | None:
    """The checked-out commit, with ``+changes`` when the working tree differs (read-only)."""
    head = _first_line(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"])
    if not head or " " in head:
        return None
    try:
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        dirty = ""
    return f"{head}+changes" if dirty else head


def machine_facts(pg_url: str | None = None) -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_gib": memory_total_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(pg_url) if pg_url else None,
        "wrk": wrk_version(),
        "load_average_at_start": [round(x, 2) for x in load] if load else None,
    }


# --- process memory ---------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            kids.append(int(entry.name))
    return kids


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (the server and its worker processes)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(_children(p))
    return out


def rss_kib(pid: int) -> int | None:
    """Resident set size of one process (``VmRSS`` in /proc/<pid>/status), KiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def pss_kib(pid: int) -> int | None:
    """Proportional set size (``Pss`` in /proc/<pid>/smaps_rollup), KiB: pages shared with
    other processes (libraries) counted in proportion, so the sum over processes is the memory
    they occupy together, where a sum of RSS counts shared pages once per process."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


@dataclass
class RssSample:
    total_kib: int  # sum of RSS
    largest_kib: int  # RSS of the largest process
    processes: int
    pss_kib: int | None  # sum of PSS (None where /proc has no smaps_rollup)


def tree_rss(pid: int, pids: list[int] | None = None) -> RssSample:
    """Memory of ``pid`` and its descendants (``pids``: that tree, when already known)."""
    pids = pids or process_tree(pid)
    values = [v for v in (rss_kib(p) for p in pids) if v is not None]
    pss = [v for v in (pss_kib(p) for p in pids) if v is not None]
    return RssSample(sum(values), max(values, default=0), len(values), sum(pss) if pss else None)


@dataclass
class RssSampler:
    """Samples the RSS of a process tree in a background thread until stopped."""

    pid: int
    interval: float = 0.25
    samples: list[RssSample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> RssSampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        pids, listed = process_tree(self.pid), time.monotonic()
        while not self._stop.is_set():
            if time.monotonic() - listed > 5:  # a worker may have been replaced
                pids, listed = process_tree(self.pid), time.monotonic()
            self.samples.append(tree_rss(self.pid, pids))
            self._stop.wait(self.interval)

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.samples.append(tree_rss(self.pid))

    def figures(self) -> dict[str, Any]:
        if not self.samples:
            return {}
        pss = [s.pss_kib for s in self.samples if s.pss_kib is not None]
        return {
            "pss_total_max_mb": round(max(pss) / 1024, 1) if pss else None,
            "rss_total_max_mb": round(max(s.total_kib for s in self.samples) / 1024, 1),
            "rss_process_max_mb": round(max(s.largest_kib for s in self.samples) / 1024, 1),
            "rss_processes": max(s.processes for s in self.samples),
            "rss_samples": len(self.samples),
        }


# --- step scripts -----------------------------------------------------------------------------


def script_options(script: Path, timeout: float = 60) -> set[str] | None:
    """The long options a script's ``--help`` advertises (``None`` when it will not run)."""
    try:
        out = subprocess.run(
            [PYTHON, str(script), "--help"],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    import re

    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", out.stdout))


@dataclass
class StepRun:
    """One step script run: its command, exit, time and the JSON figures it wrote."""

    command: list[str]
    ok: bool
    seconds: float
    figures: dict[str, Any] | None = None
    error: str | None = None
    stdout_tail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "ok": self.ok,
            "seconds": round(self.seconds, 1),
            "figures": self.figures,
            "error": self.error,
            "stdout_tail": self.stdout_tail,
        }


def _tail(text_: str, lines: int = 12) -> str:
    return "\n".join(text_.strip().splitlines()[-lines:])


def run_json_script(
    command: list[str], json_out: Path, timeout: float, env: dict[str, str] | None = None
) -> StepRun:
    """Run ``command`` (which writes its figures to ``json_out``) and collect the figures."""
    json_out.unlink(missing_ok=True)
    start = time.perf_counter()
    try:
        out = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
        )
    except subprocess.TimeoutExpired as exc:
        return StepRun(
            command,
            False,
            time.perf_counter() - start,
            error=f"timed out after {timeout:.0f} s",
            stdout_tail=_tail(str(exc.stdout or "")),
        )
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        return StepRun(
            command,
            False,
            seconds,
            error=f"exit status {out.returncode}: {_tail(out.stderr, 8)}",
            stdout_tail=_tail(out.stdout),
        )
    if not json_out.exists():
        return StepRun(
            command,
            False,
            seconds,
            error="the script exited 0 but wrote no JSON figures",
            stdout_tail=_tail(out.stdout),
        )
    try:
        figures = json.loads(json_out.read_text(encoding="utf-8"))
    except ValueError as exc:
        return StepRun(command, False, seconds, error=f"unreadable JSON figures: {exc}")
    if not isinstance(figures, dict):
        return StepRun(command, False, seconds, error="the JSON figures are not an object")
    return StepRun(command, True, seconds, figures=figures, stdout_tail=_tail(out.stdout))


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", "utf-8")
