"""Legal norms as checkable rules.

Each rule is a :class:`RuleSpec` (id, title and legal basis in Chinese and English, sources,
severity, parameters) and a pure function over plain facts (:mod:`.facts`). Three levels:

* certificate rules: ``check(cert, body, on, params) -> Hit | None``;
* body rules: ``certificate_mill(body, year, issued, params) -> Hit | None``;
* group rules: ``concurrent_certification(certs, on, params) -> list[Hit]`` over the
  certificates of one organization to one standard.

Legal bases cite the clause of the standard or IAF document. Where the article of a Chinese
regulation could not be sourced here, the text says "article to be confirmed" rather than guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal

from accordia.domain.audit_time import CalculatorInputError, audit_time
from accordia.domain.bilingual import Bilingual
from accordia.domain.cycle import (
    add_months,
    cycle_expiry,
    first_surveillance_due,
    overdue_surveillance,
    suspension_limit,
)
from accordia.domain.recognition import scheme_of, uncovered
from accordia.domain.sampling import sample_size
from accordia.domain.status import EventKind, Status, scope_on, status_on, timeline
from accordia.domain.supervision.facts import BodyFacts, CertificateFacts, Hit


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


SEVERITY_WEIGHT: Mapping[str, int] = {"low": 1, "medium": 3, "high": 5, "critical": 8}

REGULATIONS = Bilingual(
    zh="《中华人民共和国认证认可条例》（国务院令第 390 号，2016、2020、2023 年修订），条款待核实",
    en="Regulations of the PRC on Certification and Accreditation (State Council Order No. 390, "
    "revised 2016, 2020, 2023), article to be confirmed",
)
_REGS_SOURCE = (
    "https://en.kmabxh.com/PolicyDes/1849697545600843776.html (shared/reference/china_facts.csv)"
)


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """What a rule checks, why (legal basis, sources), how bad (severity), with which knobs."""

    id: str
    level: Literal["certificate", "body", "group"]
    title: Bilingual
    basis: Bilingual
    sources: tuple[str, ...]
    severity: Severity
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "title": self.title.as_dict(),
            "basis": self.basis.as_dict(),
            "sources": list(self.sources),
            "severity": self.severity.value,
            "weight": SEVERITY_WEIGHT[self.severity],
            "parameters": dict(self.parameters),
        }


def _basis(zh: str, en: str, *, regs: bool = False) -> Bilingual:
    if regs:
        return Bilingual(zh=f"{zh}；{REGULATIONS.zh}", en=f"{en}; {REGULATIONS.en}")
    return Bilingual(zh=zh, en=en)


_SPECS: tuple[RuleSpec, ...] = (
    RuleSpec(
        id="issued_outside_scope",
        level="certificate",
        title=Bilingual(
            zh="超出认可范围颁发证书",
            en="Certificate issued outside the CAB's accredited scope",
        ),
        basis=_basis(
            "认可证书只在认可范围（标准、技术领域）内有效；IAF MLA 仅承认认可范围内的认证"
            "（IAF ML 2 / ISO/IEC 17011，条款待核实）",
            "An accredited certificate must fall within the CAB's accreditation scope (standard "
            "and technical sectors) on the issue date; the IAF MLA recognises only certification "
            "within the accredited scope (IAF ML 2 / ISO/IEC 17011, clause to be confirmed)",
            regs=True,
        ),
        sources=("shared/DOMAIN.md, 'Mutual recognition', link 2", _REGS_SOURCE),
        severity=Severity.HIGH,
    ),
    RuleSpec(
        id="issued_while_suspended",
        level="certificate",
        title=Bilingual(
            zh="认可或批准被暂停、撤销期间颁发证书",
            en="Certificate issued while the CAB's accreditation or approval was suspended or "
            "withdrawn",
        ),
        basis=_basis(
            "认可状态限制认证机构可以出具的证明（认可约束）；暂停或撤销期间不得颁发认可证书",
            "An accreditation's status limits what a CAB may attest (accreditation constraint); "
            "no accredited certificates while it is suspended or withdrawn",
            regs=True,
        ),
        sources=("shared/DOMAIN.md, 'Supervision', means 3", _REGS_SOURCE),
        severity=Severity.CRITICAL,
    ),
    RuleSpec(
        id="validity_exceeds_cycle",
        level="certificate",
        title=Bilingual(
            zh="证书有效期超过认证周期", en="Validity longer than the certification cycle"
        ),
        basis=_basis(
            "ISO/IEC 17021-1 第 9.1.3 条：认证周期三年，自认证决定起算",
            "ISO/IEC 17021-1 cl. 9.1.3: three-year certification cycle from the certification "
            "decision",
        ),
        sources=("reference/iso17021_cycle_rules.csv (cycle_years)",),
        severity=Severity.MEDIUM,
        parameters={"cycle_years": 3, "tolerance_days": 0},
    ),
    RuleSpec(
        id="surveillance_overdue",
        level="certificate",
        title=Bilingual(zh="监督审核逾期", en="Surveillance audit overdue"),
        basis=_basis(
            "ISO/IEC 17021-1 第 9.1.3.3 条：首次监督审核不晚于认证决定后 12 个月；除再认证年份外"
            "每个日历年至少一次",
            "ISO/IEC 17021-1 cl. 9.1.3.3: first surveillance within 12 months of the "
            "certification decision; at least once a calendar year except in recertification "
            "years",
        ),
        sources=(
            "reference/iso17021_cycle_rules.csv (first_surveillance_months, "
            "min_surveillance_per_calendar_year)",
        ),
        severity=Severity.HIGH,
        parameters={"first_surveillance_months": 12, "per_calendar_year": 1},
    ),
    RuleSpec(
        id="suspension_beyond_limit",
        level="certificate",
        title=Bilingual(
            zh="暂停超期未撤销或恢复",
            en="Suspension beyond its limit without withdrawal or restoration",
        ),
        basis=_basis(
            "ISO/IEC 17021-1 第 9.6.5 条：暂停期满问题未解决应撤销或缩小范围；多数情况下暂停不超过"
            " 6 个月",
            "ISO/IEC 17021-1 cl. 9.6.5: unresolved suspension leads to withdrawal or reduction "
            "of scope; in most cases a suspension does not exceed 6 months",
        ),
        sources=("reference/iso17021_cycle_rules.csv (max_typical_suspension_months)",),
        severity=Severity.MEDIUM,
        parameters={"max_suspension_months": 6},
    ),
    RuleSpec(
        id="expired_shown_valid",
        level="certificate",
        title=Bilingual(zh="证书过期仍显示有效", en="Expired but still shown as valid"),
        basis=_basis(
            "ISO/IEC 17021-1 第 9.1.3 条（有效期止于认证周期）及第 9.6.3.2.5 条（到期后恢复须完成"
            "再认证）；认证机构须公开准确的证书状态（条款待核实）",
            "ISO/IEC 17021-1 cl. 9.1.3 (validity ends with the cycle) and cl. 9.6.3.2.5 "
            "(restoration after expiry needs the recertification completed); the CAB must publish "
            "accurate certificate status (clause to be confirmed)",
        ),
        sources=("reference/iso17021_cycle_rules.csv (cycle_years, restore_window_months)",),
        severity=Severity.HIGH,
    ),
    RuleSpec(
        id="audit_time_below_md5",
        level="certificate",
        title=Bilingual(
            zh="审核时间低于 IAF MD 5 最低要求", en="Audit time below the IAF MD 5 minimum"
        ),
        basis=_basis(
            "IAF MD 5：QMS/EMS/OH&SMS 审核时间表，最多减少 30 %，按半天取整；监督审核为初次的 1/3，"
            "再认证为 2/3",
            "IAF MD 5: audit time tables for QMS, EMS (by complexity), OH&SMS; at most 30 % "
            "reduction; rounded to the nearest half day; surveillance 1/3 and recertification 2/3 "
            "of the initial time",
        ),
        sources=("reference/iaf_md5_*.csv via accordia.domain.audit_time",),
        severity=Severity.HIGH,
        parameters={"max_reduction_pct": 30},
    ),
    RuleSpec(
        id="sample_below_md1",
        level="certificate",
        title=Bilingual(zh="多场所抽样少于 IAF MD 1 要求", en="Multi-site sample below IAF MD 1"),
        basis=_basis(
            "IAF MD 1：初次审核 √x，监督审核 0.6√x，再认证 0.8√x，向上取整"
            "（x 为中心职能以外的场所数）",
            "IAF MD 1: √x initial, 0.6√x surveillance, 0.8√x recertification, rounded up "
            "(x = sites besides the central function)",
        ),
        sources=("reference/iaf_md1_sampling.csv via accordia.domain.sampling",),
        severity=Severity.MEDIUM,
        parameters={"central_function_included_in_site_count": True},
    ),
    RuleSpec(
        id="certificate_mill",
        level="body",
        title=Bilingual(
            zh="发证数量超出审核员能力（“证书工厂”）",
            en="Issuing rate beyond the CAB's auditor capacity ('certificate mill')",
        ),
        basis=_basis(
            "ISO/IEC 17021-1 第 7 章（人员能力与数量，条款待核实）；"
            "监管参数：每名审核员每年新发证书数",
            "ISO/IEC 17021-1 cl. 7 (competent personnel in sufficient numbers, clause to be "
            "confirmed); regulator's parameter: new certificates per auditor per calendar year",
            regs=True,
        ),
        sources=("shared/DOMAIN.md, 'Supervision', typical findings",),
        severity=Severity.CRITICAL,
        parameters={"max_certificates_per_auditor_year": 30},
    ),
    RuleSpec(
        id="issued_too_soon",
        level="certificate",
        title=Bilingual(
            zh="申请后过短时间内发证", en="Certificate issued within days of application"
        ),
        basis=_basis(
            "ISO/IEC 17021-1 第 9.3 条：初次认证审核分两个阶段进行，之后方作认证决定；"
            "天数阈值为监管参数（依据待核实）",
            "ISO/IEC 17021-1 cl. 9.3: the initial audit has two stages before the certification "
            "decision; the day threshold is a regulator's parameter (basis to be confirmed)",
        ),
        sources=("shared/DOMAIN.md, 'Supervision'",),
        severity=Severity.HIGH,
        parameters={"min_days_application_to_issue": 10},
    ),
    RuleSpec(
        id="concurrent_certification",
        level="group",
        title=Bilingual(
            zh="同一组织同一标准同时持有多家机构的证书",
            en="Same organization certified to the same standard by several CABs at once",
        ),
        basis=_basis(
            "IAF MD 2（认可认证的转换）：转换后原证书应终止；"
            "重叠超过容许天数视为异常（依据待核实）",
            "IAF MD 2 (transfer of accredited certification): after a transfer the former "
            "certificate ends; an overlap beyond the tolerance is irregular (basis to be "
            "confirmed)",
        ),
        sources=("shared/DOMAIN.md, 'Supervision'",),
        severity=Severity.MEDIUM,
        parameters={"overlap_tolerance_days": 30},
    ),
)

RULES: Mapping[str, RuleSpec] = {r.id: r for r in _SPECS}

Params = Mapping[str, Mapping[str, Any]]


def param(params: Params | None, rule: str, key: str) -> Any:
    """A rule parameter: the override in ``params[rule][key]``, else the rule's default."""
    if params and rule in params and key in params[rule]:
        return params[rule][key]
    return RULES[rule].parameters[key]


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _hit(rule: str, cert: CertificateFacts, zh: str, en: str, **evidence: Any) -> Hit:
    return Hit(
        rule=rule,
        cab=cert.cab,
        subject=cert.number,
        message=Bilingual(zh=zh, en=en),
        evidence=evidence,
        certificate=cert.number,
        certificate_id=cert.id,
    )


