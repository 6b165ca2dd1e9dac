"""Facts of the chain of trust, and the scope and signatory rules of mutual recognition (pure).

The verdict in :mod:`accordia.domain.verification` is computed from the plain frozen
dataclasses below; the repository layer loads them from the ORM rows of
:mod:`accordia.models` (one dataclass per table family, same vocabulary) and never the other way
round. Scope items are strings ``"SCHEME:CODE"`` (``STD:ISO 9001``, ``IAF:19``, ``HS:8516``,
``MLA:MS/QMS``, ``ILAC:TESTING``). Status on a date always comes from
:func:`accordia.domain.status.status_on`; dates are inclusive.

Rules (see ``docs/verify.md``):

* HS product headings match by prefix: ``HS:85`` covers ``HS:8516``.
* Signatory scopes match exactly (an AB signs the MLA sub-scope ``MLA:MS/QMS`` and the main
  scope ``MLA:MS`` separately, IAF PL 3); recognitions of regional arrangements and market
  acceptances are hierarchical: ``MLA:MS`` covers ``MLA:MS/QMS``.
* An arrangement with a successor hands over on ``succeeded_on``: from that date the two are
  one arrangement (signatory status, recognitions and market acceptances carry over), before
  it only the predecessor is in force.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from accordia.domain.bilingual import Bilingual
from accordia.domain.status import Event, EventKind, Status, ordered, status_on

NO_TEXT = Bilingual()  # frozen, so safe to share as a default

AB = "accreditation_body"
CAB = "cab"

# Attestation kind -> the CAB standards an accreditation must be to (DOMAIN.md, CAB kinds).
KIND_CAB_STANDARDS: dict[str, frozenset[str]] = {
    "ms_certificate": frozenset({"ISO/IEC 17021-1"}),
    "product_certificate": frozenset({"ISO/IEC 17065"}),
    "persons_certificate": frozenset({"ISO/IEC 17024"}),
    "test_report": frozenset({"ISO/IEC 17025"}),
    "calibration_certificate": frozenset({"ISO/IEC 17025"}),
    "medical_report": frozenset({"ISO 15189"}),
    "inspection_report": frozenset({"ISO/IEC 17020"}),
    "verification_statement": frozenset({"ISO 14065", "ISO/IEC 17029"}),
    "validation_statement": frozenset({"ISO 14065", "ISO/IEC 17029"}),
}

# Scope dimensions an accreditation must cover whatever it lists: IAF sectors for management
# systems (IAF MD 1/ID 1 sector accreditation), product categories for product certification.
# Other dimensions are checked when the accreditation's scope enumerates them.
REQUIRED_SCHEMES: dict[str, frozenset[str]] = {
    "ISO/IEC 17021-1": frozenset({"IAF"}),
    "ISO/IEC 17065": frozenset({"HS"}),
}

# CAB standards whose MLA coverage is per normative document (sub-scope, IAF MLA levels 4-5):
# a certificate against a standard that is no sub-scope is outside the arrangement.
SUBSCOPE_REQUIRED: frozenset[str] = frozenset({"ISO/IEC 17021-1"})


@dataclass(frozen=True, slots=True)
class AccreditationRef:
    """The accreditation a certificate says it was issued under: body key + number."""

    body: str  # accreditation body key, ``ACRONYM/ECONOMY`` (see :func:`ab_key`)
    number: str


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """An attestation as the registry holds it (``certificate`` + scope items + events)."""

    number: str
    issuer: str  # the issuing CAB's registration number
    kind: str  # AttestationKind value
    standard: str  # certified / tested against, e.g. ``ISO 9001``
    issued_on: dt.date
    expires_on: dt.date | None = None
    scope: tuple[str, ...] = ()  # ``IAF:19``, ``HS:8516`` ...
    events: tuple[Event, ...] = ()  # an implicit ``granted`` on ``issued_on`` if none is given
    holder: Bilingual = NO_TEXT
    issuer_name: Bilingual = NO_TEXT
    accreditation: AccreditationRef | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class CabFacts:
    """The issuing conformity assessment body."""

    registration_number: str
    name: Bilingual
    kind: str  # CabKind value
    economy: str  # ISO 3166 code
    approval_events: tuple[Event, ...] = ()  # regulator approval (e.g. CNCA), if any
    source: str = ""


@dataclass(frozen=True, slots=True)
class AccreditationFacts:
    """An accreditation of the issuing CAB; ``scope`` as granted, changes are events."""

    body_acronym: str
    body_economy: str
    number: str
    cab_standard: str
    scope: tuple[str, ...]
    events: tuple[Event, ...]
    valid_until: dt.date | None = None
    body_name: Bilingual = NO_TEXT
    source: str = ""

    @property
    def body(self) -> str:
        return ab_key(self.body_acronym, self.body_economy)


@dataclass(frozen=True, slots=True)
class SignatoryFacts:
    """One scope of a participant in an arrangement, with its status history.

    The participant is an accreditation body (key ``ACRONYM/ECONOMY``) or, for bilateral and
    government agreements that designate bodies, a CAB (its registration number).
    """

    arrangement: str
    participant: str
    scope: str  # ``MLA:MS``, ``MLA:MS/QMS``, ``ILAC:TESTING``, ``HS:85`` ...
    events: tuple[Event, ...]
    participant_kind: str = AB  # AB or CAB
    source: str = ""


@dataclass(frozen=True, slots=True)
class ArrangementFacts:
    """An arrangement; ``parties`` are the economies of a bilateral or government agreement."""

    key: str
    kind: str  # ArrangementKind value
    name: Bilingual = NO_TEXT
    successor: str | None = None
    succeeded_on: dt.date | None = None
    parties: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True, slots=True)
class RecognitionFacts:
    """A global arrangement recognises a regional one for a scope (IAF MLA <- APAC MLA, MS)."""

    recognizing: str
    recognized: str
    scope: str
    events: tuple[Event, ...]
    source: str = ""


@dataclass(frozen=True, slots=True)
class MarketAcceptanceFacts:
    """Market accepts attestations recognised through ``arrangement`` ("" = any kind/scope)."""

    market: str
    arrangement: str
    attestation_kind: str = ""
    scope: str = ""  # a scope item or prefix: ``HS:85``, ``MLA:MS``
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    note: Bilingual = NO_TEXT
    source: str = ""


@dataclass(frozen=True, slots=True)
class ScopeMapping:
    """(CAB standard, certified standard, attestation kind) -> one arrangement scope code.

    ``standard``/``attestation_kind`` empty mean any; loaded from ``scope_code`` rows.
    """

    cab_standard: str
    scope: str
    standard: str = ""
    attestation_kind: str = ""


def _ms(std: str, sub: str) -> ScopeMapping:
    return ScopeMapping("ISO/IEC 17021-1", f"MLA:MS/{sub}", standard=std)


# IAF PL 3 main scopes and sub-scopes; ILAC MRA activities (reference/iaf_mla_scopes.csv,
# ilac_mra_scopes.csv).
DEFAULT_SCOPE_MAP: tuple[ScopeMapping, ...] = (
    ScopeMapping("ISO/IEC 17021-1", "MLA:MS"),
    _ms("ISO 9001", "QMS"),
    _ms("ISO 14001", "EMS"),
    _ms("ISO 45001", "OHSMS"),
    _ms("ISO 22000", "FSMS"),
    _ms("ISO/IEC 27001", "ISMS"),
    _ms("ISO 13485", "MDMS"),
    _ms("ISO 50001", "EnMS"),
    _ms("FSSC 22000", "FSSC"),
    ScopeMapping("ISO/IEC 17065", "MLA:PRODUCT"),
    ScopeMapping("ISO/IEC 17024", "MLA:PERSONS"),
    ScopeMapping("ISO 14065", "MLA:GHG"),
    ScopeMapping("ISO/IEC 17029", "MLA:VV"),
    ScopeMapping("ISO/IEC 17025", "ILAC:TESTING", attestation_kind="test_report"),
    ScopeMapping("ISO/IEC 17025", "ILAC:CALIBRATION", attestation_kind="calibration_certificate"),
    ScopeMapping("ISO 15189", "ILAC:MEDICAL"),
    ScopeMapping("ISO/IEC 17020", "ILAC:INSPECTION"),
)


@dataclass(frozen=True, slots=True)
class IssuerCoverage:
    """Whether an issuer submits its certificates to the registry, and how much and when."""

    issuer: str
    submits: bool
    certificate_count: int = 0
    last_submitted_on: dt.date | None = None
    issuer_name: Bilingual = NO_TEXT
    source: str = ""


_T = TypeVar("_T")


class Memo:
    """Results a verdict derives from the upper chain alone, shared by many verdicts.

    The repository layer keeps one per loaded chain and passes it in
    :attr:`VerificationFacts.memo`; :func:`accordia.domain.verification.verify` then computes
    the arrangement and market links (which depend on the chain and on a few fields of the
    certificate only) once per distinct question and date. A key holds the identity of the
    fact tuples it was computed from and the entry keeps those very objects, so an entry is
    only ever found again for the same facts. Bounded: emptied when ``limit`` entries are held.
    """

    __slots__ = ("_data", "_lock", "limit")

    def __init__(self, limit: int = 20_000) -> None:
        self._data: dict[Hashable, tuple[tuple[object, ...], Any]] = {}
        self._lock = threading.Lock()
        self.limit = limit

    def get(self, key: Hashable, keep: tuple[object, ...]) -> Any:
        """The value stored under ``key`` for exactly the objects ``keep``, else ``None``."""
        hit = self._data.get(key)
        # tuple equality tries identity first: the same objects match at once; other objects
        # (an id reused) match only when equal in value, and then the result holds for them too
        if hit is None or hit[0] != keep:
            return None
        return hit[1]

    def put(self, key: Hashable, keep: tuple[object, ...], value: _T) -> _T:
        with self._lock:
            if len(self._data) >= self.limit:
                self._data.clear()
            self._data[key] = (keep, value)
        return value

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True, slots=True)
class VerificationFacts:
    """Everything one verdict needs, loaded for one certificate."""

    certificate: CertificateFacts
    cab: CabFacts | None = None
    accreditations: tuple[AccreditationFacts, ...] = ()  # of this CAB
    signatories: tuple[SignatoryFacts, ...] = ()  # of its ABs, and of the CAB itself
    arrangements: tuple[ArrangementFacts, ...] = ()
    recognitions: tuple[RecognitionFacts, ...] = ()
    acceptances: tuple[MarketAcceptanceFacts, ...] = ()
    scope_map: tuple[ScopeMapping, ...] = DEFAULT_SCOPE_MAP
    coverage: IssuerCoverage | None = None
    # shared results of the upper chain (see Memo); not part of the facts' value
    memo: Memo | None = field(default=None, compare=False, repr=False)


def ab_key(acronym: str, economy: str) -> str:
    """The key of an accreditation body: ``CNAS/CN``."""
    return f"{acronym}/{economy}"


# --- scope ------------------------------------------------------------------------------------


def scheme_of(item: str) -> str:
    return item.split(":", 1)[0] if ":" in item else ""


def covers(granted: str, item: str, *, hierarchical: bool = False) -> bool:
    """Does one granted scope item cover ``item``? HS by prefix; MLA/ILAC by ``/`` if asked."""
    if granted == item:
        return True
    if scheme_of(granted) == "HS" == scheme_of(item):
        return item.startswith(granted)
    return hierarchical and item.startswith(granted + "/")


def uncovered(
    granted: Iterable[str], items: Iterable[str], *, hierarchical: bool = False
) -> list[str]:
    """The items no granted item covers, in their given order."""
    pool = granted if isinstance(granted, set | frozenset) else list(granted)
    exact = pool if isinstance(pool, set | frozenset) else set(pool)
    return [
        i
        for i in items
        if i not in exact  # an item covers itself: the common case, without the scan
        and not any(covers(g, i, hierarchical=hierarchical) for g in pool)
    ]


def required_scopes(
    mapping: Iterable[ScopeMapping], cab_standard: str, standard: str, kind: str
) -> tuple[str, ...]:
    """Arrangement scope codes a certificate needs: main scope and, where any, sub-scope.

    Returns ``()`` when the arrangements do not cover it (no main scope, or no sub-scope for the
    certified standard where one is required).
    """
    rows = [
        m for m in mapping if m.cab_standard == cab_standard and m.attestation_kind in ("", kind)
    ]
    main = [m.scope for m in rows if not m.standard]
    sub = [m.scope for m in rows if m.standard == standard]
    if not main or (cab_standard in SUBSCOPE_REQUIRED and not sub):
        return ()
    return tuple(dict.fromkeys(main + sub))


# --- arrangements -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reached:
    """An arrangement the participant is recognised under on the date, and how.

    ``route`` lists the arrangement keys from the participant's own record to this one, e.g.
    ``("APAC-MLA", "IAF-MLA")``; ``via`` is ``direct``, ``regional``, ``successor``,
    ``predecessor`` or ``bilateral``.
    """

    arrangement: str
    route: tuple[str, ...]
    via: str


class Graph:
    """Arrangements, their successions and recognitions, indexed for one verdict."""

    def __init__(
        self,
        arrangements: Sequence[ArrangementFacts],
        recognitions: Sequence[RecognitionFacts],
    ) -> None:
        self.by_key = {a.key: a for a in arrangements}
        self.recognitions = recognitions
        self._pred = {a.successor: a.key for a in arrangements if a.successor}

    def family(self, key: str) -> list[str]:
        """The succession chain ``key`` belongs to, oldest first."""
        first, seen = key, {key}
        while (prev := self._pred.get(first)) is not None and prev not in seen:
            first = prev
            seen.add(prev)
        chain = [first]
        while (a := self.by_key.get(chain[-1])) and a.successor and a.successor not in chain:
            chain.append(a.successor)
        return chain

    def in_force(self, key: str, on: dt.date) -> list[str]:
        """Members of ``key``'s chain that are one arrangement on ``on`` (oldest first)."""
        chain = self.family(key)
        out = [chain[0]]
        for prev, nxt in itertools.pairwise(chain):
            a = self.by_key.get(prev)
            if a is None or a.succeeded_on is None or a.succeeded_on > on:
                break
            out.append(nxt)
        return out

    def kind(self, key: str) -> str:
        a = self.by_key.get(key)
        return a.kind if a else ""


