"""IAF MD 1 sampling: formulae at perfect squares and just above, random share, §6.2."""

from __future__ import annotations

import json
import math
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accordia.api import errors
from accordia.api.calculators import router
from accordia.cli import app
from accordia.domain.audit_time import CalculatorInputError, audit_time
from accordia.domain.sampling import ceil_k_sqrt, ceil_sqrt, sample_size

FACTORS = {"initial": "1", "surveillance": "0.6", "recertification": "0.8"}


def _reference(k: str, x: int) -> int:
    """⌈k·√x⌉ with 60-digit decimals (exact at perfect squares)."""
    with localcontext() as ctx:
        ctx.prec = 60
        return int((Decimal(k) * Decimal(x).sqrt()).to_integral_value(rounding="ROUND_CEILING"))


@pytest.mark.parametrize("audit", list(FACTORS))
def test_formula_matches_high_precision_reference(audit: str) -> None:
    for x in range(2, 3001):
        assert sample_size(x, audit).sample_size == _reference(FACTORS[audit], x), x


@pytest.mark.parametrize(
    ("x", "initial", "surveillance", "recertification"),
    [
        (4, 2, 2, 2),  # 0.6·2 = 1.2 → 2; 0.8·2 = 1.6 → 2
        (5, 3, 2, 2),
        (9, 3, 2, 3),  # 1.8 → 2; 2.4 → 3
        (10, 4, 2, 3),
        (25, 5, 3, 4),  # exact: 0.6·5 = 3, 0.8·5 = 4 — must not round up
        (26, 6, 4, 5),  # EA FAQ 42.6: 26 sites → 6
        (100, 10, 6, 8),  # exact
        (101, 11, 7, 9),
        (625, 25, 15, 20),  # exact
        (626, 26, 16, 21),
        (10000, 100, 60, 80),  # exact
        (10001, 101, 61, 81),
    ],
)
def test_perfect_squares_and_just_above(
    x: int, initial: int, surveillance: int, recertification: int
) -> None:
    assert sample_size(x, "initial").sample_size == initial
    assert sample_size(x, "surveillance").sample_size == surveillance
    assert sample_size(x, "recertification").sample_size == recertification


def test_integer_arithmetic_is_exact_where_floats_are_not() -> None:
    x = 10**16 + 1  # float sqrt rounds to exactly 10**8, so a float ceil loses a unit
    assert math.ceil(math.sqrt(x)) == 10**8
    assert sample_size(x, "initial").sample_size == 10**8 + 1
    assert ceil_k_sqrt(Fraction(3, 5), 25) == 3
    assert ceil_k_sqrt(Fraction(4, 5), 25 * 10**16) == 4 * 10**8


def test_ceil_sqrt() -> None:
    assert [ceil_sqrt(n) for n in range(11)] == [0, 1, 2, 2, 2, 3, 3, 3, 3, 3, 4]
    big = 10**40
    assert ceil_sqrt(big) == 10**20
    assert ceil_sqrt(big + 1) == 10**20 + 1


def test_ea_worked_example_two_sites() -> None:
    # EA FAQ 46.5: x = 2 → initial both, each surveillance 1, recertification 2.
    assert [sample_size(2, a).sample_size for a in FACTORS] == [2, 1, 2]


@pytest.mark.parametrize(("x", "y", "random_min"), [(2, 2, 1), (16, 4, 1), (25, 5, 2), (26, 6, 2)])
def test_random_share_and_central_function(x: int, y: int, random_min: int) -> None:
    r = sample_size(x, "initial")
    assert r.sampling_applied
    assert r.method == "sampling"
    assert r.sample_size == y
    assert r.random_min == random_min == math.ceil(y / 4)
    assert r.central_function_audited
    assert r.total_audited_locations == y + 1
    ids = [c.id for c in r.citations]
    assert "IAF MD 1: Initial certification" in ids
    assert "IAF MD 1: Random element" in ids


@pytest.mark.parametrize(
    ("x", "audit", "y", "method"),
    [
        (10, "initial", 10, "all_sites"),
        (10, "recertification", 10, "all_sites"),
        (10, "surveillance", 3, "surveillance_30pct"),
        (11, "surveillance", 4, "surveillance_30pct"),  # 3.3 → 4
        (20, "surveillance", 6, "surveillance_30pct"),  # exact 6
        (1, "surveillance", 1, "surveillance_30pct"),
    ],
)
def test_no_sampling(x: int, audit: str, y: int, method: str) -> None:
    r = sample_size(x, audit, sampling_appropriate=False)
    assert not r.sampling_applied
    assert r.method == method
    assert r.sample_size == y
    assert r.random_min is None
    assert r.total_audited_locations == y + 1
    assert "IAF MD 1: Where sampling not appropriate (MD 1 §6.2)" in [c.id for c in r.citations]


