"""IAF MD 5 audit time: the tables at every band edge, reduction, rounding, shares, errors."""

from __future__ import annotations

import csv
import io
import itertools
import json
from fractions import Fraction
from importlib.resources import files

import pytest
from typer.testing import CliRunner

from accordia.cli import app
from accordia.domain.audit_time import (
    CalculatorInputError,
    audit_time,
    load_table,
    normalize_standard,
    round_half_day,
)

TABLE_FILES = {
    "ISO 9001": ("iaf_md5_qms_table.csv", ["initial_audit_days"]),
    "ISO 14001": ("iaf_md5_ems_table.csv", ["high", "medium", "low", "limited"]),
    "ISO 45001": ("iaf_md5_ohsms_table.csv", ["high", "medium", "low"]),
}


def _csv_rows(filename: str) -> list[dict[str, str]]:
    text = files("accordia").joinpath("reference", "data", filename).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _edge_cases() -> list[tuple[str, int, str, float, int, int]]:
    cases = []
    for standard, (filename, columns) in TABLE_FILES.items():
        for row in _csv_rows(filename):
            if not row["personnel_max"]:
                continue
            lo, hi = int(row["personnel_min"]), int(row["personnel_max"])
            for col in columns:
                for edge in (lo, hi):
                    cases.append((standard, edge, col, float(row[col]), lo, hi))
    return cases


EDGE_CASES = _edge_cases()


def test_edge_case_count() -> None:
    # 23 numeric rows per table; QMS 1 column, EMS 4, OH&SMS 3; two edges each.
    assert len(EDGE_CASES) == 23 * (1 + 4 + 3) * 2


@pytest.mark.parametrize(("standard", "personnel", "column", "days", "lo", "hi"), EDGE_CASES)
def test_table_reproduced_at_every_band_edge(
    standard: str, personnel: int, column: str, days: float, lo: int, hi: int
) -> None:
    complexity = None if column == "initial_audit_days" else column
    r = audit_time(standard, personnel, complexity, "initial")
    assert r.table_days == days
    assert r.audit_days == days  # table values are whole or half days
    assert r.complexity_column == column
    assert (r.band.personnel_min, r.band.personnel_max) == (lo, hi)
    assert r.band.values[column] == days
    assert r.citations[0].id.startswith(r.table)
    assert f"{lo}–{hi}" in r.citations[0].id


def test_bands_are_contiguous_from_one() -> None:
    for standard in TABLE_FILES:
        rows = load_table(standard)  # type: ignore[arg-type]
        assert rows[0].personnel_min == 1
        for a, b in itertools.pairwise(rows):
            assert b.personnel_min == a.personnel_max + 1
        assert rows[-1].personnel_max == 10700


# Hand-written from shared/reference/README.md §3, so a wrong table file is caught too.
QMS_README = [
    (1, 5, 1.5), (6, 10, 2), (11, 15, 2.5), (16, 25, 3), (26, 45, 4), (46, 65, 5),
    (66, 85, 6), (86, 125, 7), (126, 175, 8), (176, 275, 9), (276, 425, 10),
    (426, 625, 11), (626, 875, 12), (876, 1175, 13), (1176, 1550, 14), (1551, 2025, 15),
    (2026, 2675, 16), (2676, 3450, 17), (3451, 4350, 18), (4351, 5450, 19),
    (5451, 6800, 20), (6801, 8500, 21), (8501, 10700, 22),
]  # fmt: skip


@pytest.mark.parametrize(("lo", "hi", "days"), QMS_README)
def test_qms_table_matches_readme(lo: int, hi: int, days: float) -> None:
    assert audit_time("ISO 9001", lo).table_days == days
    assert audit_time("ISO 9001", hi).table_days == days


def test_spot_values_from_readme_and_rules() -> None:
    # EMS Limited runs 2.5 … 14; 626–875 Limited is 6.5 (two sources).
    assert audit_time("ISO 14001", 1, "limited").table_days == 2.5
    assert audit_time("ISO 14001", 10700, "limited").table_days == 14
    assert audit_time("ISO 14001", 700, "limited").table_days == 6.5
    # "Table entry" rule: the line starts at 1 person = 2.5 days OH&SMS (medium/low).
    assert audit_time("ISO 45001", 1, "medium").table_days == 2.5
    # EA FAQ 37.23 example: 46–65 → 5 (QMS).
    assert audit_time("ISO9001", 50).table_days == 5


def test_ems_high_medium_low_equal_ohsms() -> None:
    # README: EMS 1 uses the same High/Medium/Low values as OH&SMS 1.
    ems, ohs = load_table("ISO 14001"), load_table("ISO 45001")
    for e, o in zip(ems, ohs, strict=True):
        assert {k: e.values[k] for k in ("high", "medium", "low")} == dict(o.values)


