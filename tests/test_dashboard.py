"""The regulator's dashboard (issue 7 §2) over the demo world with its self-discipline data:
ranking by risk with credit grades, trends, SVG charts with data tables, in both languages,
regulator only; and the demo seed of codes and commitments."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from accordia import models as m
from accordia.app import create_app
from accordia.db.session import session_factory, unit_of_work
from accordia.demo import discipline as demo_discipline
from accordia.demo.generator import TODAY, generate
from accordia.domain.supervision.rules import RULES
from accordia.models.discipline import ConductCode, ConductCommitmentEvent
from accordia.services import accounts, authz
from accordia.services import dashboard as dash
from accordia.services import discipline as ds
from accordia.services import supervision as sv
from accordia.web.discipline_pages import column_chart, line_chart, ticks
from tests.conftest import TestDatabase, make_database

TOKENS: dict[str, str] = {}
SESSIONS: dict[str, str] = {}
EARLIER = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def world(db: TestDatabase) -> TestDatabase:
    generate(db.engine, scale=500, seed=42, index=False)
    demo_discipline.seed(db.engine, seed=42, scale=500)
    sv.scan(db.engine, EARLIER)
    sv.scan(db.engine, TODAY)
    with unit_of_work(db.engine) as s:
        sv.add_sanction(
            s, authz.local_admin(), cab="DEMO-R-CN-0005", kind="warning",
            effective_on=dt.date(2026, 10, 15), basis_zh="依据", basis_en="basis",
        )  # fmt: skip
        case = sv.file_complaint(
            s, subject_kind="body", subject="DEMO-R-CN-0008", summary="x",
            on=dt.date(2026, 11, 2),
        )  # fmt: skip
        sv.update_case(
            s, authz.local_admin(), case["case_number"], status="substantiated", outcome="ok",
            publish=True, on=dt.date(2026, 11, 20),
        )  # fmt: skip
        for name, role, kw in (
            ("reg", "regulator", {}),
            ("cab-a", "cab", {"cab": "DEMO-R-CN-0001"}),
        ):
            user = accounts.create_user(s, username=name, role=role, actor="setup", **kw)
            TOKENS[name] = accounts.issue_token(
                s, user, name="r", scope="read", days=1, actor="x"
            ).secret
            SESSIONS[name] = accounts.start_session(s, user, 8)[0]
    return db


@pytest.fixture()
def client(world: TestDatabase) -> Iterator[TestClient]:
    with TestClient(create_app(engine=world.engine)) as c:
        yield c


def _events(engine: Engine) -> list[tuple[Any, ...]]:
    with session_factory(engine)() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(
                    m.Cab.registration_number,
                    ConductCode.code,
                    ConductCommitmentEvent.kind,
                    ConductCommitmentEvent.effective_on,
                )
                .join(m.Cab, m.Cab.id == ConductCommitmentEvent.cab_id)
                .join(ConductCode, ConductCode.id == ConductCommitmentEvent.code_id)
                .order_by(m.Cab.registration_number, ConductCode.code, ConductCommitmentEvent.id)
            )
        ]


# -- the demo seed ----------------------------------------------------------------------------


def test_demo_codes_and_commitments_cover_every_case(world: TestDatabase) -> None:
    with session_factory(world.engine)() as s:
        overview = {a["acronym"]: a for a in ds.associations_overview(s, TODAY)}
        assert overview["DEMO-CCA"]["codes"] == ["CCA-INTEGRITY"]
        assert overview["DEMO-TLA"]["codes"] == ["TLA-PLEDGE"]
        assert "demo" in (overview["DEMO-CCA"]["name"]["en"] or "")
        detail = ds.association_detail(s, "DEMO-CCA", "CN", TODAY)
        statuses = {mbr["commitments"]["CCA-INTEGRITY"] for mbr in detail["members"]}
        assert statuses == {"committed", "withdrawn", "expelled", "none"}
        code = ds.code_detail(s, "DEMO-CCA", "CN", "CCA-INTEGRITY", TODAY)
        assert code["in_force"]["version"] == 2 and len(code["in_force"]["provisions"]) == 7
        v1 = ds.code_detail(s, "DEMO-CCA", "CN", "CCA-INTEGRITY", dt.date(2020, 1, 1))
        assert v1["in_force"]["version"] == 1
        assert all("SYNTHETIC" in v["source"] for v in code["versions"])
        sources = s.execute(select(ConductCommitmentEvent.source).distinct()).scalars().all()
        assert sources and all("SYNTHETIC" in x for x in sources)


def test_demo_seed_is_idempotent_and_deterministic(world: TestDatabase, tmp_path: Path) -> None:
    first = _events(world.engine)
    demo_discipline.seed(world.engine, seed=42, scale=500)  # already there: unchanged
    assert _events(world.engine) == first
    other = make_database(tmp_path / "again")
    try:
        generate(other.engine, scale=500, seed=42, index=False)
        demo_discipline.seed(other.engine, seed=42, scale=500)
        assert _events(other.engine) == first
    finally:
        other.drop()


def test_demo_ratings_show_conduct_factors(world: TestDatabase) -> None:
    rated = {r.body: r for r in ds.ratings(world.engine, TODAY)}
    keys = {b: {(f.kind, f.key) for f in r.factors} for b, r in rated.items()}
    assert any(("conduct", "expelled") in k for k in keys.values())
    assert any(("conduct", "withdrawn") in k for k in keys.values())
    assert any(("conduct", "not_committed") in k for k in keys.values())
    # the warning of 2026-10-15 counts from its date
    assert ("sanction", "warning") in keys["DEMO-R-CN-0005"]
    before = ds.rating(world.engine, "DEMO-R-CN-0005", dt.date(2026, 10, 14))
    assert ("sanction", "warning") not in {(f.kind, f.key) for f in before.factors}
    # the earlier scan run is the one a rating of its date uses
    assert ds.rating(world.engine, "DEMO-R-CN-0005", EARLIER).scan_on == EARLIER


# -- the service ------------------------------------------------------------------------------


def test_dashboard_ranks_by_risk_with_grades_and_trends(world: TestDatabase) -> None:
    d = dash.dashboard(world.engine, TODAY)
    scores = [r["risk_score"] for r in d["ranking"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert all(r["grade"] in "ABCD" and r["grade_label"]["zh"] for r in d["ranking"])
    assert sum(d["risk_distribution"]["bands"].values()) == d["bodies"]
    assert sum(b["count"] for b in d["risk_distribution"]["buckets"]) == d["bodies"]
    assert sum(d["grades"]["counts"].values()) == d["bodies"]
    trend = d["findings_trend"]
    assert [r["on"] for r in trend["runs"]] == [EARLIER.isoformat(), TODAY.isoformat()]
    assert trend["runs"][-1]["current"] and not trend["runs"][0]["current"]
    assert trend["totals"][-1] == sum(v[-1] for v in trend["series"].values()) > 0
    monthly = d["monthly"]
    assert monthly["months"][-1] == "2026-11" and len(monthly["months"]) == 12
    by_month = dict(zip(monthly["months"], monthly["sanctions"], strict=True))
    assert by_month["2026-10"] >= 1
    complaints = dict(zip(monthly["months"], monthly["upheld_complaints"], strict=True))
    assert complaints["2026-11"] == 1
    # on the earlier date only the earlier run exists and the later facts are not counted
    early = dash.dashboard(world.engine, EARLIER)
    assert [r["on"] for r in early["findings_trend"]["runs"]] == [EARLIER.isoformat()]
    assert early["monthly"]["months"][-1] == "2026-06"


def test_months_ending_wraps_the_year() -> None:
    assert dash.months_ending(dt.date(2026, 2, 10), 4) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


# -- charts -----------------------------------------------------------------------------------


def test_ticks_are_round_and_cover_the_peak() -> None:
    assert ticks(0) == [0, 1]
    assert ticks(3) == [0, 1, 2, 3]
    assert ticks(37) == [0, 10, 20, 30, 40]
    assert ticks(1234)[-1] >= 1234


def test_charts_are_labelled_and_escape_their_text() -> None:
    svg = str(line_chart("c1", "T <1>", "D & d", ["a<b", "c"], [('s"1', [1, 2])]))
    assert (
        '<title id="c1-t">T &lt;1&gt;</title>' in svg and '<desc id="c1-d">D &amp; d</desc>' in svg
    )
    assert 'aria-labelledby="c1-t c1-d"' in svg and 'role="img"' in svg
    assert "a&lt;b" in svg and "<polyline" in svg and "style=" not in svg
    cols = str(column_chart("c2", "T", "D", ["x", "y"], [("n", [0, 4])], colours=["#000", "#111"]))
    assert cols.count("<rect") == 4  # background, 2 columns, 1 legend box


# -- the page and its JSON twin -------------------------------------------------------------------


def test_dashboard_is_regulator_only(client: TestClient) -> None:
    r = client.get("/supervision/dashboard", follow_redirects=False)
    assert (
        r.status_code == 303 and r.headers["location"] == "/login?next=%2Fsupervision%2Fdashboard"
    )
    client.cookies.set("accordia_session", SESSIONS["cab-a"])
    assert client.get("/supervision/dashboard").status_code == 403
    client.cookies.clear()
    assert client.get("/api/v1/supervision/dashboard").status_code == 401
    r = client.get(
        "/api/v1/supervision/dashboard", headers={"Authorization": f"Bearer {TOKENS['cab-a']}"}
    )
    assert r.status_code == 403
    r = client.get(
        "/api/v1/supervision/dashboard",
        params={"on": TODAY.isoformat(), "top": 5},
        headers={"Authorization": f"Bearer {TOKENS['reg']}"},
    )
    assert r.status_code == 200 and len(r.json()["ranking"]) == 5


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ["监管看板", "风险排名", "各次扫描按规则统计的发现", "每月处罚与投诉",
                "风险分值分布"]),
        ("en", ["Supervision dashboard", "Risk ranking", "Findings by rule across scan runs",
                "Sanctions and complaints per month", "Distribution of risk scores"]),
    ],
)  # fmt: skip
def test_dashboard_page_charts_with_data_tables(
    client: TestClient, lang: str, words: list[str]
) -> None:
    client.cookies.set("accordia_session", SESSIONS["reg"])
    r = client.get("/supervision/dashboard", params={"lang": lang, "on": TODAY.isoformat()})
    client.cookies.clear()
    assert r.status_code == 200
    html = r.text
    for w in words:
        assert w in html
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(svgs) == 4
    for svg in svgs:
        chart_id = re.search(r'id="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
        assert f'aria-labelledby="{chart_id}-t {chart_id}-d"' in svg
        assert f'<title id="{chart_id}-t">' in svg and f'<desc id="{chart_id}-d">' in svg
        assert "style=" not in svg and "<script" not in svg
    # a data table beside each chart, with the numbers
    assert html.count("<caption>") >= 4
    assert "DEMO-R-" in html and 'href="/discipline/ratings/' in html
    assert 'rel="alternate" type="application/json" href="/api/v1/supervision/dashboard' in html
    assert r.headers["cache-control"] == "no-store"
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]
    # the rule titles are in the page's language
    title = RULES["surveillance_overdue"].title
    assert (title.zh if lang == "zh" else title.en) in html
