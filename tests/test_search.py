"""Search: index, both backends, quality on the labelled query set, bad input.

Runs on a temporary SQLite file always, and also on PostgreSQL when ``ACCORDIA_DATABASE_URL``
is a PostgreSQL URL (in a private schema that is dropped afterwards).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from accordia.db.base import Base
from accordia.db.engine import make_engine
from accordia.models.search import SearchEntity, SearchState, SearchTerm, SearchToken
from accordia.search import index_entities, index_size, remove_entities, search

DATA = Path(__file__).parent / "data" / "search"
CORPUS: list[dict[str, Any]] = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))
QUERIES: list[dict[str, Any]] = json.loads((DATA / "queries.json").read_text(encoding="utf-8"))
TABLES = [
    SearchEntity.__table__,
    SearchTerm.__table__,
    SearchToken.__table__,
    SearchState.__table__,
]
PG_URL = os.environ.get("ACCORDIA_DATABASE_URL", "")
HAS_PG = PG_URL.startswith("postgresql")
BACKENDS = ["sqlite", *(["postgresql"] if HAS_PG else [])]


def _sqlite_engine(tmp: Path) -> Engine:
    return make_engine(f"sqlite:///{tmp / 'search.db'}")


def _pg_engine(schema: str) -> Engine:
    url = PG_URL
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    admin = create_engine(url, connect_args={"prepare_threshold": None})
    with admin.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return create_engine(
        url,
        connect_args={"prepare_threshold": None, "options": f"-csearch_path={schema},public"},
    )


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Engine]]:
    out: dict[str, Engine] = {"sqlite": _sqlite_engine(tmp_path_factory.mktemp("search"))}
    schema = f"search_test_{uuid.uuid4().hex[:8]}"
    if HAS_PG:
        out["postgresql"] = _pg_engine(schema)
    for eng in out.values():
        Base.metadata.create_all(eng, tables=TABLES)
        with sessionmaker(bind=eng)() as s:
            index_entities(s, CORPUS)
            s.commit()
    yield out
    for name, eng in out.items():
        if name == "postgresql":
            with eng.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        eng.dispose()


@pytest.fixture(params=BACKENDS)
def session(request: pytest.FixtureRequest, engines: dict[str, Engine]) -> Iterator[Session]:
    with sessionmaker(bind=engines[request.param])() as s:
        yield s
        s.rollback()


def _rank(session: Session, item: dict[str, Any]) -> int | None:
    resp = search(session, item["q"], limit=10)
    for i, hit in enumerate(resp.hits, start=1):
        if (hit.kind, hit.key) == (item["kind"], item["key"]):
            return i
    return None


# --- the index -------------------------------------------------------------------------------


def test_corpus_and_queries_are_big_enough() -> None:
    assert len(CORPUS) >= 300
    assert len(QUERIES) >= 200
    cats = {q["category"] for q in QUERIES}
    assert {"typo", "pinyin", "traditional", "english", "partial", "identifier"} <= cats


def test_index_is_built(session: Session) -> None:
    size = index_size(session)
    assert size["entities"] == len(CORPUS)
    assert size["terms"] > 4 * len(CORPUS)
    assert size["tokens"] > 100


def test_search_ddl_installed(engines: dict[str, Engine]) -> None:
    sq = inspect(engines["sqlite"])
    assert "search_term_fts" in sq.get_table_names()
    if "postgresql" in engines:
        with engines["postgresql"].connect() as conn:
            found = conn.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_search_term_text_trgm'")
            ).scalar()
            assert found is not None and "gin_trgm_ops" in found


def test_reindex_replaces_and_remove(session: Session) -> None:
    ent = {
        "kind": "organization",
        "key": "TEST-REINDEX",
        "name_zh": "深圳市奇点测试科技有限公司",
        "name_en": "Shenzhen Qidian Test Technology Co., Ltd.",
        "economy": "CN",
    }
    index_entities(session, [ent])
    assert search(session, "奇点测试").top.key == "TEST-REINDEX"  # type: ignore[union-attr]
    index_entities(session, [{**ent, "name_zh": "深圳市星舰测试科技有限公司", "name_en": None}])
    assert search(session, "奇点测试").status == "no_match"
    assert search(session, "星舰测试").top.key == "TEST-REINDEX"  # type: ignore[union-attr]
    assert remove_entities(session, [("organization", "TEST-REINDEX")]) == 1
    assert search(session, "星舰测试").status == "no_match"
    session.rollback()


def test_unknown_kind_is_rejected(session: Session) -> None:
    with pytest.raises(ValueError):
        index_entities(session, [{"kind": "planet", "key": "x", "name_en": "Mars"}])
    with pytest.raises(ValueError):
        search(session, "huawei", kinds=["planet"])
    session.rollback()


# --- answers ---------------------------------------------------------------------------------


def test_why_it_matched(session: Session) -> None:
    r = search(session, "華為技術")
    assert r.status == "ok" and r.top is not None
    assert "traditional→simplified" in r.top.why
    r = search(session, "hua2wei2 ji4shu4")
    assert r.top is not None and r.top.name_zh == "深圳市华为技术有限公司"
    assert "pinyin" in r.top.why and "tones removed" in r.top.why
    r = search(session, "CNAS")
    assert r.top is not None and r.top.key == "AB-CNAS" and "acronym" in r.top.why
    r = search(session, "Huawei Technolgies")
    assert r.top is not None and "typo" in r.top.why
    huawei = next(e for e in CORPUS if e.get("name_zh") == "深圳市华为技术有限公司")
    r = search(session, huawei["key"].lower())
    assert r.interpretation == "identifier" and r.top is not None
    assert r.top.key == huawei["key"] and r.top.why == "USCC exact"
    data = json.loads(json.dumps(r.to_dict(), ensure_ascii=False))
    assert data["hits"][0]["why"] == "USCC exact"
    assert data["hits"][0]["matches"][0]["form"] == "uscc"


def test_valid_but_unknown_uscc_is_no_match(session: Session) -> None:
    from stdnum.cn import uscc

    body = "91440300MA5FFFFFF"
    r = search(session, body + uscc.calc_check_digit(body))
    assert r.status == "no_match" and r.interpretation == "identifier"
    assert "USCC" in r.message


def test_filters(session: Session) -> None:
    r = search(session, "CQC", kinds=["accreditation_body"])
    assert all(h.kind == "accreditation_body" for h in r.hits)
    r = search(session, "CQC", kinds=["cab"])
    assert r.top is not None and r.top.key == "CAB-CN-001"
    r = search(session, "accreditation", economy="GB")
    assert r.hits and all(h.economy_code == "GB" for h in r.hits)
    assert any(h.key == "AB-UKAS" for h in r.hits)
    assert r.filters.economy == "GB"
    r = search(
        session, "accreditation", post_filter=lambda _s, hits: [h for h in hits if h.kind == "cab"]
    )
    assert all(h.kind == "cab" for h in r.hits)


# --- quality ---------------------------------------------------------------------------------


def test_quality_recall_and_mrr(session: Session) -> None:
    backend = session.get_bind().dialect.name
    found = 0
    rr = 0.0
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for item in QUERIES:
        rank = _rank(session, item)
        by_cat[item["category"]][1] += 1
        if rank is not None:
            found += 1
            rr += 1.0 / rank
            by_cat[item["category"]][0] += 1
        else:
            misses.append(item["q"])
    n = len(QUERIES)
    recall, mrr = found / n, rr / n
    print(f"\n[{backend}] queries={n} recall@10={recall:.4f} MRR={mrr:.4f}")
    for cat, (f, t) in sorted(by_cat.items()):
        print(f"  {cat:12s} {f}/{t}")
    if misses:
        print("  missed:", misses)
    assert recall >= 0.95, f"recall@10 {recall:.3f} < 0.95; missed {misses}"


@pytest.mark.skipif(not HAS_PG, reason="needs ACCORDIA_DATABASE_URL=postgresql…")
def test_backends_agree_on_top_result(engines: dict[str, Engine]) -> None:
    diffs = []
    with (
        sessionmaker(bind=engines["sqlite"])() as s1,
        sessionmaker(bind=engines["postgresql"])() as s2,
    ):
        for item in QUERIES:
            a, b = search(s1, item["q"]), search(s2, item["q"])
            top_a = (a.top.kind, a.top.key) if a.top else None
            top_b = (b.top.kind, b.top.key) if b.top else None
            if top_a != top_b:
                diffs.append((item["q"], top_a, top_b))
    assert not diffs, diffs


# --- bad input -------------------------------------------------------------------------------

BAD = [
    ("", "refine", "empty"),
    ("   ", "refine", "empty"),
    ("a", "refine", "too_short"),
    ("华", "refine", "too_short"),
    ("x" * 10_000, "refine", "too_long"),
    ("华为" * 5_000, "refine", "too_long"),
    ("😀😀😀", "refine", "no_searchable_characters"),
    ("🏭 🔍 ✅", "refine", "no_searchable_characters"),
    ("!!! ??? ---", "refine", "no_searchable_characters"),
]


@pytest.mark.parametrize(("query", "status", "reason"), BAD)
def test_bad_input_refine_without_sql(
    session: Session, query: str, status: str, reason: str
) -> None:
    statements: list[str] = []

    def count(_c: Any, _cur: Any, stmt: str, *_a: Any) -> None:
        statements.append(stmt)

    eng = session.get_bind().engine
    event.listen(eng, "before_cursor_execute", count)
    try:
        t0 = time.perf_counter()
        r = search(session, query)
        elapsed = time.perf_counter() - t0
    finally:
        event.remove(eng, "before_cursor_execute", count)
    assert (r.status, r.reason) == (status, reason)
    assert r.message and not r.hits
    assert statements == []  # refused before touching the database: never a scan
    assert elapsed < 0.1


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE search_term; --",
        "1 OR 1=1",
        '" OR "" = "',
        "name%' AND 1=1 --",
        'NEAR(abc def) * ^ "',
        "华为 Technologies ✅",
        "Ωmega 华为 Тест",
        "abc" * 60,
    ],
)
def test_odd_input_answers_quickly(session: Session, query: str) -> None:
    t0 = time.perf_counter()
    r = search(session, query)
    assert time.perf_counter() - t0 < 1.0
    assert r.status in ("ok", "no_match", "refine")
    assert r.message or r.hits
    assert index_size(session)["entities"] == len(CORPUS)


def test_mixed_script_finds_both_parts(session: Session) -> None:
    r = search(session, "华为 Technologies")
    assert r.top is not None and r.top.name_zh == "深圳市华为技术有限公司"
