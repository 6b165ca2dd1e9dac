"""Industry self-discipline (issue 7 §6): codes of conduct and commitments (CLI, API, pages),
who may write them, and the credit rating — its factors, explanations, caps, history on a date,
monotonicity and determinism."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

import accordia.examples as examples
from accordia.app import create_app
from accordia.cli import app as cli
from accordia.db.base import Base
from accordia.db.session import session_factory, unit_of_work
from accordia.domain import discipline as dd
from accordia.domain.status import Event
from accordia.importer.run import import_files
from accordia.services import accounts, authz
from accordia.services import discipline as ds
from accordia.services import supervision as sv
from tests.conftest import TestDatabase

D = dt.date
runner = CliRunner()
TOKENS: dict[str, str] = {}
SESSIONS: dict[str, str] = {}
CSRF: dict[str, str] = {}

# ============================================================================ the pure rating


def record(**kw: Any) -> dd.BodyRecord:
    return dd.BodyRecord(body="B-1", **kw)


ON = D(2026, 6, 30)


def test_clean_body_is_a_with_nothing_deducted() -> None:
    r = dd.rate(record(inspections=()), ON)
    assert (r.score, r.grade, r.factors) == (100, "A", ())
    assert r.label.zh == "信用良好" and r.label.en == "Good credit"


def test_every_factor_with_its_points_and_explanation_in_both_languages() -> None:
    rec = record(
        findings=(("issued_while_suspended", "critical", 2), ("surveillance_overdue", "high", 1)),
        scan_on=D(2026, 6, 1),
        sanctions=(dd.SanctionFact("fine", D(2025, 1, 10)),),
        complaints=(dd.ComplaintFact(D(2026, 1, 5), "CMP-1"),),
        approval_events=(Event("granted", D(2015, 1, 1)), Event("suspended", D(2025, 3, 1)),
                         Event("restored", D(2025, 4, 1))),
        accreditations=(dd.AccreditationFact("ACC-1", (Event("suspended", D(2024, 9, 1)),)),),
        memberships=(dd.MembershipFact("AS/CN", D(2018, 1, 1)),),
        codes=(dd.CodeFact("AS/CN", "COC", D(2019, 1, 1)),),
        commitments=(
            dd.CommitmentEventFact("AS/CN", "COC", "committed", D(2019, 2, 1)),
            dd.CommitmentEventFact("AS/CN", "COC", "expelled", D(2025, 6, 1)),
        ),
        inspections=(dd.InspectionFact("INS-1", D(2025, 10, 1), "major"),
                     dd.InspectionFact("INS-2", D(2026, 2, 1), "conforming")),
    )  # fmt: skip
    r = dd.rate(rec, ON)
    points = {(f.kind, f.key): f.points for f in r.factors}
    assert points == {
        ("finding", "critical"): 20,  # 2 × 10
        ("finding", "high"): 5,
        ("sanction", "fine"): 15,
        ("complaint", "substantiated"): 4,
        ("status", "episodes"): 16,  # approval suspension (no sanction) + accreditation's
        ("conduct", "expelled"): 15,
        ("inspection", "major"): 10,
        ("inspection", "conforming"): 0,
    }
    assert r.score == 100 - 85 and r.grade == "D"
    for f in r.factors:
        assert f.explanation.zh and f.explanation.en
        d = f.as_dict()
        assert d["points"] == -f.points and d["basis"]["zh"] and d["basis"]["en"]
    expl = {(f.kind, f.key): f.explanation for f in r.factors}
    assert "issued_while_suspended" in (expl[("finding", "critical")].en or "")
    assert "ACC-1" in (expl[("status", "episodes")].zh or "")
    assert "罚款" in (expl[("sanction", "fine")].zh or "")
    out = r.as_dict()
    assert out["grade"] == "D" and out["label"] == {"zh": "信用较差", "en": "Poor credit"}
    assert out["scan_on"] == "2026-06-01" and out["inspection_data"] is True


def test_caps_by_severity_and_count() -> None:
    rec = record(
        findings=(("certificate_mill", "critical", 9), ("issued_too_soon", "high", 50)),
        scan_on=ON,
        complaints=tuple(dd.ComplaintFact(D(2026, 1, i + 1)) for i in range(12)),
    )
    pts = {(f.kind, f.key): f.points for f in dd.rate(rec, ON).factors}
    assert pts[("finding", "critical")] == 30
    assert pts[("finding", "high")] == 20
    assert pts[("complaint", "substantiated")] == 20


def test_approval_suspended_caps_at_c_withdrawn_or_revocation_gives_d() -> None:
    suspended = record(approval_events=(Event("granted", D(2015, 1, 1)),
                                        Event("suspended", D(2020, 1, 1))))  # fmt: skip
    r = dd.rate(suspended, ON)
    assert r.score == 100 and r.grade == "C"  # episode older than 3 years: no points
    assert any(f.cap == "C" for f in r.factors)
    withdrawn = record(approval_events=(Event("granted", D(2015, 1, 1)),
                                        Event("withdrawn", D(2020, 1, 1))))  # fmt: skip
    assert dd.rate(withdrawn, ON).grade == "D"
    old_revocation = record(sanctions=(dd.SanctionFact("revocation", D(2010, 1, 1)),))
    r = dd.rate(old_revocation, ON)
    assert r.grade == "D" and ("sanction", "revocation_cap") in {(f.kind, f.key) for f in r.factors}


def test_history_on_a_date_uses_only_facts_in_effect() -> None:
    rec = record(
        sanctions=(
            dd.SanctionFact("warning", D(2026, 7, 1)),  # after ON
            dd.SanctionFact("rectification", D(2022, 1, 1)),  # older than 3 years
            dd.SanctionFact("suspension", D(2021, 1, 1)),  # old but still in force (no end)
            dd.SanctionFact("suspension", D(2021, 2, 1), D(2021, 8, 1)),  # old and ended
        ),
        complaints=(dd.ComplaintFact(D(2024, 1, 1)), dd.ComplaintFact(D(2026, 7, 1))),
        memberships=(dd.MembershipFact("AS/CN", D(2018, 1, 1)),),
        codes=(dd.CodeFact("AS/CN", "COC", D(2019, 1, 1)),),
        commitments=(
            dd.CommitmentEventFact("AS/CN", "COC", "committed", D(2019, 2, 1)),
            dd.CommitmentEventFact("AS/CN", "COC", "withdrawn", D(2026, 8, 1)),
        ),
    )
    keys = {(f.kind, f.key): f.count for f in dd.rate(rec, ON).factors}
    assert keys == {("sanction", "suspension"): 1, ("conduct", "committed"): 1,
                    ("inspection", "no_data"): 0}  # fmt: skip
    later = {(f.kind, f.key) for f in dd.rate(rec, D(2026, 9, 1)).factors}
    assert {("sanction", "warning"), ("complaint", "substantiated"),
            ("conduct", "withdrawn")} <= later  # fmt: skip
    # before the code took effect nobody owes a commitment
    assert dd.rate(record(memberships=rec.memberships, codes=rec.codes), D(2018, 6, 1)).score == 100
    never = dd.rate(record(memberships=rec.memberships, codes=rec.codes), ON)
    assert {(f.kind, f.key): f.points for f in never.factors}[("conduct", "not_committed")] == 3


def test_a_sanctions_own_approval_suspension_counts_once() -> None:
    events = (Event("granted", D(2015, 1, 1)), Event("suspended", D(2025, 2, 1)),
              Event("restored", D(2025, 5, 1)))  # fmt: skip
    alone = dd.rate(record(approval_events=events), ON)
    with_sanction = dd.rate(
        record(
            approval_events=events,
            sanctions=(dd.SanctionFact("suspension", D(2025, 2, 1), D(2025, 5, 1)),),
        ),
        ON,
    )
    assert alone.score == 92
    assert with_sanction.score == 75  # the sanction's 25, not 25 + 8
    assert "status" not in {f.kind for f in with_sanction.factors}


def test_no_inspection_data_is_said_and_not_scored() -> None:
    r = dd.rate(record(), ON)
    assert [(f.kind, f.key, f.points) for f in r.factors] == [("inspection", "no_data", 0)]
    assert r.inspection_data is False


# -- properties --------------------------------------------------------------------------------

days = st.dates(min_value=D(2010, 1, 1), max_value=D(2027, 12, 31))
sanctions_st = st.builds(
    dd.SanctionFact,
    kind=st.sampled_from(sorted(dd.SANCTION_POINTS)),
    effective_from=days,
    effective_until=st.none() | days,
)
records_st = st.builds(
    dd.BodyRecord,
    body=st.just("B"),
    findings=st.lists(
        st.tuples(
            st.sampled_from(["r1", "r2", "r3"]),
            st.sampled_from(sorted(dd.FINDING_POINTS)),
            st.integers(0, 20),
        ),
        max_size=4,
    ).map(tuple),
    scan_on=st.none() | days,
    sanctions=st.lists(sanctions_st, max_size=5).map(tuple),
    complaints=st.lists(st.builds(dd.ComplaintFact, upheld_on=days), max_size=5).map(tuple),
    approval_events=st.lists(
        st.builds(
            Event,
            kind=st.sampled_from(["granted", "suspended", "restored", "withdrawn"]),
            effective_on=days,
        ),
        max_size=5,
    ).map(tuple),
    memberships=st.lists(
        st.builds(dd.MembershipFact, association=st.just("AS/CN"), since=days), max_size=2
    ).map(tuple),
    codes=st.lists(
        st.builds(dd.CodeFact, association=st.just("AS/CN"), code=st.just("C"), effective_on=days),
        max_size=1,
    ).map(tuple),
    commitments=st.lists(
        st.builds(
            dd.CommitmentEventFact,
            association=st.just("AS/CN"),
            code=st.just("C"),
            kind=st.sampled_from(["committed", "withdrawn", "expelled"]),
            effective_on=days,
        ),
        max_size=4,
    ).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(rec=records_st, extra=sanctions_st, on=days)
def test_adding_a_sanction_never_improves_the_grade(
    rec: dd.BodyRecord, extra: dd.SanctionFact, on: dt.date
) -> None:
    before = dd.rate(rec, on)
    after = dd.rate(dd.BodyRecord(**{**_fields(rec), "sanctions": (*rec.sanctions, extra)}), on)
    assert after.score <= before.score
    assert dd.GRADE_ORDER.index(after.grade) >= dd.GRADE_ORDER.index(before.grade)


@settings(max_examples=150, deadline=None)
@given(rec=records_st, on=days)
def test_rating_is_deterministic_whatever_the_order_of_facts(
    rec: dd.BodyRecord, on: dt.date
) -> None:
    shuffled = dd.BodyRecord(
        **{
            **_fields(rec),
            "sanctions": rec.sanctions[::-1],
            "complaints": rec.complaints[::-1],
            "approval_events": rec.approval_events[::-1],
            "commitments": rec.commitments[::-1],
            "findings": rec.findings[::-1],
        }
    )
    assert dd.rate(rec, on).as_dict() == dd.rate(rec, on).as_dict()
    a, b = dd.rate(rec, on), dd.rate(shuffled, on)
    assert (a.score, a.grade) == (b.score, b.grade)
    assert sorted(json.dumps(f.as_dict(), sort_keys=True) for f in a.factors) == sorted(
        json.dumps(f.as_dict(), sort_keys=True) for f in b.factors
    )


def _fields(rec: dd.BodyRecord) -> dict[str, Any]:
    return {name: getattr(rec, name) for name in dd.BodyRecord.__dataclass_fields__}


# ============================================================================ over the database


@pytest.fixture(scope="module")
def world(db: TestDatabase) -> TestDatabase:
    files = sorted(Path(examples.__path__[0]).glob("*.csv"))
    assert import_files(db.engine, files, actor="test").problem_count == 0
    with session_factory(db.engine)() as s:
        other = s.execute(select(func.count()).select_from(Base.metadata.tables["association"]))
        assert other.scalar_one() == 1
        from accordia import models as m

        cn = s.execute(select(m.Economy.id).filter_by(code="CN")).scalar_one()
        s.add(m.Association(acronym="OTHERAS", economy_id=cn, name_en="Other", source="test"))
        s.flush()
        for name, role, kw in (
            ("reg", "regulator", {}),
            ("as-a", "association", {"body_acronym": "EXASSOC", "body_economy": "CN"}),
            ("as-b", "association", {"body_acronym": "OTHERAS", "body_economy": "CN"}),
            ("cab-a", "cab", {"cab": "EX-CB-001"}),
            ("ab-a", "accreditation_body", {"body_acronym": "EXAB", "body_economy": "CN"}),
            ("pub", "public", {}),
        ):
            user = accounts.create_user(s, username=name, role=role, actor="setup", **kw)
            for scope in ("read", "write") if role != "public" else ("read",):
                issued = accounts.issue_token(s, user, name=scope, scope=scope, days=1, actor="x")
                TOKENS[f"{name}:{scope}"] = issued.secret
            SESSIONS[name], web = accounts.start_session(s, user, 8)
            CSRF[name] = web.csrf_token
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


def counts(engine: Any) -> dict[str, int]:
    with session_factory(engine)() as s:
        return {
            t.name: int(s.execute(select(func.count()).select_from(t)).scalar_one())
            for t in Base.metadata.sorted_tables
        }


V1 = [
    "association", "code-add", "EXASSOC", "--economy", "CN", "--code", "EX-COC",
    "--title-zh", "示例自律公约", "--title-en", "Example code of conduct",
    "--provision-zh", "客观公正", "--provision-en", "Be impartial",
    "--provision-zh", "不得减少审核时间", "--provision-en", "Never shorten an audit",
    "--adopted-on", "2018-12-01", "--effective-on", "2019-01-01",
    "--source-url", "https://example.org/coc", "--source", "SYNTHETIC TEST", "--json",
]  # fmt: skip


def test_cli_publishes_versions_over_time(env: TestDatabase) -> None:
    r = runner.invoke(cli, V1)
    assert r.exit_code == 0, r.output
    v1 = json.loads(r.output)
    assert v1["version"] == 1 and [p["number"] for p in v1["provisions"]] == [1, 2]
    assert v1["provisions"][1] == {
        "number": 2,
        "zh": "不得减少审核时间",
        "en": "Never shorten an audit",
    }
    v2 = [a for a in V1 if a not in ("--source-url", "https://example.org/coc")]
    v2[v2.index("2018-12-01")], v2[v2.index("2019-01-01")] = "2023-05-01", "2023-07-01"
    v2 += ["--provision-zh", "公开证书状态", "--provision-en", "Publish certificate status"]
    r = runner.invoke(cli, v2)
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["version"] == 2
    # the version in force follows the date
    for on, version, n in (("2020-01-01", 1, 2), ("2024-01-01", 2, 3)):
        r = runner.invoke(cli, ["association", "codes", "EXASSOC", "--on", on, "--json"])
        assert r.exit_code == 0, r.output
        (code,) = json.loads(r.output)
        assert code["in_force"]["version"] == version and len(code["in_force"]["provisions"]) == n
        assert [v["version"] for v in code["versions"]] == [1, 2]
    r = runner.invoke(cli, ["association", "codes", "EXASSOC", "--on", "2018-06-01", "--json"])
    assert json.loads(r.output)[0]["in_force"] is None
    # audited with the CLI actor
    from accordia import models as m

    with session_factory(env.engine)() as s:
        entities = set(
            s.execute(select(m.AuditEntry.entity).filter(m.AuditEntry.entity.like("conduct%")))
            .scalars()
            .all()
        )
    assert entities == {"conduct_code", "conduct_code_version"}


@pytest.mark.parametrize(
    ("args", "field", "rule"),
    [
        (["--effective-on", "2019-06-01"], "effective_on", "not_after_previous"),
        (["--effective-on", "2030-01-01", "--provision-zh", "多一条"], "provisions",
         "provisions_mismatch"),
        (["--effective-on", "2030-01-01", "--adopted-on", "2031-01-01"], "adopted_on",
         "adopted_after_effective"),
        (["--effective-on", "2030-01-01", "--version", "1"], "version", "version_exists"),
        (["--effective-on", "2030-01-01", "--code", "bad code!"], "code", "invalid_code"),
        (["--effective-on", "2030-01-01", "--source-url", "ftp://x"], "source_url",
         "invalid_url"),
    ],
)  # fmt: skip
def test_cli_refuses_bad_code_versions_naming_field_and_rule(
    env: TestDatabase, args: list[str], field: str, rule: str
) -> None:
    before = counts(env.engine)
    base = list(V1)
    for flag in ("--effective-on", "--adopted-on", "--code"):
        if flag in args:
            i = base.index(flag)
            del base[i : i + 2]
    if "--adopted-on" not in args:
        base += ["--adopted-on", "2018-12-01"]
    r = runner.invoke(cli, [*base, *args])
    assert r.exit_code == 64, r.output
    assert f": {field}: " in r.output and f"({rule})" in r.output and "code of conduct" in r.output
    assert counts(env.engine) == before


def commit(*extra: str) -> Any:
    return runner.invoke(
        cli, ["association", "commit", "EXASSOC", "--code", "EX-COC", "--json", *extra]
    )


def test_cli_commitment_history(env: TestDatabase) -> None:
    # EX-CB-001 is a member of EXASSOC since 2016 (examples); EX-LAB-001 is not a member
    r = commit("--cab", "EX-LAB-001", "--effective-on", "2020-01-01")
    assert r.exit_code == 64 and "(not_a_member)" in r.output and ": cab: " in r.output
    r = commit("--cab", "EX-CB-001", "--effective-on", "2018-06-01")
    assert r.exit_code == 64 and "(code_not_in_force)" in r.output
    r = commit("--cab", "EX-CB-001", "--kind", "withdrawn", "--effective-on", "2020-01-01")
    assert r.exit_code == 64 and "(not_committed)" in r.output
    r = commit("--cab", "EX-CB-001", "--effective-on", "2020-03-01", "--note", "signed")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["status"] == "committed"
    r = commit("--cab", "EX-CB-001", "--effective-on", "2021-01-01")
    assert r.exit_code == 64 and "(already_committed)" in r.output
    r = commit("--cab", "EX-CB-001", "--kind", "expelled", "--effective-on", "2019-12-01")
    assert r.exit_code == 64 and "(out_of_order)" in r.output
    r = commit("--cab", "EX-CB-001", "--kind", "expelled", "--effective-on", "2025-04-01")
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        cli, ["association", "codes", "EXASSOC", "--code", "EX-COC", "--on", "2024-01-01",
              "--json"],
    )  # fmt: skip
    doc = json.loads(r.output)
    (c,) = doc["commitments"]
    assert (c["cab"], c["status"], c["since"]) == ("EX-CB-001", "committed", "2020-03-01")
    assert [e["kind"] for e in c["events"]] == ["committed", "expelled"]
    assert all(e["recorded_at"] and e["recorded_by"] == "cli" for e in c["events"])
    r = runner.invoke(
        cli, ["association", "codes", "EXASSOC", "--code", "EX-COC", "--on", "2025-05-01",
              "--json"],
    )  # fmt: skip
    assert json.loads(r.output)["commitments"][0]["status"] == "expelled"


def test_rating_explained_and_on_a_date(env: TestDatabase) -> None:
    r = runner.invoke(cli, ["association", "rating", "EX-CB-001", "--on", "2024-01-01", "--json"])
    assert r.exit_code == 0, r.output
    before = json.loads(r.output)
    assert ("conduct", "committed") in {(f["kind"], f["key"]) for f in before["factors"]}
    r = runner.invoke(cli, ["association", "rating", "EX-CB-001", "--on", "2025-06-01", "--json"])
    after = json.loads(r.output)
    f = {(x["kind"], x["key"]): x for x in after["factors"]}
    assert f[("conduct", "expelled")]["points"] == -15
    # the examples' accreditation was suspended on 2024-02-01: after the first date, before the
    # second, so it counts only on the second
    assert f[("status", "episodes")]["points"] == -8
    assert "EXAB C-0001" in f[("status", "episodes")]["explanation"]["en"]
    assert after["score"] == before["score"] - 15 - 8
    # a sanction counts from its effective date only
    with unit_of_work(env.engine) as s:
        sv.add_sanction(
            s, authz.local_admin(), cab="EX-CB-001", kind="fine", effective_on=D(2025, 7, 1),
            basis_zh="依据", basis_en="basis", amount=1000,
        )  # fmt: skip
    on_june = ds.rating(env.engine, "EX-CB-001", D(2025, 6, 30))
    on_july = ds.rating(env.engine, "EX-CB-001", D(2025, 7, 1))
    assert on_june.score == after["score"]
    assert on_july.score == on_june.score - 15
    r = runner.invoke(cli, ["association", "rating", "EX-CB-001", "--on", "2025-07-01",
                            "--lang", "zh"])  # fmt: skip
    assert r.exit_code == 0 and "罚款" in r.output and "行政处罚" in r.output
    r = runner.invoke(cli, ["association", "ratings", "--on", "2025-07-01", "--json"])
    bodies = [x["body"] for x in json.loads(r.output)]
    assert bodies[0] == "EX-CB-001" and "EX-LAB-001" in bodies  # the regulator sees all


def test_cli_acting_as_another_association_is_refused(env: TestDatabase) -> None:
    before = counts(env.engine)
    r = commit("--cab", "EX-CB-001", "--effective-on", "2026-01-01", "--actor", "as-b")
    assert r.exit_code == 1 and "own_association_only" in r.output
    r = runner.invoke(cli, ["association", "ratings", "--actor", "cab-a"])
    assert r.exit_code == 1 and "regulator_or_association_only" in r.output
    assert counts(env.engine) == before


# -- API ---------------------------------------------------------------------------------------

CODE_BODY = {
    "code": "API-COC",
    "title_en": "API code",
    "provisions_en": ["One", "Two"],
    "provisions_zh": ["一", "二"],
    "adopted_on": "2020-01-01",
    "effective_on": "2020-02-01",
    "source": "SYNTHETIC TEST",
}


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("as-b:write", 403, "own_association_only"),
        ("cab-a:write", 403, "wrong_role"),
        ("ab-a:write", 403, "wrong_role"),
        ("as-a:read", 403, "read_only"),
        ("reg:read", 403, "read_only"),
        ("pub:read", 403, "read_only"),
        (None, 401, "unauthorized"),
    ],
)
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/discipline/codes/CN/EXASSOC", CODE_BODY),
        (
            "/api/v1/discipline/codes/CN/EXASSOC/EX-COC/commitments",
            {"cab": "EX-CB-001", "kind": "committed", "effective_on": "2026-01-01"},
        ),
    ],
    ids=["code", "commitment"],
)
def test_api_writes_refused_without_the_role_change_nothing(
    world: TestDatabase,
    client: TestClient,
    path: str,
    body: dict[str, Any],
    who: str | None,
    status: int,
    code: str,
) -> None:
    before = counts(world.engine)
    r = client.post(path, json=body, headers=auth(who) if who else {})
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert counts(world.engine) == before


def test_api_writes_by_the_association_and_the_regulator(
    world: TestDatabase, client: TestClient
) -> None:
    r = client.post(
        "/api/v1/discipline/codes/CN/EXASSOC", json=CODE_BODY, headers=auth("as-a:write")
    )
    assert r.status_code == 201, r.text
    assert r.json()["provisions"] == [
        {"number": 1, "zh": "一", "en": "One"},
        {"number": 2, "zh": "二", "en": "Two"},
    ]
    bad = client.post(
        "/api/v1/discipline/codes/CN/EXASSOC",
        json={**CODE_BODY, "effective_on": "2021-01-01", "provisions_zh": ["一"]},
        headers=auth("reg:write"),
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "provisions_mismatch"
    assert bad.json()["error"]["field"] == "provisions"
    r = client.post(
        "/api/v1/discipline/codes/CN/EXASSOC/API-COC/commitments",
        json={"cab": "EX-CB-001", "effective_on": "2020-03-01"},
        headers=auth("reg:write"),
    )
    assert r.status_code == 201, r.text
    missing = client.post(
        "/api/v1/discipline/codes/CN/EXASSOC/NOPE/commitments",
        json={"cab": "EX-CB-001", "effective_on": "2020-03-01"},
        headers=auth("reg:write"),
    )
    assert missing.status_code == 404
    doc = client.get(
        "/api/v1/discipline/codes/CN/EXASSOC/API-COC", params={"on": "2020-04-01"}
    ).json()
    assert doc["in_force"]["version"] == 1
    assert [(c["cab"], c["status"]) for c in doc["commitments"]] == [("EX-CB-001", "committed")]
    mine = client.get("/api/v1/discipline/cabs/EX-CB-001/commitments").json()
    assert {c["code"] for c in mine} >= {"API-COC"}


def test_api_ratings_regulator_all_association_its_members(
    world: TestDatabase, client: TestClient
) -> None:
    reg = client.get("/api/v1/discipline/ratings", headers=auth("reg:read"))
    assert reg.status_code == 200
    assert {"EX-CB-001", "EX-LAB-001"} <= {r["body"] for r in reg.json()}
    own = client.get("/api/v1/discipline/ratings", headers=auth("as-a:read"))
    assert [r["body"] for r in own.json()] == ["EX-CB-001"]  # the only member of EXASSOC
    assert (
        client.get("/api/v1/discipline/ratings/EX-LAB-001", headers=auth("as-a:read")).status_code
        == 404
    )
    one = client.get("/api/v1/discipline/ratings/EX-CB-001", headers=auth("as-a:read"))
    assert one.status_code == 200 and one.json()["factors"]
    assert client.get("/api/v1/discipline/ratings", headers=auth("cab-a:read")).status_code == 403
    assert client.get("/api/v1/discipline/ratings").status_code == 401
    assert client.get("/api/v1/discipline/method").json()[0]["factor"] == "finding"


# -- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_public_pages_in_both_languages(world: TestDatabase, client: TestClient, lang: str) -> None:
    client.cookies.clear()
    r = client.get("/associations", params={"lang": lang})
    assert r.status_code == 200
    assert ("行业协会与自律公约" if lang == "zh" else "Associations and codes of conduct") in r.text
    assert "EXASSOC" in r.text and 'href="/api/v1/discipline/associations' in r.text
    r = client.get("/associations/CN/EXASSOC", params={"lang": lang, "on": "2020-04-01"})
    assert r.status_code == 200 and "EX-CB-001" in r.text
    assert ("已承诺" if lang == "zh" else "Committed") in r.text
    r = client.get(
        "/associations/CN/EXASSOC/codes/API-COC", params={"lang": lang, "on": "2020-04-01"}
    )
    assert r.status_code == 200
    assert ("一" if lang == "zh" else "One") in r.text
    assert ("条款" if lang == "zh" else "Provisions") in r.text
    assert client.get("/associations/CN/NOPE").status_code == 404
    assert client.get("/associations/CN/EXASSOC/codes/NOPE").status_code == 404


def test_rating_page_guarded(world: TestDatabase, client: TestClient) -> None:
    client.cookies.clear()
    r = client.get("/discipline/ratings/EX-CB-001", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    client.cookies.set("accordia_session", SESSIONS["cab-a"])
    assert client.get("/discipline/ratings/EX-CB-001").status_code == 403
    client.cookies.set("accordia_session", SESSIONS["as-a"])
    r = client.get("/discipline/ratings/EX-CB-001", params={"lang": "zh"})
    assert r.status_code == 200 and "等级的由来" in r.text
    assert client.get("/discipline/ratings/EX-LAB-001").status_code == 404  # not its member
    client.cookies.clear()


def test_rating_reads_inspection_outcomes_or_says_there_are_none(
    world: TestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib
    import sys

    from accordia import models as m

    with session_factory(world.engine)() as s:
        cab_id = s.execute(select(m.Cab.id).filter_by(registration_number="EX-CB-001")).scalar_one()
    module = importlib.import_module("accordia.services.inspections")
    outcomes = {
        cab_id: [
            {"code": "INS-X", "completed_on": D(2025, 1, 10), "conclusion": "major"},
            {"code": "INS-Y", "completed_on": "2026-01-10", "conclusion": "minor"},
        ]
    }
    monkeypatch.setattr(module, "inspection_outcomes", lambda _conn, _on: outcomes)
    r = ds.rating(world.engine, "EX-CB-001", D(2025, 6, 1))
    pts = {(f.kind, f.key): f.points for f in r.factors if f.kind == "inspection"}
    assert pts == {("inspection", "major"): 10}  # INS-Y completes after the date
    assert r.inspection_data is True
    monkeypatch.setitem(sys.modules, "accordia.services.inspections", None)  # not installed
    r = ds.rating(world.engine, "EX-CB-001", D(2025, 6, 1))
    assert [(f.kind, f.key) for f in r.factors if f.kind == "inspection"] == [
        ("inspection", "no_data")
    ]
    assert r.inspection_data is False


# -- writes from the pages ----------------------------------------------------------------------

PAGE_CODE = {
    "code": "PAGE-COC",
    "title_zh": "页面公约",
    "title_en": "Page code",
    "provisions_zh": "第一条\n\n第二条\n",
    "provisions_en": "First\nSecond",
    "adopted_on": "2021-01-01",
    "effective_on": "2021-02-01",
    "source_url": "",
}


def _as(client: TestClient, who: str | None) -> dict[str, str]:
    client.cookies.clear()
    if who is None:
        return {}
    client.cookies.set("accordia_session", SESSIONS[who])
    return {"csrf_token": CSRF[who]}


def test_page_forms_shown_only_to_the_association_and_the_regulator(
    world: TestDatabase, client: TestClient
) -> None:
    for who, shown in (("as-a", True), ("reg", True), ("as-b", False), ("cab-a", False),
                       (None, False)):  # fmt: skip
        _as(client, who)
        page = client.get("/associations/CN/EXASSOC", params={"lang": "en"}).text
        assert ("Publish a code of conduct or a new version" in page) is shown, who
        code = client.get("/associations/CN/EXASSOC/codes/EX-COC", params={"lang": "en"}).text
        assert ('name="csrf_token"' in code) is shown, who
    client.cookies.clear()


@pytest.mark.parametrize(
    ("who", "csrf", "status"),
    [(None, False, 303), ("as-b", True, 403), ("cab-a", True, 403), ("as-a", False, 403)],
)
def test_page_writes_refused_change_nothing(
    world: TestDatabase, client: TestClient, who: str | None, csrf: bool, status: int
) -> None:
    before = counts(world.engine)
    token = _as(client, who)
    form = {**PAGE_CODE, **(token if csrf else {"csrf_token": "wrong"})}
    r = client.post("/associations/CN/EXASSOC/codes", data=form, follow_redirects=False)
    assert r.status_code == status, r.text
    if status == 303:
        assert r.headers["location"].startswith("/login?next=")
    r = client.post(
        "/associations/CN/EXASSOC/codes/EX-COC/commitments",
        data={"cab": "EX-CB-001", "kind": "committed", "effective_on": "2026-01-01",
              **(token if csrf else {"csrf_token": "wrong"})},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == status, r.text
    client.cookies.clear()
    assert counts(world.engine) == before


def test_page_writes_by_the_association(world: TestDatabase, client: TestClient) -> None:
    token = _as(client, "as-a")
    bad = client.post(
        "/associations/CN/EXASSOC/codes",
        data={**PAGE_CODE, "provisions_en": "Only one", **token},
        params={"lang": "zh"},
    )
    assert bad.status_code == 422
    assert "未保存任何内容" in bad.text and "provisions_mismatch" in bad.text
    r = client.post("/associations/CN/EXASSOC/codes", data={**PAGE_CODE, **token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/associations/CN/EXASSOC/codes/PAGE-COC?version=1")
    doc = client.get("/api/v1/discipline/codes/CN/EXASSOC/PAGE-COC").json()
    assert doc["in_force"]["provisions"] == [
        {"number": 1, "zh": "第一条", "en": "First"},
        {"number": 2, "zh": "第二条", "en": "Second"},
    ]
    assert doc["versions"][0]["source"] == "web form (as-a)"
    r = client.post(
        "/associations/CN/EXASSOC/codes/PAGE-COC/commitments",
        data={"cab": "EX-CB-001", "kind": "committed", "effective_on": "2021-03-01",
              "note": "signed", **token},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    page = client.get(r.headers["location"] + "&lang=en")
    assert "Saved." in page.text and "signed" in page.text
    refused = client.post(
        "/associations/CN/EXASSOC/codes/PAGE-COC/commitments",
        data={"cab": "EX-LAB-001", "effective_on": "2021-03-01", **token},
    )
    assert refused.status_code == 422 and "not_a_member" in refused.text
    client.cookies.clear()
