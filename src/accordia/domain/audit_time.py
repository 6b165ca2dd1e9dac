"""IAF MD 5 audit time: table lookup, reduction, audit-type shares, rounding, on-site minimum.

Pure functions over the reference tables packaged in ``accordia/reference/data`` (copied from
``shared/reference``; every row keeps its ``source``). Nothing here reads the database or the
network.

How a figure is computed (see ``docs/calculators.md``):

1. ``table_days``: the value of the personnel band of Table QMS 1, EMS 1 or OH&SMS 1, in the
   complexity column asked for (QMS 1 has a single column; EMS 1 has High/Medium/Low/Limited;
   OH&SMS 1 has High/Medium/Low).
2. ``initial_days`` = table_days x (1 - reduction), reduction <= 30 % (MD 5), rounded to the
   nearest half day (MD 5 cl. 2.2.3; exact halves, e.g. 5.25, round up).
3. surveillance: ``initial_days`` x 1/3 (total per year); recertification: x 2/3; each rounded
   to the nearest half day again. Initial: ``initial_days`` itself.
4. ``on_site_min_days`` = 80 % of ``audit_days`` (not rounded: it is a floor).

Personnel above the last band (> 10 700): the table says "follow the progression" but the
reference does not fix how; the calculator refuses rather than invent one.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from importlib.resources import files
from typing import Any, Literal

from accordia.domain.bilingual import Bilingual

StandardName = Literal["ISO 9001", "ISO 14001", "ISO 45001"]
Complexity = Literal["high", "medium", "low", "limited"]
AuditType = Literal["initial", "surveillance", "recertification"]

AUDIT_TYPES: tuple[AuditType, ...] = ("initial", "surveillance", "recertification")
COMPLEXITIES: tuple[Complexity, ...] = ("high", "medium", "low", "limited")

MAX_REDUCTION_PCT = Fraction(30)
ON_SITE_MIN_SHARE = Fraction(4, 5)
HOURS_PER_AUDIT_DAY = 8
SHARES: Mapping[AuditType, Fraction] = {
    "initial": Fraction(1),
    "surveillance": Fraction(1, 3),
    "recertification": Fraction(2, 3),
}
QMS_COLUMN = "initial_audit_days"
DATA_DIR = ("reference", "data")


class CalculatorInputError(ValueError):
    """Bad input to a calculator; ``field`` names the offending parameter."""

    def __init__(self, message: str, *, field: str, code: str = "invalid_input") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


@dataclass(frozen=True, slots=True)
class _Table:
    standard: StandardName
    system: str  # QMS, EMS, OH&SMS
    name: str  # "IAF MD 5 Table QMS 1"
    filename: str
    columns: tuple[str, ...]


TABLES: Mapping[StandardName, _Table] = {
    "ISO 9001": _Table(
        "ISO 9001", "QMS", "IAF MD 5 Table QMS 1", "iaf_md5_qms_table.csv", (QMS_COLUMN,)
    ),
    "ISO 14001": _Table(
        "ISO 14001",
        "EMS",
        "IAF MD 5 Table EMS 1",
        "iaf_md5_ems_table.csv",
        ("high", "medium", "low", "limited"),
    ),
    "ISO 45001": _Table(
        "ISO 45001",
        "OH&SMS",
        "IAF MD 5 Table OH&SMS 1",
        "iaf_md5_ohsms_table.csv",
        ("high", "medium", "low"),
    ),
}

_COMPLEXITY_ZH = {"high": "高", "medium": "中", "low": "低", "limited": "有限"}
_AUDIT_ZH = {"initial": "初次认证审核", "surveillance": "监督审核", "recertification": "再认证审核"}

# Chinese renderings of the MD 5 rules in iaf_md5_rules.csv (the English text is the CSV's).
_RULE_ZH = {
    "Table entry": (
        "表中给出按有效人数确定的初次审核时间（第一阶段+第二阶段），以审核人日计；"
        "人数区间应视为连续而非阶梯。"
    ),
    "Audit day": "一个审核人日通常为 8 小时；不得通过延长每日工作时间来减少审核人日。",
    "On-site minimum": "场外策划和报告时间不得使现场审核时间低于表中审核时间的 80%。",
    "Rounding": "小数结果调整到最接近的半天（5.3 → 5.5；5.2 → 5.0）。",
    "Maximum reduction": "IAF MD 5 允许的审核时间最大减少比例为 30%。",
    "Surveillance": (
        "初次认证周期内，每年监督审核总时间约为初次认证审核时间（第一阶段+第二阶段）的 1/3。"
    ),
    "Recertification": "再认证审核时间约为初次认证审核时间的 2/3。",
}
_EMS_LIMITED_DISCREPANCY_ROW = (626, 875)


@dataclass(frozen=True, slots=True)
class Citation:
    """One table row or rule a result relies on, with its source as the reference gives it."""

    id: str
    reference: str
    text: Bilingual
    source: str
    confidence: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reference": self.reference,
            "text": self.text.as_dict(),
            "source": self.source,
            "confidence": self.confidence,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class BandRow:
    """One row of an MD 5 table: a personnel band and its auditor days per column."""

    table: str
    personnel_min: int
    personnel_max: int
    values: Mapping[str, float]
    source: str
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "personnel_min": self.personnel_min,
            "personnel_max": self.personnel_max,
            "values": dict(self.values),
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Rule:
    """A row of ``iaf_md5_rules.csv``."""

    topic: str
    text: str
    reference: str
    source: str
    confidence: str


@dataclass(frozen=True, slots=True)
class AuditTimeResult:
    standard: StandardName
    management_system: str
    table: str
    personnel: int
    complexity: Complexity | None
    complexity_column: str
    audit: AuditType
    band: BandRow
    table_days: float
    reduction_pct: float
    max_reduction_pct: float
    reduced_days_unrounded: float
    initial_days: float
    share: str
    share_fraction: float
    audit_days_unrounded: float
    audit_days: float
    audit_hours: float
    on_site_min_share: float
    on_site_min_days: float
    on_site_min_hours: float
    hours_per_audit_day: int
    citations: list[Citation] = field(default_factory=list)
    notes: list[Bilingual] = field(default_factory=list)
    explanation: Bilingual = field(default_factory=Bilingual)

    def as_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "management_system": self.management_system,
            "table": self.table,
            "personnel": self.personnel,
            "complexity": self.complexity,
            "complexity_column": self.complexity_column,
            "audit": self.audit,
            "band": self.band.as_dict(),
            "table_days": self.table_days,
            "reduction_pct": self.reduction_pct,
            "max_reduction_pct": self.max_reduction_pct,
            "reduced_days_unrounded": self.reduced_days_unrounded,
            "initial_days": self.initial_days,
            "share": self.share,
            "share_fraction": self.share_fraction,
            "audit_days_unrounded": self.audit_days_unrounded,
            "audit_days": self.audit_days,
            "audit_hours": self.audit_hours,
            "on_site_min_share": self.on_site_min_share,
            "on_site_min_days": self.on_site_min_days,
            "on_site_min_hours": self.on_site_min_hours,
            "hours_per_audit_day": self.hours_per_audit_day,
            "citations": [c.as_dict() for c in self.citations],
            "notes": [n.as_dict() for n in self.notes],
            "explanation": self.explanation.as_dict(),
        }


# --------------------------------------------------------------------------- data loading


def read_reference_csv(filename: str) -> list[dict[str, str]]:
    """Rows of a CSV packaged in ``accordia/reference/data`` (read with importlib.resources)."""
    resource = files("accordia").joinpath(*DATA_DIR, filename)
    text = resource.read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@cache
def load_table(standard: StandardName) -> tuple[BandRow, ...]:
    """The bands of the MD 5 table for ``standard`` (numeric rows only, in table order)."""
    spec = TABLES[standard]
    rows: list[BandRow] = []
    for raw in read_reference_csv(spec.filename):
        if not raw["personnel_max"].strip():
            continue  # the open-ended "follow progression" row
        values = {col: float(raw[col]) for col in spec.columns}
        note = (raw.get("note") or "").strip() or None
        rows.append(
            BandRow(
                table=spec.name,
                personnel_min=int(raw["personnel_min"]),
                personnel_max=int(raw["personnel_max"]),
                values=values,
                source=raw["source"],
                note=note,
            )
        )
    return tuple(rows)


@cache
def load_rules() -> Mapping[str, Rule]:
    """The MD 5 rules by topic."""
    return {
        r["topic"]: Rule(r["topic"], r["rule"], r["reference"], r["source"], r["confidence"])
        for r in read_reference_csv("iaf_md5_rules.csv")
    }


def rule_citation(topic: str) -> Citation:
    rule = load_rules()[topic]
    return Citation(
        id=f"IAF MD 5 rule: {topic}",
        reference=rule.reference,
        text=Bilingual(zh=_RULE_ZH.get(topic), en=rule.text),
        source=rule.source,
        confidence=rule.confidence,
    )


# --------------------------------------------------------------------------- input checking


def normalize_standard(value: str) -> StandardName:
    """``ISO9001``, ``iso 9001``, ``9001``, ``ISO 9001:2015`` ... → ``ISO 9001``."""
    compact = value.strip().upper().replace(" ", "").replace("_", "").replace("-", "")
    compact = compact.split(":", 1)[0]
    if compact.startswith("ISO"):
        compact = compact[3:]
    for name in TABLES:
        if compact == name.removeprefix("ISO "):
            return name
    raise CalculatorInputError(
        f"unknown standard {value!r}: IAF MD 5 tables cover ISO 9001, ISO 14001 and ISO 45001",
        field="standard",
        code="unknown_standard",
    )


def _check_complexity(spec: _Table, complexity: str | None) -> tuple[Complexity | None, str]:
    if spec.columns == (QMS_COLUMN,):
        if complexity is None:
            return None, QMS_COLUMN
        raise CalculatorInputError(
            f"{spec.name} has a single column (no complexity categories); "
            f"omit complexity for {spec.standard}",
            field="complexity",
            code="complexity_not_applicable",
        )
    allowed = ", ".join(spec.columns)
    if complexity is None:
        raise CalculatorInputError(
            f"{spec.standard} needs a complexity category ({allowed}): {spec.name} "
            "has one column per category and the reference fixes no default",
            field="complexity",
            code="complexity_required",
        )
    c = complexity.strip().lower()
    for cand in COMPLEXITIES:
        if c == cand and cand in spec.columns:
            return cand, cand
    raise CalculatorInputError(
        f"unknown complexity {complexity!r} for {spec.standard}: {spec.name} has {allowed}",
        field="complexity",
        code="unknown_complexity",
    )


def _check_audit(audit: str) -> AuditType:
    a = audit.strip().lower()
    for t in AUDIT_TYPES:
        if a == t:
            return t
    raise CalculatorInputError(
        f"unknown audit type {audit!r}: expected initial, surveillance or recertification",
        field="audit",
        code="unknown_audit_type",
    )


def _check_reduction(reduction_pct: float) -> Fraction:
    if isinstance(reduction_pct, bool) or not math.isfinite(reduction_pct):
        raise CalculatorInputError(
            "reduction must be a finite percentage", field="reduction_pct", code="bad_reduction"
        )
    if reduction_pct < 0:
        raise CalculatorInputError(
            f"reduction must not be negative (got {reduction_pct} %); "
            "increases are not modelled by this calculator",
            field="reduction_pct",
            code="negative_reduction",
        )
    r = Fraction(repr(float(reduction_pct)))
    if r > MAX_REDUCTION_PCT:
        rule = load_rules()["Maximum reduction"]
        raise CalculatorInputError(
            f"reduction {reduction_pct} % exceeds the IAF MD 5 maximum of 30 % "
            f"(rule 'Maximum reduction': {rule.text}; source: {rule.source})",
            field="reduction_pct",
            code="reduction_above_maximum",
        )
    return r


# --------------------------------------------------------------------------- arithmetic


def round_half_day(days: Fraction) -> Fraction:
    """To the nearest half day (MD 5 cl. 2.2.3: 5.3 → 5.5, 5.2 → 5.0); exact halves round up."""
    return Fraction(math.floor(days * 2 + Fraction(1, 2)), 2)


def find_band(standard: StandardName, personnel: int) -> BandRow:
    rows = load_table(standard)
    for row in rows:
        if row.personnel_min <= personnel <= row.personnel_max:
            return row
    last = rows[-1]
    if personnel > last.personnel_max:
        raise CalculatorInputError(
            f"{personnel} personnel is above the last band of {last.table} "
            f"({last.personnel_min}–{last.personnel_max}); the table says 'follow the "
            "progression' for more than "
            f"{last.personnel_max} but the reference does not fix how, so no figure is given",
            field="personnel",
            code="beyond_table",
        )
    raise CalculatorInputError(  # a gap in the table: a data error, not user input
        f"no band of {last.table} covers {personnel} personnel",
        field="personnel",
        code="no_band",
    )


def _fmt(x: Fraction | float) -> str:
    v = float(x)
    return f"{v:g}"


def audit_time(
    standard: str,
    personnel: int,
    complexity: str | None = None,
    audit: str = "initial",
    reduction_pct: float = 0,
) -> AuditTimeResult:
    """Minimum audit time per IAF MD 5 for one management system and audit.

    ``standard``: ISO 9001, ISO 14001 or ISO 45001 (``ISO9001`` etc. accepted).
    ``personnel``: effective number of personnel (MD 5 cl. 2.3), >= 1.
    ``complexity``: none for ISO 9001 (Table QMS 1 has one column); required for ISO 14001
    (high/medium/low/limited) and ISO 45001 (high/medium/low).
    ``reduction_pct``: 0–30; more is refused (MD 5 maximum reduction).
    """
    std = normalize_standard(standard)
    spec = TABLES[std]
    if isinstance(personnel, bool) or not isinstance(personnel, int):
        raise CalculatorInputError(
            "personnel must be a whole number", field="personnel", code="bad_personnel"
        )
    if personnel < 1:
        raise CalculatorInputError(
            f"personnel must be at least 1 (got {personnel})",
            field="personnel",
            code="bad_personnel",
        )
    cx, column = _check_complexity(spec, complexity)
    kind = _check_audit(audit)
    reduction = _check_reduction(reduction_pct)

    band = find_band(std, personnel)
    table_days = Fraction(repr(band.values[column]))
    reduced = table_days * (1 - reduction / 100)
    initial_days = round_half_day(reduced)
    share = SHARES[kind]
    audit_unrounded = initial_days * share
    audit_days = initial_days if kind == "initial" else round_half_day(audit_unrounded)
    on_site = audit_days * ON_SITE_MIN_SHARE
    share_label = {"initial": "1", "surveillance": "1/3", "recertification": "2/3"}[kind]

    band_text = f"{band.personnel_min}–{band.personnel_max}"
    col_en = "" if cx is None else f", {cx} complexity"
    col_zh = "" if cx is None else f"，复杂程度“{_COMPLEXITY_ZH[cx]}”"
    citations = [
        Citation(
            id=f"{spec.name}, row {band_text}" + ("" if cx is None else f", column {cx}"),
            reference=spec.name,
            text=Bilingual(
                zh=f"有效人数 {band_text} 人{col_zh}：初次审核（第一阶段+第二阶段）"
                f"{_fmt(table_days)} 审核人日",
                en=f"{band_text} effective personnel{col_en}: {_fmt(table_days)} auditor days "
                "for the initial audit (Stage 1 + Stage 2)",
            ),
            source=band.source,
            note=band.note,
        ),
        rule_citation("Table entry"),
    ]
    notes: list[Bilingual] = [
        Bilingual(
            zh="采用表中该人数区间的数值；MD 5 指出区间应视为连续，但参考资料未给出插值方法，"
            "故不作插值。",
            en="The band's printed value is used; MD 5 notes the bands form a continuum, but the "
            "reference fixes no interpolation method, so none is applied.",
        )
    ]
    if reduction:
        citations.append(rule_citation("Maximum reduction"))
    citations.append(rule_citation("Rounding"))
    if kind == "surveillance":
        citations.append(rule_citation("Surveillance"))
    elif kind == "recertification":
        citations.append(rule_citation("Recertification"))
        notes.append(
            Bilingual(
                zh="再认证约 2/3 的比例仅有二手来源（中等可信度），请对照 IAF MD 5 原文核实。",
                en="The recertification share of about 2/3 comes from a secondary source only "
                "(medium confidence); verify against the MD 5 text.",
            )
        )
    citations.append(rule_citation("On-site minimum"))
    citations.append(rule_citation("Audit day"))
    if (
        std == "ISO 14001"
        and cx == "limited"
        and (band.personnel_min, band.personnel_max) == _EMS_LIMITED_DISCREPANCY_ROW
    ):
        notes.append(
            Bilingual(
                zh=f"EMS 1“有限”列 626–875 人：采用 {_fmt(table_days)}（两个来源），"
                "另一来源为 6.0；6.5 亦与该列 0.5 的递增一致。",
                en=f"EMS 1 Limited, 626–875 personnel: {_fmt(table_days)} is used (two sources); "
                "one other source gives 6.0. 6.5 also fits the column's 0.5-day progression "
                "(6.0 at 426–625, 7.0 at 876–1175).",
            )
        )
    if std == "ISO 14001" and cx == "limited":
        notes.append(
            Bilingual(
                zh="EMS 1 的“有限”列来自引用 MD 5 的二手代码文件（中等可信度）。",
                en="The EMS 1 Limited column comes from secondary code files citing MD 5 "
                "(medium confidence).",
            )
        )

    red_en = f" less {_fmt(reduction)} %" if reduction else ""
    red_zh = f"减少 {_fmt(reduction)}% 后" if reduction else ""
    share_en = "" if kind == "initial" else f", × {share_label} for {kind}"
    share_zh = "" if kind == "initial" else f"，{_AUDIT_ZH[kind]}取其 {share_label}"
    explanation = Bilingual(
        zh=f"{spec.name}（{band_text} 人{col_zh}）为 {_fmt(table_days)} 人日，{red_zh}"
        f"初次审核取 {_fmt(initial_days)} 人日{share_zh}，按半天取整为 {_fmt(audit_days)} 人日"
        f"（{_fmt(audit_days * HOURS_PER_AUDIT_DAY)} 小时）；现场审核不少于 "
        f"{_fmt(on_site)} 人日（80%）。",
        en=f"{spec.name} ({band_text} personnel{col_en}) gives {_fmt(table_days)} days"
        f"{red_en}: initial audit {_fmt(initial_days)} days{share_en}, rounded to the nearest "
        f"half day: {_fmt(audit_days)} days ({_fmt(audit_days * HOURS_PER_AUDIT_DAY)} h); "
        f"on-site at least {_fmt(on_site)} days (80 %).",
    )
    return AuditTimeResult(
        standard=std,
        management_system=spec.system,
        table=spec.name,
        personnel=personnel,
        complexity=cx,
        complexity_column=column,
        audit=kind,
        band=band,
        table_days=float(table_days),
        reduction_pct=float(reduction),
        max_reduction_pct=float(MAX_REDUCTION_PCT),
        reduced_days_unrounded=float(reduced),
        initial_days=float(initial_days),
        share=share_label,
        share_fraction=float(share),
        audit_days_unrounded=float(audit_unrounded),
        audit_days=float(audit_days),
        audit_hours=float(audit_days * HOURS_PER_AUDIT_DAY),
        on_site_min_share=float(ON_SITE_MIN_SHARE),
        on_site_min_days=float(on_site),
        on_site_min_hours=float(on_site * HOURS_PER_AUDIT_DAY),
        hours_per_audit_day=HOURS_PER_AUDIT_DAY,
        citations=citations,
        notes=notes,
        explanation=explanation,
    )