def family_status(
    graph: Graph, records: Iterable[SignatoryFacts | RecognitionFacts], key: str, on: dt.date
) -> Status:
    """Status on ``on`` of records held in any member in force of ``key``'s chain, merged."""
    members = set(graph.in_force(key, on))
    events: list[Event] = []
    for r in records:
        owner = r.arrangement if isinstance(r, SignatoryFacts) else r.recognizing
        if owner in members:
            events.extend(r.events)
    return status_on(events, on)


def _carried(
    graph: Graph, origin: str, prefix: tuple[str, ...], via: str, on: dt.date
) -> list[Reached]:
    """``origin`` reached, and each member of its chain that is one with it on ``on``."""
    members = graph.in_force(origin, on)
    o = members.index(origin) if origin in members else 0
    out = [Reached(origin, (*prefix, origin), via)]
    for i, m in enumerate(members):
        if i > o:
            out.append(Reached(m, (*prefix, *members[o : i + 1]), "successor"))
        elif i < o:
            out.append(Reached(m, (*prefix, origin, m), "predecessor"))
    return out


def _origins(
    graph: Graph, records: Sequence[SignatoryFacts | RecognitionFacts], on: dt.date
) -> list[str]:
    """Per succession chain holding ``records``: its oldest member in force holding one, if the
    merged status of the chain's records is active on ``on``."""

    def owner(r: SignatoryFacts | RecognitionFacts) -> str:
        return r.arrangement if isinstance(r, SignatoryFacts) else r.recognizing

    out: list[str] = []
    for root in dict.fromkeys(graph.family(owner(r))[0] for r in records):
        members = graph.in_force(root, on)
        held = [m for m in members if any(owner(r) == m for r in records)]
        if held and family_status(graph, records, root, on) is Status.ACTIVE:
            out.append(held[0])
    return out