# --------------------------------------------------------------------------- certificate rules


# (id of an AccreditationFacts, date) → (status, scope): bodies are few and dates repeat, so
# the scan asks the same question many times. Cleared by :func:`clear_caches` per scan.
_ACC_MEMO: dict[tuple[int, dt.date], tuple[Any, Status, frozenset[str]]] = {}


def clear_caches() -> None:
    _ACC_MEMO.clear()


def _accreditation_on(
    cert: CertificateFacts, body: BodyFacts
) -> tuple[Any, Status, frozenset[str]] | None:
    if not body.accreditations:
        return None
    acc = body.accreditation(cert.accreditation, None)
    key = (id(acc), cert.issued_on)
    hit = _ACC_MEMO.get(key)
    if hit is None or hit[0] is not acc:
        hit = (
            acc,
            status_on(acc.events, cert.issued_on, valid_until=acc.valid_until),
            scope_on(acc.scope, acc.events, cert.issued_on),
        )
        if len(_ACC_MEMO) > 500_000:
            _ACC_MEMO.clear()
        _ACC_MEMO[key] = hit
    return hit


def _accreditation_status(cert: CertificateFacts, body: BodyFacts) -> tuple[Any, Status] | None:
    found = _accreditation_on(cert, body)
    return None if found is None else (found[0], found[1])


