"""Search wired to the registry: the index fed from registry rows, the CLI, the API and the web
page (on the engine under test, in a database built by the migrations)."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc
from typer.testing import CliRunner

from accordia import models as m
from accordia.app import create_app
from accordia.cli import app as cli_app
from accordia.demo.generator import Showcase, generate
from accordia.importer.run import import_files
from accordia.search import clear_index, index_size, search
from accordia.services.search_index import page_url, reindex, reindex_all
from tests.conftest import TestDatabase

S = Showcase()
BODY = "91440300MA5" + "F7KQ2X"  # 17 characters; the check character is computed
USCC = BODY + uscc.calc_check_digit(BODY)
NAME_ZH = "深圳市瑞麒光电科技有限公司"
NAME_EN = "Shenzhen Ruiqi Optoelectronics Technology Co., Ltd."
runner = CliRunner()


@pytest.fixture(scope="module")
def world(db: TestDatabase, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo world plus one organization imported from a CSV file, then indexed."""
    generate(db.engine, scale=300)
    path = tmp_path_factory.mktemp("imp") / "organizations.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["key", "name_zh", "name_en", "economy", "uscc"])
        w.writerow([USCC, NAME_ZH, NAME_EN, "CN", USCC])
    result = import_files(db.engine, [path], actor="test")
    assert result.problem_count == 0
    counts = reindex_all(db.engine)
    with Session(db.engine) as s:
        cert = s.execute(
            select(m.Certificate.number, m.Cab.registration_number)
            .join(m.Cab, m.Cab.id == m.Certificate.cab_id)
            .where(m.Certificate.number == S.valid)
        ).one()
    return {"counts": counts, "cert": (cert.registration_number, cert.number)}


@pytest.fixture()
def session(db: TestDatabase, world: dict[str, Any]) -> Iterator[Session]:
    with Session(db.engine) as s:
        yield s
        s.rollback()


@pytest.fixture(scope="module")
def client(db: TestDatabase, world: dict[str, Any]) -> Iterator[TestClient]:
    with TestClient(create_app(engine=db.engine)) as c:
        yield c


# --- the index, fed from the registry -------------------------------------------------------


def test_reindex_covers_every_kind(session: Session, world: dict[str, Any]) -> None:
    counts = world["counts"]
    assert set(counts) == {"organization", "cab", "accreditation_body", "certificate"}
    assert all(n > 0 for n in counts.values()), counts
    with_orgs = session.scalar(select(m.Organization.id).limit(1))
    assert with_orgs is not None
    n_orgs = len(session.scalars(select(m.Organization.id)).all())
    assert counts["organization"] == n_orgs
    assert index_size(session)["entities"] == sum(counts.values())


def test_imported_organization_found_by_uscc_in_any_format(session: Session) -> None:
    spaced = " ".join(USCC[i : i + 4] for i in range(0, 18, 4)).lower()
    for q in (USCC, USCC.lower(), spaced, USCC.translate({c: c + 0xFEE0 for c in range(33, 127)})):
        r = search(session, q)
        assert r.interpretation == "identifier", q
        assert r.top is not None and r.top.key == USCC and r.top.kind == "organization", q
        assert r.top.why == "USCC exact"


@pytest.mark.parametrize(
    "q",
    [
        "rui qi",
        "shenzhen rui qi",
        "ruìqí",
        "rui2 qi2",
        "深圳瑞麒",
        "瑞麒光電",
        "Ruiqi Optoelectronic",
    ],
)
def test_imported_organization_found_by_pinyin_and_name(session: Session, q: str) -> None:
    r = search(session, q, kinds=["organization"])
    assert r.status == "ok", (q, r.message)
    assert USCC in [h.key for h in r.hits[:3]], (q, [(h.key, h.why) for h in r.hits])


