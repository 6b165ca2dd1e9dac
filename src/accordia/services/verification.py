"""Verification against the database: load the facts a verdict needs, then ask the pure domain.

The upper links of the chain (arrangements, recognitions, signatories, market rules, the scope
map) are small and change rarely, while certificates are many. They are loaded once into a
:class:`Chain` and reused for as long as a cheap fingerprint of their tables is unchanged, so a
verification costs a handful of indexed look-ups for the certificate, its CAB and accreditations.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Engine, bindparam, func, select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.domain.bilingual import Bilingual
from accordia.domain.identifiers import normalize_number
from accordia.domain.recognition import ab_key
from accordia.domain.status import Event, Status, timeline
from accordia.domain.verification import (
    AB,
    CAB,
    AccreditationFacts,
    AccreditationRef,
    ArrangementFacts,
    CabFacts,
    CertificateFacts,
    IssuerCoverage,
    MarketAcceptanceFacts,
    Query,
    RecognitionFacts,
    ScopeMapping,
    SignatoryFacts,
    Verdict,
    VerificationFacts,
    ambiguous,
    not_found,
    verify,
)


def _events(rows: Iterable[Any]) -> tuple[Event, ...]:
    return tuple(
        Event(
            kind=r.kind,
            effective_on=r.effective_on,
            recorded_at=r.recorded_at,
            scope=tuple(r.scope or ()),
            source=r.source or "",
            note=r.note or "",
        )
        for r in rows
    )


def _grouped(
    session: Session, model: type[Any], parent_ids: Sequence[int] | None = None
) -> dict[int, list[Any]]:
    q = select(model)
    if parent_ids is not None:
        if not parent_ids:
            return {}
        q = q.filter(model.parent_id.in_(parent_ids))
    out: dict[int, list[Any]] = defaultdict(list)
    for ev in session.execute(q).scalars():
        out[ev.parent_id].append(ev)
    return out


@dataclass
class Chain:
    """The upper links of the chain, loaded once."""

    fingerprint: tuple[Any, ...]
    arrangements: tuple[ArrangementFacts, ...]
    recognitions: tuple[RecognitionFacts, ...]
    signatories: tuple[SignatoryFacts, ...]
    acceptances: tuple[MarketAcceptanceFacts, ...]
    scope_map: tuple[ScopeMapping, ...]
    ab_keys: dict[int, str] = field(default_factory=dict)
    ab_names: dict[int, Bilingual] = field(default_factory=dict)
    ab_economy: dict[str, str] = field(default_factory=dict)
    economies: dict[int, str] = field(default_factory=dict)
    # CAB id → its facts (accreditations, approvals, signatory records), filled on first use
    cabs: dict[int, CabPart] = field(default_factory=dict)

    def signatories_of(self, participants: set[str]) -> tuple[SignatoryFacts, ...]:
        return tuple(s for s in self.signatories if s.participant in participants)


@dataclass(frozen=True)
class CabPart:
    """What every verdict about one CAB's attestations shares: loaded once per chain."""

    cab: CabFacts
    accreditations: tuple[AccreditationFacts, ...]
    accreditation_ids: dict[int, AccreditationRef]
    signatories: tuple[SignatoryFacts, ...]


_FINGERPRINT_TABLES = (
    m.Arrangement,
    m.ArrangementRecognition,
    m.RecognitionEvent,
    m.Signatory,
    m.SignatoryScope,
    m.SignatoryEvent,
    m.MarketAcceptance,
    m.ScopeCode,
    m.AccreditationBody,
    m.Accreditation,
    m.AccreditationEvent,
    m.AccreditationScopeItem,
    m.BodyApprovalEvent,
    m.Cab,
    m.AuditEntry,  # every write through the services and the importer is audited
)


_FINGERPRINT = select(*[select(func.max(t.id)).scalar_subquery() for t in _FINGERPRINT_TABLES])


def fingerprint(session: Session) -> tuple[Any, ...]:
    """One query: the highest id of each table the cached facts come from. Rows of the chain
    are only ever added; an update in place (a CAB's name) always adds an audit entry."""
    return tuple(session.execute(_FINGERPRINT).one())


