"""IAF MD 1 multi-site sampling: minimum number of sites to visit.

``x`` is the number of sites *excluding* the central function, which is audited at every audit
(iaf_md1_sampling.csv, "Initial certification"). Minimum sample sizes (MD 1 §6.1):

* initial: y = ⌈√x⌉
* each surveillance: y = ⌈0.6·√x⌉
* recertification: y = ⌈0.8·√x⌉

computed in exact integer arithmetic (``math.isqrt``): ⌈k·√x⌉ is the smallest whole y with
y² ≥ k²·x, so perfect squares never gain a spurious unit (0.6·√25 is exactly 3, not
3.0000000000000004). At least 25 % of the sample (rounded up) is chosen at random.

Where sampling is not appropriate (MD 1 §6.2), or x = 1 (sampling applies only to more than one
site): all sites at the initial and recertification audits, ⌈30 %·x⌉ per surveillance year.
These are minima: the MD 1 clause on increasing the sample for higher risk was not retrieved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Any, Literal

from accordia.domain.audit_time import (
    AUDIT_TYPES,
    AuditType,
    CalculatorInputError,
    Citation,
    read_reference_csv,
)
from accordia.domain.bilingual import Bilingual

Method = Literal["sampling", "all_sites", "surveillance_30pct"]

FACTORS: Mapping[AuditType, Fraction] = {
    "initial": Fraction(1),
    "surveillance": Fraction(3, 5),
    "recertification": Fraction(4, 5),
}
FORMULAS: Mapping[AuditType, str] = {
    "initial": "y = ⌈√x⌉",
    "surveillance": "y = ⌈0.6·√x⌉",
    "recertification": "y = ⌈0.8·√x⌉",
}
RANDOM_MIN_SHARE = Fraction(1, 4)
NO_SAMPLING_SURVEILLANCE_SHARE = Fraction(3, 10)

_TOPIC_FOR_AUDIT: Mapping[AuditType, str] = {
    "initial": "Initial certification",
    "surveillance": "Surveillance",
    "recertification": "Recertification",
}
_AUDIT_ZH: Mapping[AuditType, str] = {
    "initial": "初次认证",
    "surveillance": "每次监督",
    "recertification": "再认证",
}
_RULE_ZH = {
    "Applicability": (
        "抽样（MD 1 §6.1）适用于除中心职能外还有多于一个场所的组织（N>1）；否则适用 §6.2。"
    ),
    "Initial certification": (
        "初次认证：y = √x，向上取整（x 为不含中心职能的场所数）；中心职能每次都审核。"
    ),
    "Surveillance": "每次监督：y = 0.6·√x，向上取整。",
    "Recertification": "再认证：y = 0.8·√x，向上取整。",
    "Random element": "样本中至少 25% 随机抽取；其余的选择应使认证周期内所审核的场所尽可能不同。",
    "Where sampling not appropriate (MD 1 §6.2)": (
        "不适合抽样时：初次和再认证审核覆盖全部场所；监督审核每个日历年覆盖 30% 的场所"
        "（向上取整）；中心职能每次审核；第二次监督通常选择不同场所。"
    ),
    "No merging": "不得为缩小样本而在计算 x 之前合并场所。",
    "Risk adjustment": "MD 1 中按风险增加样本的条款未获取；上述样本量为最低要求。",
}


@dataclass(frozen=True, slots=True)
class SamplingResult:
    sites: int
    audit: AuditType
    sampling_appropriate: bool
    sampling_applied: bool
    method: Method
    formula: str
    factor: float
    sample_size: int
    random_min: int | None
    central_function_audited: bool
    total_audited_locations: int
    citations: list[Citation] = field(default_factory=list)
    notes: list[Bilingual] = field(default_factory=list)
    explanation: Bilingual = field(default_factory=Bilingual)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sites": self.sites,
            "audit": self.audit,
            "sampling_appropriate": self.sampling_appropriate,
            "sampling_applied": self.sampling_applied,
            "method": self.method,
            "formula": self.formula,
            "factor": self.factor,
            "sample_size": self.sample_size,
            "random_min": self.random_min,
            "central_function_audited": self.central_function_audited,
            "total_audited_locations": self.total_audited_locations,
            "citations": [c.as_dict() for c in self.citations],
            "notes": [n.as_dict() for n in self.notes],
            "explanation": self.explanation.as_dict(),
        }


@cache
def load_rules() -> Mapping[str, dict[str, str]]:
    """Rows of iaf_md1_sampling.csv by topic."""
    return {r["topic"]: r for r in read_reference_csv("iaf_md1_sampling.csv")}


def rule_citation(topic: str) -> Citation:
    row = load_rules()[topic]
    return Citation(
        id=f"IAF MD 1: {topic}",
        reference="IAF MD 1",
        text=Bilingual(zh=_RULE_ZH.get(topic), en=row["rule"]),
        source=row["source"],
    )


def ceil_sqrt(n: int) -> int:
    """⌈√n⌉ for n ≥ 0, exactly."""
    if n < 0:
        raise ValueError("n must be >= 0")
    return 0 if n == 0 else math.isqrt(n - 1) + 1


def ceil_k_sqrt(k: Fraction, x: int) -> int:
    """⌈k·√x⌉ for k ≥ 0, x ≥ 0, exactly: the least whole y with y² ≥ k²·x."""
    k2x = k * k * x
    return ceil_sqrt(math.ceil(k2x))


def _ceil_share(share: Fraction, n: int) -> int:
    return math.ceil(share * n)


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


def sample_size(
    sites: int, audit: str = "initial", sampling_appropriate: bool = True
) -> SamplingResult:
    """Minimum number of sites to visit per IAF MD 1 (excluding the central function).

    ``sites`` is x, the number of sites other than the central function (>= 1).
    """
    if isinstance(sites, bool) or not isinstance(sites, int):
        raise CalculatorInputError("sites must be a whole number", field="sites", code="bad_sites")
    if sites < 1:
        raise CalculatorInputError(
            f"sites must be at least 1 (got {sites}): x counts the sites other than the "
            "central function",
            field="sites",
            code="bad_sites",
        )
    kind = _check_audit(audit)
    applied = sampling_appropriate and sites > 1
    citations: list[Citation] = []
    notes: list[Bilingual] = []
    random_min: int | None
    if applied:
        y = ceil_k_sqrt(FACTORS[kind], sites)
        method: Method = "sampling"
        formula = FORMULAS[kind]
        factor = float(FACTORS[kind])
        random_min = _ceil_share(RANDOM_MIN_SHARE, y)
        citations += [
            rule_citation(_TOPIC_FOR_AUDIT[kind]),
            rule_citation("Random element"),
            rule_citation("No merging"),
            rule_citation("Risk adjustment"),
        ]
        how_en = f"{formula} with x = {sites}"
        how_zh = f"{formula}，x = {sites}"
    else:
        if sites == 1 and sampling_appropriate:
            citations.append(rule_citation("Applicability"))
            notes.append(
                Bilingual(
                    zh="只有一个场所（不含中心职能），不适用抽样，按 §6.2 计算。",
                    en="Only one site besides the central function: sampling does not apply; "
                    "§6.2 is used.",
                )
            )
        citations.append(rule_citation("Where sampling not appropriate (MD 1 §6.2)"))
        random_min = None
        if kind == "surveillance":
            y = _ceil_share(NO_SAMPLING_SURVEILLANCE_SHARE, sites)
            method = "surveillance_30pct"
            formula = "y = ⌈0.3·x⌉"
            factor = float(NO_SAMPLING_SURVEILLANCE_SHARE)
        else:
            y = sites
            method = "all_sites"
            formula = "y = x"
            factor = 1.0
        how_en = f"{formula} with x = {sites} (no sampling, MD 1 §6.2)"
        how_zh = f"{formula}，x = {sites}（不抽样，MD 1 §6.2）"

    audit_zh = _AUDIT_ZH[kind]
    random_en = f", at least {random_min} chosen at random" if random_min else ""
    random_zh = f"，其中至少 {random_min} 个随机抽取" if random_min else ""
    explanation = Bilingual(
        zh=f"{audit_zh}：{how_zh} → 至少审核 {y} 个场所{random_zh}，"
        f"另加中心职能（共 {y + 1} 处）。",
        en=f"{kind}: {how_en} → at least {y} sites{random_en}, plus the central function "
        f"({y + 1} locations).",
    )
    return SamplingResult(
        sites=sites,
        audit=kind,
        sampling_appropriate=sampling_appropriate,
        sampling_applied=applied,
        method=method,
        formula=formula,
        factor=factor,
        sample_size=y,
        random_min=random_min,
        central_function_audited=True,
        total_audited_locations=y + 1,
        citations=citations,
        notes=notes,
        explanation=explanation,
    )