def test_single_site_is_not_sampled() -> None:
    r = sample_size(1, "initial")
    assert not r.sampling_applied
    assert r.sample_size == 1
    assert "IAF MD 1: Applicability" in [c.id for c in r.citations]


@pytest.mark.parametrize(
    ("sites", "audit", "field"),
    [(0, "initial", "sites"), (-3, "initial", "sites"), (5, "x", "audit")],
)
def test_bad_input(sites: int, audit: str, field: str) -> None:
    with pytest.raises(CalculatorInputError) as err:
        sample_size(sites, audit)
    assert err.value.field == field


def test_result_dict_is_bilingual() -> None:
    d = sample_size(26, "surveillance").as_dict()
    assert d["sample_size"] == 4
    assert d["formula"] == "y = ⌈0.6·√x⌉"
    assert d["explanation"]["zh"] and d["explanation"]["en"]
    assert all(c["source"] and c["text"]["zh"] and c["text"]["en"] for c in d["citations"])


# --------------------------------------------------------------------------- CLI and API


def test_cli_sampling() -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["sampling", "--sites", "25", "--audit", "surveillance", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["sample_size"] == 3
    assert data["total_audited_locations"] == 4
    assert data["citations"][0]["id"] == "IAF MD 1: Surveillance"
    res = runner.invoke(
        app, ["sampling", "--sites", "10", "--no-sampling", "--audit", "surveillance"]
    )
    assert res.exit_code == 0
    assert "surveillance_30pct" in res.stdout
    res = runner.invoke(app, ["sampling", "--sites", "26", "--lang", "zh"])
    assert res.exit_code == 0 and "中心职能" in res.stdout
    for bad in (
        ["sampling", "--sites", "0"],
        ["sampling"],
        ["sampling", "--sites", "3", "--audit", "x"],
    ):
        res = runner.invoke(app, bad)
        assert res.exit_code == 64, (bad, res.output)
        assert res.stderr.strip()


def _client() -> TestClient:
    api = FastAPI()
    errors.install(api)
    api.include_router(router, prefix="/api/v1")
    return TestClient(api)


def test_api_sampling_and_audit_time() -> None:
    client = _client()
    r = client.get("/api/v1/calculators/sampling", params={"sites": 26})
    assert r.status_code == 200
    body = r.json()
    assert body["sample_size"] == 6 and body["random_min"] == 2
    assert body == sample_size(26, "initial").as_dict()
    r = client.get(
        "/api/v1/calculators/sampling",
        params={"sites": 10, "audit": "surveillance", "no_sampling": True},
    )
    assert r.json()["sample_size"] == 3
    params = {"standard": "ISO45001", "personnel": 90, "complexity": "high", "reduction": 20}
    r = client.get("/api/v1/calculators/audit-time", params=params)
    assert r.status_code == 200
    assert r.json() == audit_time("ISO 45001", 90, "high", "initial", 20).as_dict()
    assert r.json()["initial_days"] == 9.0


def test_api_errors_are_422_with_error_shape() -> None:
    client = _client()
    cases = [
        ("/api/v1/calculators/sampling", {"sites": 0}, "sites"),
        ("/api/v1/calculators/sampling", {"sites": "abc"}, "sites"),
        ("/api/v1/calculators/sampling", {}, "sites"),
        ("/api/v1/calculators/sampling", {"sites": 3, "audit": "x"}, "audit"),
        ("/api/v1/calculators/audit-time", {"standard": "ISO9001", "personnel": 5, "reduction": 31},
         "reduction"),
        ("/api/v1/calculators/audit-time", {"standard": "ISO 27001", "personnel": 5}, "standard"),
        ("/api/v1/calculators/audit-time", {"standard": "ISO9001", "personnel": 99999},
         "personnel"),
        ("/api/v1/calculators/audit-time", {"standard": "ISO9001", "personnel": 5,
                                            "complexity": "high"}, "complexity"),
        ("/api/v1/calculators/audit-time", {"standard": "ISO14001", "personnel": 5,
                                            "complexity": "bad"}, "complexity"),
    ]  # fmt: skip
    for url, params, field in cases:
        r = client.get(url, params=params)
        assert r.status_code == 422, (url, params)
        err = r.json()["error"]
        assert set(err) == {"code", "message", "field"}
        assert err["field"] == field, (params, err)
        assert err["message"]