def load_chain(session: Session) -> Chain:
    """Read the upper links of the chain into memory."""
    fp = fingerprint(session)
    ecos = dict(session.execute(select(m.Economy.id, m.Economy.code)).all())
    arr_rows = session.execute(select(m.Arrangement)).scalars().all()
    arr_key = {a.id: a.key for a in arr_rows}
    parties: dict[int, list[str]] = defaultdict(list)
    for a_id, e_id in session.execute(
        select(m.ArrangementParty.arrangement_id, m.ArrangementParty.economy_id)
    ):
        parties[a_id].append(ecos[e_id])
    arrangements = tuple(
        ArrangementFacts(
            key=a.key,
            kind=a.kind,
            name=Bilingual(a.name_zh, a.name_en),
            successor=arr_key.get(a.successor_id) if a.successor_id else None,
            succeeded_on=a.succeeded_on,
            parties=tuple(sorted(parties[a.id])),
            source=a.source,
        )
        for a in arr_rows
    )
    rec_events = _grouped(session, m.RecognitionEvent)
    recognitions = tuple(
        RecognitionFacts(
            arr_key[r.recognizing_id],
            arr_key[r.recognized_id],
            r.scope,
            _events(rec_events[r.id]),
            r.source,
        )
        for r in session.execute(select(m.ArrangementRecognition)).scalars()
    )
    abs_ = session.execute(select(m.AccreditationBody)).scalars().all()
    ab_keys = {a.id: ab_key(a.acronym, ecos[a.economy_id]) for a in abs_}
    ab_names = {a.id: Bilingual(a.name_zh, a.name_en) for a in abs_}
    cab_regno = dict(
        session.execute(
            select(m.Cab.id, m.Cab.registration_number).join(
                m.Signatory, m.Signatory.cab_id == m.Cab.id
            )
        ).all()
    )
    sigs = {s.id: s for s in session.execute(select(m.Signatory)).scalars()}
    sig_events = _grouped(session, m.SignatoryEvent)
    signatories = []
    for sc in session.execute(select(m.SignatoryScope)).scalars():
        sig = sigs[sc.signatory_id]
        if sig.accreditation_body_id:
            participant, kind = ab_keys[sig.accreditation_body_id], AB
        else:
            assert sig.cab_id is not None
            participant, kind = cab_regno[sig.cab_id], CAB
        signatories.append(
            SignatoryFacts(
                arrangement=arr_key[sig.arrangement_id],
                participant=participant,
                scope=sc.scope,
                events=_events(sig_events[sc.id]),
                participant_kind=kind,
                source=sig.source,
            )
        )
    acceptances = [
        MarketAcceptanceFacts(
            market=ecos[a.economy_id],
            arrangement=arr_key[a.arrangement_id],
            attestation_kind=a.attestation_kind or "",
            scope=a.scope or "",
            valid_from=a.valid_from,
            valid_until=a.valid_until,
            note=Bilingual(a.note_zh, a.note_en),
            source=a.source,
        )
        for a in session.execute(select(m.MarketAcceptance)).scalars()
    ]
    acceptances += _own_body_acceptances(
        signatories, {v: ecos[a.economy_id] for a in abs_ for v in [ab_keys[a.id]]}
    )
    return Chain(
        fingerprint=fp,
        arrangements=arrangements,
        recognitions=recognitions,
        signatories=tuple(signatories),
        acceptances=tuple(acceptances),
        scope_map=_scope_map(session),
        ab_keys=ab_keys,
        ab_names=ab_names,
        ab_economy={k: k.rsplit("/", 1)[1] for k in ab_keys.values()},
        economies=ecos,
    )


def _own_body_acceptances(
    signatories: Sequence[SignatoryFacts], ab_economy: dict[str, str]
) -> list[MarketAcceptanceFacts]:
    """DOMAIN.md, "Mutual recognition", link 4: a market accepts an arrangement for a scope
    while its own accreditation body is a signatory of it for that scope. One acceptance per
    period in which the signatory status was active."""
    out = []
    for s in signatories:
        if s.participant_kind != AB:
            continue
        market = ab_economy.get(s.participant)
        if not market:
            continue
        for p in timeline(s.events):
            if p.status is not Status.ACTIVE:
                continue
            out.append(
                MarketAcceptanceFacts(
                    market=market,
                    arrangement=s.arrangement,
                    scope=s.scope,
                    valid_from=p.start,
                    valid_until=p.end,
                    note=Bilingual(
                        f"该市场本国认可机构 {s.participant} 是该协议此范围的签约方",
                        f"the market's own accreditation body {s.participant} is a signatory "
                        f"for this scope",
                    ),
                    source=s.source,
                )
            )
    return out


