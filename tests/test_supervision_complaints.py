"""Complaints (social supervision) and public disclosure (issue 7): anyone files by API or the
CSRF-protected form, gets a case number and a status page that never shows personal data; the
regulator assigns, decides and publishes; ``/supervision`` and its JSON twin publish."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

import accordia.examples as examples
from accordia import models as m
from accordia.app import create_app
from accordia.cli import app as cli
from accordia.db.session import session_factory
from accordia.importer.run import import_files
from accordia.models.supervision import Complaint
from accordia.services import accounts
from tests.conftest import TestDatabase

runner = CliRunner()
CERT = "EXQ-2024-0001"
NAME, CONTACT = "Zhang Sanfeng", "whistle@example.org"
TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module")
def world(db: TestDatabase) -> TestDatabase:
    files = sorted(Path(examples.__path__[0]).glob("*.csv"))
    assert import_files(db.engine, files, actor="test").problem_count == 0
    with session_factory(db.engine)() as s:
        for name, role, kw in (("reg", "regulator", {}), ("cab-a", "cab", {"cab": "EX-CB-001"})):
            user = accounts.create_user(s, username=name, role=role, actor="setup", **kw)
            issued = accounts.issue_token(s, user, name="w", scope="write", days=1, actor="x")
            TOKENS[name] = issued.secret
        s.commit()
    return db


@pytest.fixture()
def client(world: TestDatabase) -> Iterator[TestClient]:
    with TestClient(create_app(engine=world.engine)) as c:
        yield c


def auth(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[who]}"}


def stored(world: TestDatabase, case: str) -> Complaint:
    with session_factory(world.engine)() as s:
        row = s.execute(select(Complaint).filter_by(case_number=case)).scalar_one()
        s.expunge(row)
        return row


def file_api(client: TestClient, **extra: object) -> dict[str, object]:
    body = {"subject_kind": "certificate", "subject": CERT, "summary": "No audit took place."}
    r = client.post("/api/v1/complaints", json={**body, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_api_filing_status_never_shows_personal_data(
    world: TestDatabase, client: TestClient
) -> None:
    att = base64.b64encode(b"%PDF-1.4 evidence").decode()
    case = file_api(
        client, name=NAME, contact=CONTACT, attachment_base64=att, attachment_name="e.pdf"
    )
    number = str(case["case_number"])
    assert re.fullmatch(r"CMP-\d{8}-[0-9A-F]{8}", number)
    row = stored(world, number)
    assert (row.complainant_name, row.contact, row.attachment) == (
        NAME,
        CONTACT,
        b"%PDF-1.4 evidence",
    )
    assert row.cab_id is not None and row.deadline is not None
    public = client.get(f"/api/v1/complaints/{number}").json()
    assert set(public) == {
        "case_number", "subject_kind", "subject", "received_on", "status", "deadline",
        "outcome", "outcome_published_on",
    }  # fmt: skip
    page = client.get(f"/complaints/{number}")
    assert page.status_code == 200 and number in page.text and CERT in page.text
    for secret in (NAME, CONTACT, "e.pdf", "No audit took place"):
        assert secret not in page.text and secret not in json.dumps(public)
    assert client.get("/api/v1/complaints/CMP-NOPE").status_code == 404
    assert client.get("/complaints/CMP-NOPE").status_code == 404


def test_api_anonymous_and_limits(world: TestDatabase, client: TestClient) -> None:
    case = file_api(client, anonymous=True, name=NAME, contact=CONTACT)
    row = stored(world, str(case["case_number"]))
    assert row.anonymous and row.complainant_name is None and row.contact is None
    body = {"subject_kind": "body", "subject": "EX-CB-001", "summary": "x"}
    big = base64.b64encode(b"x" * (2 * 1024 * 1024 + 1)).decode()
    assert (
        client.post("/api/v1/complaints", json={**body, "attachment_base64": big}).status_code
        == 422
    )
    unknown = {**body, "subject": "NO-SUCH-CAB"}
    assert client.post("/api/v1/complaints", json=unknown).status_code == 422
    assert client.post("/api/v1/complaints", json=body).status_code == 201


def _form_token(client: TestClient) -> str:
    r = client.get("/complaints/new?lang=zh")
    assert r.status_code == 200 and "投诉举报" in r.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    assert found
    return found.group(1)


def test_web_form_csrf_filing_and_size_limit(world: TestDatabase, client: TestClient) -> None:
    fields = {"subject_kind": "body", "subject": "EX-CB-001", "summary": "Certificates for sale",
              "name": NAME, "contact": CONTACT}  # fmt: skip
    token = _form_token(client)
    assert client.post("/complaints/new", data=fields).status_code == 403
    assert client.post("/complaints/new", data={**fields, "csrf_token": "x"}).status_code == 403
    big = {"attachment": ("big.bin", b"x" * (2 * 1024 * 1024 + 1), "application/octet-stream")}
    r = client.post("/complaints/new", data={**fields, "csrf_token": token}, files=big)
    assert r.status_code == 413
    small = {"attachment": ("note.txt", b"evidence", "text/plain")}
    r = client.post(
        "/complaints/new", data={**fields, "csrf_token": token}, files=small, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    number = r.headers["location"].split("/")[-1].split("?")[0]
    row = stored(world, number)
    assert (row.attachment, row.attachment_name, row.contact) == (b"evidence", "note.txt", CONTACT)
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and NAME not in page.text and CONTACT not in page.text


def test_regulator_handles_and_publishes(
    world: TestDatabase, client: TestClient, use_db: TestDatabase
) -> None:
    number = str(file_api(client, name=NAME)["case_number"])
    upd = {"assignee": "inspector-li", "status": "substantiated"}
    url = f"/api/v1/supervision/complaints/{number}"
    r = client.post(url, json=upd, headers=auth("cab-a"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "regulator_only"
    assert client.get(url, headers=auth("cab-a")).status_code == 403
    r = client.post(url, json=upd, headers=auth("reg"))
    assert r.status_code == 200, r.text
    assert r.json()["assignee"] == "inspector-li" and r.json()["complainant_name"] == NAME
    # the CLI publishes the outcome
    res = runner.invoke(cli, ["supervise", "complaint", "update", number, "--publish"])
    assert res.exit_code == 64 and "no outcome" in res.output
    outcome = "Rectification ordered; certificate withdrawn."
    res = runner.invoke(
        cli, ["supervise", "complaint", "update", number, "--outcome", outcome, "--publish"]
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["supervise", "complaint", "list", "--json"])
    assert number in res.output
    public = client.get(f"/api/v1/complaints/{number}").json()
    assert public["status"] == "substantiated" and public["outcome"] == outcome
    page = client.get(f"/complaints/{number}")
    assert outcome in page.text and "inspector-li" not in page.text and NAME not in page.text
    with session_factory(world.engine)() as s:
        audited = s.execute(
            select(m.AuditEntry.actor).filter_by(entity="complaint", record_key=number)
        ).scalars()
        assert set(audited) == {"reg", "cli"}
    feed = client.get("/api/v1/supervision/disclosures").json()
    assert [c["case_number"] for c in feed["complaint_outcomes"]] == [number]
    assert NAME not in json.dumps(feed)


def test_disclosure_page_both_languages(world: TestDatabase, client: TestClient) -> None:
    r = client.post(
        "/api/v1/supervision/sanctions",
        json={"cab": "EX-CB-001", "kind": "warning", "effective_on": "2026-03-01",
              "basis_zh": "《认证认可条例》", "basis_en": "PRC Regulations"},
        headers=auth("reg"),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    zh = client.get("/supervision?lang=zh")
    en = client.get("/supervision?lang=en")
    assert zh.status_code == en.status_code == 200
    assert "行政处罚" in zh.text and "警告" in zh.text and "《认证认可条例》" in zh.text
    assert "Sanctions" in en.text and "Warning" in en.text and "PRC Regulations" in en.text
    assert 'href="/api/v1/supervision/disclosures"' in en.text
    assert client.get("/api/v1/supervision/disclosures").status_code == 200
