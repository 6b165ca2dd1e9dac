"""Sanctions (issue 7): CLI and API, regulator only; a suspension or revocation becomes events
on the CAB's regulator approval, audited, and shows in verdicts from its effective date."""

from __future__ import annotations

import json
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
from accordia.db.session import session_factory
from accordia.importer.run import import_files
from accordia.models.supervision import Sanction
from accordia.services import accounts
from tests.conftest import TestDatabase

runner = CliRunner()
CERT = "EXQ-2024-0001"  # issued by EX-CB-001 on 2024-06-01
TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module")
def world(db: TestDatabase) -> TestDatabase:
    files = sorted(Path(examples.__path__[0]).glob("*.csv"))
    assert import_files(db.engine, files, actor="test").problem_count == 0
    with session_factory(db.engine)() as s:
        for name, role, kw in (
            ("reg", "regulator", {}),
            ("cab-a", "cab", {"cab": "EX-CB-001"}),
        ):
            user = accounts.create_user(s, username=name, role=role, actor="setup", **kw)
            for scope in ("read", "write"):
                issued = accounts.issue_token(s, user, name=scope, scope=scope, days=1, actor="x")
                TOKENS[f"{name}:{scope}"] = issued.secret
        s.commit()
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


def cab_node(client: TestClient, on: str) -> dict[str, Any]:
    r = client.get("/api/v1/verify", params={"number": CERT, "on": on})
    assert r.status_code == 200, r.text
    verdict = r.json()
    return next(n for n in verdict["path"] if n["node"] == "cab") | {"_verdict": verdict}


def approval_events(world: TestDatabase, regno: str) -> list[tuple[str, str]]:
    with session_factory(world.engine)() as s:
        rows = s.execute(
            select(m.BodyApprovalEvent.kind, m.BodyApprovalEvent.effective_on)
            .join(m.Cab, m.Cab.id == m.BodyApprovalEvent.parent_id)
            .filter(m.Cab.registration_number == regno)
            .order_by(m.BodyApprovalEvent.effective_on)
        ).all()
    return [(k, d.isoformat()) for k, d in rows]


def test_cli_time_limited_suspension_changes_verdicts_from_its_date(
    env: TestDatabase, client: TestClient
) -> None:
    before = cab_node(client, "2025-03-01")
    assert before["status"] == "ok"
    r = runner.invoke(
        cli,
        [
            "supervise", "sanction", "add", "--cab", "EX-CB-001", "--kind", "suspension",
            "--effective-on", "2025-02-01", "--until", "2025-05-01",
            "--basis-zh", "《认证认可条例》", "--basis-en", "PRC Regulations", "--json",
        ],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["approval_events"] == [
        {"kind": "suspended", "effective_on": "2025-02-01"},
        {"kind": "restored", "effective_on": "2025-05-01"},
    ]
    assert ("suspended", "2025-02-01") in approval_events(env, "EX-CB-001")
    # the same audit operation holds the sanction and both approval events, by the CLI actor
    with session_factory(env.engine)() as s:
        trail = s.execute(
            select(m.AuditEntry.entity, m.AuditEntry.actor).filter_by(operation=data["operation"])
        ).all()
    assert sorted(trail) == [
        ("body_approval_event", "cli"),
        ("body_approval_event", "cli"),
        ("sanction", "cli"),
    ]
    # downstream: the CAB node of the verdict fails while suspended, holds before and after
    assert cab_node(client, "2025-01-31")["status"] == "ok"
    during = cab_node(client, "2025-03-01")
    assert during["status"] == "failed"
    assert cab_node(client, "2025-05-02")["status"] == "ok"
    # and the verdict itself: the suspension fails the accreditation link while it lasts
    # (the certificate stays valid; its issuer may not attest meanwhile)
    links = {x["link"]: x["status"] for x in during["_verdict"]["links"]}
    assert links["accreditation"] == "failed"
    assert {x["link"]: x["status"] for x in before["_verdict"]["links"]}["accreditation"] == "ok"
    assert during["_verdict"]["valid"] == before["_verdict"]["valid"]


def test_cli_refuses_bad_sanctions(env: TestDatabase) -> None:
    base = ["supervise", "sanction", "add", "--basis-zh", "依据", "--basis-en", "basis"]
    cases = [
        ["--cab", "NOPE", "--kind", "warning", "--effective-on", "2025-01-01"],
        ["--cab", "EX-CB-001", "--kind", "warning", "--effective-on", "2025-01-01",
         "--until", "2025-02-01"],
        ["--cab", "EX-CB-001", "--kind", "warning", "--effective-on", "2025-01-01",
         "--amount", "5"],
        ["--cab", "EX-CB-001", "--kind", "caution", "--effective-on", "2025-01-01"],
    ]  # fmt: skip
    with session_factory(env.engine)() as s:
        n = s.execute(select(func.count()).select_from(Sanction)).scalar_one()
    for extra in cases:
        r = runner.invoke(cli, base + extra)
        assert r.exit_code == 64, (extra, r.output)
    r = runner.invoke(
        cli, [*base, "--cab", "EX-CB-001", "--kind", "warning", "--effective-on", "2025-01-01",
              "--actor", "cab-a"],
    )  # fmt: skip
    assert r.exit_code == 1 and "regulator" in r.output
    with session_factory(env.engine)() as s:
        assert s.execute(select(func.count()).select_from(Sanction)).scalar_one() == n


def test_api_revocation_and_fine(world: TestDatabase, client: TestClient) -> None:
    body = {
        "cab": "EX-LAB-001",
        "kind": "revocation",
        "effective_on": "2026-01-10",
        "basis_zh": "《认证认可条例》",
        "basis_en": "PRC Regulations",
    }
    for who, code in (("cab-a:write", "regulator_only"), ("reg:read", "read_only")):
        r = client.post("/api/v1/supervision/sanctions", json=body, headers=auth(who))
        assert r.status_code == 403 and r.json()["error"]["code"] == code
    assert client.post("/api/v1/supervision/sanctions", json=body).status_code == 401
    assert approval_events(world, "EX-LAB-001") == []
    r = client.post("/api/v1/supervision/sanctions", json=body, headers=auth("reg:write"))
    assert r.status_code == 201, r.text
    assert approval_events(world, "EX-LAB-001") == [("withdrawn", "2026-01-10")]
    fine = {**body, "kind": "fine", "amount": 50000}
    r = client.post("/api/v1/supervision/sanctions", json=fine, headers=auth("reg:write"))
    assert r.status_code == 201 and r.json()["amount"] == "50000.00"
    assert r.json()["approval_events"] == []
    bad = {**body, "kind": "warning", "until": "2026-02-01"}
    r = client.post("/api/v1/supervision/sanctions", json=bad, headers=auth("reg:write"))
    assert r.status_code == 422
    listed = client.get("/api/v1/supervision/sanctions", params={"cab": "EX-LAB-001"}).json()
    assert {s["kind"] for s in listed} == {"revocation", "fine"}
    feed = client.get("/api/v1/supervision/disclosures").json()
    assert {s["kind"] for s in feed["sanctions"]} >= {"revocation", "fine", "suspension"}