def _scope_map(session: Session) -> tuple[ScopeMapping, ...]:
    """Scope codes → which certificates they cover (from the reference ``scope_code`` rows)."""
    rows = (
        session.execute(
            select(m.ScopeCode).filter(
                m.ScopeCode.scheme.in_(["MLA", "ILAC"]), m.ScopeCode.cab_standard.is_not(None)
            )
        )
        .scalars()
        .all()
    )
    out: list[ScopeMapping] = []
    ilac_kinds = {
        "TESTING": "test_report",
        "CALIBRATION": "calibration_certificate",
        "MEDICAL": "medical_report",
        "INSPECTION": "inspection_report",
    }
    for r in rows:
        item = f"{r.scheme}:{r.code}"
        if r.scheme == "ILAC":
            if r.code in ilac_kinds:
                out.append(
                    ScopeMapping(r.cab_standard or "", item, attestation_kind=ilac_kinds[r.code])
                )
            continue
        for std in (r.normative_standard or "").split(";") if r.parent_code else [""]:
            out.append(ScopeMapping(r.cab_standard or "", item, standard=std.strip()))
    return tuple(out)


_lock = threading.Lock()
_chains: dict[str, Chain] = {}


def chain_for(session: Session) -> Chain:
    """The cached chain for this database, reloaded when its fingerprint changes."""
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    fp = fingerprint(session)
    cached = _chains.get(url)
    if cached is not None and cached.fingerprint == fp:
        return cached
    with _lock:
        chain = load_chain(session)
        _chains[url] = chain
        return chain


def certificate_facts(
    cert: m.Certificate,
    cab: m.Cab,
    events: Sequence[Any] = (),
    scope: Sequence[str] = (),
    holder: Bilingual | None = None,
    acc_ref: AccreditationRef | None = None,
) -> CertificateFacts:
    """The certificate's own facts (its history and scope as loaded by the caller)."""
    return CertificateFacts(
        number=cert.number,
        issuer=cab.registration_number,
        kind=cert.kind,
        standard=cert.standard,
        issued_on=cert.issued_on,
        expires_on=cert.expires_on,
        scope=tuple(scope),
        events=_events(events),
        holder=holder or Bilingual(),
        issuer_name=Bilingual(cab.name_zh, cab.name_en),
        accreditation=acc_ref,
        source=cert.source,
    )


_EVENTS = select(m.CertificateEvent).where(m.CertificateEvent.parent_id == bindparam("pid"))
_SCOPE = select(m.CertificateScopeItem.item).where(
    m.CertificateScopeItem.certificate_id == bindparam("pid")
)
_CANDIDATES = (
    select(m.Certificate, m.Cab)
    .join(m.Cab, m.Certificate.cab_id == m.Cab.id)
    .where(m.Certificate.number_norm == bindparam("norm"))
    .limit(20)
)
_CANDIDATES_OF_ISSUER = _CANDIDATES.where(
    (m.Cab.registration_number == bindparam("issuer")) | (m.Cab.acronym == bindparam("issuer"))
)
_HOLDER = select(m.Organization.name_zh, m.Organization.name_en).where(
    m.Organization.id == bindparam("oid")
)


