"""ISO/IEC 17021-1 certification cycle: constants with their clause and source, due-date helpers.

The constants mirror the ``machine_rule`` column of ``iso17021_cycle_rules.csv`` (packaged in
``accordia/reference/data``; a test keeps them in step). Month arithmetic clamps to the end of
the month: 31 Jan + 1 month = 28/29 Feb; 29 Feb 2024 + 3 years = 28 Feb 2027.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from accordia.domain.bilingual import Bilingual

CYCLE_YEARS = 3
FIRST_SURVEILLANCE_MAX_MONTHS = 12
MIN_SURVEILLANCE_PER_CALENDAR_YEAR = 1
MAX_TYPICAL_SUSPENSION_MONTHS = 6
RESTORE_WINDOW_MONTHS = 6

_ISOP = "https://www.isop.solutions/isop-platform (quotes ISO/IEC 17021-1:2015 cl. 9.1.3)"
_GCERTI = "https://gcerti.com/site/english/html/board/surve.htm"


@dataclass(frozen=True, slots=True)
class CycleRule:
    key: str
    value: int
    unit: Literal["years", "months", "per_calendar_year"]
    clause: str
    machine_rule: str
    text: Bilingual
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": self.value,
            "unit": self.unit,
            "clause": self.clause,
            "machine_rule": self.machine_rule,
            "text": self.text.as_dict(),
            "source": self.source,
        }


RULES: Mapping[str, CycleRule] = {
    r.key: r
    for r in (
        CycleRule(
            key="cycle_years",
            value=CYCLE_YEARS,
            unit="years",
            clause="ISO/IEC 17021-1 9.1.3",
            machine_rule="cycle_years=3",
            text=Bilingual(
                zh="首个三年认证周期自认证决定起算；其后的周期自再认证决定起算。",
                en=(
                    "First three-year certification cycle begins with the certification "
                    "decision; subsequent cycles begin with the recertification decision"
                ),
            ),
            source=_ISOP,
        ),
        CycleRule(
            key="first_surveillance_months",
            value=FIRST_SURVEILLANCE_MAX_MONTHS,
            unit="months",
            clause="ISO/IEC 17021-1 9.1.3.3",
            machine_rule="first_surveillance_deadline=decision_date+12 months",
            text=Bilingual(
                zh="初次认证后的第一次监督审核不得晚于认证决定日期后 12 个月。",
                en=(
                    "First surveillance audit after initial certification not more than 12 "
                    "months from the certification decision date"
                ),
            ),
            source=f"{_ISOP} ; {_GCERTI} ; an unnamed public code file",
        ),
        CycleRule(
            key="min_surveillance_per_calendar_year",
            value=MIN_SURVEILLANCE_PER_CALENDAR_YEAR,
            unit="per_calendar_year",
            clause="ISO/IEC 17021-1 9.1.3.3 (numbering per secondary sources)",
            machine_rule="min_surveillance_per_calendar_year=1",
            text=Bilingual(
                zh="除再认证年份外，每个日历年至少进行一次监督审核。",
                en=(
                    "Surveillance audits at least once a calendar year, except in "
                    "recertification years"
                ),
            ),
            source=f"{_ISOP} ; {_GCERTI}",
        ),
        CycleRule(
            key="max_typical_suspension_months",
            value=MAX_TYPICAL_SUSPENSION_MONTHS,
            unit="months",
            clause="ISO/IEC 17021-1 9.6.5",
            machine_rule="max_typical_suspension=6 months",
            text=Bilingual(
                zh="问题解决则恢复认证；未在认证机构规定期限内解决则撤销或缩小范围；"
                "多数情况下暂停不超过 6 个月。",
                en=(
                    "Suspended certification restored if issue resolved; failure to resolve"
                    " within the time set by the CB results in withdrawal or reduction of "
                    "scope; in most cases suspension does not exceed 6 months"
                ),
            ),
            source="http://iitc.com.ua/en/informatsiya-shhodo-prizupinennya-skasuvannya-abo-"
            "skorochennya-sferi-sertifikatsiyi/ ; http://rircert.com/suspending.php",
        ),
        CycleRule(
            key="restore_window_months",
            value=RESTORE_WINDOW_MONTHS,
            unit="months",
            clause="ISO/IEC 17021-1 9.6.3.2.5",
            machine_rule="restore_window=expiry+6 months",
            text=Bilingual(
                zh="证书到期后 6 个月内完成未完成的再认证活动可恢复认证，否则至少需进行第二阶段审核"
                "（IAF FAQ：期限自到期日起算）。",
                en=(
                    "Certification may be restored within 6 months after expiry if "
                    "outstanding recertification activities are completed, otherwise at "
                    "least a Stage 2 is needed (IAF FAQ: period counted from expiry)"
                ),
            ),
            source="https://iaffaq.com/2020/05/14/q26-if-the-certificate-has-already-expired-"
            "can-the-period-during-which-the-certification-body-may-restore-certification-"
            "according-to-iso-iec-17021-1-%C2%A7-9-6-3-2-5-be-extended-by-a-further-6-mo/",
        ),
    )
}


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` calendar months, clamped to the last day of the target month."""
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