def test_ems_limited_discrepancy_is_noted() -> None:
    r = audit_time("ISO 14001", 626, "limited")
    assert r.table_days == 6.5
    assert r.citations[0].note and "6.0" in r.citations[0].note
    assert any("6.0" in (n.en or "") for n in r.notes)
    other = audit_time("ISO 14001", 626, "high")
    assert not any("6.0" in (n.en or "") for n in other.notes)


def test_beyond_last_band_is_refused() -> None:
    assert audit_time("ISO 9001", 10700).table_days == 22
    with pytest.raises(CalculatorInputError, match="follow the progression") as err:
        audit_time("ISO 9001", 10701)
    assert err.value.field == "personnel"
    assert err.value.code == "beyond_table"


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"standard": "ISO 9001", "personnel": 0}, "personnel", "bad_personnel"),
        ({"standard": "ISO 9001", "personnel": -5}, "personnel", "bad_personnel"),
        ({"standard": "ISO 27001", "personnel": 5}, "standard", "unknown_standard"),
        ({"standard": "foo", "personnel": 5}, "standard", "unknown_standard"),
        (
            {"standard": "ISO 9001", "personnel": 5, "complexity": "high"},
            "complexity",
            "complexity_not_applicable",
        ),
        (
            {"standard": "ISO 45001", "personnel": 5, "complexity": "limited"},
            "complexity",
            "unknown_complexity",
        ),
        (
            {"standard": "ISO 14001", "personnel": 5, "complexity": "extreme"},
            "complexity",
            "unknown_complexity",
        ),
        ({"standard": "ISO 14001", "personnel": 5}, "complexity", "complexity_required"),
        (
            {"standard": "ISO 9001", "personnel": 5, "reduction_pct": -1},
            "reduction_pct",
            "negative_reduction",
        ),
        (
            {"standard": "ISO 9001", "personnel": 5, "reduction_pct": float("nan")},
            "reduction_pct",
            "bad_reduction",
        ),
        (
            {"standard": "ISO 9001", "personnel": 5, "audit": "stage 3"},
            "audit",
            "unknown_audit_type",
        ),
    ],
)
def test_bad_input(kwargs: dict[str, object], field: str, code: str) -> None:
    with pytest.raises(ValueError) as err:
        audit_time(**kwargs)  # type: ignore[arg-type]
    assert isinstance(err.value, CalculatorInputError)
    assert err.value.field == field
    assert err.value.code == code
    assert str(err.value)


def test_reduction_limit_is_refused_not_capped() -> None:
    assert audit_time("ISO 9001", 50, reduction_pct=30).initial_days == 3.5
    with pytest.raises(CalculatorInputError, match=r"maximum of 30 %.*Maximum reduction") as err:
        audit_time("ISO 9001", 50, reduction_pct=30.01)
    assert err.value.code == "reduction_above_maximum"


@pytest.mark.parametrize(
    ("standard", "personnel", "complexity", "pct", "initial"),
    [
        ("ISO 9001", 50, None, 0, 5.0),
        ("ISO 9001", 50, None, 10, 4.5),
        ("ISO 9001", 50, None, 15, 4.5),  # 4.25: an exact half rounds up
        ("ISO 9001", 50, None, 30, 3.5),
        ("ISO 14001", 3, "high", 30, 2.0),  # 2.1 → 2.0
        ("ISO 45001", 100, "high", 20, 9.0),  # 8.8 → 9.0
        ("ISO 45001", 100, "low", 12.5, 5.0),  # 4.8125 → 5.0
    ],
)
def test_reduction_and_rounding(
    standard: str, personnel: int, complexity: str | None, pct: float, initial: float
) -> None:
    r = audit_time(standard, personnel, complexity, reduction_pct=pct)
    assert r.initial_days == initial == r.audit_days
    assert r.reduction_pct == pct
    ids = [c.id for c in r.citations]
    assert ("IAF MD 5 rule: Maximum reduction" in ids) == bool(pct)
    assert "IAF MD 5 rule: Rounding" in ids


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5.3", "5.5"), ("5.2", "5"), ("5.25", "5.5"), ("5.74", "5.5"), ("5.75", "6"), ("0.2", "0")],
)
def test_round_half_day(value: str, expected: str) -> None:
    assert round_half_day(Fraction(value)) == Fraction(expected)