class Verifier:
    """Verification for one session: certificate look-up, facts, verdict.

    Per verdict: the chain fingerprint, the certificate with its CAB, its events, its scope and
    its holder's names (five indexed look-ups with pre-built statements). Everything about the
    CAB and above is cached with the chain.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.chain = chain_for(session)

    def candidates(self, number: str, issuer: str | None) -> list[tuple[m.Certificate, m.Cab]]:
        norm = normalize_number(number)
        if issuer:
            rows = self.session.execute(_CANDIDATES_OF_ISSUER, {"norm": norm, "issuer": issuer})
        else:
            rows = self.session.execute(_CANDIDATES, {"norm": norm})
        return [(c, cab) for c, cab in rows.all()]

    def coverage(self, issuer: str | None) -> IssuerCoverage | None:
        if not issuer:
            return None
        cab = (
            self.session.execute(
                select(m.Cab).filter(
                    (m.Cab.registration_number == issuer) | (m.Cab.acronym == issuer)
                )
            )
            .scalars()
            .first()
        )
        if cab is None:
            return IssuerCoverage(issuer=issuer, submits=False)
        n, last = self.session.execute(
            select(func.count(m.Certificate.id), func.max(m.Certificate.recorded_at)).filter(
                m.Certificate.cab_id == cab.id
            )
        ).one()
        return IssuerCoverage(
            issuer=cab.registration_number,
            submits=bool(n),
            certificate_count=int(n),
            last_submitted_on=last.date() if last else None,
            issuer_name=Bilingual(cab.name_zh, cab.name_en),
            source=cab.source,
        )

    def cab_part(self, cab: m.Cab) -> CabPart:
        """The CAB's accreditations, approvals and signatory records (cached per chain)."""
        c = self.chain
        part = c.cabs.get(cab.id)
        if part is not None:
            return part
        s = self.session
        accs = s.execute(select(m.Accreditation).filter_by(cab_id=cab.id)).scalars().all()
        acc_ids = [a.id for a in accs]
        acc_events = _grouped(s, m.AccreditationEvent, acc_ids)
        items: dict[int, list[str]] = defaultdict(list)
        if acc_ids:
            for a_id, item in s.execute(
                select(
                    m.AccreditationScopeItem.accreditation_id, m.AccreditationScopeItem.item
                ).filter(m.AccreditationScopeItem.accreditation_id.in_(acc_ids))
            ):
                items[a_id].append(item)
        acc_facts = []
        refs: dict[int, AccreditationRef] = {}
        for a in accs:
            key = c.ab_keys[a.accreditation_body_id]
            acronym, economy = key.rsplit("/", 1)
            acc_facts.append(
                AccreditationFacts(
                    body_acronym=acronym,
                    body_economy=economy,
                    number=a.number,
                    cab_standard=a.cab_standard,
                    scope=tuple(items[a.id]),
                    events=_events(acc_events[a.id]),
                    valid_until=a.valid_until,
                    body_name=c.ab_names[a.accreditation_body_id],
                    source=a.source,
                )
            )
            refs[a.id] = AccreditationRef(key, a.number)
        approvals = s.execute(select(m.BodyApprovalEvent).filter_by(parent_id=cab.id)).scalars()
        participants = {f.body for f in acc_facts} | {cab.registration_number}
        part = CabPart(
            cab=CabFacts(
                registration_number=cab.registration_number,
                name=Bilingual(cab.name_zh, cab.name_en),
                kind=cab.kind,
                economy=c.economies[cab.economy_id],
                approval_events=_events(approvals),
                source=cab.source,
            ),
            accreditations=tuple(acc_facts),
            accreditation_ids=refs,
            signatories=c.signatories_of(participants),
        )
        c.cabs[cab.id] = part
        return part

    def _holder(self, organization_id: int) -> Bilingual | None:
        row = self.session.execute(_HOLDER, {"oid": organization_id}).first()
        return Bilingual(row[0], row[1]) if row else None

    def facts(self, cert: m.Certificate, cab: m.Cab) -> VerificationFacts:
        s = self.session
        part = self.cab_part(cab)
        events: Sequence[Any] = ()
        scope: Sequence[str] = ()
        if cert.id is not None:
            events = s.execute(_EVENTS, {"pid": cert.id}).scalars().all()
            scope = s.execute(_SCOPE, {"pid": cert.id}).scalars().all()
        holder = self._holder(cert.organization_id)
        acc_ref = part.accreditation_ids.get(cert.accreditation_id or -1)
        c = self.chain
        return VerificationFacts(
            certificate=certificate_facts(
                cert,
                cab,
                events,
                scope,
                holder,
                acc_ref,
            ),
            cab=part.cab,
            accreditations=part.accreditations,
            signatories=part.signatories,
            arrangements=c.arrangements,
            recognitions=c.recognitions,
            acceptances=c.acceptances,
            scope_map=c.scope_map,
        )

    def verify(
        self, number: str, *, issuer: str | None = None, market: str | None = None, on: dt.date
    ) -> Verdict:
        """The verdict for a certificate number (any formatting), optionally from one issuer."""
        market = market.upper() if market else None
        query = Query(number=number, on=on, issuer=issuer, market=market)
        found = self.candidates(number, issuer)
        if not found:
            return not_found(query, coverage=self.coverage(issuer))
        if len(found) > 1:
            cands = [
                certificate_facts(cert, cab, holder=self._holder(cert.organization_id))
                for cert, cab in found
            ]
            return ambiguous(query, cands, coverage=self.coverage(issuer))
        cert, cab = found[0]
        return verify(self.facts(cert, cab), on, market, query=query)


