"""Verification: "is it valid, and is it recognized in market M on date D?" (pure, no I/O).

:func:`verify` walks the four links of the chain of trust (DOMAIN.md, "Mutual recognition") and
reports each as ``ok``, ``failed`` or ``not_applicable``, with a reason in Chinese and English
and the evidence used. :func:`not_found` and :func:`ambiguous` answer when the registry holds no
such certificate, or several: "we hold no record" is not "invalid". The facts are the
dataclasses of :mod:`accordia.domain.recognition`, re-exported here. See ``docs/verify.md``.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache, partial
from typing import Any

from accordia.domain import verification_text as text
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
    Memo,
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
from accordia.domain.recognition import (
    NO_TEXT as _NO_TEXT,
)
from accordia.domain.status import (
    Event,
    EventKind,
    EventLike,
    Status,
    in_effect,
    ordered,
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
    "Memo",
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


# --- helpers -----------------------------------------------------------------------------------

_MISS = object()
_norm = lru_cache(maxsize=4096)(normalize_number)


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


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


def _graph(facts: VerificationFacts) -> Graph:
    memo = facts.memo
    if memo is None:
        return Graph(facts.arrangements, facts.recognitions)
    keep = (facts.arrangements, facts.recognitions)
    key = ("graph", id(keep[0]), id(keep[1]))
    g = memo.get(key, keep)
    if g is None:
        g = memo.put(key, keep, Graph(*keep))
    return g


# --- link 1: certificate -----------------------------------------------------------------------


def _cert_events(cert: CertificateFacts) -> tuple[Event, ...]:
    """The certificate's events; issuing it is a grant on ``issued_on`` unless one is recorded."""
    if any(e.kind in (EventKind.GRANTED, EventKind.RENEWED) for e in cert.events):
        return cert.events
    return (Event(EventKind.GRANTED, cert.issued_on, source=cert.source), *cert.events)


def _certificate_link(
    cert: CertificateFacts, on: dt.date, with_evidence: bool = True
) -> tuple[Link, Status]:
    events = _cert_events(cert)
    st = status_on(events, on, valid_until=cert.expires_on)
    evidence: list[Evidence] = []
    if with_evidence:
        evidence = _cert_evidence(cert, st, on)
    n, issued, exp = cert.number, cert.issued_on, cert.expires_on
    if on < issued:
        why = text.certificate_not_issued(n, issued, on)
    elif st is Status.ACTIVE:
        reason = text.certificate_ok(n, on, issued, exp)
        return Link(LinkName.CERTIFICATE, LinkStatus.OK, reason, tuple(evidence)), st
    elif st is Status.SUSPENDED:
        why = text.certificate_suspended(n, _since(events, on, [EventKind.SUSPENDED]), on)
    elif st is Status.WITHDRAWN:
        why = text.certificate_withdrawn(n, _since(events, on, [EventKind.WITHDRAWN]), on)
    elif st is Status.EXPIRED and exp is not None and on > exp:
        why = text.certificate_past_expiry(n, exp, on)
    elif st is Status.EXPIRED:
        why = text.certificate_recorded_expired(n, _since(events, on, [EventKind.EXPIRED]))
    else:
        why = text.certificate_not_yet(n, on)
    reason = text.sentence([why])
    return Link(LinkName.CERTIFICATE, LinkStatus.FAILED, reason, tuple(evidence)), st