def issued_outside_scope(
    cert: CertificateFacts, body: BodyFacts, on: dt.date, params: Params | None = None
) -> Hit | None:
    """The certificate's standard or a scope item was not in the accredited scope on the issue
    date (or no accreditation was in force at all). Items are checked only for the schemes the
    accreditation lists (``STD``, ``IAF``, ``HS`` ...), so partial records give no false hits."""
    found = _accreditation_on(cert, body)
    if found is None or cert.issued_on > on:
        return None
    acc, status, scope = found
    if status in (Status.SUSPENDED, Status.WITHDRAWN):
        return None  # issued_while_suspended
    if status in (Status.NOT_YET, Status.EXPIRED):
        return _hit(
            "issued_outside_scope",
            cert,
            f"颁发日 {cert.issued_on} 认可 {acc.number} 不在有效期内（{status.value}）",
            f"no accreditation in force on the issue date {cert.issued_on}: {acc.number} was "
            f"{status.value}",
            accreditation=acc.number,
            accreditation_status=status.value,
            issued_on=_iso(cert.issued_on),
        )
    schemes = {scheme_of(s) for s in scope}
    needed = [f"STD:{cert.standard}", *cert.scope]
    missing = [i for i in uncovered(scope, needed) if scheme_of(i) in schemes]
    if not missing:
        return None
    return _hit(
        "issued_outside_scope",
        cert,
        f"颁发日 {cert.issued_on} 的认可范围不含 {', '.join(missing)}",
        f"accredited scope on the issue date {cert.issued_on} does not cover {', '.join(missing)}",
        accreditation=acc.number,
        issued_on=_iso(cert.issued_on),
        missing=missing,
        scope_on_issue=sorted(scope),
    )