def reach(
    graph: Graph,
    signatories: Sequence[SignatoryFacts],
    participant: str,
    items: Sequence[str],
    on: dt.date,
) -> list[Reached]:
    """Arrangements ``participant`` is recognised under on ``on`` for every one of ``items``.

    Direct signatory status (merged over the succession chain), then recognition of a regional
    arrangement by another one for the same scope, then succession.
    """
    own = [s for s in signatories if s.participant == participant]
    result: dict[str, Reached] | None = None
    for item in items:
        found: dict[str, Reached] = {}
        mine = [s for s in own if covers(s.scope, item)]
        via = "bilateral" if mine and mine[0].participant_kind == CAB else "direct"
        for origin in _origins(graph, mine, on):
            for r in _carried(graph, origin, (), via, on):
                found.setdefault(r.arrangement, r)
        for r in list(found.values()):
            rows = [
                x
                for x in graph.recognitions
                if x.recognized == r.arrangement and covers(x.scope, item, hierarchical=True)
            ]
            for g in _origins(graph, rows, on):
                for x in _carried(graph, g, r.route, "regional", on):
                    found.setdefault(x.arrangement, x)
        if result is None:
            result = found
        else:  # reached for every item; keep the longer (less direct) route
            result = {
                k: max(v, found[k], key=lambda x: len(x.route))
                for k, v in result.items()
                if k in found
            }
    return list((result or {}).values())