def cycle_expiry(decision: date) -> date:
    """End of the certification cycle that starts with ``decision`` (9.1.3: 3 years)."""
    return add_months(decision, CYCLE_YEARS * 12)


def first_surveillance_due(decision: date) -> date:
    """Latest date of the first surveillance audit (9.1.3.3: ≤ 12 months after the decision)."""
    return add_months(decision, FIRST_SURVEILLANCE_MAX_MONTHS)


def surveillance_calendar_years(
    decision: date, recertification_year: int | None = None
) -> tuple[int, ...]:
    """Calendar years of the cycle that need at least one surveillance audit.

    The years strictly between the decision year (which holds the initial certification) and the
    expiry year (by default the recertification year); when the recertification audit falls in
    an earlier year, pass ``recertification_year`` and that year is excluded too.
    """
    years = range(decision.year + 1, cycle_expiry(decision).year)
    return tuple(y for y in years if y != recertification_year)


def suspension_limit(suspended_on: date) -> date:
    """Date by which a suspension normally ends (9.6.5: in most cases ≤ 6 months)."""
    return add_months(suspended_on, MAX_TYPICAL_SUSPENSION_MONTHS)


def restore_deadline(expiry: date) -> date:
    """Last date an expired certification may be restored (9.6.3.2.5: expiry + 6 months)."""
    return add_months(expiry, RESTORE_WINDOW_MONTHS)


@dataclass(frozen=True, slots=True)
class SurveillanceGap:
    """A missed surveillance obligation: the first-surveillance deadline or a calendar year."""

    kind: Literal["first_surveillance", "calendar_year"]
    due: date
    rule: CycleRule

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "due": self.due.isoformat(), "rule": self.rule.key}


def overdue_surveillance(
    decision: date,
    surveillance_dates: Iterable[date],
    as_of: date,
    recertification_year: int | None = None,
) -> list[SurveillanceGap]:
    """Surveillance obligations of the cycle from ``decision`` that were missed by ``as_of``.

    * no surveillance on or before :func:`first_surveillance_due` once that date has passed;
    * a calendar year of :func:`surveillance_calendar_years` that ended without a surveillance.
    """
    done = sorted(d for d in surveillance_dates if d > decision)
    gaps: list[SurveillanceGap] = []
    due = first_surveillance_due(decision)
    if as_of > due and not any(d <= due for d in done):
        gaps.append(SurveillanceGap("first_surveillance", due, RULES["first_surveillance_months"]))
    for year in surveillance_calendar_years(decision, recertification_year):
        year_end = date(year, 12, 31)
        if as_of > year_end and not any(d.year == year for d in done):
            gaps.append(
                SurveillanceGap(
                    "calendar_year", year_end, RULES["min_surveillance_per_calendar_year"]
                )
            )
    return gaps
