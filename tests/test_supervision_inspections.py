"""Inspections (issue 7 §4, §7): planned from a revealed draw or ad hoc, status as dated events,
results signed only by assigned inspectors, the conclusion derived from item outcomes,
publication without personal data (page, API, disclosure feed, both languages), regulator-only
writes (403 and nothing changed), the credit-rating helper and the demo seed."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

import accordia.examples as examples
from accordia import models as m
from accordia.app import create_app
from accordia.cli import app as cli
from accordia.db.session import session_factory, unit_of_work
from accordia.domain.supervision.rules import RULES
from accordia.importer.run import import_files
from accordia.models.supervision import (
    Inspection,
    InspectionEvent,
    InspectionInspector,
    InspectionOutcome,
    InspectionReference,
    Sanction,
)
from accordia.services import accounts, authz
from accordia.services import inspections as ins
from accordia.services import supervision as sv
from tests.conftest import TestDatabase, make_database

runner = CliRunner()
PASSWORD = "correct horse battery staple"
TOKENS: dict[str, str] = {}
SEED = "inspection-test-seed"
NAME, CONTACT = "Li Whistleblower", "li.whistle@example.org"
STATE: dict[str, Any] = {}


@pytest.fixture(scope="module")
def world(db: TestDatabase) -> TestDatabase:
    files = sorted(Path(examples.__path__[0]).glob("*.csv"))
    assert import_files(db.engine, files, actor="test").problem_count == 0
    with session_factory(db.engine)() as s:
        for name, role, kw in (
            ("reg", "regulator", {}),
            ("cab-a", "cab", {"cab": "EX-CB-001"}),
        ):
            user = accounts.create_user(
                s, username=name, role=role, actor="setup", password=PASSWORD, **kw
            )
            for scope in ("read", "write"):
                issued = accounts.issue_token(s, user, name=scope, scope=scope, days=1, actor="x")
                TOKENS[f"{name}:{scope}"] = issued.secret
        s.commit()
    for code, spec, past, name in (
        ("I-A", ["ms_cb"], [], ("检查员甲", "Inspector A")),
        ("I-B", ["ms_cb"], [], ("检查员乙", "Inspector B")),
        ("I-C", ["ms_cb"], ["EX-CB-001"], ("检查员丙", "Inspector C")),
        ("I-D", ["testing_lab"], [], ("检查员丁", "Inspector D")),
        ("I-E", ["testing_lab"], [], ("检查员戊", "Inspector E")),
    ):
        sv.add_inspector(db.engine, code, spec, "CN-SECRET-REGION", past, name[0], name[1])
    committed = sv.commit_draw(db.engine, 1.0, dt.date(2026, 1, 2), 2, SEED)
    sv.reveal_draw(db.engine, committed.code, SEED)
    STATE["draw"] = committed.code
    return db


@pytest.fixture()
def env(world: TestDatabase, use_db: TestDatabase) -> TestDatabase:
    return use_db


@pytest.fixture(scope="module")
def client(world: TestDatabase) -> Iterator[TestClient]:
    with TestClient(create_app(engine=world.engine)) as c:
        yield c


def auth(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[who]}"}


def invoke(*args: str) -> Any:
    return runner.invoke(cli, ["supervise", "inspection", *args])


def by_target(world: TestDatabase) -> dict[str, str]:
    with unit_of_work(world.engine) as s:
        rows = ins.list_inspections(s, authz.local_admin())
    return {r["target"]["cab"]: r["code"] for r in rows if r["origin"] == "draw"}


def state(world: TestDatabase) -> dict[str, Any]:
    """Everything an inspection write could change."""
    with session_factory(world.engine)() as s:
        counts = {
            model.__tablename__: s.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (
                Inspection,
                InspectionEvent,
                InspectionInspector,
                InspectionOutcome,
                InspectionReference,
                Sanction,
                m.AuditEntry,
            )
        }
        rows = s.execute(
            select(
                Inspection.code,
                Inspection.status,
                Inspection.signed_by,
                Inspection.conclusion,
                Inspection.published_on,
            ).order_by(Inspection.code)
        ).all()
    return {"counts": counts, "rows": [tuple(map(str, r)) for r in rows]}


def csv_file(tmp_path: Path, rows: list[tuple[str, str, str, str]], name: str = "r.csv") -> Path:
    p = tmp_path / name
    lines = ["item,outcome,note_zh,note_en"] + [",".join(r) for r in rows]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def all_items(outcome: str = "conforming") -> list[tuple[str, str, str, str]]:
    return [(code, outcome, "", "") for code in ITEMS()]


def ITEMS() -> list[str]:
    return [r.id for r in RULES.values()]


# --------------------------------------------------------------------------- the conclusion


def test_conclusion_is_derived_from_item_outcomes() -> None:
    c = ins.derive_conclusion(
        {"a": "conforming", "b": "nonconforming_minor", "c": "nonconforming_major"}
    )
    assert c.value == "major"
    assert "1 nonconforming (major) (c)" in c.explanation["en"]
    assert "严重不符合 1 项（c）" in c.explanation["zh"]
    assert ins.derive_conclusion({"a": "conforming", "b": "nonconforming_minor"}).value == "minor"
    ok = ins.derive_conclusion({"a": "conforming", "b": "not_applicable"})
    assert ok.value == "conforming" and ok.counts["not_applicable"] == 1
    with pytest.raises(ins.InspectionError, match="nothing was checked"):
        ins.derive_conclusion({"a": "not_applicable"})
    assert ins.normalize_outcome("Nonconforming-Minor") == "nonconforming_minor"
    assert ins.normalize_outcome("ok") is None


# --------------------------------------------------------------------------- lifecycle (CLI)


def test_plan_from_draw_respects_the_draw(env: TestDatabase) -> None:
    draw = STATE["draw"]
    r = invoke(
        "plan", "--draw", draw, "--from", "2026-02-01", "--until", "2026-03-31",
        "--on", "2026-01-05", "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    planned = json.loads(r.output)
    assert sorted(p["target"]["cab"] for p in planned) == ["EX-CB-001", "EX-LAB-001", "EX-VVB-001"]
    assert {p["status"] for p in planned} == {"planned"}
    again = invoke("plan", "--draw", draw, "--from", "2026-02-01", "--until", "2026-03-31")
    assert again.exit_code == 64 and "planned_once" in again.output
    codes = by_target(env)
    with unit_of_work(env.engine) as s:
        cb = ins.regulator_view(s, authz.local_admin(), codes["EX-CB-001"])
        published = sv.public_draw(env.engine, draw)["result"]["drawn"]
    drawn = next(a for a in published if a["target"] == "EX-CB-001")
    assert [i["code"] for i in cb["inspectors"]] == sorted(drawn["inspectors"])
    assert cb["recused"] == ["I-C"] == drawn["recused"]
    assert cb["history"][0]["status"] == "planned"
    assert cb["history"][0]["effective_on"] == "2026-01-05"
    assert cb["draw"] == draw and len(cb["items"]) == len(ITEMS())


def test_status_changes_are_dated_events(env: TestDatabase) -> None:
    code = by_target(env)["EX-LAB-001"]
    early = invoke("start", code, "--on", "2026-01-01")
    assert early.exit_code == 64
    assert "dates_in_order" in early.output and "before the last change" in early.output
    r = invoke("start", code, "--on", "2026-02-03", "--json")
    assert r.exit_code == 0, r.output
    assert [h["status"] for h in json.loads(r.output)["history"]] == ["planned", "in_progress"]
    twice = invoke("start", code, "--on", "2026-02-04")
    assert twice.exit_code == 64 and "status_transition" in twice.output
    with unit_of_work(env.engine) as s:
        assert ins.status_on(s, code, dt.date(2026, 1, 4)) is None
        assert ins.status_on(s, code, dt.date(2026, 2, 2)) == "planned"
        assert ins.status_on(s, code, dt.date(2026, 2, 3)) == "in_progress"
        events = s.execute(
            select(InspectionEvent.kind, InspectionEvent.recorded_at, InspectionEvent.actor)
            .join(Inspection, Inspection.id == InspectionEvent.parent_id)
            .filter(Inspection.code == code)
        ).all()
    assert all(rec is not None and actor == "cli" for _k, rec, actor in events)
    # cancel the short target (no inspector could be drawn for a GHG verifier)
    vvb = by_target(env)["EX-VVB-001"]
    with unit_of_work(env.engine) as s:
        assert ins.regulator_view(s, authz.local_admin(), vvb)["inspectors"] == []
    no_reason = invoke("cancel", vvb, "--reason", " ", "--on", "2026-02-02")
    assert no_reason.exit_code == 64 and "field reason" in no_reason.output
    done = invoke("cancel", vvb, "--reason", "no eligible inspector", "--on", "2026-02-02")
    assert done.exit_code == 0, done.output
    after = invoke("start", vvb, "--on", "2026-02-03")
    assert after.exit_code == 64 and "cancelled is final" in after.output


def test_record_result_errors_name_item_field_rule(env: TestDatabase, tmp_path: Path) -> None:
    code = by_target(env)["EX-CB-001"]
    rows = all_items()
    rows[2] = (rows[2][0], "fine", "", "")
    before = state(env)
    not_started = invoke("record", code, str(csv_file(tmp_path, rows)), "--signed-by", "I-A")
    assert not_started.exit_code == 64 and "in_progress" in not_started.output
    assert invoke("start", code, "--on", "2026-02-10").exit_code == 0
    before = state(env)
    bad = invoke(
        "record", code, str(csv_file(tmp_path, rows)), "--signed-by", "I-A", "--signed-by", "I-B"
    )
    assert bad.exit_code == 64
    assert f"line 4 (item '{rows[2][0]}')" in bad.output
    assert "field outcome" in bad.output and "rule: outcome_vocabulary" in bad.output
    unknown = invoke(
        "record", code, str(csv_file(tmp_path, [("no_such_item", "conforming", "", "")])),
        "--signed-by", "I-A", "--signed-by", "I-B",
    )  # fmt: skip
    assert unknown.exit_code == 64 and "field item" in unknown.output
    assert "rule: checklist" in unknown.output
    columns = tmp_path / "c.csv"
    columns.write_text("item,result\nx,conforming\n", encoding="utf-8")
    cols = invoke("record", code, str(columns), "--signed-by", "I-A")
    assert cols.exit_code == 64 and "field result" in cols.output and "rule: columns" in cols.output
    assert state(env) == before


def test_only_assigned_inspectors_sign(env: TestDatabase, tmp_path: Path) -> None:
    code = by_target(env)["EX-CB-001"]
    f = str(csv_file(tmp_path, all_items()))
    before = state(env)
    recused = invoke("record", code, f, "--signed-by", "I-A", "--signed-by", "I-C")
    assert recused.exit_code == 64
    assert "inspector I-C was recused" in recused.output and "cannot sign" in recused.output
    stranger = invoke("record", code, f, "--signed-by", "I-A", "--signed-by", "I-D")
    assert stranger.exit_code == 64
    assert "inspector I-D is not assigned to this inspection and cannot sign" in stranger.output
    assert "rule: assigned_inspectors_only" in stranger.output
    alone = invoke("record", code, f, "--signed-by", "I-A")
    assert alone.exit_code == 64 and "rule: two_inspectors" in alone.output
    assert state(env) == before


def test_record_complete_and_publish(env: TestDatabase, tmp_path: Path) -> None:
    code = by_target(env)["EX-CB-001"]
    half = all_items()[:5]
    half[1] = (half[1][0], "nonconforming-minor", "抽查发现监督逾期", "Overdue surveillance found")
    r = invoke(
        "record", code, str(csv_file(tmp_path, half)), "--signed-by", "I-A", "--signed-by", "I-B",
        "--summary-en", "Two issues", "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    view = json.loads(r.output)
    assert len(view["missing"]) == len(ITEMS()) - 5
    early = invoke("complete", code, "--on", "2026-02-20")
    assert early.exit_code == 64 and "rule: every_item_checked" in early.output
    rest = [(c, "not_applicable" if i % 2 else "conforming", "", "") for i, c in
            enumerate(ITEMS()[5:])]  # fmt: skip
    js = tmp_path / "rest.json"
    js.write_text(
        json.dumps([{"item": a, "outcome": b} for a, b, _z, _e in rest]), encoding="utf-8"
    )
    r = invoke("record", code, str(js), "--signed-by", "I-B", "--signed-by", "I-A", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["missing"] == []
    conforming_sanction = invoke(
        "complete", code, "--on", "2026-01-01", "--sanction", "warning",
        "--basis-zh", "条例", "--basis-en", "Regulations",
    )  # fmt: skip
    assert conforming_sanction.exit_code == 64
    r = invoke(
        "complete", code, "--on", "2026-02-25", "--sanction", "rectification",
        "--effective-on", "2026-03-01", "--basis-zh", "《认证认可条例》", "--basis-en",
        "PRC Regulations", "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    done = json.loads(r.output)
    assert done["status"] == "completed" and done["conclusion"] == "minor"
    assert done["sanction"]["kind"] == "rectification"
    assert done["sanction"]["reference"] == code
    assert [h["status"] for h in done["history"]] == ["planned", "in_progress", "completed"]
    assert done["history"][-1]["effective_on"] == "2026-02-25"
    again = invoke("record", code, str(js), "--signed-by", "I-A", "--signed-by", "I-B")
    assert again.exit_code == 64 and "completed" in again.output
    STATE["published"] = code


def test_inspection_outcomes_on_a_date(env: TestDatabase) -> None:
    code = STATE["published"]
    with env.engine.connect() as conn:
        cab_id = conn.execute(
            select(m.Cab.id).filter(m.Cab.registration_number == "EX-CB-001")
        ).scalar_one()
        before = ins.inspection_outcomes(conn, dt.date(2026, 2, 24))
        after = ins.inspection_outcomes(conn, dt.date(2026, 2, 25))
    assert cab_id not in before
    assert after[cab_id] == [
        {"code": code, "completed_on": dt.date(2026, 2, 25), "conclusion": "minor"}
    ]


# --------------------------------------------------------------------------- API


WRITES = [
    ("/api/v1/supervision/inspections/from-draw", lambda: {
        "draw": STATE["draw"], "planned_from": "2026-05-01", "planned_until": "2026-05-30"}),
    ("/api/v1/supervision/inspections", lambda: {
        "cab": "EX-CB-001", "inspectors": ["I-A", "I-B"], "planned_from": "2026-05-01",
        "planned_until": "2026-05-30", "complaint": STATE.get("case", "CMP-X")}),
    ("/api/v1/supervision/inspections/{lab}/result", lambda: {
        "items": [{"item": ITEMS()[0], "outcome": "conforming"}], "signed_by": ["I-D", "I-E"]}),
    ("/api/v1/supervision/inspections/{lab}/complete", lambda: {"on": "2026-03-01"}),
    ("/api/v1/supervision/inspections/{lab}/cancel", lambda: {"reason": "x"}),
    ("/api/v1/supervision/inspections/{cb}/start", lambda: {}),
]  # fmt: skip


def test_api_writes_refused_for_non_regulators(world: TestDatabase, client: TestClient) -> None:
    codes = by_target(world)
    before = state(world)
    for path, body in WRITES:
        url = path.format(lab=codes["EX-LAB-001"], cb=codes["EX-CB-001"])
        for who, status, code in (
            ("cab-a:write", 403, "regulator_only"),
            ("reg:read", 403, "read_only"),
            (None, 401, "unauthorized"),
        ):
            headers = auth(who) if who else {}
            r = client.post(url, json=body(), headers=headers)
            assert r.status_code == status, (url, who, r.text)
            assert r.json()["error"]["code"] == code, (url, who, r.text)
    for url in (
        "/api/v1/supervision/inspections",
        f"/api/v1/supervision/inspections/{codes['EX-CB-001']}",
    ):
        assert client.get(url, headers=auth("cab-a:write")).status_code == 403
        assert client.get(url).status_code == 401
    assert state(world) == before


def test_api_adhoc_flow_and_publication(world: TestDatabase, client: TestClient) -> None:
    filed = client.post(
        "/api/v1/complaints",
        json={"subject_kind": "body", "subject": "EX-LAB-001", "summary": "Reports signed blank",
              "name": NAME, "contact": CONTACT},
    )  # fmt: skip
    assert filed.status_code == 201, filed.text
    case = filed.json()["case_number"]
    STATE["case"] = case
    reg = auth("reg:write")
    conflict = client.post(
        "/api/v1/supervision/inspections",
        json={"cab": "EX-CB-001", "inspectors": ["I-A", "I-C"], "planned_from": "2026-04-01",
              "planned_until": "2026-04-10", "complaint": case},
        headers=reg,
    )  # fmt: skip
    assert conflict.status_code == 422
    assert conflict.json()["error"]["code"] in ("conflict_of_interest", "same_body")
    made = client.post(
        "/api/v1/supervision/inspections",
        json={"cab": "EX-LAB-001", "inspectors": ["I-D", "I-E"], "planned_from": "2026-04-01",
              "planned_until": "2026-04-10", "complaint": case, "on": "2026-03-20"},
        headers=reg,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    assert made.json()["origin"] == "complaint" and made.json()["origin_reference"] == case
    url = f"/api/v1/supervision/inspections/{code}"
    assert client.post(url + "/start", json={"on": "2026-04-02"}, headers=reg).status_code == 200
    items = [{"item": c, "outcome": "conforming"} for c in ITEMS()]
    items[0] = {"item": ITEMS()[0], "outcome": "nonconforming_major",
                "note_zh": "严重问题", "note_en": "Serious problem"}  # fmt: skip
    wrong = client.post(
        url + "/result", json={"items": items, "signed_by": ["I-D", "I-A"]}, headers=reg
    )
    assert wrong.status_code == 422
    err = wrong.json()["error"]
    assert err["code"] == "assigned_inspectors_only" and err["field"] == "signed_by"
    assert "I-A is not assigned" in err["message"]
    ok = client.post(
        url + "/result", json={"items": items, "signed_by": ["I-D", "I-E"]}, headers=reg
    )
    assert ok.status_code == 200, ok.text
    assert client.get(f"/api/v1/supervision/inspection-results/{code}").status_code == 404
    done = client.post(
        url + "/complete",
        json={"on": "2026-04-09", "sanction": {"kind": "fine", "effective_on": "2026-04-20",
              "basis_zh": "条例", "basis_en": "Regulations", "amount": 30000}},
        headers=reg,
    )  # fmt: skip
    assert done.status_code == 200, done.text
    assert done.json()["conclusion"] == "major" and done.json()["sanction"]["amount"] == "30000.00"
    pub = client.get(f"/api/v1/supervision/inspection-results/{code}")
    assert pub.status_code == 200
    body = pub.json()
    assert body["conclusion"] == "major" and body["completed_on"] == "2026-04-09"
    assert body["target"]["cab"] == "EX-LAB-001" and body["complaints"] == [case]
    first = body["items"][0]
    assert first["outcome"] == "nonconforming_major" and first["note"]["en"] == "Serious problem"
    assert first["basis"]["en"] and first["basis"]["zh"]
    assert body["inspectors"] == [
        {"code": "I-D", "name": {"zh": "检查员丁", "en": "Inspector D"}, "role": "inspector"},
        {"code": "I-E", "name": {"zh": "检查员戊", "en": "Inspector E"}, "role": "inspector"},
    ]
    text = pub.text
    for private in (NAME, CONTACT, "Reports signed blank", "CN-SECRET-REGION", "past_employers"):
        assert private not in text
    feed = client.get("/api/v1/supervision/disclosures")
    assert feed.status_code == 200
    results = {r["code"]: r for r in feed.json()["inspection_results"]}
    assert set(results) == {code, STATE["published"]}
    assert results[code]["conclusion"] == "major"
    assert results[code]["url"] == f"/supervision/inspection-results/{code}"
    for private in (NAME, CONTACT, "Reports signed blank", "CN-SECRET-REGION"):
        assert private not in feed.text
    # not completed → not published
    lab_draw = by_target(world)["EX-LAB-001"]
    assert client.get(f"/api/v1/supervision/inspection-results/{lab_draw}").status_code == 404
    listed = client.get("/api/v1/supervision/inspection-results").json()
    assert [r["code"] for r in listed][:2] == [code, STATE["published"]]
    STATE["adhoc"] = code


# --------------------------------------------------------------------------- pages


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def _signed_in(world: TestDatabase, username: str) -> TestClient:
    c = TestClient(create_app(engine=world.engine))
    token = _csrf(c.get("/login").text)
    r = c.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return c


def test_public_pages_in_both_languages(world: TestDatabase, client: TestClient) -> None:
    code = STATE["adhoc"]
    en = client.get(f"/supervision/inspection-results/{code}?lang=en")
    zh = client.get(f"/supervision/inspection-results/{code}?lang=zh")
    assert en.status_code == zh.status_code == 200
    assert "Major nonconformities" in en.text and "Nonconforming (major)" in en.text
    assert "Serious problem" in en.text and "Fine" in en.text
    assert "严重不符合" in zh.text and "严重问题" in zh.text and "罚款" in zh.text
    assert "结论：存在严重不符合" in zh.text and "Conclusion: major" in en.text
    for page in (en, zh):
        for private in (NAME, CONTACT, "Reports signed blank", "CN-SECRET-REGION"):
            assert private not in page.text
    assert (
        client.get(f"/supervision/inspection-results/{by_target(world)['EX-LAB-001']}").status_code
        == 404
    )
    for lang, word in (("en", "Inspection results"), ("zh", "检查结果")):
        page = client.get(f"/supervision?lang={lang}")
        assert page.status_code == 200 and word in page.text
        assert f"/supervision/inspection-results/{code}" in page.text
        assert f"/supervision/inspection-results/{STATE['published']}" in page.text


def test_workbench_needs_the_regulator(world: TestDatabase, client: TestClient) -> None:
    anon = client.get("/supervision/inspections", follow_redirects=False)
    assert anon.status_code == 303 and anon.headers["location"].startswith("/login")
    cab = _signed_in(world, "cab-a")
    assert cab.get("/supervision/inspections").status_code == 403
    code = by_target(world)["EX-LAB-001"]
    assert cab.get(f"/supervision/inspections/{code}").status_code == 403
    token = _csrf(cab.get("/login").text)
    before = state(world)
    r = cab.post(
        f"/supervision/inspections/{code}/cancel", data={"csrf_token": token, "reason": "x"}
    )
    assert r.status_code == 403
    assert state(world) == before


def test_workbench_pages_and_result_form(world: TestDatabase) -> None:
    c = _signed_in(world, "reg")
    code = by_target(world)["EX-LAB-001"]  # in progress since 2026-02-03
    for lang, word in (("en", "Record the result"), ("zh", "记录检查结果")):
        listing = c.get(f"/supervision/inspections?lang={lang}")
        assert listing.status_code == 200 and code in listing.text
        page = c.get(f"/supervision/inspections/{code}?lang={lang}")
        assert page.status_code == 200 and word in page.text
    token = _csrf(page.text)
    form: dict[str, Any] = {"csrf_token": token, "signed_by": ["I-D", "I-A"]}
    for item in ITEMS():
        form[f"outcome:{item}"] = "conforming"
    before = state(world)
    assert (
        c.post(
            f"/supervision/inspections/{code}/result", data={**form, "csrf_token": "x"}
        ).status_code
        == 403
    )
    refused = c.post(f"/supervision/inspections/{code}/result", data=form)
    assert refused.status_code == 422
    # the page's language is still Chinese (the lang cookie); the service's detail follows
    assert "只有被指派参加本次检查的检查人员可以签署检查结果。" in refused.text
    assert "I-A is not assigned" in refused.text
    assert state(world) == before
    form["signed_by"] = ["I-D", "I-E"]
    ok = c.post(f"/supervision/inspections/{code}/result", data=form, follow_redirects=False)
    assert ok.status_code == 303
    done = c.post(
        f"/supervision/inspections/{code}/complete",
        data={"csrf_token": token, "on": "2026-03-05"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    public = c.get(f"/supervision/inspection-results/{code}?lang=en")
    assert public.status_code == 200 and "Conforming" in public.text


# --------------------------------------------------------------------------- demo


def _demo_snapshot(tmp: Path) -> tuple[list[tuple[str, ...]], dict[str, Any]]:
    from accordia.demo.generator import generate
    from accordia.demo.inspections import SEED_TEXT, seed

    database = make_database(tmp)
    try:
        generate(database.engine, scale=500, seed=42, index=False)
        seed(database.engine, seed=42, scale=500)
        seed(database.engine, seed=42, scale=500)  # a second call adds nothing
        with unit_of_work(database.engine) as s:
            rows = ins.list_inspections(s, authz.local_admin())
            draw = {r["draw"] for r in rows if r["draw"]}
            pub = ins.public_result(s, ins.published_results(s)[0]["code"])
        (code,) = draw
        verified = sv.verify_draw(database.engine, code, SEED_TEXT.format(seed=42))
        snap = [
            (r["code"], r["target"]["cab"], r["origin"], r["status"], str(r["conclusion"]))
            for r in rows
        ]
        return snap, {"verified": verified["ok"], "public": pub}
    finally:
        database.drop()


def test_demo_seed_every_state_deterministic(tmp_path: Path) -> None:
    one, info = _demo_snapshot(tmp_path / "a")
    two, _ = _demo_snapshot(tmp_path / "b")
    assert one == two
    assert info["verified"] is True
    statuses = {s for _c, _t, _o, s, _k in one}
    assert statuses == {"planned", "in_progress", "completed", "cancelled"}
    conclusions = {k for *_x, s, k in one if s == "completed"}
    assert conclusions == {"conforming", "minor", "major"}
    assert {o for _c, _t, o, _s, _k in one} == {"draw", "complaint"}
    assert "SYNTHETIC" in info["public"]["source"]
    assert all("synthetic" in p["name"]["en"] for p in info["public"]["inspectors"])


def test_adhoc_from_a_finding_and_bad_text(env: TestDatabase, client: TestClient) -> None:
    from accordia.models.supervision import Finding, ScanRun

    fp = "validity_exceeds_cycle|EX-CB-001|EXQ-2024-0001"
    with session_factory(env.engine)() as s:
        cab_id = s.execute(
            select(m.Cab.id).filter(m.Cab.registration_number == "EX-CB-001")
        ).scalar_one()
        run = ScanRun(on=dt.date(2026, 3, 1), status="done", certificates=1, finding_count=1)
        s.add(run)
        s.flush()
        s.add(
            Finding(
                scan_run_id=run.id, rule="validity_exceeds_cycle", severity="medium",
                fingerprint=fp, cab_id=cab_id, subject="EXQ-2024-0001",
                message_zh="（测试）", message_en="(test)", evidence={"planted": "test"},
            )
        )  # fmt: skip
        s.commit()
    window = ["--from", "2026-04-01", "--until", "2026-04-30", "--on", "2026-03-02"]
    other = invoke("plan", "--cab", "EX-LAB-001", "--inspector", "I-D", "--finding", fp, *window)
    assert other.exit_code == 64 and "rule: same_body" in other.output
    none = invoke("plan", "--cab", "EX-CB-001", "--inspector", "I-A", "--finding", "x|y|z", *window)
    assert none.exit_code == 64 and "field finding" in none.output
    both = invoke(
        "plan", "--cab", "EX-CB-001", "--inspector", "I-A", "--finding", fp,
        "--complaint", "CMP-X", *window,
    )  # fmt: skip
    assert both.exit_code == 64 and "rule: adhoc_reference" in both.output
    ok = invoke(
        "plan", "--cab", "EX-CB-001", "--inspector", "I-A", "--inspector", "I-B",
        "--finding", fp, *window, "--json",
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    (made,) = json.loads(ok.output)
    assert made["origin"] == "finding" and made["origin_reference"] == fp
    assert made["findings"] == [{"rule": "validity_exceeds_cycle", "subject": "EXQ-2024-0001"}]
    # text the database cannot store is refused with the field named, nothing written
    before = state(env)
    r = client.post(
        f"/api/v1/supervision/inspections/{made['code']}/cancel",
        json={"reason": "bad\x00text"},
        headers=auth("reg:write"),
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    assert state(env) == before