@pytest.mark.parametrize(
    ("standard", "personnel", "complexity", "pct", "surv", "recert"),
    [
        ("ISO 9001", 50, None, 0, 1.5, 3.5),  # 5/3 = 1.67; 10/3 = 3.33
        ("ISO 9001", 3, None, 0, 0.5, 1.0),  # 1.5/3; 2·1.5/3
        ("ISO 9001", 9000, None, 0, 7.5, 14.5),  # 22/3 = 7.33; 44/3 = 14.67
        ("ISO 14001", 700, "limited", 10, 2.0, 4.0),  # 6.5 → 5.85 → 6.0; 2.0; 4.0
        ("ISO 45001", 5000, "high", 0, 9.5, 18.5),  # 28/3 = 9.33; 56/3 = 18.67
    ],
)
def test_surveillance_and_recertification_shares(
    standard: str,
    personnel: int,
    complexity: str | None,
    pct: float,
    surv: float,
    recert: float,
) -> None:
    s = audit_time(standard, personnel, complexity, "surveillance", pct)
    r = audit_time(standard, personnel, complexity, "recertification", pct)
    assert (s.share, r.share) == ("1/3", "2/3")
    assert s.audit_days == surv
    assert r.audit_days == recert
    assert s.audit_days_unrounded == pytest.approx(s.initial_days / 3)
    assert r.audit_days_unrounded == pytest.approx(r.initial_days * 2 / 3)
    assert "IAF MD 5 rule: Surveillance" in [c.id for c in s.citations]
    assert "IAF MD 5 rule: Recertification" in [c.id for c in r.citations]
    assert any("2/3" in (n.en or "") for n in r.notes)


def test_on_site_minimum_and_hours() -> None:
    r = audit_time("ISO 9001", 50)
    assert r.audit_hours == 40
    assert r.on_site_min_share == 0.8
    assert r.on_site_min_days == 4.0
    assert r.on_site_min_hours == 32
    assert "IAF MD 5 rule: On-site minimum" in [c.id for c in r.citations]


def test_citations_carry_sources_and_both_languages() -> None:
    r = audit_time("ISO 45001", 90, "medium", "surveillance", 10)
    row = next(x for x in _csv_rows("iaf_md5_ohsms_table.csv") if x["personnel_min"] == "86")
    assert r.citations[0].source == row["source"]
    for c in r.citations:
        assert c.source
        assert c.text.zh and c.text.en
    assert r.explanation.zh and r.explanation.en
    d = r.as_dict()
    assert d["citations"][0]["text"].keys() == {"zh", "en"}
    assert d["band"]["values"] == {"high": 11.0, "medium": 8.0, "low": 5.5}


@pytest.mark.parametrize("raw", ["ISO9001", "iso 9001", "9001", "ISO 9001:2015", " ISO-9001 "])
def test_standard_aliases(raw: str) -> None:
    assert normalize_standard(raw) == "ISO 9001"


def test_complexity_case_insensitive() -> None:
    assert audit_time("ISO14001", 5, "HIGH").complexity == "high"


# --------------------------------------------------------------------------- CLI and API


def test_cli_audit_time_json() -> None:
    runner = CliRunner()
    args = ["audit-time", "--standard", "ISO14001", "--personnel", "700"]
    res = runner.invoke(
        app, [*args, "--complexity", "limited", "--audit", "surveillance", "--json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["table_days"] == 6.5
    assert data["audit_days"] == 2.0
    assert data["band"]["personnel_min"] == 626
    assert {"id", "reference", "text", "source"} <= set(data["citations"][0])
    assert data["explanation"].keys() == {"zh", "en"}


def test_cli_audit_time_human_both_languages() -> None:
    runner = CliRunner()
    base = ["audit-time", "--standard", "ISO9001", "--personnel", "50"]
    en = runner.invoke(app, base)
    assert en.exit_code == 0
    assert "IAF MD 5 Table QMS 1, row 46–65" in en.stdout
    assert "Audit days" in en.stdout
    zh = runner.invoke(app, [*base, "--lang", "zh"])
    assert zh.exit_code == 0
    assert "审核时间" in zh.stdout
    assert "依据" in zh.stdout


def test_cli_audit_time_usage_errors_exit_64() -> None:
    runner = CliRunner()
    cases = [
        ["audit-time", "--standard", "ISO9001", "--personnel", "50", "--reduction", "35"],
        ["audit-time", "--standard", "ISO9001", "--personnel", "0"],
        ["audit-time", "--standard", "ISO9001", "--personnel", "20000"],
        ["audit-time", "--standard", "ISO27001", "--personnel", "5"],
        ["audit-time", "--standard", "ISO14001", "--personnel", "5"],
        ["audit-time", "--standard", "ISO9001", "--personnel", "abc"],
        ["audit-time", "--personnel", "5"],
        ["audit-time", "--standard", "ISO14001", "--personnel", "5", "--complexity", "x"],
    ]
    for args in cases:
        res = runner.invoke(app, args)
        assert res.exit_code == 64, (args, res.output)
        assert res.stderr.strip(), args
        assert not res.stdout.strip(), args
    res = runner.invoke(app, cases[0])
    assert "30 %" in res.stderr and "--reduction" in res.stderr
