"""The scan over the demo world finds exactly the planted irregularities; findings, risk and
draws through the service and the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from accordia.cli import app
from accordia.demo.generator import TODAY, DemoResult, generate
from accordia.domain.supervision.rules import RULES
from accordia.services import supervision as sv
from tests.conftest import TestDatabase

runner = CliRunner()


@pytest.fixture(scope="module")
def world(db: TestDatabase) -> DemoResult:
    return generate(db.engine, scale=300, seed=11)


def _pairs(rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(f["rule"], f["certificate"] or f["cab"]) for f in rows}


def test_every_rule_is_planted(world: DemoResult) -> None:
    assert {p.rule for p in world.planted} == set(RULES)


def test_scan_finds_exactly_the_planted(db: TestDatabase, world: DemoResult) -> None:
    summary = sv.scan(db.engine, TODAY)
    assert summary.certificates == 300
    expected = {(p.rule, p.certificate or p.cab) for p in world.planted}
    assert _pairs(sv.findings(db.engine)) == expected
    for f in sv.findings(db.engine):
        assert f["evidence"] and f["message"]["zh"] and f["message"]["en"]


def test_a_new_run_supersedes_and_is_idempotent(db: TestDatabase, world: DemoResult) -> None:
    before = _pairs(sv.findings(db.engine))
    again = sv.scan(db.engine, TODAY, batch=37)  # other batch boundaries, same answer
    assert _pairs(sv.findings(db.engine)) == before
    assert all(f["scan_run"] == again.run_id for f in sv.findings(db.engine))


def test_findings_filters(db: TestDatabase, world: DemoResult) -> None:
    mill = next(p for p in world.planted if p.rule == "certificate_mill")
    rows = sv.findings(db.engine, rule="certificate_mill")
    assert [r["cab"] for r in rows] == [mill.cab]
    assert rows[0]["subject"].endswith("/2025")
    assert all(r["cab"] == mill.cab for r in sv.findings(db.engine, cab=mill.cab))


def test_risk_counts_the_findings_of_each_body(db: TestDatabase, world: DemoResult) -> None:
    # the demo also plants complaints and sanctions, which score too: here only the finding
    # components are checked — exactly the bodies with planted findings have them
    scores = sv.risk_scores(db.engine, TODAY)
    flagged = {p.cab for p in world.planted}
    with_findings = {s.body for s in scores if any(c.kind == "finding" for c in s.components)}
    assert with_findings == flagged
    for s in scores:
        rules = {c.key: c.count for c in s.components if c.kind == "finding"}
        planted = [p.rule for p in world.planted if p.cab == s.body]
        assert rules == {r: planted.count(r) for r in set(planted)}
    assert scores == sorted(scores, key=lambda s: (-s.score, s.body))


def test_cli_scan_findings_and_draw(use_db: TestDatabase, world: DemoResult) -> None:
    r = runner.invoke(app, ["supervise", "scan", "--on", TODAY.isoformat(), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["findings"] == len(world.planted)
    r = runner.invoke(app, ["supervise", "findings", "--rule", "sample_below_md1", "--json"])
    assert r.exit_code == 0 and len(json.loads(r.output)) == 1
    assert runner.invoke(app, ["supervise", "findings", "--rule", "nope"]).exit_code == 64
    for i in range(6):
        args = [
            "supervise",
            "inspector-add",
            f"INS-{i}",
            "--specialty",
            "ms_cb",
            "--specialty",
            "product_cb",
            "--specialty",
            "testing_lab",
        ]
        if i == 0:
            args += ["--past-employer", "DEMO-R-CN-0001"]
        assert runner.invoke(app, args).exit_code == 0
    r = runner.invoke(
        app,
        [
            "supervise",
            "draw",
            "--ratio",
            "0.25",
            "--seed-commit",
            "--json",
            "--on",
            TODAY.isoformat(),
        ],
    )
    assert r.exit_code == 0, r.output
    committed = json.loads(r.output)
    seed, code = committed["seed"], committed["draw"]
    public = sv.public_draw(use_db.engine, code)
    assert public["seed"] is None and public["commitment"] == committed["commitment"]
    assert runner.invoke(app, ["supervise", "draw", "--reveal", "wrong"]).exit_code == 64
    r = runner.invoke(app, ["supervise", "draw", "--reveal", seed, "--json"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)["result"]
    assert len(result["drawn"]) == 3  # ⌈0.25 × 12⌉
    for a in result["drawn"]:
        assert len(a["inspectors"]) == 2
        if a["target"] == "DEMO-R-CN-0001":
            # the demo's own inspectors may be recused too (their past employers)
            assert "INS-0" not in a["inspectors"] and "INS-0" in a["recused"]
    ok = runner.invoke(app, ["supervise", "draw", "--verify", code, "--seed", seed])
    assert ok.exit_code == 0 and "reproduced" in ok.output
    bad = runner.invoke(app, ["supervise", "draw", "--verify", code, "--seed", seed + "x"])
    assert bad.exit_code == 1 and "DIFFERS" in bad.output


def test_scan_before_the_plants_took_effect(db: TestDatabase, world: DemoResult) -> None:
    sv.scan(db.engine, dt.date(2023, 1, 1))
    rules = {f["rule"] for f in sv.findings(db.engine)}
    assert "expired_shown_valid" not in rules and "surveillance_overdue" not in rules
    sv.scan(db.engine, TODAY)  # leave the module's current run as it was


def test_public_api_is_read_only(db: TestDatabase, world: DemoResult) -> None:
    from fastapi.testclient import TestClient

    from accordia.app import create_app

    client = TestClient(create_app(engine=db.engine))
    rules = client.get("/api/v1/supervision/rules").json()
    assert {r["id"] for r in rules} == set(RULES)
    items = client.get("/api/v1/supervision/items").json()
    assert {i["code"] for i in items} >= set(RULES)
    assert client.get("/api/v1/supervision/draws/NOPE").status_code == 404
    listed = client.get("/api/v1/supervision/draws").json()
    for d in listed:
        if d["revealed"]:
            seed = client.get(f"/api/v1/supervision/draws/{d['code']}").json()["seed"]
            v = client.get(f"/api/v1/supervision/draws/{d['code']}/verify", params={"seed": seed})
            assert v.json()["ok"] is True
    assert client.post("/api/v1/supervision/rules").status_code == 405