def issued_while_suspended(
    cert: CertificateFacts, body: BodyFacts, on: dt.date, params: Params | None = None
) -> Hit | None:
    """On the issue date the CAB's accreditation, or its regulator approval, was suspended or
    withdrawn."""
    if cert.issued_on > on:
        return None
    bad: dict[str, str] = {}
    found = _accreditation_status(cert, body)
    if found and found[1] in (Status.SUSPENDED, Status.WITHDRAWN):
        bad[f"accreditation {found[0].number}"] = found[1].value
    if body.approval_events:
        approval = status_on(body.approval_events, cert.issued_on)
        if approval in (Status.SUSPENDED, Status.WITHDRAWN):
            bad["approval"] = approval.value
    if not bad:
        return None
    what = "; ".join(f"{k}: {v}" for k, v in bad.items())
    return _hit(
        "issued_while_suspended",
        cert,
        f"颁发日 {cert.issued_on} 机构状态：{what}",
        f"on the issue date {cert.issued_on}: {what}",
        issued_on=_iso(cert.issued_on),
        status=bad,
    )


def validity_exceeds_cycle(
    cert: CertificateFacts, body: BodyFacts, on: dt.date, params: Params | None = None
) -> Hit | None:
    """An MS certificate (ISO/IEC 17021-1) whose printed expiry is later than the end of the
    three-year cycle that starts with its issue (decision) date, plus a tolerance."""
    if cert.kind != "ms_certificate" or cert.expires_on is None:
        return None
    limit = cycle_expiry(cert.issued_on) + dt.timedelta(
        days=int(param(params, "validity_exceeds_cycle", "tolerance_days"))
    )
    if cert.expires_on <= limit:
        return None
    return _hit(
        "validity_exceeds_cycle",
        cert,
        f"有效期至 {cert.expires_on}，超过认证周期终点 {limit}",
        f"valid until {cert.expires_on}, beyond the end of the cycle {limit}",
        issued_on=_iso(cert.issued_on),
        expires_on=_iso(cert.expires_on),
        cycle_end=_iso(limit),
    )


