"""Industry self-discipline: the credit rating of a body, derived from its record and explained.

:func:`rate` is a pure function of a body's facts (:class:`BodyRecord`) and a date. Every fact
is filtered to what had taken effect by that date; the rating starts from 100 points, each
factor deducts points (never adds), and the grade follows from the points and from two caps:

====================================  =========================================================
factor                                points deducted
====================================  =========================================================
supervision findings                  per finding of the scan run in use: critical 10, high 5,
                                      medium 2, low 1; at most 30 / 20 / 10 / 5 per severity
sanctions in force or of the last     warning 5, rectification 10, fine 15, suspension 25,
3 years                               revocation 40 (each, uncapped)
upheld complaints, last 24 months     4 each, at most 20
status history, last 3 years          each suspension or withdrawal of an accreditation, and
                                      each suspension of the regulator's approval not caused
                                      by a sanction (that one counts as the sanction): 8 each,
                                      at most 24
code-of-conduct commitments           expelled from a code (in the last 3 years): 15 each;
                                      commitment withdrawn while still a member: 5 each;
                                      member of an association whose code is in force but
                                      never committed: 3 each
inspection results, last 3 years      major nonconformity 10, minor 3, conforming 0 (when the
                                      registry holds inspection data)
====================================  =========================================================

Grades: A ≥ 90, B ≥ 75, C ≥ 60, D below. Caps: the regulator's approval suspended on the date
→ at most C; approval withdrawn, or a revocation in effect → D.

Monotone by construction: every factor's deduction is non-decreasing in the facts that feed it,
and the caps only lower the grade, so adding a sanction (or a finding, a complaint …) never
improves a grade. A suspension sanction also absorbs at most one approval suspension of the same
day (8 points) while deducting 25, so even that exchange lowers the points.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from accordia.domain.bilingual import Bilingual
from accordia.domain.cycle import add_months
from accordia.domain.status import Event, Status, in_effect, ordered, status_on

START = 100
GRADES: tuple[tuple[int, str], ...] = ((90, "A"), (75, "B"), (60, "C"), (0, "D"))
GRADE_LABELS: dict[str, Bilingual] = {
    "A": Bilingual(zh="信用良好", en="Good credit"),
    "B": Bilingual(zh="信用较好", en="Fairly good credit"),
    "C": Bilingual(zh="信用一般（关注）", en="Fair credit (under watch)"),
    "D": Bilingual(zh="信用较差", en="Poor credit"),
}
GRADE_ORDER = "ABCD"

FINDING_POINTS = {"critical": 10, "high": 5, "medium": 2, "low": 1}
FINDING_CAP = {"critical": 30, "high": 20, "medium": 10, "low": 5}
SANCTION_POINTS = {
    "warning": 5,
    "rectification": 10,
    "fine": 15,
    "suspension": 25,
    "revocation": 40,
}
SANCTION_YEARS = 3
COMPLAINT_POINTS = 4
COMPLAINT_CAP = 20
COMPLAINT_MONTHS = 24
STATUS_POINTS = 8
STATUS_CAP = 24
STATUS_YEARS = 3
EXPELLED_POINTS = 15
WITHDRAWN_POINTS = 5
NOT_COMMITTED_POINTS = 3
CONDUCT_YEARS = 3
INSPECTION_POINTS = {"major": 10, "minor": 3, "conforming": 0}
INSPECTION_YEARS = 3

SEVERITY_ZH = {"critical": "严重", "high": "高", "medium": "中", "low": "低"}
SANCTION_ZH = {
    "warning": "警告",
    "rectification": "责令整改",
    "fine": "罚款",
    "suspension": "暂停",
    "revocation": "撤销",
}
SANCTION_EN = {
    "warning": "warning",
    "rectification": "rectification order",
    "fine": "fine",
    "suspension": "suspension",
    "revocation": "revocation",
}
CONCLUSION_ZH = {"major": "严重不符合", "minor": "一般不符合", "conforming": "符合"}
CONCLUSION_EN = {"major": "major nonconformity", "minor": "minor nonconformity",
                 "conforming": "conforming"}  # fmt: skip

# The basis of each factor. Where an article could not be sourced it says so.
BASES: dict[str, Bilingual] = {
    "finding": Bilingual(
        zh="各监督规则所列法律依据（见 docs/supervision.md）；严重程度权重与风险评分一致",
        en="the legal basis of each supervision rule (docs/supervision.md); severity weights "
        "as in the risk score",
    ),
    "sanction": Bilingual(
        zh="《中华人民共和国认证认可条例》（国务院令第390号）规定的行政处罚；失信后果参照"
        "《市场监督管理严重违法失信名单管理办法》（条款待确认）",
        en="administrative sanctions under the PRC Regulations on Certification and "
        "Accreditation (State Council Order No. 390); credit consequences after SAMR's rules "
        "on the list of seriously dishonest entities (article to be confirmed)",
    ),
    "complaint": Bilingual(
        zh="社会监督：经查实的投诉（《认证认可条例》，条款待确认）",
        en="social supervision: substantiated complaints (PRC Regulations on Certification "
        "and Accreditation, article to be confirmed)",
    ),
    "status": Bilingual(
        zh="认可约束：认可或监管批准被暂停、撤销（ISO/IEC 17011；《认证认可条例》，条款待确认）",
        en="accreditation constraint: accreditation or regulator approval suspended or "
        "withdrawn (ISO/IEC 17011; PRC Regulations, article to be confirmed)",
    ),
    "conduct": Bilingual(
        zh="行业自律：协会自律公约与会员承诺（协会章程）",
        en="industry self-discipline: the association's code of conduct and the member's "
        "commitment (the association's statutes)",
    ),
    "inspection": Bilingual(
        zh="行政监督检查结果（“双随机、一公开”）",
        en="results of administrative inspections (\u201cdouble random, one public\u201d)",
    ),
}


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True, slots=True)
class SanctionFact:
    kind: str
    effective_from: dt.date
    effective_until: dt.date | None = None
    decided_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ComplaintFact:
    """A substantiated complaint, dated by when it was upheld (its published outcome)."""

    upheld_on: dt.date
    case: str = ""


@dataclass(frozen=True, slots=True)
class AccreditationFact:
    number: str
    events: tuple[Event, ...] = ()


@dataclass(frozen=True, slots=True)
class MembershipFact:
    association: str  # "ACRONYM/ECONOMY"
    since: dt.date
    until: dt.date | None = None

    def holds(self, on: dt.date) -> bool:
        return self.since <= on and (self.until is None or on <= self.until)


@dataclass(frozen=True, slots=True)
class CodeFact:
    """A code of conduct: its association and the date its first version took effect."""

    association: str
    code: str
    effective_on: dt.date


@dataclass(frozen=True, slots=True)
class CommitmentEventFact:
    association: str
    code: str
    kind: str  # committed | withdrawn | expelled
    effective_on: dt.date
    recorded_at: dt.datetime = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class InspectionFact:
    code: str
    completed_on: dt.date
    conclusion: str  # conforming | minor | major


@dataclass(frozen=True, slots=True)
class BodyRecord:
    """Everything the rating reads about one body. ``findings`` are (rule, severity, count) of
    the scan run in use (``scan_on`` is its date; None when there is no run by the date);
    ``inspections`` is None when the registry holds no inspection data at all."""

    body: str
    findings: tuple[tuple[str, str, int], ...] = ()
    scan_on: dt.date | None = None
    sanctions: tuple[SanctionFact, ...] = ()
    complaints: tuple[ComplaintFact, ...] = ()
    approval_events: tuple[Event, ...] = ()
    accreditations: tuple[AccreditationFact, ...] = ()
    memberships: tuple[MembershipFact, ...] = ()
    codes: tuple[CodeFact, ...] = ()
    commitments: tuple[CommitmentEventFact, ...] = ()
    inspections: tuple[InspectionFact, ...] | None = None


# --------------------------------------------------------------------------- the rating


@dataclass(frozen=True, slots=True)
class Factor:
    kind: str  # finding | sanction | complaint | status | conduct | inspection | cap
    key: str
    count: int
    points: int  # points deducted (0 or more)
    explanation: Bilingual
    cap: str | None = None  # the worst grade this factor allows, if it caps

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "count": self.count,
            "points": -self.points,
            "cap": self.cap,
            "explanation": self.explanation.as_dict(),
            "basis": BASES[self.kind].as_dict() if self.kind in BASES else None,
        }


@dataclass(frozen=True, slots=True)
class Rating:
    body: str
    on: dt.date
    score: int
    grade: str
    factors: tuple[Factor, ...] = field(default_factory=tuple)
    scan_on: dt.date | None = None
    inspection_data: bool = False

    @property
    def label(self) -> Bilingual:
        return GRADE_LABELS[self.grade]

    def as_dict(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "on": self.on.isoformat(),
            "score": self.score,
            "grade": self.grade,
            "label": self.label.as_dict(),
            "scan_on": self.scan_on.isoformat() if self.scan_on else None,
            "inspection_data": self.inspection_data,
            "factors": [f.as_dict() for f in self.factors],
        }


def grade_of(score: int) -> str:
    return next(g for floor, g in GRADES if score >= floor)


def worse(a: str, b: str) -> str:
    """The worse of two grades."""
    return a if GRADE_ORDER.index(a) >= GRADE_ORDER.index(b) else b


def _years_before(on: dt.date, years: int) -> dt.date:
    return add_months(on, -12 * years)


def _findings(record: BodyRecord) -> list[Factor]:
    if record.scan_on is None:
        return []
    by_sev: Counter[str] = Counter()
    rules: dict[str, list[str]] = {}
    for rule, severity, count in record.findings:
        if count > 0:
            by_sev[severity] += count
            rules.setdefault(severity, []).append(rule)
    out = []
    for sev in ("critical", "high", "medium", "low"):
        n = by_sev.get(sev, 0)
        if not n:
            continue
        w = FINDING_POINTS[sev]
        pts = min(w * n, FINDING_CAP[sev])
        names = ", ".join(sorted(set(rules[sev])))
        out.append(
            Factor(
                "finding",
                sev,
                n,
                pts,
                Bilingual(
                    zh=f"监督扫描（{record.scan_on}）{SEVERITY_ZH[sev]}严重程度发现 {n} 项"
                    f"（{names}）× {w} 分，上限 {FINDING_CAP[sev]}：扣 {pts} 分",
                    en=f"{n} {sev}-severity finding(s) of the scan of {record.scan_on} "
                    f"({names}) × {w}, at most {FINDING_CAP[sev]}: −{pts}",
                ),
            )
        )
    return out


def _sanction_counts(s: SanctionFact, on: dt.date) -> bool:
    """A sanction counts on ``on`` if it had taken effect and is either of the last
    ``SANCTION_YEARS`` years or (suspension, revocation) still in force."""
    if s.effective_from > on:
        return False
    if s.effective_from > _years_before(on, SANCTION_YEARS):
        return True
    if s.kind == "revocation":
        return True
    if s.kind == "suspension":
        return s.effective_until is None or s.effective_until >= on
    return False


def _sanctions(record: BodyRecord, on: dt.date) -> tuple[list[Factor], str | None]:
    counted = [s for s in record.sanctions if _sanction_counts(s, on)]
    by_kind: Counter[str] = Counter(s.kind for s in counted)
    out = []
    for kind in sorted(by_kind, key=lambda k: -SANCTION_POINTS.get(k, 5)):
        n = by_kind[kind]
        w = SANCTION_POINTS.get(kind, 5)
        out.append(
            Factor(
                "sanction",
                kind,
                n,
                w * n,
                Bilingual(
                    zh=f"行政处罚（{SANCTION_ZH.get(kind, kind)}）{n} 次，生效中或近 "
                    f"{SANCTION_YEARS} 年内，每次 {w} 分：扣 {w * n} 分",
                    en=f"{n} sanction(s) ({SANCTION_EN.get(kind, kind)}) in force or of the "
                    f"last {SANCTION_YEARS} years × {w}: −{w * n}",
                ),
            )
        )
    cap = "D" if by_kind.get("revocation") else None
    return out, cap


def _complaints(record: BodyRecord, on: dt.date) -> list[Factor]:
    since = add_months(on, -COMPLAINT_MONTHS)
    n = sum(1 for c in record.complaints if since < c.upheld_on <= on)
    if not n:
        return []
    pts = min(n * COMPLAINT_POINTS, COMPLAINT_CAP)
    return [
        Factor(
            "complaint",
            "substantiated",
            n,
            pts,
            Bilingual(
                zh=f"近 {COMPLAINT_MONTHS} 个月经查实的投诉 {n} 件 × {COMPLAINT_POINTS} 分，"
                f"上限 {COMPLAINT_CAP}：扣 {pts} 分",
                en=f"{n} substantiated complaint(s) in the last {COMPLAINT_MONTHS} months "
                f"× {COMPLAINT_POINTS}, at most {COMPLAINT_CAP}: −{pts}",
            ),
        )
    ]


def _status(record: BodyRecord, on: dt.date) -> tuple[list[Factor], str | None]:
    since = _years_before(on, STATUS_YEARS)
    out: list[Factor] = []
    cap: str | None = None
    approval = status_on(record.approval_events, on)
    if approval == Status.WITHDRAWN:
        cap = "D"
        out.append(
            Factor(
                "status",
                "approval_withdrawn",
                1,
                0,
                Bilingual(
                    zh=f"{on} 监管批准已被撤销：等级为 D",
                    en=f"the regulator's approval is withdrawn on {on}: grade D",
                ),
                cap="D",
            )
        )
    elif approval == Status.SUSPENDED:
        cap = "C"
        out.append(
            Factor(
                "status",
                "approval_suspended",
                1,
                0,
                Bilingual(
                    zh=f"{on} 监管批准处于暂停状态：等级最高为 C",
                    en=f"the regulator's approval is suspended on {on}: grade C at best",
                ),
                cap="C",
            )
        )
    # episodes: approval suspensions not caused by a sanction, accreditation suspensions and
    # withdrawals, effective in the last STATUS_YEARS years
    sanction_days = Counter(
        s.effective_from for s in record.sanctions if s.kind in ("suspension", "revocation")
    )
    episodes: list[str] = []
    for e in ordered(record.approval_events):
        if e.kind != "suspended" or not (since < e.effective_on <= on):
            continue
        if sanction_days.get(e.effective_on, 0) > 0:
            sanction_days[e.effective_on] -= 1  # counted as that sanction
            continue
        episodes.append(f"approval suspended {e.effective_on}")
    for acc in record.accreditations:
        for e in in_effect(acc.events, on):
            if e.kind in ("suspended", "withdrawn") and since < e.effective_on:
                episodes.append(f"{acc.number} {e.kind} {e.effective_on}")
    if episodes:
        n = len(episodes)
        pts = min(n * STATUS_POINTS, STATUS_CAP)
        listed = "; ".join(episodes)
        out.append(
            Factor(
                "status",
                "episodes",
                n,
                pts,
                Bilingual(
                    zh=f"近 {STATUS_YEARS} 年认可或批准被暂停/撤销 {n} 次（{listed}）× "
                    f"{STATUS_POINTS} 分，上限 {STATUS_CAP}：扣 {pts} 分",
                    en=f"{n} suspension(s) or withdrawal(s) of accreditation or approval in the "
                    f"last {STATUS_YEARS} years ({listed}) × {STATUS_POINTS}, at most "
                    f"{STATUS_CAP}: −{pts}",
                ),
            )
        )
    return out, cap


# same day, same recording time: the restrictive event applies last (as in domain/status.py)
_COMMITMENT_RANK = {"committed": 0, "withdrawn": 1, "expelled": 2}


def commitment_status(
    events: Sequence[CommitmentEventFact], on: dt.date
) -> tuple[str, dt.date | None]:
    """(status, since) of one commitment on ``on``: ``none`` before any event took effect."""
    effective = sorted(
        (e for e in events if e.effective_on <= on),
        key=lambda e: (e.effective_on, e.recorded_at, _COMMITMENT_RANK.get(e.kind, 9)),
    )
    if not effective:
        return "none", None
    last = effective[-1]
    return last.kind, last.effective_on


def _conduct(record: BodyRecord, on: dt.date) -> list[Factor]:
    since = _years_before(on, CONDUCT_YEARS)
    members = {ms.association for ms in record.memberships if ms.holds(on)}
    by_code: dict[tuple[str, str], list[CommitmentEventFact]] = {}
    for e in record.commitments:
        by_code.setdefault((e.association, e.code), []).append(e)
    expelled: list[str] = []
    withdrawn: list[str] = []
    committed: list[str] = []
    for key, events in sorted(by_code.items()):
        label = f"{key[0]} {key[1]}"
        if any(e.kind == "expelled" and since < e.effective_on <= on for e in events):
            expelled.append(label)
        status, _ = commitment_status(events, on)
        if status == "withdrawn" and key[0] in members:
            withdrawn.append(label)
        elif status == "committed":
            committed.append(label)
    never = [
        f"{c.association} {c.code}"
        for c in sorted(record.codes, key=lambda c: (c.association, c.code))
        if c.association in members
        and c.effective_on <= on
        and commitment_status(by_code.get((c.association, c.code), []), on)[0] == "none"
    ]
    out = []
    if expelled:
        n = len(expelled)
        out.append(
            Factor(
                "conduct",
                "expelled",
                n,
                n * EXPELLED_POINTS,
                Bilingual(
                    zh=f"近 {CONDUCT_YEARS} 年因违反自律公约被除名 {n} 次（{', '.join(expelled)}）"
                    f"× {EXPELLED_POINTS} 分：扣 {n * EXPELLED_POINTS} 分",
                    en=f"expelled from {n} code(s) of conduct in the last {CONDUCT_YEARS} years "
                    f"({', '.join(expelled)}) × {EXPELLED_POINTS}: −{n * EXPELLED_POINTS}",
                ),
            )
        )
    if withdrawn:
        n = len(withdrawn)
        out.append(
            Factor(
                "conduct",
                "withdrawn",
                n,
                n * WITHDRAWN_POINTS,
                Bilingual(
                    zh=f"仍为会员但已撤回自律承诺 {n} 项（{', '.join(withdrawn)}）× "
                    f"{WITHDRAWN_POINTS} 分：扣 {n * WITHDRAWN_POINTS} 分",
                    en=f"commitment withdrawn while still a member: {n} code(s) "
                    f"({', '.join(withdrawn)}) × {WITHDRAWN_POINTS}: −{n * WITHDRAWN_POINTS}",
                ),
            )
        )
    if never:
        n = len(never)
        out.append(
            Factor(
                "conduct",
                "not_committed",
                n,
                n * NOT_COMMITTED_POINTS,
                Bilingual(
                    zh=f"作为会员未承诺遵守现行自律公约 {n} 项（{', '.join(never)}）× "
                    f"{NOT_COMMITTED_POINTS} 分：扣 {n * NOT_COMMITTED_POINTS} 分",
                    en=f"member never committed to {n} code(s) in force ({', '.join(never)}) "
                    f"× {NOT_COMMITTED_POINTS}: −{n * NOT_COMMITTED_POINTS}",
                ),
            )
        )
    if committed:
        out.append(
            Factor(
                "conduct",
                "committed",
                len(committed),
                0,
                Bilingual(
                    zh=f"承诺遵守自律公约：{', '.join(committed)}（不扣分）",
                    en=f"committed to: {', '.join(committed)} (no deduction)",
                ),
            )
        )
    return out


def _inspections(record: BodyRecord, on: dt.date) -> list[Factor]:
    if record.inspections is None:
        return [
            Factor(
                "inspection",
                "no_data",
                0,
                0,
                Bilingual(
                    zh="登记簿中尚无检查结果数据（不计分）",
                    en="the registry holds no inspection results yet (not scored)",
                ),
            )
        ]
    since = _years_before(on, INSPECTION_YEARS)
    by: Counter[str] = Counter(
        i.conclusion for i in record.inspections if since < i.completed_on <= on
    )
    out = []
    for conclusion in ("major", "minor", "conforming"):
        n = by.get(conclusion, 0)
        if not n:
            continue
        w = INSPECTION_POINTS[conclusion]
        out.append(
            Factor(
                "inspection",
                conclusion,
                n,
                w * n,
                Bilingual(
                    zh=f"近 {INSPECTION_YEARS} 年检查结论为{CONCLUSION_ZH[conclusion]} {n} 次 × "
                    f"{w} 分：扣 {w * n} 分",
                    en=f"{n} inspection(s) concluded {CONCLUSION_EN[conclusion]} in the last "
                    f"{INSPECTION_YEARS} years × {w}: −{w * n}",
                ),
            )
        )
    return out


def rate(record: BodyRecord, on: dt.date) -> Rating:
    """The credit rating of ``record``'s body on ``on``, with the factors that produced it."""
    factors: list[Factor] = []
    factors += _findings(record)
    sanction_factors, sanction_cap = _sanctions(record, on)
    factors += sanction_factors
    factors += _complaints(record, on)
    status_factors, status_cap = _status(record, on)
    factors += status_factors
    factors += _conduct(record, on)
    factors += _inspections(record, on)
    score = max(0, START - sum(f.points for f in factors))
    grade = grade_of(score)
    if sanction_cap:
        factors.append(
            Factor(
                "sanction",
                "revocation_cap",
                1,
                0,
                Bilingual(zh="撤销处罚生效：等级为 D", en="a revocation is in effect: grade D"),
                cap="D",
            )
        )
    for cap in (sanction_cap, status_cap):
        if cap:
            grade = worse(grade, cap)
    return Rating(
        record.body,
        on,
        score,
        grade,
        tuple(factors),
        record.scan_on,
        record.inspections is not None,
    )


