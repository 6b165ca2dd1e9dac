"""Verification scenarios built through the import formats (tests/data/verify on top of the
examples), one row per failing link and date boundary, then the cascade in time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

import accordia.examples as examples
from accordia.importer.run import import_files
from accordia.services.verification import (
    eligible_cabs,
    recognized_certificates,
    verify_one,
)

DATA = Path(__file__).parent / "data" / "verify"
EXAMPLES = Path(examples.__path__[0])
D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def world(db):  # type: ignore[no-untyped-def]
    for files in (sorted(EXAMPLES.glob("*.csv")), sorted(DATA.glob("*.csv"))):
        result = import_files(db.engine, files, actor="test")
        assert result.problem_count == 0, [str(p) for p in result.problems]
    return db


def _arrangements(d: dict) -> list[tuple[str | None, str | None]]:  # type: ignore[type-arg]
    return [(p["key"], p["via"]) for p in d["path"] if p["node"] == "arrangement"]


# (id, number, issuer, market, on, outcome, valid, recognized, failed_link, reason contains)
SCENARIOS = [
    ("regional path", "EXQ-2024-0001", None, "EXM", "2025-06-01", "found", True, True, None, ""),
    (
        "market without rule",
        "EXQ-2024-0001",
        None,
        "EXN",
        "2025-06-01",
        "found",
        True,
        False,
        "market",
        "does not accept",
    ),
    ("issued on D", "VS-ISSUED", None, "EXM", "2025-03-10", "found", True, True, None, ""),
    (
        "day before issue",
        "VS-ISSUED",
        None,
        "EXM",
        "2025-03-09",
        "found",
        False,
        False,
        "certificate",
        "did not yet exist",
    ),
    ("expires on D", "VS-EXPIRES", None, "EXM", "2025-06-30", "found", True, True, None, ""),
    (
        "expired D+1",
        "VS-EXPIRES",
        None,
        "EXM",
        "2025-07-01",
        "found",
        False,
        False,
        "certificate",
        "expired",
    ),
    ("before suspension", "VS-SUSP", None, "EXM", "2025-01-31", "found", True, True, None, ""),
    (
        "suspended",
        "VS-SUSP",
        None,
        "EXM",
        "2025-02-01",
        "found",
        False,
        False,
        "certificate",
        "suspended",
    ),
    (
        "suspended, last day",
        "VS-SUSP",
        None,
        "EXM",
        "2025-02-28",
        "found",
        False,
        False,
        "certificate",
        "suspended",
    ),
    ("restored", "VS-SUSP", None, "EXM", "2025-03-01", "found", True, True, None, ""),
    (
        "accreditation suspended",
        "VS-ACCSUSP",
        None,
        "EXM",
        "2024-02-01",
        "found",
        True,
        False,
        "accreditation",
        "suspended",
    ),
    (
        "accreditation restored",
        "VS-ACCSUSP",
        None,
        "EXM",
        "2024-04-01",
        "found",
        True,
        True,
        None,
        "",
    ),
    ("sector in scope", "VS-IAF18", None, "EXM", "2024-12-31", "found", True, True, None, ""),
    (
        "sector removed",
        "VS-IAF18",
        None,
        "EXM",
        "2025-01-01",
        "found",
        True,
        False,
        "accreditation",
        "IAF:18",
    ),
    ("before withdrawal", "VS-ACCW", None, "EXM", "2024-12-31", "found", True, True, None, ""),
    (
        "withdrawn between issue and D",
        "VS-ACCW",
        None,
        "EXM",
        "2025-01-01",
        "found",
        True,
        False,
        "accreditation",
        "withdrawn",
    ),
    (
        "signatory scope added later",
        "VS-EMS",
        None,
        "EXM",
        "2019-12-31",
        "found",
        True,
        False,
        "arrangement",
        "2020-01-01",
    ),
    (
        "signatory scope in force",
        "VS-EMS",
        None,
        "EXM",
        "2020-01-01",
        "found",
        True,
        True,
        None,
        "",
    ),
    (
        "successor not yet",
        "EXQ-2024-0001",
        None,
        "EXS",
        "2025-12-31",
        "found",
        True,
        False,
        "market",
        "does not accept",
    ),
    ("successor path", "EXQ-2024-0001", None, "EXS", "2026-02-01", "found", True, True, None, ""),
    ("bilateral path", "EXT-2025-0001", None, "NZ", "2025-06-01", "found", True, True, None, ""),
    (
        "bilateral, product outside",
        "VS-BIL-OUT",
        None,
        "NZ",
        "2025-06-01",
        "found",
        True,
        False,
        "arrangement",
        "HS:9403",
    ),
    ("ambiguous number", "VS-DUP", None, "EXM", "2025-06-01", "ambiguous", None, None, None, ""),
    (
        "ambiguous resolved",
        "VS-DUP",
        "EX-CB-W",
        "EXM",
        "2025-06-01",
        "found",
        True,
        False,
        "accreditation",
        "withdrawn",
    ),
    (
        "unknown issuer",
        "VS-NONE",
        "NO-SUCH-CB",
        "EXM",
        "2025-06-01",
        "not_found",
        None,
        None,
        None,
        "does not submit",
    ),
    (
        "known issuer, no record",
        "VS-NONE",
        "EX-CB-001",
        "EXM",
        "2025-06-01",
        "not_found",
        None,
        None,
        None,
        "not a finding",
    ),
    ("no market", "VS-ACCW", None, None, "2025-06-01", "found", True, None, "accreditation", ""),
]


@pytest.mark.parametrize(
    ("number", "issuer", "market", "on", "outcome", "valid", "recognized", "failed", "text"),
    [s[1:] for s in SCENARIOS],
    ids=[s[0] for s in SCENARIOS],
)
def test_scenario(world, number, issuer, market, on, outcome, valid, recognized, failed, text):  # type: ignore[no-untyped-def]
    d = verify_one(world.engine, number, issuer=issuer, market=market, on=D(on)).to_dict()
    assert (d["outcome"], d["valid"], d["recognized"], d["failed_link"]) == (
        outcome,
        valid,
        recognized,
        failed,
    )
    assert [x["link"] for x in d["links"]] == [
        "certificate",
        "accreditation",
        "arrangement",
        "market",
    ]
    if failed:
        link = next(x for x in d["links"] if x["link"] == failed)
        assert link["status"] == "failed"
        assert text in link["reason"]["en"] and link["reason"]["zh"]
        first = next(x["link"] for x in d["links"] if x["status"] == "failed")
        assert first == failed
    elif outcome != "found":
        assert text in d["links"][0]["reason"]["en"]
    else:
        assert all(x["status"] == "ok" for x in d["links"][: 4 if market else 3])


def test_route_regional_successor_bilateral(world):  # type: ignore[no-untyped-def]
    regional = verify_one(world.engine, "EXQ-2024-0001", market="EXM", on=D("2025-06-01"))
    assert _arrangements(regional.to_dict()) == [("EX-REGIONAL", None), ("IAF-MLA", "regional")]
    successor = verify_one(world.engine, "EXQ-2024-0001", market="EXS", on=D("2026-02-01"))
    assert _arrangements(successor.to_dict())[-1] == ("GAC-MRA", "successor")
    bilateral = verify_one(world.engine, "EXT-2025-0001", market="NZ", on=D("2025-06-01"))
    assert _arrangements(bilateral.to_dict()) == [("EX-BILATERAL", "bilateral")]


def test_ambiguous_lists_candidates_and_coverage(world):  # type: ignore[no-untyped-def]
    d = verify_one(world.engine, "vs dup", market="EXM", on=D("2025-06-01")).to_dict()
    assert d["outcome"] == "ambiguous"
    assert sorted(c["issuer"] for c in d["candidates"]) == ["EX-CB-001", "EX-CB-W"]
    unknown = verify_one(world.engine, "VS-NONE", issuer="NO-SUCH-CB", on=D("2025-06-01"))
    assert unknown.to_dict()["coverage"]["submits"] is False
    known = verify_one(world.engine, "VS-NONE", issuer="EX-CB-001", on=D("2025-06-01")).to_dict()
    assert known["coverage"]["submits"] is True and known["coverage"]["certificate_count"] >= 7


def test_cascade_in_time_through_the_database(world):  # type: ignore[no-untyped-def]
    days = ["2025-05-31", "2025-06-01", "2025-09-01"]

    def recognized() -> list[bool | None]:
        return [verify_one(world.engine, "VS-CAS", market="EXM", on=D(x)).recognized for x in days]

    assert recognized() == [True, True, True]
    result = import_files(
        world.engine, [DATA / "cascade" / "accreditation_events.csv"], actor="test"
    )
    assert result.problem_count == 0
    assert recognized() == [True, False, False]
    after = verify_one(world.engine, "VS-CAS", market="EXM", on=D("2025-06-01"))
    assert after.failed_link == "accreditation" and after.valid is True
    # other CABs of the same accreditation body are untouched
    assert verify_one(world.engine, "EXQ-2024-0001", market="EXM", on=D("2025-09-01")).recognized


def test_recognized_certificates_of_an_organization(world):  # type: ignore[no-untyped-def]
    with Session(world.engine) as s:
        r = recognized_certificates(s, "91440300000000000E", market="EXM", on=D("2025-06-01"))
    d = r.to_dict()
    ok = {x["number"] for x in d["recognized"]}
    bad = {x["number"]: x for x in d["not_recognized"]}
    assert {"EXQ-2024-0001", "VS-ISSUED", "VS-SUSP", "VS-EXPIRES"} <= ok
    assert "VS-ACCW" in bad and bad["VS-ACCW"]["failed_link"] == "accreditation"
    assert "withdrawn" in bad["VS-ACCW"]["reason"]["en"]
    assert "VS-IAF18" in bad and "EXV-2025-0001" in bad
    assert d["certificate_count"] == len(ok) + len(bad)


def test_eligible_cabs(world):  # type: ignore[no-untyped-def]
    with Session(world.engine) as s:
        before = eligible_cabs(s, "ISO 9001", sector="19", market="EXM", on=D("2024-12-31"))
        after = eligible_cabs(s, "ISO 9001", sector="IAF:19", market="EXM", on=D("2025-09-01"))
        sector18 = eligible_cabs(s, "ISO 9001", sector="18", market="EXM", on=D("2025-09-01"))
        nowhere = eligible_cabs(s, "ISO 9001", sector="19", market="EXN", on=D("2025-09-01"))
    assert {e.registration_number for e in before.eligible} >= {"EX-CB-001", "EX-CB-W"}
    names = {e.registration_number for e in after.eligible}
    assert "EX-CB-001" in names and "EX-CB-W" not in names  # withdrawn 2025-01-01
    assert "EX-CB-001" not in {e.registration_number for e in sector18.eligible}  # IAF:18 removed
    assert nowhere.eligible == [] and nowhere.examined >= 3
    route = next(e for e in after.eligible if e.registration_number == "EX-CB-001").to_dict()
    assert [r["key"] for r in route["route"]] == ["EX-REGIONAL", "IAF-MLA"]
