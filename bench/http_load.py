"""HTTP load on the real server: verification against two baselines of the same server, in
the same run, with the server's memory sampled under load.

    python bench/http_load.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_1m \\
        --json-out /tmp/http.json

Starts ``accordia serve --workers W --no-access-log`` on a free loopback port over the database
of ``--url`` (with ``ACCORDIA_BENCH_ENDPOINTS=true`` and the rate limits lifted), draws a sample
of real certificate numbers from that database plus a few unknown ones, and loads, one after
the other, with the same connections, threads and duration:

* ``trivial`` — ``GET /api/v1/health`` (no database);
* ``row`` — ``GET /api/v1/bench/certificate-row?number=…`` (the certificate's row, nothing else);
* ``verify`` — ``GET /api/v1/verify?number=…&market=GB`` (the full verdict).

Each load is preceded by a warm-up of the same endpoint. The load generator is ``wrk``
(``bench/lua/paths.lua`` cycles through the numbers) in its own process; without ``wrk`` the
run stops unless ``--client python`` (or ``auto``, as the smoke run uses) asks for the
labelled Python fallback, whose figures are not comparable with wrk's.

Memory: the resident set (``VmRSS``) of the server process and its workers, sampled every
0.25 s during each load; the maximum of the sum and of the largest single process.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contextlib

from common import (
    BENCH,
    PYTHON,
    ROOT,
    RssSampler,
    certificate_count,
    engine_name,
    sample_numbers,
    tree_rss,
    write_json,
    wrk_path,
    wrk_version,
)

LUA = BENCH / "lua" / "paths.lua"
ENDPOINTS = ("trivial", "row", "verify")
UNKNOWN_SHARE = 0.01  # of the sample: numbers the registry does not hold


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the server -------------------------------------------------------------------------------


class Server:
    """``accordia serve`` in its own process group, stopped by that group's id."""

    def __init__(self, url: str, workers: int, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {
            **os.environ,
            "ACCORDIA_DATABASE_URL": url,
            "ACCORDIA_BENCH_ENDPOINTS": "true",
            # one client address sends everything: lift the per-address limits for the run
            "ACCORDIA_RATE_LIMIT_ADDRESS": "1000000000",
            "ACCORDIA_RATE_LIMIT_TOKEN": "1000000000",
            "ACCORDIA_REDIS_URL": "",
            "ACCORDIA_ECHO_SQL": "false",
        }
        self.command = [
            PYTHON,
            "-m",
            "accordia",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
            "--no-access-log",
        ]
        self._log_fh = log.open("wb")
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=env,
            stdout=self._log_fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"the server exited with status {self.proc.returncode}: {self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.base + "/api/v1/health/ready", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server was not ready within {timeout:.0f} s: {self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").strip().splitlines()[-6:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self._log_fh.close()


# --- load generators --------------------------------------------------------------------------


def run_wrk(
    base: str, paths_file: Path, duration: int, connections: int, threads: int
) -> dict[str, Any]:
    wrk = wrk_path()
    assert wrk
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA),
        base,
        "--",
        str(paths_file),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout}")
    raw = json.loads(line.removeprefix("WRK_JSON "))
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("errors_connect", "errors_read", "errors_write"))
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "requests_per_s": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["latency_max_us"] / 1000, 2),
        "non_2xx": raw["errors_status"],
        "socket_errors": errors,
        "timeouts": raw["errors_timeout"],
    }