def grade_counts(ratings: Sequence[Rating]) -> dict[str, int]:
    """How many bodies hold each grade (every grade present, A to D)."""
    counts = Counter(r.grade for r in ratings)
    return {g: counts.get(g, 0) for g in GRADE_ORDER}


def weights_table() -> list[dict[str, Any]]:
    """The documented weights, for the API and the docs."""
    return [
        {"factor": "finding", "points": FINDING_POINTS, "cap": FINDING_CAP},
        {"factor": "sanction", "points": SANCTION_POINTS, "years": SANCTION_YEARS},
        {
            "factor": "complaint",
            "points": COMPLAINT_POINTS,
            "cap": COMPLAINT_CAP,
            "months": COMPLAINT_MONTHS,
        },
        {"factor": "status", "points": STATUS_POINTS, "cap": STATUS_CAP, "years": STATUS_YEARS},
        {
            "factor": "conduct",
            "points": {
                "expelled": EXPELLED_POINTS,
                "withdrawn": WITHDRAWN_POINTS,
                "not_committed": NOT_COMMITTED_POINTS,
            },
            "years": CONDUCT_YEARS,
        },
        {"factor": "inspection", "points": INSPECTION_POINTS, "years": INSPECTION_YEARS},
        {"grades": {g: floor for floor, g in GRADES}, "start": START},
    ]
