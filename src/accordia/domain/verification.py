"""Verification: "is it valid, and is it recognized in market M on date D?" (pure, no I/O).

:func:`verify` walks the four links of the chain of trust (DOMAIN.md, "Mutual recognition") and
reports each as ``ok``, ``failed`` or ``not_applicable``, with a reason in Chinese and English
and the evidence used. :func:`not_found` and :func:`ambiguous` answer when the registry holds no
such certificate, or several: "we hold no record" is not "invalid". The facts are the
dataclasses of :mod:`accordia.domain.recognition`, re-exported here. See ``docs/verify.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Any

from accordia.domain.bilingual import Bilingual
from accordia.domain.identifiers import normalize_number
from accordia.domain.recognition import (
    AB,
    CAB,
    KIND_CAB_STANDARDS,
    REQUIRED_SCHEMES,
    AccreditationFacts,
    AccreditationRef,
    ArrangementFacts,
    CabFacts,
    CertificateFacts,
    Finding,
    Graph,
    IssuerCoverage,
    MarketAcceptanceFacts,
    Reached,
    RecognitionFacts,
    ScopeMapping,
    SignatoryFacts,
    VerificationFacts,
    acceptance_matches,
    reach,
    required_scopes,
    scheme_of,
    uncovered,
    why_not,
)
from accordia.domain.status import (
    Event,
    EventKind,
    EventLike,
    Status,
    in_effect,
    scope_on,
    status_on,
)

__all__ = [
    "AB",
    "CAB",
    "AccreditationFacts",
    "AccreditationRef",
    "ArrangementFacts",
    "CabFacts",
    "CertificateFacts",
    "IssuerCoverage",
    "Link",
    "LinkName",
    "LinkStatus",
    "MarketAcceptanceFacts",
    "Outcome",
    "PathNode",
    "Query",
    "RecognitionFacts",
    "ScopeMapping",
    "SignatoryFacts",
    "Verdict",
    "VerificationFacts",
    "ambiguous",
    "not_found",
    "verify",
]

Evidence = dict[str, Any]


class LinkName(StrEnum):
    CERTIFICATE = "certificate"
    ACCREDITATION = "accreditation"
    ARRANGEMENT = "arrangement"
    MARKET = "market"


class LinkStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"


class Outcome(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True, slots=True)
class Query:
    """What was asked: a number, optionally its issuer and a market, on a date."""

    number: str
    on: dt.date
    issuer: str | None = None
    market: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "issuer": self.issuer,
            "market": self.market,
            "on": self.on.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Link:
    """One link of the chain, as judged on the date asked."""

    link: LinkName
    status: LinkStatus
    reason: Bilingual
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "link": self.link.value,
            "status": self.status.value,
            "reason": self.reason.as_dict(),
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class PathNode:
    """A node of the chain as the web page draws it (certificate → CAB → ... → market)."""

    node: str  # certificate | cab | accreditation | accreditation_body | arrangement | market
    key: str | None
    label: Bilingual
    status: LinkStatus
    via: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "key": self.key,
            "label": self.label.as_dict(),
            "status": self.status.value,
            "via": self.via or None,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to one query; :meth:`to_dict` is the documented JSON."""

    query: Query
    outcome: Outcome
    certificate: CertificateFacts | None = None
    certificate_status: Status | None = None
    valid: bool | None = None
    recognized: bool | None = None
    failed_link: LinkName | None = None
    links: tuple[Link, ...] = ()
    path: tuple[PathNode, ...] = ()
    candidates: tuple[CertificateFacts, ...] = ()
    coverage: IssuerCoverage | None = None

    def link(self, name: str) -> Link:
        return next(x for x in self.links if x.link == name)

    def to_dict(self) -> dict[str, Any]:
        cert = self.certificate
        return {
            "query": self.query.to_dict(),
            "outcome": self.outcome.value,
            "certificate": _summary(cert, self.certificate_status) if cert else None,
            "valid": self.valid,
            "recognized": self.recognized,
            "failed_link": self.failed_link.value if self.failed_link else None,
            "links": [x.to_dict() for x in self.links],
            "path": [p.to_dict() for p in self.path],
            "candidates": [_summary(c, None) for c in self.candidates],
            "coverage": _coverage_dict(self.coverage) if self.coverage else None,
        }


# --- wording -----------------------------------------------------------------------------------

_STATUS: dict[Status, tuple[str, str]] = {
    Status.ACTIVE: ("有效", "active"),
    Status.SUSPENDED: ("暂停", "suspended"),
    Status.WITHDRAWN: ("撤销", "withdrawn"),
    Status.EXPIRED: ("过期", "expired"),
    Status.NOT_YET: ("尚未生效", "not yet in effect"),
}

_KIND: dict[str, tuple[str, str]] = {
    "ms_certificate": ("管理体系认证证书", "management-system certificate"),
    "product_certificate": ("产品认证证书", "product certificate"),
    "persons_certificate": ("人员认证证书", "certificate of persons"),
    "test_report": ("检测报告", "test report"),
    "calibration_certificate": ("校准证书", "calibration certificate"),
    "medical_report": ("医学检验报告", "medical laboratory report"),
    "inspection_report": ("检验报告", "inspection report"),
    "verification_statement": ("核查声明", "verification statement"),
    "validation_statement": ("审定声明", "validation statement"),
}