def verify_one(
    engine_or_session: Engine | Session,
    number: str,
    *,
    issuer: str | None = None,
    market: str | None = None,
    on: dt.date,
) -> Verdict:
    """Convenience wrapper for one verification."""
    if isinstance(engine_or_session, Session):
        return Verifier(engine_or_session).verify(number, issuer=issuer, market=market, on=on)
    with Session(engine_or_session) as s:
        return Verifier(s).verify(number, issuer=issuer, market=market, on=on)


# --- reverse questions ------------------------------------------------------------------------


class UnknownKey(LookupError):
    """A key named in a reverse question (organization) is not in the registry."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"no {field} {value!r} in the registry")
        self.field = field
        self.value = value


def verdict_summary(v: Verdict) -> dict[str, Any]:
    """A short form of a verdict: what a list of verdicts shows per row."""
    cert = v.certificate
    failed = next((x for x in v.links if x.status == "failed"), None)
    if failed is None and v.outcome != "found" and v.links:
        failed = v.links[0]
    return {
        "number": cert.number if cert else v.query.number,
        "issuer": cert.issuer if cert else v.query.issuer,
        "issuer_name": cert.issuer_name.as_dict() if cert else None,
        "kind": cert.kind if cert else None,
        "standard": cert.standard if cert else None,
        "scope": list(cert.scope) if cert else [],
        "issued_on": cert.issued_on.isoformat() if cert else None,
        "expires_on": cert.expires_on.isoformat() if cert and cert.expires_on else None,
        "outcome": v.outcome.value,
        "valid": v.valid,
        "recognized": v.recognized,
        "failed_link": v.failed_link.value if v.failed_link else None,
        "reason": failed.reason.as_dict() if failed else None,
        "links": [{"link": x.link.value, "status": x.status.value} for x in v.links],
    }


@dataclass
class OrganizationVerdicts:
    """Answer to "which certificates of organization X are recognized in M on D"."""

    organization: str
    name: Bilingual
    market: str
    on: dt.date
    verdicts: list[Verdict]

    @property
    def recognized(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.valid and v.recognized]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": {
                "organization": self.organization,
                "market": self.market,
                "on": self.on.isoformat(),
            },
            "organization": {"key": self.organization, "name": self.name.as_dict()},
            "certificate_count": len(self.verdicts),
            "recognized": [verdict_summary(v) for v in self.recognized],
            "not_recognized": [
                verdict_summary(v) for v in self.verdicts if not (v.valid and v.recognized)
            ],
        }


def recognized_certificates(
    session: Session, organization: str, *, market: str, on: dt.date
) -> OrganizationVerdicts:
    """Every certificate held by ``organization`` (its key, or its USCC), judged for ``market``
    on ``on``; :attr:`OrganizationVerdicts.recognized` are the valid and recognized ones."""
    market = market.upper()
    org = (
        session.execute(select(m.Organization).filter(m.Organization.key == organization))
        .scalars()
        .first()
    )
    if org is None:
        raise UnknownKey("organization", organization)
    verifier = Verifier(session)
    rows = session.execute(
        select(m.Certificate, m.Cab)
        .join(m.Cab, m.Certificate.cab_id == m.Cab.id)
        .filter(m.Certificate.organization_id == org.id)
        .order_by(m.Certificate.issued_on, m.Certificate.number)
    ).all()
    verdicts = [
        verify(
            verifier.facts(c, cab),
            on,
            market,
            query=Query(number=c.number, on=on, issuer=cab.registration_number, market=market),
        )
        for c, cab in rows
    ]
    return OrganizationVerdicts(org.key, Bilingual(org.name_zh, org.name_en), market, on, verdicts)


def _kind_for_cab_standard() -> dict[str, str]:
    from accordia.domain.recognition import KIND_CAB_STANDARDS

    out: dict[str, str] = {}
    for kind, stds in KIND_CAB_STANDARDS.items():
        for std in sorted(stds):
            out.setdefault(std, kind)
    return out


KIND_FOR_CAB_STANDARD = _kind_for_cab_standard()


def normalize_sector(sector: str | None) -> str | None:
    """``19`` → ``IAF:19``; ``IAF:19``, ``HS:85`` stay as they are."""
    if not sector:
        return None
    s = sector.strip()
    if ":" in s:
        scheme, code = s.split(":", 1)
        return f"{scheme.strip().upper()}:{code.strip()}"
    return f"IAF:{s}"


@dataclass
class EligibleCab:
    """A CAB whose accreditation would carry a certificate for S/K to recognition in M."""

    registration_number: str
    name: Bilingual
    economy: str
    accreditation_body: str
    accreditation: str
    cab_standard: str
    verdict: Verdict

    def to_dict(self) -> dict[str, Any]:
        return {
            "cab": self.registration_number,
            "name": self.name.as_dict(),
            "economy": self.economy,
            "accreditation_body": self.accreditation_body,
            "accreditation": self.accreditation,
            "cab_standard": self.cab_standard,
            "route": [p.to_dict() for p in self.verdict.path if p.node == "arrangement"],
            "links": [x.to_dict() for x in self.verdict.links[1:]],
        }


@dataclass
class EligibleCabs:
    standard: str
    sector: str | None
    market: str
    on: dt.date
    eligible: list[EligibleCab]
    examined: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": {
                "standard": self.standard,
                "sector": self.sector,
                "market": self.market,
                "on": self.on.isoformat(),
            },
            "examined": self.examined,
            "eligible": [e.to_dict() for e in self.eligible],
        }


_CHAIN_LINKS = ("accreditation", "arrangement", "market")


def eligible_cabs(
    session: Session, standard: str, *, sector: str | None = None, market: str, on: dt.date
) -> EligibleCabs:
    """CABs holding an accreditation covering ``standard`` (and ``sector``) on ``on`` whose
    chain makes a certificate for them, issued on ``on``, recognized in ``market``.

    For each accreditation whose scope names ``STD:<standard>`` (granted or extended later), a
    hypothetical certificate of the kind its CAB standard issues is judged by the same domain
    logic as a real one; the CAB is eligible when the accreditation, arrangement and market
    links are all ``ok``."""
    market = market.upper()
    sector = normalize_sector(sector)
    item = f"STD:{standard}"
    acc_ids = set(
        session.execute(
            select(m.AccreditationScopeItem.accreditation_id).filter(
                m.AccreditationScopeItem.item == item
            )
        ).scalars()
    )
    for ev in session.execute(
        select(m.AccreditationEvent).filter(m.AccreditationEvent.kind == "scope_extended")
    ).scalars():
        if item in (ev.scope or ()):
            acc_ids.add(ev.parent_id)
    verifier = Verifier(session)
    c = verifier.chain
    eligible: list[EligibleCab] = []
    accs = (
        session.execute(
            select(m.Accreditation, m.Cab)
            .join(m.Cab, m.Accreditation.cab_id == m.Cab.id)
            .filter(m.Accreditation.id.in_(sorted(acc_ids)))
            .order_by(m.Cab.registration_number, m.Accreditation.number)
        ).all()
        if acc_ids
        else []
    )
    for acc, cab in accs:
        kind = KIND_FOR_CAB_STANDARD.get(acc.cab_standard)
        if kind is None:
            continue
        body = c.ab_keys[acc.accreditation_body_id]
        cert = m.Certificate(
            id=None,
            number=f"({standard})",
            number_norm="",
            cab_id=cab.id,
            kind=kind,
            organization_id=0,
            standard=standard,
            accreditation_id=acc.id,
            issued_on=on,
            expires_on=None,
            source="hypothetical",
        )
        facts = _hypothetical_facts(verifier, cert, cab, tuple([sector] if sector else ()))
        verdict = verify(
            facts,
            on,
            market,
            query=Query(number=cert.number, on=on, issuer=cab.registration_number, market=market),
        )
        if all(verdict.link(n).status == "ok" for n in _CHAIN_LINKS):
            eligible.append(
                EligibleCab(
                    registration_number=cab.registration_number,
                    name=Bilingual(cab.name_zh, cab.name_en),
                    economy=c.economies[cab.economy_id],
                    accreditation_body=body,
                    accreditation=acc.number,
                    cab_standard=acc.cab_standard,
                    verdict=verdict,
                )
            )
    return EligibleCabs(standard, sector, market, on, eligible, examined=len(accs))


def _hypothetical_facts(
    verifier: Verifier, cert: m.Certificate, cab: m.Cab, scope: tuple[str, ...]
) -> VerificationFacts:
    """:meth:`Verifier.facts` for a certificate that is not in the database."""
    real = verifier.facts(cert, cab)  # events/scope/holder of id None: none found
    acc_ref = real.certificate.accreditation
    hypo = CertificateFacts(
        number=cert.number,
        issuer=cab.registration_number,
        kind=cert.kind,
        standard=cert.standard,
        issued_on=cert.issued_on,
        scope=scope,
        issuer_name=Bilingual(cab.name_zh, cab.name_en),
        accreditation=acc_ref,
        source="hypothetical",
    )
    return replace(real, certificate=hypo)
