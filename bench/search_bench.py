"""Search benchmark: build N organizations into a database and time a mixed query set.

    python bench/search_bench.py --url postgresql+psycopg://postgres@127.0.0.1/accordia_bench \
        --n 1000000
    python bench/search_bench.py --url sqlite:///bench-search.db --n 100000

Only the search tables (``search_entity``, ``search_term``, ``search_token`` and the engine's
FTS5 / pg_trgm structures) are dropped and rebuilt; ``--skip-build`` reuses an existing index
of the same ``--n`` and ``--seed``. Prints a markdown table of p50/p95/p99/max latency,
recall@10 and MRR per query type, and the latency of bad input (empty, one character, 10,000
characters, emoji only, SQL-looking, mixed script), which must be answered without a scan.
A ``roundtrip`` row times a ``SELECT 1`` after each query (a baseline measured in the same
run: on a shared machine, how long a statement waits for a CPU). ``--json-out FILE`` also
writes the figures as JSON (engine, n, per query type and overall p50/p95/p99/max, recall@10,
MRR, index build seconds, load average), for a suite runner.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from typing import Any

import opencc
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker
from stdnum.cn import uscc

from accordia.db.base import Base
from accordia.db.engine import make_engine
from accordia.models.search import (
    SearchEntity,
    SearchState,
    SearchTerm,
    SearchToken,
    drop_search_ddl,
    install_search_ddl,
)
from accordia.search import index_entities, search
from accordia.search.normalize import pinyin

TABLES = [
    SearchEntity.__table__,
    SearchTerm.__table__,
    SearchToken.__table__,
    SearchState.__table__,
]
CITIES = [
    ("深圳市", "Shenzhen", "440300"), ("广州市", "Guangzhou", "440100"),
    ("东莞市", "Dongguan", "441900"), ("佛山市", "Foshan", "440600"),
    ("苏州市", "Suzhou", "320500"), ("杭州市", "Hangzhou", "330100"),
    ("宁波市", "Ningbo", "330200"), ("上海", "Shanghai", "310000"),
    ("北京", "Beijing", "110000"), ("天津", "Tianjin", "120000"),
    ("厦门市", "Xiamen", "350200"), ("青岛市", "Qingdao", "370200"),
    ("成都市", "Chengdu", "510100"), ("武汉市", "Wuhan", "420100"),
    ("南京市", "Nanjing", "320100"), ("无锡市", "Wuxi", "320200"),
    ("重庆市", "Chongqing", "500000"), ("西安市", "Xi'an", "610100"),
    ("长沙市", "Changsha", "430100"), ("郑州市", "Zhengzhou", "410100"),
]  # fmt: skip
INDUSTRIES = [
    ("电子科技", "Electronic Technology"), ("科技", "Technology"),
    ("精密机械", "Precision Machinery"), ("新材料", "New Material"),
    ("医疗器械", "Medical Device"), ("食品", "Food"), ("电器", "Electrical Appliance"),
    ("光电", "Optoelectronics"), ("智能科技", "Intelligent Technology"), ("纺织", "Textile"),
    ("塑胶制品", "Plastic Products"), ("检测技术", "Testing Technology"),
    ("环保科技", "Environmental Technology"), ("汽车零部件", "Auto Parts"),
    ("实业", "Industrial"), ("贸易", "Trading"),
]  # fmt: skip
LEGAL = ["有限公司", "股份有限公司", "有限责任公司"]
CORE = (
    "华瑞鑫恒宏盛嘉泰源丰兴隆景辉晟德博睿凯峰腾飞龙豪锦铭骏澳航星光耀新诺康昌维联宇振通科力"
    "中海天明立志元美创远佳乐弘硕祥富润汇诚宝金银永福安广和平东南西北"
)
ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def org(i: int, seed: int) -> dict[str, Any]:
    """Organization ``i`` (deterministic: regenerated for the queries without storing)."""
    r = random.Random(seed * 10_000_019 + i)
    city_zh, city_en, div = CITIES[r.randrange(len(CITIES))]
    core = "".join(r.choice(CORE) for _ in range(r.choice((2, 3, 3, 4))))
    ind_zh, ind_en = INDUSTRIES[r.randrange(len(INDUSTRIES))]
    legal = LEGAL[r.randrange(3)]
    body = "91" + div + "".join(r.choice(ALPHA) for _ in range(9))
    key = body + uscc.calc_check_digit(body)
    core_py = "".join(pinyin(core)).capitalize()
    return {
        "kind": "organization",
        "key": key,
        "name_zh": f"{city_zh}{core}{ind_zh}{legal}",
        "name_en": f"{city_en} {core_py} {ind_en} Co., Ltd.",
        "economy": "CN",
        "identifiers": [{"scheme": "USCC", "value": key}],
        "extra": {"core": core, "city": city_zh, "city_en": city_en},
    }


def build(url: str, n: int, seed: int, batch: int) -> dict[str, float]:
    engine = make_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn, tables=TABLES)
        Base.metadata.create_all(conn, tables=TABLES)
        drop_search_ddl(conn)  # load first, index after: much faster on both engines
    factory = sessionmaker(bind=engine)
    t0 = time.perf_counter()
    for start in range(0, n, batch):
        with factory() as s:
            index_entities(
                s, (org(i, seed) for i in range(start, min(n, start + batch))), replace=False
            )
            s.commit()
        done = min(n, start + batch)
        rate = done / (time.perf_counter() - t0)
        print(f"  indexed {done:,}/{n:,} ({rate:,.0f}/s)", file=sys.stderr, end="\r")
    t1 = time.perf_counter()
    text_index(engine)
    t2 = time.perf_counter()
    print(
        f"\nbuilt {n:,} organizations: rows {t1 - t0:.0f} s, text index {t2 - t1:.0f} s",
        file=sys.stderr,
    )
    engine.dispose()
    return {
        "rows_s": round(t1 - t0, 1),
        "text_index_s": round(t2 - t1, 1),
        "total_s": round(t2 - t0, 1),
        "entities_per_s": round(n / (t2 - t0), 1),
    }


def text_index(engine: Any) -> None:
    """Build the engine's text index over the loaded rows, then ANALYZE. SQLite gets a 1 GB
    page cache for it: FTS5 merges its segments in the cache (with the default 2 MB it
    rewrites them over and over: hours at 8 M rows)."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA cache_size=-1048576")
        drop_search_ddl(conn)
        install_search_ddl(conn)
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE search_term"))
            conn.execute(text("ANALYZE search_entity"))
        else:
            conn.execute(text("ANALYZE"))


_FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def _typo(word: str, r: random.Random) -> str:
    i = r.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def queries(n: int, seed: int, count: int) -> list[tuple[str, str, str]]:
    """(type, query, expected key) for ``count`` random organizations among the first ``n``."""
    r = random.Random(seed)
    s2t = opencc.OpenCC("s2t")
    out = []
    types = ["zh_full", "zh_partial", "traditional", "pinyin", "english_typo", "uscc"]
    for j in range(count):
        o = org(r.randrange(n), seed)
        kind = types[j % len(types)]
        core, city = o["extra"]["core"], o["extra"]["city"]
        zh = o["name_zh"]
        if kind == "zh_full":
            q = zh
        elif kind == "zh_partial":
            q = zh.removeprefix(city)[: len(core) + 2]
        elif kind == "traditional":
            q = s2t.convert(zh)
        elif kind == "pinyin":
            q = o["extra"]["city_en"].lower() + " " + " ".join(pinyin(core))
        elif kind == "english_typo":
            words = o["name_en"].replace(" Co., Ltd.", "").split()
            k = max(range(len(words)), key=lambda x: len(words[x]))
            words[k] = _typo(words[k], r)
            q = " ".join(words)
        else:
            q = o["key"].translate(_FULL_WIDTH) if j % 2 else o["key"].lower()
        out.append((kind, q, o["key"]))
    return out


#: Bad input: answered with ``refine`` (or ``no_match``) quickly, never by a scan.
BAD_INPUT = [
    "",
    "   ",
    "a",
    "华",
    "x" * 10_000,
    "华为" * 5_000,
    "😀😀😀",
    "🏭 🔍 ✅",
    "'; DROP TABLE search_term; --",
    "1 OR 1=1",
    "name%' AND 1=1 --",
    'NEAR(abc def) * ^ "',
    "华为 Technologies ✅",
    "Ωmega 深圳 Тест",
    "abc" * 60,
]

Result = tuple[str, float, int | None]  # query type, ms, rank of the expected key (1-based)
#: Timed but not labelled queries: bad input, and the ``SELECT 1`` round-trip baseline.
UNLABELLED = ("bad_input", "roundtrip")


