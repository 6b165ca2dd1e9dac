"""Search benchmark: build N organizations into a database and time a mixed query set.

    python bench/search_bench.py --url postgresql+psycopg://postgres@127.0.0.1/accordia_bench \
        --n 1000000
    python bench/search_bench.py --url sqlite:///bench-search.db --n 100000

Only the search tables (``search_entity``, ``search_term``, ``search_token`` and the engine's
FTS5 / pg_trgm structures) are dropped and rebuilt; ``--skip-build`` reuses an existing index
of the same ``--n`` and ``--seed``. Prints a markdown table of p50/p95/max latency and
recall@10 per query type.
"""

from __future__ import annotations

import argparse
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
    SearchTerm,
    SearchToken,
    drop_search_ddl,
    install_search_ddl,
)
from accordia.search import index_entities, search
from accordia.search.normalize import pinyin

TABLES = [SearchEntity.__table__, SearchTerm.__table__, SearchToken.__table__]
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


def build(url: str, n: int, seed: int, batch: int) -> None:
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
    with engine.begin() as conn:
        install_search_ddl(conn)
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE search_term"))
            conn.execute(text("ANALYZE search_entity"))
        else:
            conn.execute(text("ANALYZE"))
    t2 = time.perf_counter()
    print(
        f"\nbuilt {n:,} organizations: rows {t1 - t0:.0f} s, text index {t2 - t1:.0f} s",
        file=sys.stderr,
    )
    engine.dispose()


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


def measure(url: str, n: int, seed: int, count: int) -> list[tuple[str, float, bool]]:
    engine = make_engine(url)
    qs = queries(n, seed, count)
    results = []
    with sessionmaker(bind=engine)() as s:
        for _kind, q, _key in qs[:20]:  # warm-up: caches, vocabulary, connection pool
            search(s, q)
        for kind, q, key in qs:
            t0 = time.perf_counter()
            resp = search(s, q, limit=10)
            ms = (time.perf_counter() - t0) * 1000
            results.append((kind, ms, any(h.key == key for h in resp.hits)))
    engine.dispose()
    return results


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, round(p / 100 * (len(v) - 1)))]


def report(url: str, n: int, results: list[tuple[str, float, bool]]) -> str:
    engine = url.split(":", 1)[0].split("+")[0]
    lines = [
        f"Search latency, {engine}, {n:,} organizations, {len(results)} queries",
        "",
        "| query type | n | p50 ms | p95 ms | max ms | recall@10 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    kinds = sorted({k for k, _m, _f in results})
    for kind in [*kinds, "all"]:
        rows = [(m, f) for k, m, f in results if kind in ("all", k)]
        ms = [m for m, _f in rows]
        rec = sum(f for _m, f in rows) / len(rows)
        lines.append(
            f"| {kind} | {len(rows)} | {statistics.median(ms):.1f} | {pct(ms, 95):.1f} "
            f"| {max(ms):.1f} | {rec:.3f} |"
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
    args = ap.parse_args(argv)
    if not args.skip_build:
        build(args.url, args.n, args.seed, args.batch)
    print(report(args.url, args.n, measure(args.url, args.n, args.seed, args.queries)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