def acceptance_matches(
    acc: MarketAcceptanceFacts, kind: str, items: Sequence[str], on: dt.date
) -> list[str]:
    """Why an acceptance row does not apply (empty list: it applies)."""
    why: list[str] = []
    if acc.attestation_kind and acc.attestation_kind != kind:
        why.append("kind")
    if acc.scope:
        same = [i for i in items if scheme_of(i) == scheme_of(acc.scope)]
        if not same or uncovered([acc.scope], same, hierarchical=True):
            why.append("scope")
    if (acc.valid_from and on < acc.valid_from) or (acc.valid_until and on > acc.valid_until):
        why.append("dates")
    return why


@dataclass(frozen=True, slots=True)
class Finding:
    """Why a participant is not recognised for one scope item on a date.

    ``code``: ``no_record``, ``regional_only`` (signatory of a regional arrangement that no
    other arrangement recognises for the item), ``not_yet`` (``since`` = first grant),
    ``suspended`` / ``withdrawn`` / ``expired`` (``since`` = that event), ``not_signatory``.
    """

    code: str
    arrangement: str = ""
    since: dt.date | None = None


def why_not(
    graph: Graph, signatories: Sequence[SignatoryFacts], who: str, item: str, on: dt.date
) -> Finding:
    """The first reason found in ``who``'s records for not being recognised for ``item``."""
    mine = [s for s in signatories if s.participant == who and covers(s.scope, item)]
    if not mine:
        return Finding("no_record")
    for root in dict.fromkeys(graph.family(s.arrangement)[0] for s in mine):
        key = graph.in_force(root, on)[-1]
        st = family_status(graph, mine, root, on)
        events = ordered(
            e for s in mine if graph.family(s.arrangement)[0] == root for e in s.events
        )
        if st is Status.ACTIVE and graph.kind(key) == "regional":
            return Finding("regional_only", key)
        if st is Status.NOT_YET:
            first = next((e.effective_on for e in events if e.kind == EventKind.GRANTED), None)
            if first:
                return Finding("not_yet", key, first)
        if st in (Status.SUSPENDED, Status.WITHDRAWN, Status.EXPIRED):
            last = [e.effective_on for e in events if e.kind == st.value and e.effective_on <= on]
            return Finding(st.value, key, last[-1] if last else None)
    return Finding("not_signatory")
