"""The regulator's dashboard (issue 7 §2): bodies ranked by risk with their credit grade, and
the trends behind them — findings per rule across scan runs, sanctions and complaints per month,
the distribution of risk scores and grades.

One call, :func:`dashboard`, gives everything the page ``/supervision/dashboard`` and its JSON
twin ``GET /api/v1/supervision/dashboard`` show. Only facts dated on or before ``on`` are
counted; risk scores come from :func:`accordia.services.supervision.risk_scores` (the current
scan run), grades from :func:`accordia.services.discipline.ratings`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import Engine, func, select

from accordia import models as m
from accordia.domain.discipline import GRADE_LABELS, GRADE_ORDER, grade_counts
from accordia.domain.supervision.risk import BANDS
from accordia.models.supervision import Complaint, Finding, Sanction, ScanRun
from accordia.services import discipline as ds
from accordia.services.supervision import risk_scores

RANKED = 50  # bodies shown in the ranking
RUNS = 12  # scan runs in the findings trend
MONTHS = 12  # months in the sanctions and complaints trend
BUCKET = 5  # width of a risk-score histogram bucket
BUCKETS = 10  # the last bucket is open-ended (≥ BUCKET × (BUCKETS − 1))


def _month(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def months_ending(on: dt.date, n: int) -> list[str]:
    """The ``n`` calendar months up to and including ``on``'s, oldest first."""
    y, mo = on.year, on.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{mo:02d}")
        mo -= 1
        if mo == 0:
            y, mo = y - 1, 12
    return out[::-1]


def _band_of(score: int) -> str:
    return next(name for floor, name in BANDS if score >= floor)


def _buckets(scores: list[int]) -> list[dict[str, Any]]:
    counts = Counter(min(s // BUCKET, BUCKETS - 1) for s in scores)
    out = []
    for i in range(BUCKETS):
        lo = i * BUCKET
        label = f"{lo}–{lo + BUCKET - 1}" if i < BUCKETS - 1 else f"≥{lo}"
        out.append({"label": label, "from": lo, "count": counts.get(i, 0), "band": _band_of(lo)})
    return out


def findings_trend(engine: Engine, on: dt.date, runs: int = RUNS) -> dict[str, Any]:
    """Findings per rule in the completed scan runs of the ``runs`` latest scan dates up to
    ``on``, oldest first (current and superseded runs keep their findings)."""
    with engine.connect() as conn:
        run_rows = conn.execute(
            select(ScanRun.id, ScanRun.on, ScanRun.status)
            .filter(ScanRun.status.in_(("done", "superseded")), ScanRun.on <= on)
            .order_by(ScanRun.on.desc(), ScanRun.id.desc())
            .limit(runs)
        ).all()[::-1]  # the latest scan dates, shown in date order
        ids = [r.id for r in run_rows]
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        if ids:
            for run_id, rule, n in conn.execute(
                select(Finding.scan_run_id, Finding.rule, func.count())
                .filter(Finding.scan_run_id.in_(ids))
                .group_by(Finding.scan_run_id, Finding.rule)
            ):
                counts[run_id][rule] = int(n)
    rules = sorted({rule for c in counts.values() for rule in c})
    return {
        "runs": [
            {"run": r.id, "on": r.on.isoformat(), "current": r.status == "done"} for r in run_rows
        ],
        "rules": rules,
        "series": {rule: [counts[r.id].get(rule, 0) for r in run_rows] for rule in rules},
        "totals": [sum(counts[r.id].values()) for r in run_rows],
    }


def monthly(engine: Engine, on: dt.date, months: int = MONTHS) -> dict[str, Any]:
    """Sanctions (by the month they took effect) and complaints (by the month received) in
    the last ``months`` calendar months up to ``on``."""
    labels = months_ending(on, months)
    first = dt.date(int(labels[0][:4]), int(labels[0][5:]), 1)
    with engine.connect() as conn:
        sanction_rows = conn.execute(
            select(Sanction.effective_from, Sanction.kind).filter(
                Sanction.effective_from >= first, Sanction.effective_from <= on
            )
        ).all()
        complaint_rows = conn.execute(
            select(Complaint.received_on, Complaint.status).filter(
                Complaint.received_on >= first, Complaint.received_on <= on
            )
        ).all()
    sanctions = Counter(_month(d) for d, _k in sanction_rows)
    complaints = Counter(_month(d) for d, _s in complaint_rows)
    upheld = Counter(_month(d) for d, s in complaint_rows if s == "substantiated")
    by_kind = Counter(k for _d, k in sanction_rows)
    return {
        "months": labels,
        "sanctions": [sanctions.get(x, 0) for x in labels],
        "complaints": [complaints.get(x, 0) for x in labels],
        "upheld_complaints": [upheld.get(x, 0) for x in labels],
        "sanctions_by_kind": dict(sorted(by_kind.items())),
    }


def dashboard(
    engine: Engine,
    on: dt.date,
    *,
    top: int = RANKED,
    runs: int = RUNS,
    months: int = MONTHS,
) -> dict[str, Any]:
    """Everything the regulator's dashboard shows, as of ``on``."""
    scores = risk_scores(engine, on)
    grades = {r.body: r for r in ds.ratings(engine, on)}
    with engine.connect() as conn:
        names = {
            regno: {"zh": zh, "en": en}
            for regno, zh, en in conn.execute(
                select(m.Cab.registration_number, m.Cab.name_zh, m.Cab.name_en)
            )
        }
        run = ds.scan_run_for(conn, on)
    ranking = []
    for i, s in enumerate(scores[: top or None], start=1):
        rating = grades.get(s.body)
        ranking.append(
            {
                "rank": i,
                "body": s.body,
                "name": names.get(s.body, {}),
                "risk_score": s.score,
                "band": s.band,
                "draw_weight": s.weight,
                "grade": rating.grade if rating else None,
                "grade_label": rating.label.as_dict() if rating else None,
                "credit_score": rating.score if rating else None,
                "components": [c.as_dict() for c in s.components],
            }
        )
    bands = Counter(s.band for s in scores)
    return {
        "on": on.isoformat(),
        "scan_run": {"run": run.id, "on": run.on.isoformat()} if run is not None else None,
        "bodies": len(scores),
        "ranking": ranking,
        "risk_distribution": {
            "bands": {name: bands.get(name, 0) for _floor, name in sorted(BANDS)},
            "buckets": _buckets([s.score for s in scores]),
        },
        "grades": {
            "counts": grade_counts(list(grades.values())),
            "labels": {g: GRADE_LABELS[g].as_dict() for g in GRADE_ORDER},
        },
        "findings_trend": findings_trend(engine, on, runs),
        "monthly": monthly(engine, on, months),
    }