def test_registry_kinds_and_keys(session: Session, world: dict[str, Any]) -> None:
    r = search(session, "CNAS", kinds=["accreditation_body"])
    assert r.top is not None and r.top.key == "CN/CNAS" and r.top.acronym == "CNAS"
    r = search(session, S.cab.lower(), kinds=["cab"])
    assert r.top is not None and r.top.key == S.cab
    cab, number = world["cert"]
    r = search(session, number.replace("-", " "), kinds=["certificate"])
    assert r.top is not None and r.top.key == f"{cab}/{number}"
    assert r.top.extra is not None and r.top.extra["cab"] == cab and r.top.extra["standard"]
    # a certificate's names are its holder's
    r = search(session, NAME_ZH, economy="CN")
    assert r.top is not None and r.top.key == USCC
    r = search(session, NAME_ZH, economy="GB")
    assert all(h.economy_code == "GB" for h in r.hits)


def test_partial_reindex_replaces_one_kind(session: Session, world: dict[str, Any]) -> None:
    before = index_size(session)
    counts = reindex(session, ["cab"])
    assert counts == {"cab": world["counts"]["cab"]}
    assert index_size(session)["entities"] == before["entities"]
    r = search(session, S.cab, kinds=["cab"])
    assert r.top is not None and r.top.key == S.cab
    with pytest.raises(ValueError, match="unknown kind"):
        reindex(session, ["person"])


def test_empty_index_says_how_to_fill_it(session: Session) -> None:
    clear_index(session)
    for q in ("Huawei", USCC):
        r = search(session, q)
        assert r.status == "no_match" and r.reason == "index_empty"
        assert "accordia search --reindex" in r.message


def test_page_urls() -> None:
    assert page_url("organization", "91 44/x") == "/organizations/91%2044%2Fx"
    assert page_url("cab", "CNCA-R-2002-001") == "/cabs/CNCA-R-2002-001"
    assert page_url("accreditation_body", "CN/CNAS") == "/accreditation-bodies/CN/CNAS"
    assert page_url("certificate", "R-1/Q 12/3") == "/certificates/R-1/Q%2012/3"


# --- CLI ---------------------------------------------------------------------------------------


def run(*args: str) -> Any:
    return runner.invoke(cli_app, ["search", *args])