def _kind(kind: str) -> tuple[str, str]:
    return _KIND.get(kind, (kind, kind))


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _join(items: Sequence[str]) -> str:
    return ", ".join(items)


def _clauses(parts: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """Clauses built per language, joined per language."""
    return "；".join(p[0] for p in parts), "; ".join(p[1] for p in parts)


def _sentence(parts: Sequence[tuple[str, str]]) -> Bilingual:
    """One sentence per language from (zh, en) clauses: capitalised and closed."""
    zh, en = _clauses(parts)
    return Bilingual(f"{zh}。", f"{en[:1].upper()}{en[1:]}.")


def _since(events: Sequence[Event], on: dt.date, kinds: Sequence[str]) -> dt.date | None:
    """When the latest event of ``kinds`` in effect on ``on`` took effect."""
    hits = [e for e in in_effect(events, on) if e.kind in kinds]
    return hits[-1].effective_on if hits else None


def _event(record: str, e: EventLike) -> Evidence:
    return {
        "record": f"{record}_event",
        "kind": e.kind,
        "effective_on": e.effective_on.isoformat(),
        "scope": list(getattr(e, "scope", ()) or ()) or None,
        "source": getattr(e, "source", "") or None,
    }


# --- link 1: certificate -----------------------------------------------------------------------


def _cert_events(cert: CertificateFacts) -> tuple[Event, ...]:
    """The certificate's events; issuing it is a grant on ``issued_on`` unless one is recorded."""
    if any(e.kind in (EventKind.GRANTED, EventKind.RENEWED) for e in cert.events):
        return cert.events
    return (Event(EventKind.GRANTED, cert.issued_on, source=cert.source), *cert.events)


def _certificate_link(cert: CertificateFacts, on: dt.date) -> tuple[Link, Status]:
    events = _cert_events(cert)
    st = status_on(events, on, valid_until=cert.expires_on)
    evidence: list[Evidence] = [
        {
            "record": "certificate",
            "number": cert.number,
            "issuer": cert.issuer,
            "issued_on": cert.issued_on.isoformat(),
            "expires_on": _iso(cert.expires_on),
            "status_on": st.value,
            "source": cert.source or None,
        },
        *(_event("certificate", e) for e in in_effect(cert.events, on)),
    ]
    n, issued, exp = cert.number, cert.issued_on, cert.expires_on
    if on < issued:
        why = (
            f"证书 {n} 于 {issued} 颁发，{on} 时尚未颁发",
            f"certificate {n} was issued on {issued}; on {on} it did not yet exist",
        )
    elif st is Status.ACTIVE:
        until = (
            (f"有效期至 {exp}", f"valid until {exp}")
            if exp
            else ("未载明到期日", "with no expiry date stated")
        )
        reason = Bilingual(
            f"证书 {n} 在 {on} 有效：{issued} 颁发，{until[0]}，当日未被暂停或撤销。",
            f"Certificate {n} was valid on {on}: issued on {issued}, {until[1]}, and neither "
            f"suspended nor withdrawn on that date.",
        )
        return Link(LinkName.CERTIFICATE, LinkStatus.OK, reason, tuple(evidence)), st
    elif st is Status.SUSPENDED:
        d = _since(events, on, [EventKind.SUSPENDED])
        why = (
            f"证书 {n} 自 {d} 起被暂停，{on} 时仍处于暂停状态，暂停期间证书无效",
            f"certificate {n} was suspended from {d} and still suspended on {on}; a suspended "
            f"certificate is not valid",
        )
    elif st is Status.WITHDRAWN:
        d = _since(events, on, [EventKind.WITHDRAWN])
        why = (
            f"证书 {n} 已于 {d} 被撤销，{on} 时无效",
            f"certificate {n} was withdrawn on {d} and was not valid on {on}",
        )
    elif st is Status.EXPIRED and exp is not None and on > exp:
        why = (
            f"证书 {n} 的有效期至 {exp}，{on} 时已过期",
            f"certificate {n} was valid until {exp}; on {on} it had expired",
        )
    elif st is Status.EXPIRED:
        d = _since(events, on, [EventKind.EXPIRED])
        why = (f"证书 {n} 自 {d} 起已过期", f"certificate {n} was recorded as expired from {d}")
    else:
        why = (f"证书 {n} 在 {on} 尚未生效", f"certificate {n} was not yet in effect on {on}")
    reason = _sentence([why])
    return Link(LinkName.CERTIFICATE, LinkStatus.FAILED, reason, tuple(evidence)), st


# --- link 2: accreditation ---------------------------------------------------------------------


def _dimensions(acc: AccreditationFacts) -> set[str]:
    """Scope schemes checked for this accreditation: required ones plus any it enumerates."""
    listed = {scheme_of(i) for i in acc.scope}
    for e in acc.events:
        if e.kind == EventKind.SCOPE_EXTENDED:
            listed |= {scheme_of(i) for i in e.scope}
    return listed | REQUIRED_SCHEMES.get(acc.cab_standard, frozenset())


def _needed(acc: AccreditationFacts, cert: CertificateFacts) -> list[str]:
    dims = _dimensions(acc)
    std = [f"STD:{cert.standard}"] if cert.standard else []
    return std + [i for i in cert.scope if scheme_of(i) in dims and scheme_of(i) != "STD"]


def _acc_problems(
    acc: AccreditationFacts, cert: CertificateFacts, on: dt.date
) -> list[tuple[str, str]]:
    """What keeps ``acc`` from supporting ``cert`` on its issue date and on ``on``."""
    allowed = KIND_CAB_STANDARDS.get(cert.kind, frozenset())
    if allowed and acc.cab_standard not in allowed:
        k, want = _kind(cert.kind), " / ".join(sorted(allowed))
        return [
            (
                f"该认可依据 {acc.cab_standard}，而{k[0]}须依据 {want} 认可",
                f"it is an accreditation to {acc.cab_standard}, whereas a {k[1]} requires one "
                f"to {want}",
            )
        ]
    out: list[tuple[str, str]] = []
    needed = _needed(acc, cert)
    dates = [(cert.issued_on, "证书颁发日", "the issue date"), (on, "查询日", "the date asked")]
    for d, zh, en in dates if cert.issued_on != on else dates[:1]:
        st = status_on(acc.events, d, valid_until=acc.valid_until)
        if st is not Status.ACTIVE:
            out.append(_acc_status_problem(acc, st, d, zh, en))
            continue
        missing = uncovered(scope_on(acc.scope, acc.events, d), needed)
        if missing:
            out.append(
                (
                    f"{d}（{zh}）认可范围不覆盖 {_join(missing)}",
                    f"on {d} ({en}) its scope did not cover {_join(missing)}",
                )
            )
    return out


def _approval_problems(
    facts: VerificationFacts, cert: CertificateFacts, on: dt.date
) -> list[tuple[str, str]]:
    """The CAB's regulator approval, where the registry records one, must be in force on the
    issue date and on ``on``: a suspension or revocation (a sanction) stops it attesting.
    Where no approval is recorded, nothing is concluded from its absence."""
    events = facts.cab.approval_events if facts.cab else ()
    if not events:
        return []
    out: list[tuple[str, str]] = []
    dates = [(cert.issued_on, "证书颁发日", "the issue date"), (on, "查询日", "the date asked")]
    for d, zh, en in dates if cert.issued_on != on else dates[:1]:
        st = status_on(events, d)
        if st is Status.ACTIVE:
            continue
        s = _STATUS[st]
        since = _since(events, d, [st.value])
        extra = (f"（自 {since} 起）", f" (since {since})") if since else ("", "")
        out.append(
            (
                f"{d}（{zh}）监管机构对该机构的批准处于{s[0]}状态{extra[0]}",
                f"on {d} ({en}) the regulator's approval of the body was {s[1]}{extra[1]}",
            )
        )
    return out


def _acc_status_problem(
    acc: AccreditationFacts, st: Status, d: dt.date, zh: str, en: str
) -> tuple[str, str]:
    s = _STATUS[st]
    if st is Status.EXPIRED and acc.valid_until and d > acc.valid_until:
        extra = (f"，有效期至 {acc.valid_until}", f" (valid until {acc.valid_until})")
    elif st is Status.NOT_YET:
        g = next((e.effective_on for e in acc.events if e.kind == EventKind.GRANTED), None)
        extra = (f"，{g} 才获认可", f" (granted only on {g})") if g else ("", "")
    else:
        since = _since(acc.events, d, [st.value])
        extra = (f"（自 {since} 起）", f" (since {since})") if since else ("", "")
    return (
        f"{d}（{zh}）该认可处于{s[0]}状态{extra[0]}",
        f"on {d} ({en}) the accreditation was {s[1]}{extra[1]}",
    )


def _acc_record(acc: AccreditationFacts, cert: CertificateFacts, on: dt.date) -> Evidence:
    va = acc.valid_until
    return {
        "record": "accreditation",
        "body": acc.body,
        "number": acc.number,
        "cab_standard": acc.cab_standard,
        "valid_until": _iso(va),
        "status_on_issue": status_on(acc.events, cert.issued_on, valid_until=va).value,
        "status_on": status_on(acc.events, on, valid_until=va).value,
        "scope_on_issue": sorted(scope_on(acc.scope, acc.events, cert.issued_on)),
        "scope_on": sorted(scope_on(acc.scope, acc.events, on)),
        "source": acc.source or None,
    }


def _cab_label(facts: VerificationFacts) -> tuple[str, str]:
    """The issuer as named in each language, with its registration number."""
    cert = facts.certificate
    name = facts.cab.name if facts.cab else cert.issuer_name
    zh, en = name.pick("zh").text, name.pick("en").text
    return (
        f"{zh}（{cert.issuer}）" if zh else cert.issuer,
        f"{en} ({cert.issuer})" if en else cert.issuer,
    )


def _accreditation_link(
    facts: VerificationFacts, on: dt.date
) -> tuple[Link, AccreditationFacts | None]:
    cert, issuer = facts.certificate, _cab_label(facts)
    cands = list(facts.accreditations)
    ref = cert.accreditation
    if ref is not None:
        cands = [
            a
            for a in cands
            if a.body == ref.body and normalize_number(a.number) == normalize_number(ref.number)
        ]
        if not cands:
            reason = Bilingual(
                f"证书载明依据 {ref.body} 的认可 {ref.number} 颁发，但本登记簿没有{issuer[0]}"
                f"持有该认可的记录，无法确认。",
                f"The certificate states it was issued under accreditation {ref.number} by "
                f"{ref.body}, but the registry holds no record of {issuer[1]} holding it, so it "
                f"cannot be confirmed.",
            )
            ev = {"record": "accreditation_ref", "body": ref.body, "number": ref.number}
            return Link(LinkName.ACCREDITATION, LinkStatus.FAILED, reason, (ev,)), None
    if not cands:
        reason = Bilingual(
            f"本登记簿没有{issuer[0]}的任何认可记录，无法确认其认可。",
            f"The registry holds no accreditation of {issuer[1]}; the accreditation cannot be "
            f"confirmed.",
        )
        return Link(LinkName.ACCREDITATION, LinkStatus.FAILED, reason), None
    checked = sorted(((a, _acc_problems(a, cert, on)) for a in cands), key=lambda x: len(x[1]))
    allowed = KIND_CAB_STANDARDS.get(cert.kind, frozenset())
    best, problems = next(
        (x for x in checked if not x[1]),
        next((x for x in checked if x[0].cab_standard in allowed), checked[0]),
    )
    # the regulator's approval of the CAB (e.g. a CNCA sanction) limits it like its accreditation
    problems = [*problems, *_approval_problems(facts, cert, on)]
    approvals = facts.cab.approval_events if facts.cab else ()
    evidence = (
        _acc_record(best, cert, on),
        *(_event("accreditation", e) for e in in_effect(best.events, on)),
        *(_event("body_approval", e) for e in in_effect(approvals, on)),
        *(_acc_record(a, cert, on) for a, _ in checked if a is not best),
    )
    items = _join(_needed(best, cert))
    if not problems:
        when = (
            f"在证书颁发日 {cert.issued_on} 和 {on} 均有效",
            f"in force both on the issue date {cert.issued_on} and on {on}",
        )
        if cert.issued_on == on:
            when = (f"在证书颁发日 {on} 有效", f"in force on the issue date {on}")
        reason = Bilingual(
            f"{issuer[0]}持有 {best.body} 颁发的认可 {best.number}（{best.cab_standard}），"
            f"{when[0]}，认可范围覆盖 {items}。",
            f"{issuer[1]} held accreditation {best.number} from {best.body} "
            f"({best.cab_standard}), {when[1]}, with a scope covering {items}.",
        )
        return Link(LinkName.ACCREDITATION, LinkStatus.OK, reason, evidence), best
    why = _clauses(problems)
    more = ("", "")
    if len(cands) > 1:
        more = (
            f"（共核查 {len(cands)} 项认可，均不满足）",
            f" ({len(cands)} accreditations checked, none fits)",
        )
    reason = Bilingual(
        f"{issuer[0]}的认可 {best.number}（{best.body}）不能支持该证书：{why[0]}{more[0]}。",
        f"Accreditation {best.number} ({best.body}) of {issuer[1]} does not support this "
        f"certificate: {why[1]}{more[1]}.",
    )
    usable = best if best.cab_standard in allowed else None
    return Link(LinkName.ACCREDITATION, LinkStatus.FAILED, reason, evidence), usable


# --- link 3: arrangement -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Arrangements:
    """What the arrangement link found, for the market link and the path."""

    link: Link
    reached: tuple[Reached, ...]  # arrangements reached on the date (regional ones too)
    candidates: tuple[str, ...]  # arrangements to judge the market against
    ab_status: LinkStatus
    scopes: tuple[str, ...]  # arrangement scope codes the accreditation needs
    notes: tuple[tuple[str, str], ...]  # why a bilateral designation did not apply


def _designations(facts: VerificationFacts) -> tuple[list[SignatoryFacts], list[str]]:
    """The CAB's own designations (bilateral agreements) and the certificate items they scope."""
    cert = facts.certificate
    mine = [
        s for s in facts.signatories if s.participant_kind == CAB and s.participant == cert.issuer
    ]
    schemes = {scheme_of(s.scope) for s in mine}
    return mine, [i for i in cert.scope if scheme_of(i) in schemes]


def _describe(r: Reached, who: str, items: str, on: dt.date, g: Graph) -> tuple[str, str]:
    """One reached arrangement, as a clause in each language."""
    a, origin = r.arrangement, r.route[0]
    if r.via == "direct":
        return (
            f"{who} 在 {on} 是 {a} 在 {items} 范围的签约方",
            f"{who} was a signatory of {a} for {items} on {on}",
        )
    if r.via == "bilateral":
        return (
            f"{who} 是 {a} 下指定的合格评定机构，{on} 时指定范围覆盖 {items}",
            f"{who} was a body designated under {a}, its designation covering {items} on {on}",
        )
    prev = r.route[-2]
    if r.via == "regional":
        return (
            f"{who} 是区域协议 {origin} 的签约方，{a} 在 {on} 承认 {prev} 的 {items} 范围",
            f"{who} was a signatory of the regional arrangement {origin}, and {a} recognised "
            f"{prev} for {items} on {on}",
        )
    when = g.by_key[prev].succeeded_on if prev in g.by_key else None
    return (
        f"{a} 自 {when} 起承继 {prev}，{who} 的签约资格随之延续",
        f"{a} succeeded {prev} on {when}, and {who}'s signatory status carried over",
    )


def _explain(f: Finding, who: str, items: str, on: dt.date) -> tuple[str, str]:
    """A :class:`Finding` for one or more scope items, as a clause in each language."""
    a, since = f.arrangement, f.since
    if f.code == "no_record":
        return f"{who} 没有 {items} 范围的签约记录", f"{who} holds no signatory record for {items}"
    if f.code == "regional_only":
        return (
            f"{who} 是区域协议 {a} 在 {items} 范围的签约方，"
            f"但 {on} 时没有全球协议承认 {a} 的该范围",
            f"{who} was a signatory of the regional arrangement {a} for {items}, but no global "
            f"arrangement recognised {a} for that scope on {on}",
        )
    if f.code == "not_yet":
        return (
            f"{who} 在 {a} 的 {items} 范围签约资格自 {since} 起生效，{on} 时尚未生效",
            f"{who}'s signatory status in {a} for {items} took effect only on {since}, after {on}",
        )
    if f.code in _STATUS_CODES:
        zh, en = _STATUS[Status(f.code)]
        return (
            f"{who} 在 {a} 的 {items} 范围签约资格自 {since} 起{zh}",
            f"{who}'s signatory status in {a} for {items} was {en} from {since}",
        )
    return (
        f"{who} 在 {on} 不是任何协议在 {items} 范围的签约方",
        f"{who} was not a signatory of any arrangement for {items} on {on}",
    )


_STATUS_CODES = frozenset({Status.SUSPENDED.value, Status.WITHDRAWN.value, Status.EXPIRED.value})


def _findings(
    g: Graph, sigs: Sequence[SignatoryFacts], who: str, items: Sequence[str], on: dt.date
) -> list[tuple[str, str]]:
    """Why ``who`` is not recognised, item by item; items with the same finding share a clause."""
    grouped: dict[Finding, list[str]] = {}
    for item in items:
        if not any(g.kind(r.arrangement) != "regional" for r in reach(g, sigs, who, [item], on)):
            grouped.setdefault(why_not(g, sigs, who, item, on), []).append(item)
    designated = bool(sigs) and sigs[0].participant_kind == CAB
    return [
        (f"{who} 的指定范围不覆盖 {_join(its)}", f"{who}'s designation does not cover {_join(its)}")
        if designated and f.code == "no_record"
        else _explain(f, who, _join(its), on)
        for f, its in grouped.items()
    ]


def _sig_evidence(sigs: Sequence[SignatoryFacts], who: str, on: dt.date) -> list[Evidence]:
    return [
        {
            "record": "signatory",
            "arrangement": s.arrangement,
            "participant": s.participant,
            "scope": s.scope,
            "status_on": status_on(s.events, on).value,
            "events": [_event("signatory", e) for e in in_effect(s.events, on)],
            "source": s.source or None,
        }
        for s in sigs
        if s.participant == who
    ]


def _arrangement_link(
    facts: VerificationFacts, on: dt.date, acc: AccreditationFacts | None
) -> _Arrangements:
    cert, g = facts.certificate, Graph(facts.arrangements, facts.recognitions)
    scopes: tuple[str, ...] = ()
    if acc:
        scopes = required_scopes(facts.scope_map, acc.cab_standard, cert.standard, cert.kind)
    designations, items = _designations(facts)
    ab_reached = reach(g, facts.signatories, acc.body, scopes, on) if acc and scopes else []
    cab_reached = reach(g, designations, cert.issuer, items, on) if items else []
    good = [r for r in ab_reached if g.kind(r.arrangement) != "regional"] + cab_reached
    reached = ab_reached + cab_reached
    evidence: list[Evidence] = _sig_evidence(facts.signatories, acc.body, on) if acc else []
    evidence += _sig_evidence(designations, cert.issuer, on)
    evidence += [
        {"record": "reached", "arrangement": r.arrangement, "route": list(r.route), "via": r.via}
        for r in reached
    ]
    ab_status = LinkStatus.NOT_APPLICABLE
    if acc and scopes:
        ab_status = LinkStatus.OK if any(r in good for r in ab_reached) else LinkStatus.FAILED
    notes = _findings(g, designations, cert.issuer, items, on) if items and not cab_reached else []
    if designations and not items:
        notes = [_not_designated(cert, designations)]
    # the market is judged against the arrangements reached, else against any the parties hold
    cands = [r.arrangement for r in reached]
    if not good:
        held = {s.arrangement for s in facts.signatories if acc and s.participant == acc.body}
        held |= {s.arrangement for s in designations}
        held |= {r.recognizing for r in facts.recognitions if r.recognized in held}
        cands += [m for k in sorted(held) for m in g.in_force(k, on)]
    found = partial(
        _Arrangements,
        reached=tuple(reached),
        candidates=tuple(dict.fromkeys(cands)),
        ab_status=ab_status,
        scopes=scopes,
        notes=tuple(notes),
    )
    if good:
        parts = [
            _describe(r, cert.issuer, _join(items), on, g)
            if r.via == "bilateral"
            else _describe(r, acc.body if acc else "", _join(scopes), on, g)
            for r in good
            if r.via != "predecessor"
        ]
        return found(Link(LinkName.ARRANGEMENT, LinkStatus.OK, _sentence(parts), tuple(evidence)))
    if acc is None and not designations:
        reason = Bilingual(
            "没有可用的认可，无法确定认可机构，因而无法核查其签约资格。",
            "With no usable accreditation there is no accreditation body whose signatory "
            "status could be checked.",
        )
        return found(Link(LinkName.ARRANGEMENT, LinkStatus.NOT_APPLICABLE, reason, tuple(evidence)))
    parts = []
    if acc and not scopes:
        parts.append(
            (
                f"依据 {acc.cab_standard} 对 {cert.standard} 的认证不属于任何承认协议的范围",
                f"no arrangement scope covers certification to {cert.standard} under "
                f"{acc.cab_standard}",
            )
        )
    elif acc:
        parts += _findings(g, facts.signatories, acc.body, scopes, on)
    parts += notes
    return found(Link(LinkName.ARRANGEMENT, LinkStatus.FAILED, _sentence(parts), tuple(evidence)))


def _not_designated(
    cert: CertificateFacts, designations: Sequence[SignatoryFacts]
) -> tuple[str, str]:
    scope = _join(sorted({s.scope for s in designations}))
    return (
        f"{cert.issuer} 的指定范围为 {scope}，证书未载明可与之比对的产品范围",
        f"{cert.issuer} is designated for {scope}, but the certificate states no product scope "
        f"to compare with it",
    )


# --- link 4: market ----------------------------------------------------------------------------


def _market_link(
    facts: VerificationFacts, on: dt.date, market: str | None, arr: _Arrangements
) -> tuple[Link, str | None]:
    """The market link, and the arrangement through which the market accepts (if it does)."""
    cert = facts.certificate
    if market is None:
        reason = Bilingual(
            "未指定市场：本结论只核查证书是否有效及其认可链，不判断在某一市场是否获承认。",
            "No market was given: the verdict covers validity and the accreditation chain, "
            "not recognition in a particular market.",
        )
        return Link(LinkName.MARKET, LinkStatus.NOT_APPLICABLE, reason), None
    if not arr.candidates:
        reason = Bilingual(
            f"没有可供核查的承认协议，无法判断市场 {market} 是否接受。",
            f"There is no arrangement to check, so acceptance in market {market} cannot be "
            f"assessed.",
        )
        return Link(LinkName.MARKET, LinkStatus.NOT_APPLICABLE, reason), None
    k = _kind(cert.kind)
    items = [*cert.scope, *arr.scopes]
    rows = [a for a in facts.acceptances if a.market == market and a.arrangement in arr.candidates]
    evidence: list[Evidence] = [_acceptance_evidence(a) for a in rows]
    for a in rows:
        if not acceptance_matches(a, cert.kind, items, on):
            scope = (f"（范围 {a.scope}）", f" (scope {a.scope})") if a.scope else ("", "")
            reason = Bilingual(
                f"市场 {market} 在 {on} 接受经 {a.arrangement} 承认的{k[0]}{scope[0]}。",
                f"Market {market} accepted {k[1]}s recognised through {a.arrangement} on "
                f"{on}{scope[1]}.",
            )
            return Link(LinkName.MARKET, LinkStatus.OK, reason, tuple(evidence)), a.arrangement
    party = _other_party(facts, market, arr)
    if party is not None:
        evidence.append(
            {
                "record": "arrangement",
                "key": party.key,
                "kind": party.kind,
                "parties": list(party.parties),
                "source": party.source or None,
            }
        )
        reason = Bilingual(
            f"{party.key} 是 {'、'.join(party.parties)} 之间的协议，市场 {market} 作为另一方"
            f"接受依该协议指定的机构出具的{k[0]}。",
            f"{party.key} is an agreement between {' and '.join(party.parties)}; as the other "
            f"party, market {market} accepts {k[1]}s from bodies designated under it.",
        )
        return Link(LinkName.MARKET, LinkStatus.OK, reason, tuple(evidence)), party.key
    why = (
        [_refusal(rows[0], market, cert, items, on)]
        if rows
        else [
            (
                f"市场 {market} 不接受经 {_join(arr.candidates)} 承认的{k[0]}",
                f"market {market} does not accept {k[1]}s recognised through "
                f"{_join(arr.candidates)}",
            )
        ]
    )
    link = Link(
        LinkName.MARKET, LinkStatus.FAILED, _sentence(why + list(arr.notes)), tuple(evidence)
    )
    return link, None


def _other_party(
    facts: VerificationFacts, market: str, arr: _Arrangements
) -> ArrangementFacts | None:
    """A bilateral or government agreement reached whose other party is ``market``.

    Applies only to agreements with no market-acceptance rows of their own (rows, when present,
    say exactly what each party accepts).
    """
    ruled = {a.arrangement for a in facts.acceptances}
    home = facts.cab.economy if facts.cab else None
    for r in arr.reached:
        a = next((x for x in facts.arrangements if x.key == r.arrangement), None)
        if (
            a is not None
            and a.kind in ("bilateral", "government")
            and a.key not in ruled
            and market in a.parties
            and market != home
        ):
            return a
    return None


def _refusal(
    a: MarketAcceptanceFacts, market: str, cert: CertificateFacts, items: list[str], on: dt.date
) -> tuple[str, str]:
    """Why an acceptance row of ``market`` does not apply, as a clause in each language."""
    why = acceptance_matches(a, cert.kind, items, on)
    k = _kind(cert.kind)
    if "kind" in why:
        ak = _kind(a.attestation_kind)
        return (
            f"市场 {market} 对 {a.arrangement} 的接受仅限于{ak[0]}，不包括{k[0]}",
            f"market {market} accepts {a.arrangement} only for {ak[1]}s, not for {k[1]}s",
        )
    if "scope" in why:
        stated = _join(cert.scope)
        return (
            f"市场 {market} 对 {a.arrangement} 的接受限于范围 {a.scope}，"
            f"不覆盖{f' {stated}' if stated else '证书（证书未载明范围）'}",
            f"market {market} accepts {a.arrangement} only for scope {a.scope}, which does not "
            f"cover {stated or 'the certificate (no scope stated)'}",
        )
    start = (f"自 {a.valid_from} 起", f"from {a.valid_from}") if a.valid_from else ("", "")
    end = (f"至 {a.valid_until} 止", f"until {a.valid_until}") if a.valid_until else ("", "")
    return (
        f"市场 {market} 对 {a.arrangement} 的接受{start[0]}{end[0]}，不含 {on}",
        f"market {market} accepts {a.arrangement} {' '.join(x for x in (start[1], end[1]) if x)},"
        f" which does not include {on}",
    )


def _acceptance_evidence(a: MarketAcceptanceFacts) -> Evidence:
    return {
        "record": "market_acceptance",
        "market": a.market,
        "arrangement": a.arrangement,
        "attestation_kind": a.attestation_kind or None,
        "scope": a.scope or None,
        "valid_from": _iso(a.valid_from),
        "valid_until": _iso(a.valid_until),
        "source": a.source or None,
    }


# --- the verdict -------------------------------------------------------------------------------


def verify(
    facts: VerificationFacts,
    on: dt.date,
    market: str | None = None,
    *,
    query: Query | None = None,
) -> Verdict:
    """Judge one certificate on ``on`` (and in ``market``, if given), link by link.

    Every link is evaluated where it can be, even after an earlier one failed; ``failed_link``
    names the first failing one. ``valid`` is the certificate link; ``recognized`` needs all
    four links ``ok`` and is ``None`` without a market.
    """
    cert = facts.certificate
    q = query or Query(cert.number, on, cert.issuer, market)
    cert_link, st = _certificate_link(cert, on)
    acc_link, acc = _accreditation_link(facts, on)
    arr = _arrangement_link(facts, on, acc)
    market_link, accepted = _market_link(facts, on, market, arr)
    links = (cert_link, acc_link, arr.link, market_link)
    return Verdict(
        query=q,
        outcome=Outcome.FOUND,
        certificate=cert,
        certificate_status=st,
        valid=cert_link.status is LinkStatus.OK,
        recognized=None if market is None else all(x.status is LinkStatus.OK for x in links),
        failed_link=next((x.link for x in links if x.status is LinkStatus.FAILED), None),
        links=links,
        path=_path(facts, on, market, links, acc, arr, accepted),
        coverage=facts.coverage,
    )


def _path(
    facts: VerificationFacts,
    on: dt.date,
    market: str | None,
    links: tuple[Link, ...],
    acc: AccreditationFacts | None,
    arr: _Arrangements,
    accepted: str | None,
) -> tuple[PathNode, ...]:
    cert, cab = facts.certificate, facts.cab
    cab_status = LinkStatus.NOT_APPLICABLE if cab is None else LinkStatus.OK
    if cab and cab.approval_events and status_on(cab.approval_events, on) is not Status.ACTIVE:
        cab_status = LinkStatus.FAILED
    nodes = [
        PathNode("certificate", cert.number, cert.holder, links[0].status),
        PathNode("cab", cert.issuer, cab.name if cab else cert.issuer_name, cab_status),
        PathNode(
            "accreditation",
            f"{acc.body} {acc.number}" if acc else None,
            Bilingual(acc.cab_standard, acc.cab_standard) if acc else Bilingual(),
            links[1].status,
        ),
        PathNode(
            "accreditation_body",
            acc.body if acc else None,
            acc.body_name if acc else Bilingual(),
            arr.ab_status,
        ),
    ]
    g = Graph(facts.arrangements, facts.recognitions)
    routes = [r for r in arr.reached if r.arrangement == accepted]
    route = next(iter(routes), next((r for r in arr.reached if r.via != "predecessor"), None))
    if route is not None and links[2].status is LinkStatus.OK:
        for i, key in enumerate(route.route):
            a = g.by_key.get(key)
            via = route.via if i == len(route.route) - 1 else ""
            nodes.append(
                PathNode("arrangement", key, a.name if a else Bilingual(), LinkStatus.OK, via)
            )
    else:
        nodes.append(PathNode("arrangement", None, Bilingual(), links[2].status))
    nodes.append(PathNode("market", market, Bilingual(), links[3].status))
    return tuple(nodes)


def _summary(cert: CertificateFacts, status: Status | None) -> dict[str, Any]:
    ref = cert.accreditation
    return {
        "number": cert.number,
        "issuer": cert.issuer,
        "issuer_name": cert.issuer_name.as_dict(),
        "kind": cert.kind,
        "standard": cert.standard,
        "scope": list(cert.scope),
        "holder": cert.holder.as_dict(),
        "issued_on": cert.issued_on.isoformat(),
        "expires_on": _iso(cert.expires_on),
        "status": status.value if status else None,
        "accreditation": {"body": ref.body, "number": ref.number} if ref else None,
        "source": cert.source or None,
    }


def _coverage_dict(c: IssuerCoverage) -> dict[str, Any]:
    return {
        "issuer": c.issuer,
        "issuer_name": c.issuer_name.as_dict(),
        "submits": c.submits,
        "certificate_count": c.certificate_count,
        "last_submitted_on": _iso(c.last_submitted_on),
        "source": c.source or None,
    }


def _coverage_text(issuer: str | None, c: IssuerCoverage | None) -> tuple[str, str]:
    if c is None and issuer:
        return (
            f"发证机构 {issuer} 不在本登记簿中，因此无从判断",
            f"the issuer {issuer} is not known to the registry, so nothing can be concluded",
        )
    if c is None:
        return ("查询未指定发证机构", "no issuer was given")
    last, n = c.last_submitted_on or "—", c.certificate_count
    if c.submits:
        return (
            f"{c.issuer} 向本登记簿报送证书（现有 {n} 张，最近一次报送于 {last}），"
            f"没有记录值得向发证机构核实",
            f"{c.issuer} submits its certificates to the registry ({n} on record, last "
            f"submission on {last}); the missing record is worth checking with the issuer",
        )
    return (
        f"{c.issuer} 不向本登记簿报送证书（现有 {n} 张），没有记录并不说明问题，请向发证机构核实",
        f"{c.issuer} does not submit its certificates to the registry ({n} on record), so the "
        f"absence says nothing; check with the issuer",
    )


def _unevaluated(first: Link) -> tuple[Link, ...]:
    rest = Bilingual(
        "未找到唯一的证书，本环节未核查。", "No single certificate was found; not evaluated."
    )
    return (first, *(Link(n, LinkStatus.NOT_APPLICABLE, rest) for n in list(LinkName)[1:]))


def not_found(
    query: Query,
    candidates: Sequence[CertificateFacts] = (),
    coverage: IssuerCoverage | None = None,
) -> Verdict:
    """The registry holds no certificate for ``query``: not a finding that it is invalid."""
    by = (
        (f"（发证机构 {query.issuer}）", f" issued by {query.issuer}") if query.issuer else ("", "")
    )
    cov = _coverage_text(query.issuer, coverage)
    near = ("", "")
    if candidates:
        near = (
            f"另有 {len(candidates)} 条相近记录，见候选列表。",
            f" {len(candidates)} similar records are listed as candidates.",
        )
    reason = Bilingual(
        f"本登记簿没有编号为 {query.number}{by[0]} 的证书记录。"
        f"这并不等于证书无效：{cov[0]}。{near[0]}",
        f"The registry holds no certificate numbered {query.number}{by[1]}. This is not a "
        f"finding that it is invalid: {cov[1]}.{near[1]}",
    )
    ev: Evidence = (
        {"record": "coverage", **_coverage_dict(coverage)}
        if coverage
        else {"record": "coverage", "issuer": query.issuer, "known": False}
    )
    first = Link(LinkName.CERTIFICATE, LinkStatus.NOT_APPLICABLE, reason, (ev,))
    return Verdict(
        query=query,
        outcome=Outcome.NOT_FOUND,
        links=_unevaluated(first),
        candidates=tuple(candidates),
        coverage=coverage,
    )


def ambiguous(
    query: Query,
    candidates: Sequence[CertificateFacts],
    coverage: IssuerCoverage | None = None,
) -> Verdict:
    """Several certificates match ``query``: list them and ask for the issuer."""
    issuers = _join(list(dict.fromkeys(c.issuer for c in candidates)))
    reason = Bilingual(
        f"本登记簿有 {len(candidates)} 份编号为 {query.number} 的证书，发证机构分别为 {issuers}。"
        f"请指定发证机构（--issuer）后再查。",
        f"The registry holds {len(candidates)} certificates numbered {query.number}, issued "
        f"by {issuers}. Name the issuer (--issuer) to choose one.",
    )
    ev = tuple({"record": "candidate", "number": c.number, "issuer": c.issuer} for c in candidates)
    first = Link(LinkName.CERTIFICATE, LinkStatus.NOT_APPLICABLE, reason, ev)
    return Verdict(
        query=query,
        outcome=Outcome.AMBIGUOUS,
        links=_unevaluated(first),
        candidates=tuple(candidates),
        coverage=coverage,
    )
