"""Verification against the database: load the facts a verdict needs, then ask the pure domain.

The upper links of the chain (arrangements, recognitions, signatories, market rules, the scope
map, and each CAB's accreditations and approvals) are small and change rarely, while
certificates are many. They are loaded once into a :class:`Chain` and reused for as long as a
fingerprint of their tables is unchanged. A verdict then costs **one statement**: the
certificate by its normalised number with its holder's names and, aggregated as JSON, its
events and scope items (``json_agg`` on PostgreSQL, ``json_group_array`` on SQLite). The
fingerprint rides along in the same statement when a check is due: at most every
``ACCORDIA_VERIFY_CHAIN_CHECK_MS`` (0: every verdict), and always after a commit in this
process (docs/verify.md, "Loading the facts").

A batch loads the certificates of a whole chunk of numbers with the same statement
(:meth:`Verifier.verify_many`).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import JSON, Engine, bindparam, event, func, or_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from accordia import models as m
from accordia.domain.bilingual import Bilingual
from accordia.domain.identifiers import normalize_number
from accordia.domain.recognition import ab_key
from accordia.domain.status import Event, Status, folded, timeline
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
    Memo,
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
from accordia.settings import get_settings

CANDIDATE_LIMIT = 20  # certificates listed when a number is ambiguous


def _events(rows: Iterable[Any]) -> tuple[Event, ...]:
    """ORM event rows as domain events, in the order given (the order recorded)."""
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


def _history(rows: Iterable[Any]) -> tuple[Event, ...]:
    """A history of the upper chain, folded once: every verdict asks it again."""
    return folded(_events(rows))


def _grouped(
    session: Session, model: type[Any], parent_ids: Sequence[int] | None = None
) -> dict[int, list[Any]]:
    q = select(model).order_by(model.id)
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
    # results the domain computes from the chain alone, shared by every verdict (see Memo)
    memo: Memo = field(default_factory=Memo)
    # when the last fingerprint check found this chain current: time.monotonic(), and the
    # count of commits made in this process at that moment (see _count_commit)
    checked_at: float = 0.0
    checked_commits: int = -1

    def mark_checked(self, commits: int) -> None:
        self.checked_at, self.checked_commits = time.monotonic(), commits

    def signatories_of(self, participants: set[str]) -> tuple[SignatoryFacts, ...]:
        return tuple(s for s in self.signatories if s.participant in participants)


@dataclass(frozen=True)
class CabPart:
    """What every verdict about one CAB's attestations shares: loaded once per chain."""

    cab: CabFacts
    accreditations: tuple[AccreditationFacts, ...]
    accreditation_ids: dict[int, AccreditationRef]
    signatories: tuple[SignatoryFacts, ...]
    acronym: str | None = None


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


def _fingerprint_columns() -> list[Any]:
    return [
        select(func.max(t.id)).scalar_subquery().label(f"fp_{t.__tablename__}")
        for t in _FINGERPRINT_TABLES
    ]


_FINGERPRINT = select(*_fingerprint_columns())


def fingerprint(session: Session) -> tuple[Any, ...]:
    """One query: the highest id of each table the cached facts come from. Rows of the chain
    are only ever added; an update in place (a CAB's name) always adds an audit entry."""
    return tuple(session.execute(_FINGERPRINT).one())


def load_chain(session: Session) -> Chain:
    """Read the upper links of the chain into memory."""
    fp = fingerprint(session)
    ecos = dict(session.execute(select(m.Economy.id, m.Economy.code)).all())
    arr_rows = session.execute(select(m.Arrangement).order_by(m.Arrangement.id)).scalars().all()
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
            _history(rec_events[r.id]),
            r.source,
        )
        for r in session.execute(
            select(m.ArrangementRecognition).order_by(m.ArrangementRecognition.id)
        ).scalars()
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
    for sc in session.execute(select(m.SignatoryScope).order_by(m.SignatoryScope.id)).scalars():
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
                events=_history(sig_events[sc.id]),
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
        for a in session.execute(
            select(m.MarketAcceptance).order_by(m.MarketAcceptance.id)
        ).scalars()
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
            select(m.ScopeCode)
            .filter(m.ScopeCode.scheme.in_(["MLA", "ILAC"]), m.ScopeCode.cab_standard.is_not(None))
            .order_by(m.ScopeCode.id)
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
_urls: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def database_key(session: Session) -> str:
    """The database a session is bound to (its URL without password), for per-database caches."""
    engine = session.get_bind().engine
    key = _urls.get(engine)
    if key is None:
        key = _urls[engine] = engine.url.render_as_string(hide_password=True)
    return key