def _cert_evidence(cert: CertificateFacts, st: Status, on: dt.date) -> list[Evidence]:
    return [
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


# --- link 2: accreditation ---------------------------------------------------------------------


def _dimensions(acc: AccreditationFacts) -> set[str]:
    """Scope schemes checked for this accreditation: required ones plus any it enumerates."""
    listed = {scheme_of(i) for i in acc.scope}
    for e in acc.events:
        if e.kind == EventKind.SCOPE_EXTENDED:
            listed |= {scheme_of(i) for i in e.scope}
    return listed | REQUIRED_SCHEMES.get(acc.cab_standard, frozenset())


class _AccView:
    """An accreditation folded once: the scope schemes it is checked in, and its scope after
    each scope event in effect order, so "scope on D" is a bisection. Shared through the
    :class:`Memo` by every verdict of the chain; built afresh without one."""

    __slots__ = ("dates", "dims", "scopes", "sorted_scopes")

    def __init__(self, acc: AccreditationFacts) -> None:
        self.dims = frozenset(_dimensions(acc))
        current = set(acc.scope)
        self.dates: list[dt.date] = []
        self.scopes: list[frozenset[str]] = [frozenset(current)]
        for e in ordered(acc.events):
            items = set(getattr(e, "scope", ()) or ())
            if e.kind == EventKind.SCOPE_REDUCED:
                current -= items
            elif e.kind == EventKind.SCOPE_EXTENDED:
                current |= items
            else:
                continue
            self.dates.append(e.effective_on)
            self.scopes.append(frozenset(current))
        self.sorted_scopes = [tuple(sorted(x)) for x in self.scopes]

    def scope_on(self, d: dt.date) -> frozenset[str]:
        """As :func:`accordia.domain.status.scope_on` of the accreditation on ``d``."""
        return self.scopes[bisect_right(self.dates, d)]

    def sorted_scope_on(self, d: dt.date) -> list[str]:
        return list(self.sorted_scopes[bisect_right(self.dates, d)])


def _view(facts: VerificationFacts, acc: AccreditationFacts) -> _AccView:
    memo = facts.memo
    if memo is None:
        return _AccView(acc)
    key = ("accreditation", id(acc))
    hit = memo.get(key, (acc,))
    if hit is None:
        hit = memo.put(key, (acc,), _AccView(acc))
    return hit


def _needed(view: _AccView, cert: CertificateFacts) -> list[str]:
    dims = view.dims
    std = [f"STD:{cert.standard}"] if cert.standard else []
    return std + [i for i in cert.scope if (sc := scheme_of(i)) in dims and sc != "STD"]


def _dates(cert: CertificateFacts, on: dt.date) -> list[tuple[dt.date, text.Clause]]:
    """The issue date and the date asked (once, when they are the same day)."""
    if cert.issued_on == on:
        return [(on, text.ISSUE_DATE)]
    return [(cert.issued_on, text.ISSUE_DATE), (on, text.DATE_ASKED)]


def _acc_problems(
    acc: AccreditationFacts, view: _AccView, cert: CertificateFacts, on: dt.date
) -> list[tuple[str, str]]:
    """What keeps ``acc`` from supporting ``cert`` on its issue date and on ``on``."""
    allowed = KIND_CAB_STANDARDS.get(cert.kind, frozenset())
    if allowed and acc.cab_standard not in allowed:
        return [text.wrong_cab_standard(acc.cab_standard, cert.kind, allowed)]
    out: list[tuple[str, str]] = []
    needed = _needed(view, cert)
    for d, which in _dates(cert, on):
        st = status_on(acc.events, d, valid_until=acc.valid_until)
        if st is not Status.ACTIVE:
            out.append(_acc_status_problem(acc, st, d, which))
            continue
        missing = uncovered(view.scope_on(d), needed)
        if missing:
            out.append(text.scope_not_covered(d, which, missing))
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
    for d, which in _dates(cert, on):
        st = status_on(events, d)
        if st is Status.ACTIVE:
            continue
        out.append(text.approval_not_active(d, which, st, _since(events, d, [st.value])))
    return out


def _acc_status_problem(
    acc: AccreditationFacts, st: Status, d: dt.date, which: text.Clause
) -> tuple[str, str]:
    granted = since = None
    if st is Status.NOT_YET:
        granted = next((e.effective_on for e in acc.events if e.kind == EventKind.GRANTED), None)
    elif not (st is Status.EXPIRED and acc.valid_until and d > acc.valid_until):
        since = _since(acc.events, d, [st.value])
    return text.accreditation_not_active(acc, st, d, which, granted, since)


def _acc_record(
    acc: AccreditationFacts, view: _AccView, cert: CertificateFacts, on: dt.date
) -> Evidence:
    va = acc.valid_until
    return {
        "record": "accreditation",
        "body": acc.body,
        "number": acc.number,
        "cab_standard": acc.cab_standard,
        "valid_until": _iso(va),
        "status_on_issue": status_on(acc.events, cert.issued_on, valid_until=va).value,
        "status_on": status_on(acc.events, on, valid_until=va).value,
        "scope_on_issue": view.sorted_scope_on(cert.issued_on),
        "scope_on": view.sorted_scope_on(on),
        "source": acc.source or None,
    }


def _cab_label(facts: VerificationFacts) -> tuple[str, str]:
    """The issuer as named in each language, with its registration number."""
    cert = facts.certificate
    return text.cab_label(facts.cab.name if facts.cab else cert.issuer_name, cert.issuer)


def _accreditation_link(
    facts: VerificationFacts, on: dt.date, evidence: bool = True
) -> tuple[Link, AccreditationFacts | None]:
    cert, issuer = facts.certificate, _cab_label(facts)
    cands = list(facts.accreditations)
    ref = cert.accreditation
    if ref is not None:
        want = _norm(ref.number)
        cands = [a for a in cands if a.body == ref.body and _norm(a.number) == want]
        if not cands:
            reason = text.accreditation_ref_unknown(ref, issuer)
            ev = {"record": "accreditation_ref", "body": ref.body, "number": ref.number}
            return Link(LinkName.ACCREDITATION, LinkStatus.FAILED, reason, (ev,)), None
    if not cands:
        reason = text.no_accreditation(issuer)
        return Link(LinkName.ACCREDITATION, LinkStatus.FAILED, reason), None
    views = {id(a): _view(facts, a) for a in cands}
    checked = [(a, _acc_problems(a, views[id(a)], cert, on)) for a in cands]
    if len(checked) > 1:
        checked.sort(key=lambda x: len(x[1]))
    allowed = KIND_CAB_STANDARDS.get(cert.kind, frozenset())
    best, problems = next(
        (x for x in checked if not x[1]),
        next((x for x in checked if x[0].cab_standard in allowed), checked[0]),
    )
    # the regulator's approval of the CAB (e.g. a CNCA sanction) limits it like its accreditation
    problems = [*problems, *_approval_problems(facts, cert, on)]
    approvals = facts.cab.approval_events if facts.cab else ()
    records: tuple[Evidence, ...] = ()
    if evidence:
        records = (
            _acc_record(best, views[id(best)], cert, on),
            *(_event("accreditation", e) for e in in_effect(best.events, on)),
            *(_event("body_approval", e) for e in in_effect(approvals, on)),
            *(_acc_record(a, views[id(a)], cert, on) for a, _ in checked if a is not best),
        )
    if not problems:
        items = text.join(_needed(views[id(best)], cert))
        reason = text.accreditation_ok(issuer, best, cert.issued_on, on, items)
        return Link(LinkName.ACCREDITATION, LinkStatus.OK, reason, records), best
    reason = text.accreditation_failed(issuer, best, problems, len(cands))
    usable = best if best.cab_standard in allowed else None
    return Link(LinkName.ACCREDITATION, LinkStatus.FAILED, reason, records), usable


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
        text.designation_not_covering(who, text.join(its))
        if designated and f.code == "no_record"
        else text.explain(f, who, text.join(its), on)
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
    """The arrangement link. It depends on the certificate only through its issuer, kind,
    standard and the items its issuer's designations scope, so with a :class:`Memo` it is
    computed once per such combination and date."""
    cert = facts.certificate
    designations, items = _designations(facts)
    memo = facts.memo
    if memo is None:
        return _arrangement_link_of(facts, on, acc, designations, items)
    keep = (facts.signatories, facts.arrangements, facts.recognitions, facts.scope_map, acc)
    key = (
        "arrangement",
        *(id(x) for x in keep),
        cert.issuer,
        cert.kind,
        cert.standard,
        tuple(items),
        on,
    )
    hit = memo.get(key, keep)
    if hit is None:
        hit = memo.put(key, keep, _arrangement_link_of(facts, on, acc, designations, items))
    return hit


def _arrangement_link_of(
    facts: VerificationFacts,
    on: dt.date,
    acc: AccreditationFacts | None,
    designations: list[SignatoryFacts],
    items: list[str],
) -> _Arrangements:
    cert, g = facts.certificate, _graph(facts)
    scopes: tuple[str, ...] = ()
    if acc:
        scopes = required_scopes(facts.scope_map, acc.cab_standard, cert.standard, cert.kind)
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
        scope = text.join(sorted({s.scope for s in designations}))
        notes = [text.not_designated_for_stated_scope(cert.issuer, scope)]
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
            text.describe(r, cert.issuer, text.join(items), on, g)
            if r.via == "bilateral"
            else text.describe(r, acc.body if acc else "", text.join(scopes), on, g)
            for r in good
            if r.via != "predecessor"
        ]
        reason = text.sentence(parts)
        return found(Link(LinkName.ARRANGEMENT, LinkStatus.OK, reason, tuple(evidence)))
    if acc is None and not designations:
        reason = text.NO_ACCREDITATION_BODY
        return found(Link(LinkName.ARRANGEMENT, LinkStatus.NOT_APPLICABLE, reason, tuple(evidence)))
    parts = []
    if acc and not scopes:
        parts.append(text.outside_arrangements(acc.cab_standard, cert.standard))
    elif acc:
        parts += _findings(g, facts.signatories, acc.body, scopes, on)
    parts += notes
    reason = text.sentence(parts)
    return found(Link(LinkName.ARRANGEMENT, LinkStatus.FAILED, reason, tuple(evidence)))