def _cycles(cert: CertificateFacts) -> list[dt.date]:
    starts = sorted(
        {e.effective_on for e in cert.events if e.kind in (EventKind.GRANTED, EventKind.RENEWED)}
    )
    return starts or [cert.issued_on]


def surveillance_overdue(
    cert: CertificateFacts, body: BodyFacts, on: dt.date, params: Params | None = None
) -> Hit | None:
    """Per cycle (from each grant or renewal): the first surveillance by 12 months after the
    decision and one in every calendar year strictly between the decision year and the
    recertification year (the next renewal's year, else the expiry year). An obligation counts
    only if the certificate was active on its due date (a suspended, withdrawn or expired
    certificate is not surveilled) and the due date is before ``on``."""
    if cert.kind != "ms_certificate":
        return None
    done = [e.effective_on for e in cert.events if e.kind == EventKind.SURVEILLANCE]
    starts = _cycles(cert)
    gaps: list[dict[str, Any]] = []
    for i, start in enumerate(starts):
        if start > on:
            break
        nxt = starts[i + 1] if i + 1 < len(starts) else None
        end = (nxt - dt.timedelta(days=1)) if nxt else (cert.expires_on or cycle_expiry(start))
        in_cycle = [d for d in done if start < d and (nxt is None or d < nxt)]
        recert_year = nxt.year if nxt else None
        for gap in overdue_surveillance(start, in_cycle, on, recert_year):
            if gap.due > end or (gap.kind == "calendar_year" and gap.due.year >= end.year):
                continue
            if status_on(cert.events, gap.due, valid_until=cert.expires_on) != Status.ACTIVE:
                continue
            gaps.append({"cycle_start": start.isoformat(), **gap.as_dict()})
    if not gaps:
        return None
    dues = ", ".join(g["due"] for g in gaps)
    return _hit(
        "surveillance_overdue",
        cert,
        f"未按期监督审核（到期日 {dues}）",
        f"surveillance missed (due {dues})",
        gaps=gaps,
        surveillance=[d.isoformat() for d in sorted(done)],
        first_due=_iso(first_surveillance_due(starts[0])),
    )