_commits = 0


@event.listens_for(Engine, "commit")
def _count_commit(conn: Any) -> None:
    """Every commit through SQLAlchemy in this process (the importer, the services, the
    demo) counts: a cached chain is then checked again before its next verdict, whatever
    ``ACCORDIA_VERIFY_CHAIN_CHECK_MS`` says, so writes made in this process show at once."""
    global _commits
    _commits += 1


def chain_for(session: Session) -> Chain:
    """The cached chain for this database, reloaded when its fingerprint changes (one query)."""
    key = database_key(session)
    commits = _commits
    fp = fingerprint(session)
    cached = _chains.get(key)
    if cached is not None and cached.fingerprint == fp:
        cached.mark_checked(commits)
        return cached
    return _reload(session, key, commits)


def _reload(session: Session, key: str, commits: int) -> Chain:
    with _lock:
        chain = load_chain(session)
        chain.mark_checked(commits)
        _chains[key] = chain
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


# --- the one statement per certificate ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertRow:
    """A certificate as the one statement returns it: its row, holder, events and scope."""

    id: int
    number: str
    number_norm: str
    cab_id: int
    kind: str
    standard: str
    issued_on: dt.date
    expires_on: dt.date | None
    source: str
    accreditation_id: int | None
    holder: Bilingual
    events: tuple[Event, ...]
    scope: tuple[str, ...]


def _date(v: Any) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(v)


def _stamp(v: Any) -> dt.datetime:
    """A recorded time (ISO text from the JSON aggregate): aware, as the ORM column gives it
    (SQLite stores UTC without an offset; PostgreSQL writes one)."""
    t = v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v)
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def _json(v: Any) -> list[Any]:
    if v is None:
        return []
    if isinstance(v, str | bytes):
        return json.loads(v)
    return v


def _row_events(raw: Any) -> tuple[Event, ...]:
    """``[[id, kind, effective_on, recorded_at, scope, source, note], ...]`` → events, in the
    order recorded (by id)."""
    items = _json(raw)
    if len(items) > 1:
        items.sort(key=_first)
    return tuple(
        Event(kind, _date(eff), _stamp(rec), tuple(scope or ()), source or "", note or "")
        for _id, kind, eff, rec, scope, source, note in items
    )


def _first(x: list[Any]) -> Any:
    return x[0]


def _row_scope(raw: Any) -> tuple[str, ...]:
    items = _json(raw)
    if len(items) > 1:
        items.sort(key=_first)
    return tuple(item for _id, item in items)


_C = m.Certificate
_E = m.CertificateEvent
_S = m.CertificateScopeItem
_O = m.Organization


def _certificate_select(dialect: str, with_fingerprint: bool) -> Select[Any]:
    """The certificate row, its holder's names and its events and scope items (correlated
    subqueries on their parent-id indexes) as **one JSON array** per certificate, so that the
    driver hands over one value instead of a dozen columns; optionally the chain
    fingerprint's columns after it."""
    pg = dialect == "postgresql"
    agg = func.json_agg if pg else func.json_group_array
    arr = func.json_build_array if pg else func.json_array
    ev_scope: ColumnElement[Any] = _E.scope if pg else func.json(_E.scope)
    events: ColumnElement[Any] = (
        select(
            agg(arr(_E.id, _E.kind, _E.effective_on, _E.recorded_at, ev_scope, _E.source, _E.note))
        )
        .where(_E.parent_id == _C.id)
        .scalar_subquery()
    )
    scope: ColumnElement[Any] = (
        select(agg(arr(_S.id, _S.item))).where(_S.certificate_id == _C.id).scalar_subquery()
    )
    if not pg:  # SQLite: text from a subquery is JSON again only through json()
        events, scope = func.json(events), func.json(scope)
    doc = arr(
        _C.id,
        _C.number,
        _C.number_norm,
        _C.cab_id,
        _C.kind,
        _C.standard,
        _C.issued_on,
        _C.expires_on,
        _C.source,
        _C.accreditation_id,
        _O.name_zh,
        _O.name_en,
        events,
        scope,
    )
    cols: list[Any] = [type_coerce(doc, JSON).label("doc")]
    if with_fingerprint:
        cols += _fingerprint_columns()
    return select(*cols).select_from(_C).join(_O, _O.id == _C.organization_id)


