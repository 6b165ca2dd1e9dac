"""ISO/IEC 17021-1 cycle constants and due-date helpers."""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib.resources import files

from accordia.domain import cycle


def _csv() -> list[dict[str, str]]:
    text = files("accordia").joinpath("reference", "data", "iso17021_cycle_rules.csv")
    return list(csv.DictReader(io.StringIO(text.read_text("utf-8"))))


def test_constants_match_reference_machine_rules() -> None:
    rows = {r["machine_rule"]: r for r in _csv() if r["machine_rule"]}
    assert set(rows) == {rule.machine_rule for rule in cycle.RULES.values()}
    for rule in cycle.RULES.values():
        row = rows[rule.machine_rule]
        assert str(rule.value) in rule.machine_rule
        assert rule.clause.endswith(row["clause"])
        assert rule.text.en == row["rule"]
        assert rule.source == row["source"]
        assert rule.text.zh
    assert cycle.CYCLE_YEARS == 3
    assert cycle.FIRST_SURVEILLANCE_MAX_MONTHS == 12
    assert cycle.MIN_SURVEILLANCE_PER_CALENDAR_YEAR == 1
    assert cycle.MAX_TYPICAL_SUSPENSION_MONTHS == 6
    assert cycle.RESTORE_WINDOW_MONTHS == 6


def test_add_months_clamps_to_month_end() -> None:
    assert cycle.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert cycle.add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert cycle.add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert cycle.add_months(date(2024, 11, 15), 2) == date(2025, 1, 15)
    assert cycle.add_months(date(2024, 3, 15), -3) == date(2023, 12, 15)


def test_due_dates() -> None:
    decision = date(2024, 2, 29)
    assert cycle.cycle_expiry(decision) == date(2027, 2, 28)
    assert cycle.first_surveillance_due(decision) == date(2025, 2, 28)
    assert cycle.cycle_expiry(date(2023, 5, 10)) == date(2026, 5, 10)
    assert cycle.first_surveillance_due(date(2023, 5, 10)) == date(2024, 5, 10)
    assert cycle.suspension_limit(date(2024, 3, 1)) == date(2024, 9, 1)
    assert cycle.restore_deadline(date(2026, 5, 10)) == date(2026, 11, 10)


def test_surveillance_calendar_years() -> None:
    assert cycle.surveillance_calendar_years(date(2023, 5, 10)) == (2024, 2025)
    assert cycle.surveillance_calendar_years(date(2023, 5, 10), recertification_year=2025) == (
        2024,
    )


def test_overdue_surveillance() -> None:
    decision = date(2023, 5, 10)
    ok = cycle.overdue_surveillance(
        decision, [date(2024, 4, 1), date(2025, 3, 1)], date(2026, 1, 5)
    )
    assert ok == []
    late_first = cycle.overdue_surveillance(decision, [date(2024, 6, 1)], date(2024, 7, 1))
    assert [(g.kind, g.due) for g in late_first] == [("first_surveillance", date(2024, 5, 10))]
    none = cycle.overdue_surveillance(decision, [], date(2026, 1, 5))
    assert [g.kind for g in none] == ["first_surveillance", "calendar_year", "calendar_year"]
    assert none[1].as_dict() == {
        "kind": "calendar_year",
        "due": "2024-12-31",
        "rule": "min_surveillance_per_calendar_year",
    }
    # Before the deadlines nothing is overdue.
    assert cycle.overdue_surveillance(decision, [], date(2024, 5, 10)) == []