def run_python_client(
    base: str, paths: list[str], duration: float, connections: int
) -> dict[str, Any]:
    """Fallback when wrk is missing: threads with keep-alive connections. Slower than wrk and
    sharing the GIL, so its figures are labelled and never compared with wrk's."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    latencies: list[float] = []
    failures = [0, 0]  # non-2xx, socket errors
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        mine: list[float] = []
        bad = [0, 0]
        i = offset
        while time.monotonic() < deadline:
            path = paths[i % len(paths)]
            i += 1
            t = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                if not 200 <= resp.status < 400:
                    bad[0] += 1
            except (OSError, http.client.HTTPException):
                bad[1] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=10)
                continue
            mine.append(time.perf_counter() - t)
        conn.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad[0]
            failures[1] += bad[1]

    n = max(1, min(connections, 8))
    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k * 7919,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000, 2)

    return {
        "requests": len(latencies),
        "seconds": round(seconds, 2),
        "requests_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": pct(50),
        "p90_ms": pct(90),
        "p99_ms": pct(99),
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else float("nan"),
        "non_2xx": failures[0],
        "socket_errors": failures[1],
        "timeouts": 0,
    }


# --- the measurement --------------------------------------------------------------------------


def endpoint_paths(numbers: list[str], market: str) -> dict[str, list[str]]:
    unknown = [f"BENCH-UNKNOWN-{i:05d}" for i in range(max(1, int(len(numbers) * UNKNOWN_SHARE)))]
    # spread the unknown numbers through the sample
    mixed = list(numbers)
    step = max(1, len(mixed) // len(unknown))
    for k, u in enumerate(unknown):
        mixed.insert(min(len(mixed), k * (step + 1)), u)
    q = urllib.parse.quote
    return {
        "trivial": ["/api/v1/health"],
        "row": [f"/api/v1/bench/certificate-row?number={q(n)}" for n in mixed],
        "verify": [f"/api/v1/verify?number={q(n)}&market={q(market)}" for n in mixed],
    }


def _get_json(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, None


def sanity_check(base: str, number: str, market: str) -> dict[str, Any]:
    """Each endpoint answers as the benchmark assumes before it is loaded."""
    q = urllib.parse.quote
    status, body = _get_json(base + "/api/v1/health")
    if status != 200 or body.get("status") != "ok":
        raise RuntimeError(f"/api/v1/health answered {status}: {body}")
    status, body = _get_json(base + f"/api/v1/bench/certificate-row?number={q(number)}")
    if status != 200 or not body.get("rows"):
        raise RuntimeError(f"the row endpoint did not return {number!r}: {status} {body}")
    status, body = _get_json(base + f"/api/v1/verify?number={q(number)}&market={q(market)}")
    if status != 200 or body.get("outcome") not in ("found", "ambiguous"):
        raise RuntimeError(f"/api/v1/verify did not find {number!r}: {status}")
    return {"number": number, "verify_outcome": body["outcome"], "valid": body.get("valid")}


def measure(
    url: str,
    *,
    duration: int = 10,
    warmup: int = 3,
    connections: int = 32,
    threads: int = 1,
    workers: int = 2,
    sample: int = 5000,
    market: str = "GB",
    client: str = "wrk",
    light_connections: int | None = None,
    workdir: Path | None = None,
) -> dict[str, Any]:
    if client not in ("wrk", "python", "auto"):
        raise ValueError("client must be wrk, python or auto")
    use_wrk = client == "wrk" or (client == "auto" and wrk_path() is not None)
    if use_wrk and wrk_path() is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk), or use --client python")
    threads = max(1, min(threads, connections))
    count = certificate_count(url)
    if not count:
        raise RuntimeError(f"no certificates in {url}: build the dataset first (--build)")
    numbers = sample_numbers(url, sample)
    paths = endpoint_paths(numbers, market)
    own_tmp = workdir is None
    tmp = Path(workdir or tempfile.mkdtemp(prefix="accordia-http-"))
    tmp.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, lines in paths.items():
        files[name] = tmp / f"paths-{name}.txt"
        files[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    result: dict[str, Any] = {
        "engine": engine_name(url),
        "certificates": count,
        "client": wrk_version() if use_wrk else "python threads (wrk not installed: fallback)",
        "client_is_wrk": use_wrk,
        "settings": {
            "connections": connections,
            "threads": threads,
            "duration_s": duration,
            "warmup_s": warmup,
            "server_workers": workers,
            "sample_numbers": len(numbers),
            "unknown_numbers": len(paths["row"]) - len(numbers),
            "market": market,
        },
        "endpoints": {},
    }
    server = Server(url, workers, tmp / "server.log")
    result["server_command"] = " ".join(["accordia", *server.command[3:]])
    failed = True
    try:
        server.wait_ready()
        time.sleep(0.5)  # let every worker finish starting
        result["sanity"] = sanity_check(server.base, numbers[0], market)
        idle = tree_rss(server.proc.pid)
        result["rss_idle_mb"] = round(idle.total_kib / 1024, 1)
        result["pss_idle_mb"] = round(idle.pss_kib / 1024, 1) if idle.pss_kib else None
        result["server_processes"] = idle.processes
        # the three loads, then verification again with one connection per worker: its
        # latency without the queueing that a saturating closed loop adds (≥ connections / rate)
        runs = [(name, name, connections) for name in ENDPOINTS]
        if light_connections:
            runs.append(("verify_light", "verify", light_connections))
        for key, name, conns in runs:
            warm = warmup if key == name else 0  # verify is warm by then
            t_count = max(1, min(threads, conns))
            if use_wrk:
                if warm > 0:
                    run_wrk(server.base, files[name], warm, conns, t_count)
                with RssSampler(server.proc.pid) as rss:
                    figures = run_wrk(server.base, files[name], duration, conns, t_count)
            else:
                if warm > 0:
                    run_python_client(server.base, paths[name], warm, conns)
                with RssSampler(server.proc.pid) as rss:
                    figures = run_python_client(server.base, paths[name], duration, conns)
            figures["connections"] = conns
            if not figures["requests"]:
                raise RuntimeError(
                    f"no {name} request completed in {duration} s "
                    f"({figures['timeouts']} timed out, {figures['socket_errors']} socket errors)"
                )
            figures["path"] = paths[name][0].split("?")[0]
            figures.update(rss.figures())
            result["endpoints"][key] = figures
        after = tree_rss(server.proc.pid)
        result["rss_after_mb"] = round(after.total_kib / 1024, 1)
        failed = False
    except Exception as exc:
        raise RuntimeError(f"{exc} (server log: {server.log})") from exc
    finally:
        server.stop()
        if own_tmp and not failed:
            shutil.rmtree(tmp, ignore_errors=True)
    e = result["endpoints"]
    result["ratios"] = {
        "verify_vs_row": round(e["verify"]["requests_per_s"] / e["row"]["requests_per_s"], 3),
        "verify_vs_trivial": round(
            e["verify"]["requests_per_s"] / e["trivial"]["requests_per_s"], 3
        ),
        "row_vs_trivial": round(e["row"]["requests_per_s"] / e["trivial"]["requests_per_s"], 3),
    }
    result["rss_max_mb"] = max(x["rss_total_max_mb"] for x in e.values())
    pss = [x["pss_total_max_mb"] for x in e.values() if x.get("pss_total_max_mb")]
    result["pss_max_mb"] = max(pss) if pss else None
    # the server's memory: the PSS sum where the kernel offers it (shared pages once)
    result["memory_max_mb"] = result["pss_max_mb"] or result["rss_max_mb"]
    result["memory_measure"] = "sum of PSS" if pss else "sum of RSS"
    result["rss_process_max_mb"] = max(x["rss_process_max_mb"] for x in e.values())
    return result


def table(result: dict[str, Any]) -> str:
    lines = [
        "| endpoint | req/s | p50 ms | p99 ms | non-2xx | server RSS max MB |",
        "|---|---|---|---|---|---|",
    ]
    for name, f in result["endpoints"].items():
        lines.append(
            f"| {name} | {f['requests_per_s']:,.0f} | {f['p50_ms']} | {f['p99_ms']} | "
            f"{f['non_2xx']} | {f['rss_total_max_mb']} |"
        )
    r = result["ratios"]
    lines.append(f"\nverify/row {r['verify_vs_row']}, verify/trivial {r['verify_vs_trivial']}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="SQLAlchemy URL of a built demo database")
    ap.add_argument("--json-out", type=Path, help="write the figures here as JSON")
    ap.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    ap.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per endpoint")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1, help="load generator threads")
    ap.add_argument("--workers", type=int, default=2, help="server worker processes")
    ap.add_argument("--sample", type=int, default=5000, help="certificate numbers to cycle")
    ap.add_argument("--market", default="GB")
    ap.add_argument(
        "--light-connections",
        type=int,
        help="also load verification with this many connections, for its latency without "
        "queueing (default: one per server worker; 0: not)",
    )
    ap.add_argument(
        "--client",
        choices=("wrk", "python", "auto"),
        default="wrk",
        help="load generator: wrk; python (fallback); auto: wrk when installed",
    )
    a = ap.parse_args()
    result = measure(
        a.url,
        duration=a.duration,
        warmup=a.warmup,
        connections=a.connections,
        threads=a.threads,
        workers=a.workers,
        sample=a.sample,
        market=a.market,
        client=a.client,
        light_connections=a.workers if a.light_connections is None else a.light_connections,
    )
    if a.json_out:
        write_json(a.json_out, result)
    print(table(result))


if __name__ == "__main__":
    main()