_N_FIXED = 1  # columns before the fingerprint


def _cert_row(r: Any) -> CertRow:
    d = _json(r[0])
    return CertRow(
        id=d[0],
        number=d[1],
        number_norm=d[2],
        cab_id=d[3],
        kind=d[4],
        standard=d[5],
        issued_on=_date(d[6]),
        expires_on=_date(d[7]) if d[7] else None,
        source=d[8],
        accreditation_id=d[9],
        holder=Bilingual(d[10], d[11]),
        events=_row_events(d[12]),
        scope=_row_scope(d[13]),
    )


_ISSUER_CABS = select(m.Cab.id).where(
    or_(m.Cab.registration_number == bindparam("issuer"), m.Cab.acronym == bindparam("issuer"))
)


class _Statements:
    """The statements of one dialect, built once."""

    def __init__(self, dialect: str) -> None:
        def by_norm(fp: bool) -> Select[Any]:
            return (
                _certificate_select(dialect, fp)
                .where(_C.number_norm == bindparam("norm"))
                .order_by(_C.id)
                .limit(CANDIDATE_LIMIT + 1)
            )

        self.one = {fp: by_norm(fp) for fp in (True, False)}
        self.one_of_issuer = {
            fp: by_norm(fp).where(_C.cab_id.in_(_ISSUER_CABS)) for fp in (True, False)
        }
        self.many = (
            _certificate_select(dialect, False)
            .where(_C.number_norm.in_(bindparam("norms", expanding=True)))
            .order_by(_C.id)
        )
        self.by_id = _certificate_select(dialect, False).where(_C.id == bindparam("cid"))
        self.of_organization = (
            _certificate_select(dialect, False)
            .where(_C.organization_id == bindparam("oid"))
            .order_by(_C.issued_on, _C.number)
        )


_statements: dict[str, _Statements] = {}


def statements(session: Session) -> _Statements:
    name = session.get_bind().dialect.name
    st = _statements.get(name)
    if st is None:
        st = _statements[name] = _Statements(name)
    return st