def suspension_beyond_limit(
    cert: CertificateFacts, body: BodyFacts, on: dt.date, params: Params | None = None
) -> Hit | None:
    """A suspension still in force on ``on`` after its limit (start + 6 months), or one that ran
    past its limit until the certificate simply expired — never restored nor withdrawn."""
    if not any(e.kind == EventKind.SUSPENDED for e in cert.events):
        return None
    months = int(param(params, "suspension_beyond_limit", "max_suspension_months"))
    periods = timeline(cert.events, valid_until=cert.expires_on)
    for k, p in enumerate(periods):
        if p.status != Status.SUSPENDED or p.start > on:
            continue
        limit = suspension_limit(p.start) if months == 6 else add_months(p.start, months)
        ongoing = p.end is None or p.end >= on
        after = periods[k + 1].status if k + 1 < len(periods) else None
        if ongoing and on > limit:
            how_zh, how_en = f"至 {on} 仍暂停", f"still suspended on {on}"
        elif not ongoing and after == Status.EXPIRED and p.end is not None and p.end > limit:
            how_zh, how_en = f"暂停至 {p.end} 到期", f"suspended until it expired on {p.end}"
        else:
            continue
        return _hit(
            "suspension_beyond_limit",
            cert,
            f"{p.start} 起暂停，期限 {limit}，{how_zh}",
            f"suspended since {p.start}, limit {limit}; {how_en}",
            suspended_on=p.start.isoformat(),
            limit=limit.isoformat(),
            ended=_iso(None if ongoing else p.end),
        )
    return None


_SHOWS_VALID = {
    EventKind.SURVEILLANCE,
    EventKind.RESTORED,
    EventKind.GRANTED,
    EventKind.RENEWED,
    EventKind.SCOPE_EXTENDED,
    EventKind.SCOPE_REDUCED,
}


def expired_shown_valid(
    cert: CertificateFacts, body: BodyFacts, on: dt.date, params: Params | None = None
) -> Hit | None:
    """Precisely: the printed expiry date has passed by ``on``, yet the record has an event
    dated after the expiry (and by ``on``) that only a certificate in force can have —
    surveillance, restoration, (re)grant or renewal, scope change — while the expiry date was
    never moved. The CAB's record still presents an expired certificate as valid."""
    if cert.expires_on is None or cert.expires_on >= on:
        return None
    late = sorted(
        (e.effective_on, str(e.kind))
        for e in cert.events
        if e.kind in _SHOWS_VALID and cert.expires_on < e.effective_on <= on
    )
    if not late:
        return None
    what = ", ".join(f"{k} {d}" for d, k in late)
    return _hit(
        "expired_shown_valid",
        cert,
        f"已于 {cert.expires_on} 到期，但其后仍有记录：{what}",
        f"expired on {cert.expires_on} but recorded as in force afterwards: {what}",
        expires_on=cert.expires_on.isoformat(),
        events_after_expiry=[{"kind": k, "effective_on": d.isoformat()} for d, k in late],
    )


_MD5_STANDARDS = {"ISO 9001", "ISO 14001", "ISO 45001"}
_LENIENT_COMPLEXITY = {"ISO 9001": None, "ISO 14001": "limited", "ISO 45001": "low"}


@lru_cache(maxsize=4096)
def md5_minimum(standard: str, personnel: int, complexity: str | None, audit: str) -> float | None:
    """Minimum auditor-days under IAF MD 5 with the maximum 30 % reduction (so any lower figure
    breaks MD 5 whatever reductions the CAB justified). Unknown complexity takes the most
    lenient column. ``None`` where MD 5 gives no figure (beyond the table)."""
    cx = complexity if standard != "ISO 9001" else None
    if standard != "ISO 9001" and not cx:
        cx = _LENIENT_COMPLEXITY[standard]
    try:
        return audit_time(standard, personnel, cx, audit, reduction_pct=30).audit_days
    except CalculatorInputError:
        return None


