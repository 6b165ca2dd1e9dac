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
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select
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
        Event(kind=r.kind, effective_on=r.effective_on, recorded_at=r.recorded_at,
              scope=tuple(r.scope or ()), source=r.source or "", note=r.note or "")
        for r in rows
    )


def _grouped(session: Session, model: type[Any], parent_ids: Sequence[int] | None = None
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

    def signatories_of(self, participants: set[str]) -> tuple[SignatoryFacts, ...]:
        return tuple(s for s in self.signatories if s.participant in participants)


_FINGERPRINT_TABLES = (m.Arrangement, m.ArrangementRecognition, m.RecognitionEvent, m.Signatory,
                       m.SignatoryScope, m.SignatoryEvent, m.MarketAcceptance, m.ScopeCode,
                       m.AccreditationBody)


def fingerprint(session: Session) -> tuple[Any, ...]:
    """One query: the highest id of each upper-chain table (rows are only ever added)."""
    cols = [select(func.max(t.id)).scalar_subquery() for t in _FINGERPRINT_TABLES]
    row = session.execute(select(*cols)).one()
    return tuple(row)


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
            key=a.key, kind=a.kind, name=Bilingual(a.name_zh, a.name_en),
            successor=arr_key.get(a.successor_id) if a.successor_id else None,
            succeeded_on=a.succeeded_on, parties=tuple(sorted(parties[a.id])), source=a.source,
        )
        for a in arr_rows
    )
    rec_events = _grouped(session, m.RecognitionEvent)
    recognitions = tuple(
        RecognitionFacts(arr_key[r.recognizing_id], arr_key[r.recognized_id], r.scope,
                         _events(rec_events[r.id]), r.source)
        for r in session.execute(select(m.ArrangementRecognition)).scalars()
    )
    abs_ = session.execute(select(m.AccreditationBody)).scalars().all()
    ab_keys = {a.id: ab_key(a.acronym, ecos[a.economy_id]) for a in abs_}
    ab_names = {a.id: Bilingual(a.name_zh, a.name_en) for a in abs_}
    cab_regno = dict(session.execute(
        select(m.Cab.id, m.Cab.registration_number)
        .join(m.Signatory, m.Signatory.cab_id == m.Cab.id)
    ).all())
    sigs = {s.id: s for s in session.execute(select(m.Signatory)).scalars()}
    sig_events = _grouped(session, m.SignatoryEvent)
    signatories = []
    for sc in session.execute(select(m.SignatoryScope)).scalars():
        sig = sigs[sc.signatory_id]
        if sig.accreditation_body_id:
            participant, kind = ab_keys[sig.accreditation_body_id], AB
        else:
            participant, kind = cab_regno[sig.cab_id], CAB
        signatories.append(SignatoryFacts(
            arrangement=arr_key[sig.arrangement_id], participant=participant, scope=sc.scope,
            events=_events(sig_events[sc.id]), participant_kind=kind, source=sig.source,
        ))
    acceptances = [
        MarketAcceptanceFacts(
            market=ecos[a.economy_id], arrangement=arr_key[a.arrangement_id],
            attestation_kind=a.attestation_kind or "", scope=a.scope or "",
            valid_from=a.valid_from, valid_until=a.valid_until,
            note=Bilingual(a.note_zh, a.note_en), source=a.source,
        )
        for a in session.execute(select(m.MarketAcceptance)).scalars()
    ]
    acceptances += _own_body_acceptances(signatories, {v: ecos[a.economy_id] for a in abs_
                                                       for v in [ab_keys[a.id]]})
    return Chain(
        fingerprint=fp, arrangements=arrangements, recognitions=recognitions,
        signatories=tuple(signatories), acceptances=tuple(acceptances),
        scope_map=_scope_map(session), ab_keys=ab_keys, ab_names=ab_names,
        ab_economy={k: k.rsplit("/", 1)[1] for k in ab_keys.values()}, economies=ecos,
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
            out.append(MarketAcceptanceFacts(
                market=market, arrangement=s.arrangement, scope=s.scope,
                valid_from=p.start, valid_until=p.end,
                note=Bilingual(
                    f"该市场本国认可机构 {s.participant} 是该协议此范围的签约方",
                    f"the market's own accreditation body {s.participant} is a signatory "
                    f"for this scope",
                ),
                source=s.source,
            ))
    return out


def _scope_map(session: Session) -> tuple[ScopeMapping, ...]:
    """Scope codes → which certificates they cover (from the reference ``scope_code`` rows)."""
    rows = session.execute(
        select(m.ScopeCode).filter(m.ScopeCode.scheme.in_(["MLA", "ILAC"]),
                                   m.ScopeCode.cab_standard.is_not(None))
    ).scalars().all()
    out: list[ScopeMapping] = []
    ilac_kinds = {"TESTING": "test_report", "CALIBRATION": "calibration_certificate",
                  "MEDICAL": "medical_report", "INSPECTION": "inspection_report"}
    for r in rows:
        item = f"{r.scheme}:{r.code}"
        if r.scheme == "ILAC":
            if r.code in ilac_kinds:
                out.append(ScopeMapping(r.cab_standard or "", item,
                                        attestation_kind=ilac_kinds[r.code]))
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


def certificate_facts(cert: m.Certificate, cab: m.Cab, events: Sequence[Any],
                      scope: Sequence[str], holder: m.Organization | None,
                      acc_ref: AccreditationRef | None) -> CertificateFacts:
    return CertificateFacts(
        number=cert.number, issuer=cab.registration_number, kind=cert.kind,
        standard=cert.standard, issued_on=cert.issued_on, expires_on=cert.expires_on,
        scope=tuple(scope), events=_events(events),
        holder=Bilingual(holder.name_zh, holder.name_en) if holder else Bilingual(),
        issuer_name=Bilingual(cab.name_zh, cab.name_en), accreditation=acc_ref,
        source=cert.source,
    )


class Verifier:
    """Verification for one session: certificate look-up, facts, verdict."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.chain = chain_for(session)

    def candidates(self, number: str, issuer: str | None) -> list[tuple[m.Certificate, m.Cab]]:
        q = (
            select(m.Certificate, m.Cab).join(m.Cab, m.Certificate.cab_id == m.Cab.id)
            .filter(m.Certificate.number_norm == normalize_number(number))
        )
        if issuer:
            q = q.filter((m.Cab.registration_number == issuer) | (m.Cab.acronym == issuer))
        return [(c, cab) for c, cab in self.session.execute(q.limit(20)).all()]

    def coverage(self, issuer: str | None) -> IssuerCoverage | None:
        if not issuer:
            return None
        cab = self.session.execute(
            select(m.Cab).filter((m.Cab.registration_number == issuer) | (m.Cab.acronym == issuer))
        ).scalars().first()
        if cab is None:
            return IssuerCoverage(issuer=issuer, submits=False)
        n, last = self.session.execute(
            select(func.count(m.Certificate.id), func.max(m.Certificate.recorded_at))
            .filter(m.Certificate.cab_id == cab.id)
        ).one()
        return IssuerCoverage(
            issuer=cab.registration_number, submits=bool(n), certificate_count=int(n),
            last_submitted_on=last.date() if last else None,
            issuer_name=Bilingual(cab.name_zh, cab.name_en), source=cab.source,
        )

    def facts(self, cert: m.Certificate, cab: m.Cab) -> VerificationFacts:
        s = self.session
        events = s.execute(select(m.CertificateEvent).filter_by(parent_id=cert.id)).scalars().all()
        scope = s.execute(
            select(m.CertificateScopeItem.item).filter_by(certificate_id=cert.id)
        ).scalars().all()
        holder = s.get(m.Organization, cert.organization_id)
        accs = s.execute(select(m.Accreditation).filter_by(cab_id=cab.id)).scalars().all()
        acc_ids = [a.id for a in accs]
        acc_events = _grouped(s, m.AccreditationEvent, acc_ids)
        items: dict[int, list[str]] = defaultdict(list)
        if acc_ids:
            for a_id, item in s.execute(
                select(m.AccreditationScopeItem.accreditation_id, m.AccreditationScopeItem.item)
                .filter(m.AccreditationScopeItem.accreditation_id.in_(acc_ids))
            ):
                items[a_id].append(item)
        c = self.chain
        acc_facts = []
        acc_ref = None
        for a in accs:
            key = c.ab_keys[a.accreditation_body_id]
            acronym, economy = key.rsplit("/", 1)
            acc_facts.append(AccreditationFacts(
                body_acronym=acronym, body_economy=economy, number=a.number,
                cab_standard=a.cab_standard, scope=tuple(items[a.id]),
                events=_events(acc_events[a.id]), valid_until=a.valid_until,
                body_name=c.ab_names[a.accreditation_body_id], source=a.source,
            ))
            if a.id == cert.accreditation_id:
                acc_ref = AccreditationRef(key, a.number)
        approvals = s.execute(select(m.BodyApprovalEvent).filter_by(parent_id=cab.id)).scalars()
        participants = {f.body for f in acc_facts} | {cab.registration_number}
        return VerificationFacts(
            certificate=certificate_facts(cert, cab, events, scope, holder, acc_ref),
            cab=CabFacts(
                registration_number=cab.registration_number,
                name=Bilingual(cab.name_zh, cab.name_en), kind=cab.kind,
                economy=c.economies[cab.economy_id], approval_events=_events(approvals),
                source=cab.source,
            ),
            accreditations=tuple(acc_facts),
            signatories=c.signatories_of(participants),
            arrangements=c.arrangements,
            recognitions=c.recognitions,
            acceptances=c.acceptances,
            scope_map=c.scope_map,
        )

    def verify(self, number: str, *, issuer: str | None = None, market: str | None = None,
               on: dt.date) -> Verdict:
        """The verdict for a certificate number (any formatting), optionally from one issuer."""
        market = market.upper() if market else None
        query = Query(number=number, on=on, issuer=issuer, market=market)
        found = self.candidates(number, issuer)
        if not found:
            return not_found(query, coverage=self.coverage(issuer))
        if len(found) > 1:
            cands = [certificate_facts(c, cab, (), (), self.session.get(m.Organization,
                                                                        c.organization_id),
                                       None) for c, cab in found]
            return ambiguous(query, cands, coverage=self.coverage(issuer))
        cert, cab = found[0]
        return verify(self.facts(cert, cab), on, market, query=query)


def verify_one(engine_or_session: Engine | Session, number: str, *, issuer: str | None = None,
               market: str | None = None, on: dt.date) -> Verdict:
    """Convenience wrapper for one verification."""
    if isinstance(engine_or_session, Session):
        return Verifier(engine_or_session).verify(number, issuer=issuer, market=market, on=on)
    with Session(engine_or_session) as s:
        return Verifier(s).verify(number, issuer=issuer, market=market, on=on)
