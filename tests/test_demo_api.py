"""The demo world and the read-only registry API: deterministic, labelled synthetic, and every
record kind reachable by natural key with the one error shape."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accordia import models as m
from accordia.app import create_app
from accordia.db.session import session_factory
from accordia.demo.generator import Showcase, generate
from accordia.services.verification import verify_one
from tests.conftest import TestDatabase

ON = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo(db: TestDatabase) -> TestDatabase:
    generate(db.engine, scale=400, seed=7)
    return db


@pytest.fixture(scope="module")
def client(demo: TestDatabase) -> TestClient:
    return TestClient(create_app(engine=demo.engine))


def test_every_demo_row_is_labelled_synthetic(demo: TestDatabase) -> None:
    with session_factory(demo.engine)() as s:
        for model in (m.Cab, m.Organization, m.Certificate, m.Accreditation, m.CertificateEvent):
            sources = set(
                s.execute(
                    select(model.source).filter(model.source.like("%accordia demo%"))
                ).scalars()
            )
            assert sources and all("SYNTHETIC" in x for x in sources), model


def test_demo_refuses_to_run_twice(demo: TestDatabase) -> None:
    with pytest.raises(RuntimeError, match="already"):
        generate(demo.engine, scale=10, seed=7)


@pytest.mark.parametrize(
    ("number", "market", "valid", "recognized", "failed"),
    [
        (Showcase.valid, "GB", True, True, None),
        (Showcase.suspended, "GB", False, False, "certificate"),
        (Showcase.withdrawn_accreditation, None, True, None, "accreditation"),
        (Showcase.product, "NZ", True, False, "market"),
        (Showcase.test_report, "GB", True, True, None),
    ],
)
def test_showcase_verdicts(
    demo: TestDatabase,
    number: str,
    market: str | None,
    valid: bool,
    recognized: bool | None,
    failed: str | None,
) -> None:
    d = verify_one(demo.engine, number, market=market, on=ON).to_dict()
    assert (d["valid"], d["recognized"], d["failed_link"]) == (valid, recognized, failed)


class TestRegistryApi:
    def test_lists_and_details_by_natural_key(self, client: TestClient) -> None:
        cab = client.get(f"/api/v1/cabs/{Showcase.cab}").json()
        assert cab["registration_number"] == Showcase.cab
        acc = cab["accreditations"][0]
        assert acc["accreditation_body"]["acronym"] == "CNAS"
        cert = client.get(
            f"/api/v1/certificates/{Showcase.cab}/{Showcase.suspended}", params={"on": "2026-11-27"}
        ).json()
        assert cert["status_on"] == "suspended"
        assert [p["status"] for p in cert["timeline"]] == ["active", "suspended", "expired"]
        before = client.get(
            f"/api/v1/certificates/{Showcase.cab}/{Showcase.suspended}", params={"on": "2026-08-31"}
        ).json()
        assert before["status_on"] == "active"
        org = client.get(f"/api/v1/organizations/{cert['holder']['key']}").json()
        assert any(c["number"] == Showcase.suspended for c in org["certificates"])
        arr = client.get("/api/v1/arrangements/IAF-MLA").json()
        assert arr["successor"] == "GAC-MRA"
        assert any(s.get("accreditation_body") == "CNAS" for s in arr["signatories"])
        ab = client.get("/api/v1/accreditation-bodies/CN/CNAS").json()
        assert ab["name"]["zh"] == "中国合格评定国家认可委员会"

    def test_paging(self, client: TestClient) -> None:
        first = client.get("/api/v1/certificates", params={"limit": 5}).json()
        assert len(first["items"]) == 5 and first["next_offset"] == 5
        second = client.get("/api/v1/certificates", params={"limit": 5, "offset": 5}).json()
        assert {c["number"] for c in first["items"]}.isdisjoint(
            {c["number"] for c in second["items"]}
        )

    def test_filters(self, client: TestClient) -> None:
        labs = client.get("/api/v1/cabs", params={"kind": "testing_lab"}).json()["items"]
        assert labs and all(c["kind"] == "testing_lab" for c in labs)
        by_number = client.get("/api/v1/certificates", params={"number": "demo q 000001"}).json()[
            "items"
        ]
        assert [c["number"] for c in by_number] == [Showcase.valid]

    @pytest.mark.parametrize(
        "path",
        [
            "/api/v1/cabs/NOPE",
            "/api/v1/certificates/X/Y",
            "/api/v1/organizations/nobody",
            "/api/v1/economies/QQ",
        ],
    )
    def test_not_found_shape(self, client: TestClient, path: str) -> None:
        r = client.get(path)
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"

    def test_bad_parameter_shape(self, client: TestClient) -> None:
        r = client.get("/api/v1/certificates", params={"limit": 0})
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "limit"

    def test_openapi_lists_every_resource(self, client: TestClient) -> None:
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        for p in (
            "/api/v1/economies",
            "/api/v1/organizations",
            "/api/v1/cabs",
            "/api/v1/accreditation-bodies",
            "/api/v1/accreditations",
            "/api/v1/certificates",
            "/api/v1/arrangements",
            "/api/v1/standards",
            "/api/v1/scope-codes",
            "/api/v1/market-acceptances",
            "/api/v1/regulators",
            "/api/v1/associations",
        ):
            assert p in paths