def audit_time_below_md5(
    cert: CertificateFacts, body: BodyFacts, on: dt.date, params: Params | None = None
) -> Hit | None:
    """An audit record whose auditor-days are below the IAF MD 5 minimum for the certificate's
    standard, effective personnel, complexity and audit type."""
    if cert.standard not in _MD5_STANDARDS or not cert.personnel or not cert.audits:
        return None
    short = []
    for a in cert.audits:
        if a.auditor_days is None or a.audit_on > on:
            continue
        minimum = md5_minimum(cert.standard, cert.personnel, a.complexity, a.audit_type)
        if minimum is not None and float(a.auditor_days) < minimum:
            short.append(
                {
                    "audit": a.audit_type,
                    "audit_on": a.audit_on.isoformat(),
                    "auditor_days": float(a.auditor_days),
                    "minimum": minimum,
                }
            )
    if not short:
        return None
    s = short[0]
    return _hit(
        "audit_time_below_md5",
        cert,
        f"{s['audit_on']} {s['audit']} 审核 {s['auditor_days']:g} 人日，低于最低 {s['minimum']:g}",
        f"{s['audit']} audit of {s['audit_on']}: {s['auditor_days']:g} auditor-days, below the "
        f"minimum {s['minimum']:g} ({cert.standard}, {cert.personnel} personnel)",
        audits=short,
        standard=cert.standard,
        personnel=cert.personnel,
    )


def sample_below_md1(
    cert: CertificateFacts, body: BodyFacts, on: dt.date, params: Params | None = None
) -> Hit | None:
    """An audit of a multi-site certificate that visited fewer sites than IAF MD 1 requires.
    ``site_count`` counts every site covered, the central function included, so x is one less;
    ``sites_audited`` counts the sites visited besides the central function."""
    if not cert.site_count or not cert.audits:
        return None
    central = bool(param(params, "sample_below_md1", "central_function_included_in_site_count"))
    x = cert.site_count - 1 if central else cert.site_count
    if x < 2:
        return None
    short = []
    for a in cert.audits:
        if a.sites_audited is None or a.audit_on > on:
            continue
        need = sample_size(x, a.audit_type).sample_size
        if a.sites_audited < need:
            short.append(
                {
                    "audit": a.audit_type,
                    "audit_on": a.audit_on.isoformat(),
                    "sites_audited": a.sites_audited,
                    "required": need,
                    "x": x,
                }
            )
    if not short:
        return None
    s = short[0]
    return _hit(
        "sample_below_md1",
        cert,
        f"{s['audit_on']} {s['audit']} 审核了 {s['sites_audited']} 个场所，MD 1 要求至少 "
        f"{s['required']} 个（x = {x}）",
        f"{s['audit']} audit of {s['audit_on']} visited {s['sites_audited']} sites; IAF MD 1 "
        f"requires {s['required']} (x = {x})",
        audits=short,
        site_count=cert.site_count,
    )


def issued_too_soon(
    cert: CertificateFacts, body: BodyFacts, on: dt.date, params: Params | None = None
) -> Hit | None:
    """Issued fewer than N days after the application of its initial audit."""
    n = int(param(params, "issued_too_soon", "min_days_application_to_issue"))
    for a in cert.audits:
        if a.audit_type != "initial" or a.application_on is None:
            continue
        days = (cert.issued_on - a.application_on).days
        if days < n:
            return _hit(
                "issued_too_soon",
                cert,
                f"{a.application_on} 申请，{cert.issued_on} 发证，仅 {days} 天（阈值 {n} 天）",
                f"applied {a.application_on}, issued {cert.issued_on}: {days} days (threshold {n})",
                application_on=a.application_on.isoformat(),
                issued_on=cert.issued_on.isoformat(),
                days=days,
                threshold=n,
            )
    return None


CertificateRule = Callable[[CertificateFacts, BodyFacts, dt.date, "Params | None"], "Hit | None"]

CERTIFICATE_RULES: Mapping[str, CertificateRule] = {
    "issued_outside_scope": issued_outside_scope,
    "issued_while_suspended": issued_while_suspended,
    "validity_exceeds_cycle": validity_exceeds_cycle,
    "surveillance_overdue": surveillance_overdue,
    "suspension_beyond_limit": suspension_beyond_limit,
    "expired_shown_valid": expired_shown_valid,
    "audit_time_below_md5": audit_time_below_md5,
    "sample_below_md1": sample_below_md1,
    "issued_too_soon": issued_too_soon,
}