def measure(url: str, n: int, seed: int, count: int) -> list[Result]:
    engine = make_engine(url)
    qs = queries(n, seed, count)
    results: list[Result] = []
    with sessionmaker(bind=engine)() as s:
        for _kind, q, _key in qs[:20]:  # warm-up: caches, vocabulary, connection pool
            search(s, q)
        for kind, q, key in qs:
            t0 = time.perf_counter()
            resp = search(s, q, limit=10)
            ms = (time.perf_counter() - t0) * 1000
            rank = next((i for i, h in enumerate(resp.hits, 1) if h.key == key), None)
            results.append((kind, ms, rank))
            # Baseline in the same run: one trivial round trip to the database. On a shared
            # machine it shows how much of a query's time is waiting for a CPU.
            t0 = time.perf_counter()
            s.execute(text("SELECT 1")).scalar()
            results.append(("roundtrip", (time.perf_counter() - t0) * 1000, None))
        for q in BAD_INPUT:
            t0 = time.perf_counter()
            resp = search(s, q, limit=10)
            ms = (time.perf_counter() - t0) * 1000
            assert resp.status in ("refine", "no_match", "ok") and (resp.message or resp.hits)
            results.append(("bad_input", ms, None))
    engine.dispose()
    return results


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, round(p / 100 * (len(v) - 1)))]


def figures(results: list[Result]) -> dict[str, dict[str, float | int | None]]:
    """Per query type and ``all`` (labelled queries; bad input reported apart)."""
    out: dict[str, dict[str, float | int | None]] = {}
    kinds = sorted({k for k, _m, _r in results if k not in UNLABELLED})
    for kind in [*kinds, "all", *UNLABELLED]:
        if kind == "all":
            rows = [(ms, r) for k, ms, r in results if k not in UNLABELLED]
        else:
            rows = [(ms, r) for k, ms, r in results if k == kind]
        if not rows:
            continue
        ms = [x for x, _r in rows]
        labelled = kind not in UNLABELLED
        out[kind] = {
            "n": len(rows),
            "p50_ms": round(statistics.median(ms), 2),
            "p95_ms": round(pct(ms, 95), 2),
            "p99_ms": round(pct(ms, 99), 2),
            "max_ms": round(max(ms), 2),
            "recall_at_10": round(sum(r is not None for _m, r in rows) / len(rows), 4)
            if labelled
            else None,
            "mrr": round(sum(1.0 / r for _m, r in rows if r) / len(rows), 4) if labelled else None,
        }
    return out


def report(url: str, n: int, results: list[Result]) -> str:
    engine = url.split(":", 1)[0].split("+")[0]
    labelled = sum(1 for k, _m, _r in results if k not in UNLABELLED)
    lines = [
        f"Search latency, {engine}, {n:,} organizations, {labelled} queries",
        "",
        "| query type | n | p50 ms | p95 ms | p99 ms | max ms | recall@10 | MRR |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, f in figures(results).items():
        rec = "—" if f["recall_at_10"] is None else f"{f['recall_at_10']:.3f}"
        mrr = "—" if f["mrr"] is None else f"{f['mrr']:.3f}"
        lines.append(
            f"| {kind} | {f['n']} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} | {f['p99_ms']:.1f} "
            f"| {f['max_ms']:.1f} | {rec} | {mrr} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_url = os.environ.get("ACCORDIA_DATABASE_URL", "sqlite:///bench-search.db")
    ap.add_argument("--url", default=default_url, help="SQLAlchemy URL of the database")
    ap.add_argument("--n", type=int, default=1_000_000, help="organizations to index")
    ap.add_argument("--queries", type=int, default=600)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--skip-build", action="store_true", help="reuse the index already built")
    ap.add_argument("--json-out", metavar="FILE", help="also write the figures as JSON to FILE")
    ap.add_argument(
        "--text-index-only",
        action="store_true",
        help="(re)build only the text index over rows already loaded, then measure",
    )
    args = ap.parse_args(argv)
    built = None
    if args.text_index_only:
        engine = make_engine(args.url)
        with engine.begin() as conn:
            Base.metadata.create_all(conn, tables=TABLES)  # search_state, if missing
        t0 = time.perf_counter()
        text_index(engine)
        built = {"text_index_s": round(time.perf_counter() - t0, 1)}
        engine.dispose()
    elif not args.skip_build:
        built = build(args.url, args.n, args.seed, args.batch)
    results = measure(args.url, args.n, args.seed, args.queries)
    print(report(args.url, args.n, results))
    if args.json_out:
        engine = make_engine(args.url)
        doc = {
            "benchmark": "search",
            "engine": engine.dialect.name,
            "n": args.n,
            "queries": sum(1 for k, _m, _r in results if k not in UNLABELLED),
            "load_average": list(os.getloadavg()),
            "seed": args.seed,
            "build": built,  # null with --skip-build
            "by_type": figures(results),
        }
        doc["overall"] = doc["by_type"]["all"]
        engine.dispose()
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