# --- link 4: market ----------------------------------------------------------------------------


def _market_link(
    facts: VerificationFacts, on: dt.date, market: str | None, arr: _Arrangements
) -> tuple[Link, str | None]:
    """The market link, and the arrangement through which the market accepts (if it does).
    It depends on the certificate only through its kind and scope (memoised with a Memo)."""
    memo = facts.memo
    if memo is None or market is None:
        return _market_link_of(facts, on, market, arr)
    cert = facts.certificate
    keep = (arr, facts.acceptances, facts.arrangements)
    home = facts.cab.economy if facts.cab else None
    key = ("market", *(id(x) for x in keep), market, cert.kind, cert.scope, home, on)
    hit = memo.get(key, keep)
    if hit is None:
        hit = memo.put(key, keep, _market_link_of(facts, on, market, arr))
    return hit


def _market_link_of(
    facts: VerificationFacts, on: dt.date, market: str | None, arr: _Arrangements
) -> tuple[Link, str | None]:
    cert = facts.certificate
    if market is None:
        return Link(LinkName.MARKET, LinkStatus.NOT_APPLICABLE, text.NO_MARKET), None
    if not arr.candidates:
        reason = text.no_arrangement_for_market(market)
        return Link(LinkName.MARKET, LinkStatus.NOT_APPLICABLE, reason), None
    items = [*cert.scope, *arr.scopes]
    rows = [a for a in facts.acceptances if a.market == market and a.arrangement in arr.candidates]
    evidence: list[Evidence] = [_acceptance_evidence(a) for a in rows]
    for a in rows:
        if not acceptance_matches(a, cert.kind, items, on):
            reason = text.market_accepts(market, a, cert.kind, on)
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
        reason = text.other_party_accepts(party, market, cert.kind)
        return Link(LinkName.MARKET, LinkStatus.OK, reason, tuple(evidence)), party.key
    why = (
        [
            text.refusal(
                rows[0],
                market,
                cert.kind,
                cert.scope,
                acceptance_matches(rows[0], cert.kind, items, on),
                on,
            )
        ]
        if rows
        else [text.market_rejects(market, arr.candidates, cert.kind)]
    )
    reason = text.sentence(why + list(arr.notes))
    return Link(LinkName.MARKET, LinkStatus.FAILED, reason, tuple(evidence)), None


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
    evidence: bool = True,
) -> Verdict:
    """Judge one certificate on ``on`` (and in ``market``, if given), link by link.

    Every link is evaluated where it can be, even after an earlier one failed; ``failed_link``
    names the first failing one. ``valid`` is the certificate link; ``recognized`` needs all
    four links ``ok`` and is ``None`` without a market.

    With ``facts.memo`` (the service passes one per loaded chain) the arrangement and market
    links, which depend on the upper chain and a few fields of the certificate only, are
    computed once per distinct question and shared: their evidence is read-only.

    ``evidence=False`` (a batch report, which shows outcomes and reasons only) leaves out the
    certificate's and the accreditation's evidence and the path; everything else is the same.
    """
    cert = facts.certificate
    q = query or Query(cert.number, on, cert.issuer, market)
    cert_link, st = _certificate_link(cert, on, evidence)
    acc_link, acc = _accreditation_link(facts, on, evidence)
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
        path=_path(facts, on, market, links, acc, arr, accepted) if evidence else (),
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
            Bilingual(acc.cab_standard, acc.cab_standard) if acc else _NO_TEXT,
            links[1].status,
        ),
        PathNode(
            "accreditation_body",
            acc.body if acc else None,
            acc.body_name if acc else _NO_TEXT,
            arr.ab_status,
        ),
    ]
    routes = [r for r in arr.reached if r.arrangement == accepted]
    route = next(iter(routes), next((r for r in arr.reached if r.via != "predecessor"), None))
    if route is not None and links[2].status is LinkStatus.OK:
        g = _graph(facts)
        for i, key in enumerate(route.route):
            a = g.by_key.get(key)
            via = route.via if i == len(route.route) - 1 else ""
            nodes.append(
                PathNode("arrangement", key, a.name if a else _NO_TEXT, LinkStatus.OK, via)
            )
    else:
        nodes.append(PathNode("arrangement", None, _NO_TEXT, links[2].status))
    nodes.append(PathNode("market", market, _NO_TEXT, links[3].status))
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


def _unevaluated(first: Link) -> tuple[Link, ...]:
    rest = text.NOT_EVALUATED
    return (first, *(Link(n, LinkStatus.NOT_APPLICABLE, rest) for n in list(LinkName)[1:]))


def not_found(
    query: Query,
    candidates: Sequence[CertificateFacts] = (),
    coverage: IssuerCoverage | None = None,
) -> Verdict:
    """The registry holds no certificate for ``query``: not a finding that it is invalid."""
    reason = text.not_found_reason(query.number, query.issuer, coverage, len(candidates))
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
    issuers = text.join(list(dict.fromkeys(c.issuer for c in candidates)))
    reason = text.ambiguous_reason(query.number, len(candidates), issuers)
    ev = tuple({"record": "candidate", "number": c.number, "issuer": c.issuer} for c in candidates)
    first = Link(LinkName.CERTIFICATE, LinkStatus.NOT_APPLICABLE, reason, ev)
    return Verdict(
        query=query,
        outcome=Outcome.AMBIGUOUS,
        links=_unevaluated(first),
        candidates=tuple(candidates),
        coverage=coverage,
    )