def check_certificate(
    cert: CertificateFacts, body: BodyFacts, on: dt.date, params: Params | None = None
) -> list[Hit]:
    """Every certificate rule over one certificate."""
    hits = []
    for check in CERTIFICATE_RULES.values():
        h = check(cert, body, on, params)
        if h is not None:
            hits.append(h)
    return hits


# --------------------------------------------------------------------------- body rules


def certificate_mill(
    body: BodyFacts, year: int, issued: int, params: Params | None = None
) -> Hit | None:
    """More MS certificates issued in a calendar year than the CAB's auditors can audit:
    ``issued > max_certificates_per_auditor_year × auditor_count``."""
    if not body.auditor_count:
        return None
    per = int(param(params, "certificate_mill", "max_certificates_per_auditor_year"))
    capacity = per * body.auditor_count
    if issued <= capacity:
        return None
    return Hit(
        rule="certificate_mill",
        cab=body.registration_number,
        subject=f"{body.registration_number}/{year}",
        message=Bilingual(
            zh=f"{year} 年颁发 {issued} 张证书，{body.auditor_count} 名审核员的能力上限为 "
            f"{capacity}",
            en=f"{issued} certificates issued in {year}; {body.auditor_count} auditors can "
            f"support at most {capacity}",
        ),
        evidence={
            "year": year,
            "issued": issued,
            "auditor_count": body.auditor_count,
            "per_auditor": per,
            "capacity": capacity,
            "per_auditor_actual": round(issued / body.auditor_count, 2),
        },
    )


BODY_RULES: Mapping[str, Callable[..., Hit | None]] = {"certificate_mill": certificate_mill}


# --------------------------------------------------------------------------- group rules


def _active_span(cert: CertificateFacts) -> tuple[dt.date, dt.date]:
    """First and last day the certificate was in force (ended by withdrawal, expiry event or
    printed expiry)."""
    end = cert.expires_on or dt.date.max
    for e in cert.events:
        if e.kind in (EventKind.WITHDRAWN, EventKind.EXPIRED) and e.effective_on > cert.issued_on:
            end = min(end, e.effective_on - dt.timedelta(days=1))
    return cert.issued_on, end


def concurrent_certification(
    certs: Sequence[CertificateFacts], on: dt.date, params: Params | None = None
) -> list[Hit]:
    """Certificates of one organization to one standard from different CABs, in force together
    for more than the tolerance (a transfer under IAF MD 2 may overlap briefly). The later
    certificate of each overlapping pair is the finding; the earlier one is its evidence."""
    tolerance = int(param(params, "concurrent_certification", "overlap_tolerance_days"))
    ms = sorted(
        (c for c in certs if c.kind == "ms_certificate" and c.issued_on <= on),
        key=lambda c: (c.issued_on, c.number),
    )
    hits: list[Hit] = []
    for j, later in enumerate(ms):
        s2, e2 = _active_span(later)
        overlaps = []
        for earlier in ms[:j]:
            if earlier.cab == later.cab:
                continue
            s1, e1 = _active_span(earlier)
            days = (min(e1, e2, on) - max(s1, s2)).days + 1
            if days > tolerance:
                overlaps.append(
                    {
                        "certificate": earlier.number,
                        "cab": earlier.cab,
                        "issued_on": s1.isoformat(),
                        "overlap_days": days,
                    }
                )
        if overlaps:
            others = ", ".join(f"{o['cab']} {o['certificate']}" for o in overlaps)
            hits.append(
                _hit(
                    "concurrent_certification",
                    later,
                    f"同一组织同一标准（{later.standard}）同时持有：{others}",
                    f"the organization already held {later.standard} certification from {others}",
                    organization=later.organization,
                    standard=later.standard,
                    overlapping=overlaps,
                    tolerance_days=tolerance,
                )
            )
    return hits


GROUP_RULES: Mapping[str, Callable[..., list[Hit]]] = {
    "concurrent_certification": concurrent_certification
}
