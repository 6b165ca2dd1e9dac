"""Incremental indexing (from the audit trail) and the registry filters of search: standard and
status on a date (on the engine under test, in a database built by the migrations)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from stdnum.cn import uscc
from typer.testing import CliRunner

from accordia import models as m
from accordia.app import create_app
from accordia.cli import app as cli_app
from accordia.demo.generator import Showcase, generate
from accordia.domain.status import Status, status_on
from accordia.models.search import SearchState
from accordia.search import SearchHit, search
from accordia.services.search_index import (
    STATUS_CHOICES,
    FilterError,
    RegistryFilter,
    get_marker,
    registry_filter,
    resolve_standard,
    search_registry,
    update_index,
)
from tests.conftest import TestDatabase

S = Showcase()
runner = CliRunner()
BODY = "91440300MA5" + "H2LC7Q"
NEW_USCC = BODY + uscc.calc_check_digit(BODY)
NEW_ZH = "深圳市澜沧星测电子科技有限公司"
NEW_EN = "Shenzhen Lancang Xingce Electronic Technology Co., Ltd."
RENAMED_ZH = "深圳市曜澈微纳光电有限公司"
RENAMED_EN = "Shenzhen Yaoche Weina Optoelectronics Co., Ltd."
NEW_CERT = "LCXC-2025-0001"


def _entity_ids(session: Session) -> dict[tuple[str, str], int]:
    rows = session.execute(select(m.SearchEntity.kind, m.SearchEntity.key, m.SearchEntity.id))
    return {(k, key): int(i) for k, key, i in rows}


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def world(db: TestDatabase, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    generate(db.engine, scale=200)  # builds the index (full rebuild, marker set)
    with Session(db.engine) as s:
        marker = get_marker(s)
        before = _entity_ids(s)
        # an organization holding certificates, to rename
        org = s.execute(
            select(m.Organization)
            .join(m.Certificate, m.Certificate.organization_id == m.Organization.id)
            .where(m.Organization.name_zh.is_not(None))
            .order_by(m.Organization.id)
            .limit(1)
        ).scalar_one()
        old = {"key": org.key, "name_zh": org.name_zh, "name_en": org.name_en}
        eco = s.get(m.Economy, org.economy_id).code if org.economy_id else "CN"
        held = [
            f"{r}/{n}"
            for r, n in s.execute(
                select(m.Cab.registration_number, m.Certificate.number)
                .join(m.Cab, m.Cab.id == m.Certificate.cab_id)
                .where(m.Certificate.organization_id == org.id)
            )
        ]
    tmp = tmp_path_factory.mktemp("incremental")
    orgs = _write_csv(
        tmp / "organizations.csv",
        ["key", "name_zh", "name_en", "economy", "uscc"],
        [
            [NEW_USCC, NEW_ZH, NEW_EN, "CN", NEW_USCC],
            [old["key"], RENAMED_ZH, RENAMED_EN, eco, ""],
        ],
    )
    certs = _write_csv(
        tmp / "certificates.csv",
        ["cab", "number", "kind", "organization", "standard", "issued_on", "expires_on"],
        [[S.cab, NEW_CERT, "ms_certificate", NEW_USCC, "ISO 9001", "2025-01-10", "2028-01-09"]],
    )
    return {
        "marker": marker,
        "before": before,
        "old": old,
        "held": held,
        "files": [orgs, certs],
    }


@pytest.fixture(scope="module")
def imported(db: TestDatabase, world: dict[str, Any]) -> dict[str, Any]:
    """``accordia import`` of the two files: the index is updated incrementally."""
    import os

    from accordia.db.session import engine_for
    from accordia.settings import get_settings

    saved = os.environ.get("ACCORDIA_DATABASE_URL")
    os.environ["ACCORDIA_DATABASE_URL"] = db.url
    get_settings.cache_clear()
    engine_for.cache_clear()
    try:
        r = runner.invoke(cli_app, ["import", *map(str, world["files"]), "--no-progress", "--json"])
    finally:
        if saved is None:
            os.environ.pop("ACCORDIA_DATABASE_URL", None)
        else:
            os.environ["ACCORDIA_DATABASE_URL"] = saved
        get_settings.cache_clear()
        engine_for.cache_clear()
    assert r.exit_code == 0, r.output
    with Session(db.engine) as s:
        return {"after": _entity_ids(s), "marker": get_marker(s)}


# --- incremental indexing ----------------------------------------------------------------------


def test_full_rebuild_records_a_marker(world: dict[str, Any]) -> None:
    assert world["marker"] is not None
    # a certificate costs one entity and one term (its number), not its holder's name forms
    assert any(k == "certificate" for k, _key in world["before"])


def test_import_reindexes_only_what_it_touched(
    world: dict[str, Any], imported: dict[str, Any]
) -> None:
    before, after = world["before"], imported["after"]
    old_key = world["old"]["key"]
    touched = {("organization", old_key), ("organization", NEW_USCC)}
    touched |= {("certificate", k) for k in world["held"]}
    touched.add(("certificate", f"{S.cab}/{NEW_CERT}"))
    assert ("organization", NEW_USCC) in after and ("certificate", f"{S.cab}/{NEW_CERT}") in after
    # every untouched entity keeps its row: not rewritten
    untouched = [ref for ref in before if ref not in touched]
    assert len(untouched) > 100
    assert [ref for ref in untouched if after.get(ref) != before[ref]] == []
    # the renamed organization and its certificates were rewritten
    assert after[("organization", old_key)] != before[("organization", old_key)]
    assert all(after[("certificate", k)] != before[("certificate", k)] for k in world["held"])
    assert imported["marker"] > world["marker"]


def test_new_and_renamed_organizations_are_found(
    db: TestDatabase, world: dict[str, Any], imported: dict[str, Any]
) -> None:
    with Session(db.engine) as s:
        r = search(s, "澜沧星测")
        assert r.top is not None and r.top.key == NEW_USCC
        r = search(s, "lancang xingce", kinds=["organization"])
        assert r.top is not None and r.top.key == NEW_USCC
        r = search(s, NEW_USCC.lower())
        assert r.top is not None and r.top.key == NEW_USCC and r.top.why == "USCC exact"
        # the certificate: by its number, and by its holder's name (with the holder's reasons)
        r = search(s, NEW_CERT.replace("-", " ").lower())
        assert r.top is not None and r.top.key == f"{S.cab}/{NEW_CERT}"
        assert r.top.why == "registration/certificate number exact"
        r = search(s, "澜沧星测", kinds=["certificate"])
        assert [h.key for h in r.hits] == [f"{S.cab}/{NEW_CERT}"]
        org_hit = search(s, "澜沧星测", kinds=["organization"]).hits[0]
        assert r.hits[0].why == org_hit.why and r.hits[0].score == org_hit.score
        assert r.hits[0].name_zh == NEW_ZH
        # renamed: found by the new name, and its certificates with it
        r = search(s, "曜澈微纳")
        assert r.hits[0].key == world["old"]["key"]
        certs = {h.key for h in r.hits if h.kind == "certificate"}
        assert certs and certs <= set(world["held"])
        assert all(h.name_zh == RENAMED_ZH for h in r.hits)


def test_old_name_no_longer_finds_the_renamed(
    db: TestDatabase, world: dict[str, Any], imported: dict[str, Any]
) -> None:
    with Session(db.engine) as s:
        old = world["old"]
        r = search(s, old["name_zh"], kinds=["organization"])
        assert all(h.key != old["key"] or h.score < 90 for h in r.hits)


def test_nothing_changed_is_a_no_op(db: TestDatabase, imported: dict[str, Any]) -> None:
    counts = update_index(db.engine)
    assert counts["full"] == 0 and sum(counts[k] for k in counts if k != "full") == 0
    with Session(db.engine) as s:
        assert _entity_ids(s) == imported["after"]


def test_removal_recorded_in_the_audit_trail_removes_the_entity(
    db: TestDatabase, imported: dict[str, Any]
) -> None:
    with Session(db.engine) as s:
        cab_id = s.execute(select(m.Cab.id).where(m.Cab.registration_number == S.cab)).scalar_one()
        cert = s.execute(
            select(m.Certificate).where(
                m.Certificate.cab_id == cab_id, m.Certificate.number == NEW_CERT
            )
        ).scalar_one()
        s.execute(delete(m.CertificateEvent).where(m.CertificateEvent.parent_id == cert.id))
        s.execute(
            delete(m.CertificateScopeItem).where(m.CertificateScopeItem.certificate_id == cert.id)
        )
        s.delete(cert)
        s.add(
            m.AuditEntry(
                actor="test",
                action="delete",
                entity="certificate",
                record_key=f"{S.cab} / {NEW_CERT}",
                before={"cab_id": cab_id, "number": NEW_CERT},
                after=None,
            )
        )
        s.commit()
    counts = update_index(db.engine)
    assert counts["removed"] == 1 and counts["full"] == 0
    with Session(db.engine) as s:
        assert search(s, NEW_CERT).status == "no_match"
        assert ("certificate", f"{S.cab}/{NEW_CERT}") not in _entity_ids(s)


def test_cli_reindex_incremental_and_full(use_db: TestDatabase, imported: dict[str, Any]) -> None:
    r = runner.invoke(cli_app, ["search", "reindex"])
    assert r.exit_code == 0, r.output
    assert "search index updated" in r.stderr
    r = runner.invoke(cli_app, ["search", "reindex", "--full"])
    assert r.exit_code == 0, r.output
    assert "search index rebuilt" in r.stderr
    r = runner.invoke(cli_app, ["search", "澜沧星测", "--full"])
    assert r.exit_code == 64


def test_without_a_marker_the_update_is_a_full_rebuild(db: TestDatabase) -> None:
    with Session(db.engine) as s:
        s.execute(delete(SearchState))
        s.commit()
    counts = update_index(db.engine)
    assert counts["full"] == 1 and counts["organization"] > 0
    with Session(db.engine) as s:
        assert get_marker(s) is not None


# --- filters: standard, status on a date --------------------------------------------------------


def _cert_status(session: Session, cert: m.Certificate, on: dt.date) -> Status:
    events = session.scalars(
        select(m.CertificateEvent).where(m.CertificateEvent.parent_id == cert.id)
    ).all()
    return status_on(events, on, valid_until=cert.expires_on)


def _all_cert_hits(session: Session) -> tuple[list[SearchHit], dict[str, m.Certificate]]:
    rows = session.execute(
        select(m.Certificate, m.Cab.registration_number).join(
            m.Cab, m.Cab.id == m.Certificate.cab_id
        )
    ).all()
    by_key = {f"{regno}/{c.number}": c for c, regno in rows}
    hits = [
        SearchHit("certificate", k, None, None, None, None, 90.0, (), {"cab": k.split("/")[0]})
        for k in sorted(by_key)
    ]
    return hits, by_key


@pytest.mark.parametrize("on", ["2024-01-01", "2026-06-01", "2031-01-01"])
def test_status_filter_agrees_with_the_status_history(
    db: TestDatabase, imported: dict[str, Any], on: str
) -> None:
    day = dt.date.fromisoformat(on)
    with Session(db.engine) as s:
        hits, by_key = _all_cert_hits(s)
        assert len(hits) > 50
        expected_status = {k: _cert_status(s, c, day) for k, c in by_key.items()}
        seen = set()
        for status in STATUS_CHOICES:
            flt = RegistryFilter(None, status, day)
            got = {h.key for h in flt(s, hits)}
            want = {
                k
                for k, st in expected_status.items()
                if (st == Status.ACTIVE if status == "valid" else st.value == status)
            }
            assert got == want, status
            seen |= {expected_status[k].value for k in got}
        assert "active" in seen


def test_standard_filter_and_organizations_holding(
    db: TestDatabase, imported: dict[str, Any]
) -> None:
    with Session(db.engine) as s:
        assert resolve_standard(s, "ISO9001") == ["ISO 9001"]
        with pytest.raises(FilterError) as exc:
            resolve_standard(s, "ISO 99999")
        assert exc.value.field == "standard" and exc.value.rule == "unknown_standard"
        with pytest.raises(FilterError):
            registry_filter(s, status="sleeping")
        with pytest.raises(FilterError):
            registry_filter(s, on=dt.date(2026, 1, 1))
        # the showcase: DEMO-Q-000001 valid, DEMO-Q-000002 suspended
        valid = s.execute(
            select(m.Certificate, m.Organization)
            .join(m.Organization, m.Organization.id == m.Certificate.organization_id)
            .where(m.Certificate.number == S.valid)
        ).one()
        cert, holder = valid
        std = str(cert.standard)
        today = dt.datetime.now(dt.UTC).date()
        name = holder.name_zh or holder.name_en
        compact = std.replace(" ", "").lower()  # "iso22000": spaces and case do not matter
        r = search_registry(
            s, name, kinds=["certificate"], standard=compact, status="valid", on=today
        )
        keys = [h.key for h in r.hits]
        assert any(k.endswith("/" + S.valid) for k in keys), keys
        assert r.filters.standard == std and r.filters.status == "valid"
        assert r.filters.status_on == today.isoformat()
        for h in r.hits:
            assert h.why  # still says why it matched by name
            assert h.extra and h.extra["filter"]["status_on"] == "active"
        # organizations: those holding a certificate of that standard valid that day
        r = search_registry(s, name, kinds=["organization"], standard=std, status="valid", on=today)
        assert holder.key in [h.key for h in r.hits]
        ev = next(h for h in r.hits if h.key == holder.key).extra["filter"]  # type: ignore[index]
        assert ev["standard"] == std and ev["status_on"] == "active"
        # another standard the holder has no certificate of: not listed
        held = set(
            s.scalars(
                select(m.Certificate.standard).where(m.Certificate.organization_id == holder.id)
            )
        )
        other = next(
            c for c in s.scalars(select(m.Standard.code).order_by(m.Standard.code)) if c not in held
        )
        r = search_registry(s, name, kinds=["organization"], standard=other)
        assert holder.key not in [h.key for h in r.hits]
        # the suspended showcase certificate is found with status suspended, not valid
        susp_holder = s.execute(
            select(m.Organization)
            .join(m.Certificate, m.Certificate.organization_id == m.Organization.id)
            .where(m.Certificate.number == S.suspended)
        ).scalar_one()
        name2 = susp_holder.name_zh or susp_holder.name_en
        r = search_registry(s, name2, kinds=["certificate"], status="suspended", on=today)
        assert any(h.key.endswith("/" + S.suspended) for h in r.hits)
        r = search_registry(s, name2, kinds=["certificate"], status="valid", on=today)
        assert not any(h.key.endswith("/" + S.suspended) for h in r.hits)
        # cabs and accreditation bodies hold no certificates: a status filter drops them
        r = search_registry(s, "CNAS", status="valid")
        assert all(h.kind in ("organization", "certificate") for h in r.hits)


def test_filters_on_cli_api_and_page(use_db: TestDatabase, imported: dict[str, Any]) -> None:
    with Session(use_db.engine) as s:
        cert, holder = s.execute(
            select(m.Certificate, m.Organization)
            .join(m.Organization, m.Organization.id == m.Certificate.organization_id)
            .where(m.Certificate.number == S.valid)
        ).one()
        name = str(holder.name_zh or holder.name_en)
        std = str(cert.standard)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    r = runner.invoke(
        cli_app,
        ["search", name, "--kind", "certificate", "--standard", std, "--status", "valid",
         "--on", today, "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["filters"]["status"] == "valid" and doc["filters"]["status_on"] == today
    assert any(h["key"].endswith("/" + S.valid) for h in doc["hits"])
    r = runner.invoke(cli_app, ["search", name, "--standard", "ISO 99999"])
    assert r.exit_code == 64 and "--standard" in r.stderr and "ISO 99999" in r.stderr
    r = runner.invoke(cli_app, ["search", name, "--status", "sleeping"])
    assert r.exit_code == 64 and "--status" in r.stderr
    r = runner.invoke(cli_app, ["search", name, "--status", "valid", "--on", "tomorrow"])
    assert r.exit_code == 64 and "--on" in r.stderr
    r = runner.invoke(cli_app, ["search", name, "--on", today])
    assert r.exit_code == 64 and "--on" in r.stderr

    with TestClient(create_app(engine=use_db.engine)) as c:
        params = {
            "q": name,
            "kind": "certificate",
            "standard": std.replace(" ", ""),
            "status": "valid",
            "on": today,
        }
        doc = c.get("/api/v1/search", params=params).json()
        assert doc["filters"]["standard"] == std and doc["filters"]["status"] == "valid"
        hit = next(h for h in doc["hits"] if h["key"].endswith("/" + S.valid))
        assert hit["extra"]["filter"]["status_on"] == "active" and hit["why"]
        bad = c.get("/api/v1/search", params={"q": name, "standard": "ISO 99999"})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "standard"
        bad = c.get("/api/v1/search", params={"q": name, "status": "sleeping"})
        assert bad.status_code == 422
        bad = c.get("/api/v1/search", params={"q": name, "on": "2026-13-40", "status": "valid"})
        assert bad.status_code == 422
        page = c.get("/search", params={**params, "lang": "en"})
        assert page.status_code == 200
        assert "Filter met by certificate" in page.text and S.valid in page.text
        assert 'name="standard"' in page.text and f'value="{params["standard"]}"' in page.text
        page = c.get("/search", params={**params, "lang": "zh"})
        assert "满足筛选条件的证书" in page.text
        page = c.get("/search", params={"q": name, "standard": "ISO 99999", "lang": "en"})
        assert page.status_code == 200 and "No standard in the registry" in page.text
        page = c.get(
            "/search", params={"q": name, "on": "2026-13-40", "status": "valid", "lang": "en"}
        )
        assert page.status_code == 200 and "is not a date" in page.text
