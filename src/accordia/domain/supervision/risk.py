"""The risk score of a body: findings by severity, complaints, sanction history — explained.

``score = Σ_rule weight(severity) × min(findings, 5)
        + Σ complaints of the last 24 months (substantiated 3, open 1, rejected 0)
        + Σ sanctions of the last 36 months (warning 2, rectification 4, fine 6,
          suspension 10, revocation 15)``

Findings count at most five per rule, so one systemic issue in a large body does not drown
everything else. Bands: low < 10 ≤ medium < 25 ≤ high. The draw weight is ``1 + score / 10``:
every body can be drawn, a riskier one more often.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from accordia.domain.bilingual import Bilingual
from accordia.domain.cycle import add_months
from accordia.domain.supervision.rules import RULES, SEVERITY_WEIGHT

FINDINGS_CAP_PER_RULE = 5
COMPLAINT_POINTS = {"substantiated": 3, "open": 1, "rejected": 0}
COMPLAINT_MONTHS = 24
SANCTION_POINTS = {"warning": 2, "rectification": 4, "fine": 6, "suspension": 10, "revocation": 15}
SANCTION_MONTHS = 36
BANDS = ((25, "high"), (10, "medium"), (0, "low"))


@dataclass(frozen=True, slots=True)
class RiskComponent:
    kind: str  # finding | complaint | sanction
    key: str
    count: int
    points: int
    explanation: Bilingual

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "count": self.count,
            "points": self.points,
            "explanation": self.explanation.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class RiskScore:
    body: str
    score: int
    band: str
    weight: float
    components: tuple[RiskComponent, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "score": self.score,
            "band": self.band,
            "draw_weight": self.weight,
            "components": [c.as_dict() for c in self.components],
        }


def draw_weight(score: int) -> float:
    return 1 + score / 10


def risk_score(
    body: str,
    findings: Mapping[str, int],
    complaints: Iterable[tuple[dt.date, str]],
    sanctions: Iterable[tuple[dt.date, str]],
    on: dt.date,
) -> RiskScore:
    """Score one body as of ``on``: ``findings`` counts current findings per rule id;
    ``complaints`` and ``sanctions`` are (date, status or kind) pairs."""
    parts: list[RiskComponent] = []
    for rule, count in sorted(findings.items()):
        if count <= 0 or rule not in RULES:
            continue
        spec = RULES[rule]
        w = SEVERITY_WEIGHT[spec.severity]
        counted = min(count, FINDINGS_CAP_PER_RULE)
        parts.append(
            RiskComponent(
                "finding",
                rule,
                count,
                w * counted,
                Bilingual(
                    zh=f"{spec.title.zh}：{count} 项（计 {counted} 项）× 权重 {w}",
                    en=f"{spec.title.en}: {count} finding(s) (counted {counted}) × weight {w}",
                ),
            )
        )
    since_c = add_months(on, -COMPLAINT_MONTHS)
    by_status: dict[str, int] = {}
    for received, status in complaints:
        if since_c < received <= on:
            by_status[status] = by_status.get(status, 0) + 1
    for status, count in sorted(by_status.items()):
        pts = COMPLAINT_POINTS.get(status, 1)
        parts.append(
            RiskComponent(
                "complaint",
                status,
                count,
                pts * count,
                Bilingual(
                    zh=f"近 {COMPLAINT_MONTHS} 个月投诉（{status}）{count} 件 × {pts}",
                    en=f"complaints ({status}) in the last {COMPLAINT_MONTHS} months: "
                    f"{count} × {pts}",
                ),
            )
        )
    since_s = add_months(on, -SANCTION_MONTHS)
    by_kind: dict[str, int] = {}
    for decided, kind in sanctions:
        if since_s < decided <= on:
            by_kind[kind] = by_kind.get(kind, 0) + 1
    for kind, count in sorted(by_kind.items()):
        pts = SANCTION_POINTS.get(kind, 2)
        parts.append(
            RiskComponent(
                "sanction",
                kind,
                count,
                pts * count,
                Bilingual(
                    zh=f"近 {SANCTION_MONTHS} 个月处罚（{kind}）{count} 次 × {pts}",
                    en=f"sanctions ({kind}) in the last {SANCTION_MONTHS} months: {count} × {pts}",
                ),
            )
        )
    score = sum(p.points for p in parts)
    band = next(name for floor, name in BANDS if score >= floor)
    return RiskScore(body, score, band, draw_weight(score), tuple(parts))