class Verifier:
    """Verification for one session: certificate look-up, facts, verdict.

    Per verdict, one statement: the certificate with its holder, events and scope, and (unless
    checked less than ``ACCORDIA_VERIFY_CHAIN_CHECK_MS`` ago) the chain's fingerprint.
    Everything about the CAB and above is cached with the chain. :meth:`verify_many` does the
    same for a chunk of numbers with one statement.
    """

    def __init__(self, session: Session, *, check_ms: int | None = None) -> None:
        self.session = session
        self._key = database_key(session)
        self._chain: Chain | None = None
        self._coverage: dict[str, IssuerCoverage | None] = {}
        ms = get_settings().verify_chain_check_ms if check_ms is None else check_ms
        self.check_seconds = max(ms, 0) / 1000.0
        self.statements = statements(session)

    # -- the chain --

    @property
    def chain(self) -> Chain:
        """The chain, checked against the database when this verifier first needs it."""
        if self._chain is None:
            cached = _chains.get(self._key)
            if cached is not None and self._fresh(cached):
                self._chain = cached
            else:
                self._chain = chain_for(self.session)
        return self._chain

    def _fresh(self, chain: Chain) -> bool:
        """Checked within the configured interval, and nothing committed in this process since."""
        return (
            bool(self.check_seconds)
            and chain.checked_commits == _commits
            and time.monotonic() - chain.checked_at < self.check_seconds
        )

    def _current(self, fp: tuple[Any, ...] | None, commits: int) -> Chain:
        """The chain, given the fingerprint read with the certificate (``None``: not read)."""
        cached = self._chain or _chains.get(self._key)
        if fp is None:
            return cached if cached is not None else self.chain
        if cached is not None and cached.fingerprint == fp:
            cached.mark_checked(commits)
            self._chain = cached
        else:
            self._chain = _reload(self.session, self._key, commits)
        return self._chain

    # -- look-ups --

    def _lookup(
        self, norm: str, issuer: str | None
    ) -> tuple[list[CertRow], tuple[Any, ...] | None, int]:
        """Certificates numbered ``norm`` (of ``issuer``), with the chain fingerprint when due
        (and the count of commits read before it)."""
        commits = _commits
        cached = self._chain or _chains.get(self._key)
        want_fp = cached is None or not self._fresh(cached)
        st = self.statements
        if issuer:
            stmt = st.one_of_issuer[want_fp]
            params: dict[str, Any] = {"norm": norm, "issuer": issuer}
        else:
            stmt, params = st.one[want_fp], {"norm": norm}
        rows = self.session.connection().execute(stmt, params).all()
        fp = tuple(rows[0][_N_FIXED:]) if rows and want_fp else None
        return [_cert_row(r) for r in rows], fp, commits

    def candidates(self, number: str, issuer: str | None) -> list[CertRow]:
        """The certificates a number (any formatting) of an issuer (optional) may mean."""
        rows, fp, commits = self._lookup(normalize_number(number), issuer)
        if rows:
            self._current(fp, commits)
        return rows

    def coverage(self, issuer: str | None) -> IssuerCoverage | None:
        if not issuer:
            return None
        if issuer in self._coverage:
            return self._coverage[issuer]
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
            out = IssuerCoverage(issuer=issuer, submits=False)
        else:
            n, last = self.session.execute(
                select(func.count(m.Certificate.id), func.max(m.Certificate.recorded_at)).filter(
                    m.Certificate.cab_id == cab.id
                )
            ).one()
            out = IssuerCoverage(
                issuer=cab.registration_number,
                submits=bool(n),
                certificate_count=int(n),
                last_submitted_on=last.date() if last else None,
                issuer_name=Bilingual(cab.name_zh, cab.name_en),
                source=cab.source,
            )
        self._coverage[issuer] = out
        return out

    def cab_part(self, cab: m.Cab | int) -> CabPart:
        """The CAB's accreditations, approvals and signatory records (cached per chain)."""
        c = self.chain
        cab_id = cab if isinstance(cab, int) else cab.id
        part = c.cabs.get(cab_id)
        if part is not None:
            return part
        s = self.session
        if isinstance(cab, int):
            cab = s.execute(select(m.Cab).filter_by(id=cab_id)).scalars().one()
        accs = (
            s.execute(select(m.Accreditation).filter_by(cab_id=cab_id).order_by(m.Accreditation.id))
            .scalars()
            .all()
        )
        acc_ids = [a.id for a in accs]
        acc_events = _grouped(s, m.AccreditationEvent, acc_ids)
        items: dict[int, list[str]] = defaultdict(list)
        if acc_ids:
            for a_id, item in s.execute(
                select(m.AccreditationScopeItem.accreditation_id, m.AccreditationScopeItem.item)
                .filter(m.AccreditationScopeItem.accreditation_id.in_(acc_ids))
                .order_by(m.AccreditationScopeItem.id)
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
                    events=_history(acc_events[a.id]),
                    valid_until=a.valid_until,
                    body_name=c.ab_names[a.accreditation_body_id],
                    source=a.source,
                )
            )
            refs[a.id] = AccreditationRef(key, a.number)
        approvals = s.execute(
            select(m.BodyApprovalEvent).filter_by(parent_id=cab_id).order_by(m.BodyApprovalEvent.id)
        ).scalars()
        participants = {f.body for f in acc_facts} | {cab.registration_number}
        part = CabPart(
            cab=CabFacts(
                registration_number=cab.registration_number,
                name=Bilingual(cab.name_zh, cab.name_en),
                kind=cab.kind,
                economy=c.economies[cab.economy_id],
                approval_events=_history(approvals),
                source=cab.source,
            ),
            accreditations=tuple(acc_facts),
            accreditation_ids=refs,
            signatories=c.signatories_of(participants),
            acronym=cab.acronym,
        )
        c.cabs[cab_id] = part
        return part

    # -- facts --

    def _certificate(self, row: CertRow, part: CabPart, *, full: bool = True) -> CertificateFacts:
        cab = part.cab
        return CertificateFacts(
            number=row.number,
            issuer=cab.registration_number,
            kind=row.kind,
            standard=row.standard,
            issued_on=row.issued_on,
            expires_on=row.expires_on,
            scope=row.scope if full else (),
            events=row.events if full else (),
            holder=row.holder,
            issuer_name=cab.name,
            accreditation=part.accreditation_ids.get(row.accreditation_id or -1) if full else None,
            source=row.source,
        )

    def _facts(self, row: CertRow) -> VerificationFacts:
        part = self.cab_part(row.cab_id)
        c = self.chain
        return VerificationFacts(
            certificate=self._certificate(row, part),
            cab=part.cab,
            accreditations=part.accreditations,
            signatories=part.signatories,
            arrangements=c.arrangements,
            recognitions=c.recognitions,
            acceptances=c.acceptances,
            scope_map=c.scope_map,
            memo=c.memo,
        )

    def facts(self, cert: m.Certificate, cab: m.Cab) -> VerificationFacts:
        """The facts for an ORM certificate (its events, scope and holder in one statement)."""
        self.cab_part(cab)  # the CAB as given (a hypothetical certificate's too)
        row = None
        if cert.id is not None:
            r = self.session.connection().execute(self.statements.by_id, {"cid": cert.id}).first()
            row = _cert_row(r) if r is not None else None
        if row is None:  # not in the database (a hypothetical certificate): no history
            row = CertRow(
                id=0,
                number=cert.number,
                number_norm=cert.number_norm,
                cab_id=cab.id,
                kind=cert.kind,
                standard=cert.standard,
                issued_on=cert.issued_on,
                expires_on=cert.expires_on,
                source=cert.source,
                accreditation_id=cert.accreditation_id,
                holder=Bilingual(),
                events=(),
                scope=(),
            )
        return self._facts(row)

    # -- verdicts --

    def _judge(self, query: Query, rows: Sequence[CertRow], evidence: bool = True) -> Verdict:
        if not rows:
            return not_found(query, coverage=self.coverage(query.issuer))
        if len(rows) > 1:
            cands = [
                self._certificate(r, self.cab_part(r.cab_id), full=False)
                for r in rows[:CANDIDATE_LIMIT]
            ]
            return ambiguous(query, cands, coverage=self.coverage(query.issuer))
        facts = self._facts(rows[0])
        return verify(facts, query.on, query.market, query=query, evidence=evidence)

    def verify(
        self, number: str, *, issuer: str | None = None, market: str | None = None, on: dt.date
    ) -> Verdict:
        """The verdict for a certificate number (any formatting), optionally from one issuer."""
        market = market.upper() if market else None
        query = Query(number=number, on=on, issuer=issuer, market=market)
        rows, fp, commits = self._lookup(normalize_number(number), issuer)
        if rows:
            self._current(fp, commits)
        return self._judge(query, rows)

    def verify_many(self, queries: Sequence[Query], *, evidence: bool = True) -> list[Verdict]:
        """Verdicts for many queries (a chunk of a batch), with one statement for all their
        certificates and one fingerprint check. Same verdicts as :meth:`verify` one by one
        (``evidence=False``: without the evidence and path, which a batch report leaves out)."""
        return self.judge_many(queries, self.fetch_many(queries), evidence=evidence)

    def fetch_many(self, queries: Sequence[Query]) -> dict[str, list[CertRow]]:
        """The certificates of the queries' numbers, by normalised number: one statement, and
        no use of the chain, so another thread may run it (a batch fetches the next chunk
        while it judges this one)."""
        norms = list(dict.fromkeys(normalize_number(q.number) for q in queries))
        by_norm: dict[str, list[CertRow]] = defaultdict(list)
        if norms:
            for r in self.session.connection().execute(self.statements.many, {"norms": norms}):
                row = _cert_row(r)
                by_norm[row.number_norm].append(row)
        return by_norm

    def judge_many(
        self,
        queries: Sequence[Query],
        by_norm: dict[str, list[CertRow]],
        *,
        evidence: bool = True,
    ) -> list[Verdict]:
        """The verdicts, from certificates fetched by :meth:`fetch_many`."""
        if not queries:
            return []
        self._chain = None
        chain = self.chain  # one fingerprint check per chunk (unless checked recently)
        out = []
        for q in queries:
            rows = by_norm.get(normalize_number(q.number), [])
            if q.issuer:
                rows = [r for r in rows if self._issued_by(chain, r.cab_id, q.issuer)]
            out.append(self._judge(q, rows[: CANDIDATE_LIMIT + 1], evidence))
        return out

    def _issued_by(self, chain: Chain, cab_id: int, issuer: str) -> bool:
        part = chain.cabs.get(cab_id) or self.cab_part(cab_id)
        return issuer in (part.cab.registration_number, part.acronym)


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
    _ = verifier.chain  # checked once, before the statement below
    rows = [
        _cert_row(r) for r in session.execute(verifier.statements.of_organization, {"oid": org.id})
    ]
    verdicts = []
    for row in rows:
        facts = verifier._facts(row)
        issuer = facts.certificate.issuer
        query = Query(number=row.number, on=on, issuer=issuer, market=market)
        verdicts.append(verify(facts, on, market, query=query))
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