def test_cli_hits_json_and_exit_statuses(use_db: TestDatabase, world: dict[str, Any]) -> None:
    r = run("shenzhen rui qi", "--json", "--kind", "organization")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["status"] == "ok" and doc["hits"][0]["key"] == USCC
    assert doc["filters"]["kinds"] == ["organization"]
    assert {"kind", "key", "score", "why", "matches"} <= set(doc["hits"][0])
    r = run(USCC)
    assert r.exit_code == 0 and NAME_ZH in r.stdout and "USCC exact" in r.stdout
    r = run("CNAS", "--economy", "CN", "--limit", "1")
    assert r.exit_code == 0 and r.stdout.count("score") == 1
    r = run("zzqxjvw qqxzv")  # nothing like it
    assert r.exit_code == 1 and "No match" in r.stdout
    r = run("a")  # refine: the message, exit 1
    assert r.exit_code == 1 and "at least two characters" in r.stdout
    r = run("🙂🙂", "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["status"] == "refine"


@pytest.mark.parametrize(
    "args",
    [["x", "--kind", "person"], ["x", "--limit", "0"], ["x", "--limit", "many"], [], ["--bogus"]],
)
def test_cli_usage_errors_exit_64(use_db: TestDatabase, args: list[str]) -> None:
    assert run(*args).exit_code == 64


def test_cli_reindex(use_db: TestDatabase, world: dict[str, Any]) -> None:
    r = run("--reindex")
    assert r.exit_code == 0, r.output
    assert "search index rebuilt" in r.stderr
    r = run("--reindex", "CNAS", "--kind", "accreditation_body")
    assert r.exit_code == 0 and "CN/CNAS" in r.stdout


# --- API ---------------------------------------------------------------------------------------


def test_api_shape_and_links(client: TestClient) -> None:
    r = client.get("/api/v1/search", params={"q": "瑞麒", "limit": 5})
    assert r.status_code == 200
    doc = r.json()
    assert set(doc) >= {"query", "status", "message", "interpretation", "normalized", "hits"}
    assert doc["status"] == "ok" and doc["interpretation"] == "name"
    hit = doc["hits"][0]
    assert hit["key"] == USCC and hit["url"] == f"/organizations/{USCC}"
    assert hit["matches"][0]["form"] in ("core", "zh") and hit["why"]
    assert client.get(hit["url"]).status_code == 200


@pytest.mark.parametrize(
    ("q", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x", "too_short"),
        ("瑞", "too_short"),
        ("x" * 10_000, "too_long"),
        ("🙂🎉", "no_searchable_characters"),
        ("!!!", "no_searchable_characters"),
    ],
)
def test_api_refine_on_bad_input(client: TestClient, q: str, reason: str) -> None:
    r = client.get("/api/v1/search", params={"q": q})
    assert r.status_code == 200
    doc = r.json()
    assert doc["status"] == "refine" and doc["reason"] == reason and doc["message"]
    assert doc["hits"] == [] and doc["candidates"] == 0


def test_api_sql_looking_and_no_match_are_answers(client: TestClient) -> None:
    r = client.get("/api/v1/search", params={"q": "'; DROP TABLE search_term; --"})
    assert r.status_code == 200 and r.json()["status"] in ("no_match", "ok")
    r = client.get("/api/v1/search", params={"q": "91440300MA5F7KQ2XY"})  # not a valid USCC
    assert r.status_code == 200


def test_api_filters(client: TestClient) -> None:
    doc = client.get("/api/v1/search", params={"q": "CNAS", "kind": "accreditation_body"}).json()
    assert doc["hits"] and all(h["kind"] == "accreditation_body" for h in doc["hits"])
    assert doc["hits"][0]["url"] == "/accreditation-bodies/CN/CNAS"
    doc = client.get(
        "/api/v1/search", params=[("q", "Shenzhen"), ("kind", "organization"), ("kind", "cab")]
    ).json()
    assert doc["filters"]["kinds"] == ["cab", "organization"]
    assert all(h["kind"] in ("organization", "cab") for h in doc["hits"])
    doc = client.get("/api/v1/search", params={"q": "Shenzhen", "economy": "gb"}).json()
    assert doc["filters"]["economy"] == "GB" and all(h["economy_code"] == "GB" for h in doc["hits"])
    for bad in ({"q": "x", "kind": "person"}, {"q": "xx", "limit": 0}, {"q": "xx", "limit": 101}):
        r = client.get("/api/v1/search", params=bad)
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_parameter"


def test_api_in_openapi(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    op = spec["paths"]["/api/v1/search"]["get"]
    assert "SearchResponseModel" in json.dumps(op["responses"]["200"])


# --- web page ----------------------------------------------------------------------------------


def test_web_hits_link_to_pages(client: TestClient, world: dict[str, Any]) -> None:
    cab, number = world["cert"]
    cases = {
        USCC: f'href="/organizations/{USCC}"',
        "CNAS": 'href="/accreditation-bodies/CN/CNAS"',
        S.cab: f'href="/cabs/{S.cab}"',
        number.lower(): f'href="/certificates/{cab}/{number}"',
    }
    for q, link in cases.items():
        r = client.get("/search", params={"q": q, "lang": "en"})
        assert r.status_code == 200 and link in r.text, q
        href = re.search(r'<li class="hit"><a href="([^"]+)"', r.text)
        assert href is not None and client.get(href.group(1)).status_code == 200


def test_web_says_why_in_both_languages(client: TestClient) -> None:
    r = client.get("/search", params={"q": "瑞麒光電", "lang": "en"})
    assert "Matched:" in r.text and "traditional→simplified" in r.text
    assert 'href="/api/v1/search?q=' in r.text  # the JSON twin
    r = client.get("/search", params={"q": "瑞麒光電", "lang": "zh"})
    assert "匹配依据" in r.text and "繁体→简体" in r.text


@pytest.mark.parametrize(("q", "en"), [("x", "at least two"), ("🙂", "no letters")])
def test_web_refine_is_a_page_not_an_error(client: TestClient, q: str, en: str) -> None:
    r = client.get("/search", params={"q": q, "lang": "en"})
    assert r.status_code == 200 and en in r.text
    r = client.get("/search", params={"q": "x" * 10_000, "lang": "zh"})
    assert r.status_code == 200 and "200 个字符" in r.text
