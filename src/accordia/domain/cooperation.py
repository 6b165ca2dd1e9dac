"""The international cooperation ledger and the figures reported from it (pure, no database).

The ledger is held here as plain frozen dataclasses, so the counting rules can be read and
tested without a database; the repository that reads the ORM rows of
:mod:`accordia.models.cooperation` builds a :class:`Ledger` and calls :func:`figures`.

Counting rules (see ``docs/cooperation.md``, each one tested in ``tests/test_cooperation.py``):

1. Figures are as of a date ``on`` and count what was signed (or joined) on or before it.
2. Counterpart bodies are the distinct counterparts party to at least one counted agreement:
   a counterpart with several agreements counts once.
3. Their economies are the distinct economy codes of those counterparts.
4. Agreement documents are the distinct agreements: one with several counterparts counts once.
5. Terminated or expired agreements still count as signed; the number in force on ``on``
   is reported beside them.
6. "Joined or tracked" counts each organisation once whatever its status history, including
   one left before ``on`` (it was joined or tracked); the number still joined, observed or
   tracked on ``on`` is reported beside it.
7. Recognition systems and accreditation arrangements count once each when signed on or before
   ``on``, withdrawn or not (as for agreements); the number still active is reported beside.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class AgreementType(StrEnum):
    """Kinds of bilateral or plurilateral agreement documents the authority signs."""

    COOPERATION_AGREEMENT = "cooperation_agreement"
    MOU = "mou"  # memorandum of understanding
    MUTUAL_RECOGNITION_AGREEMENT = "mutual_recognition_agreement"
    PROTOCOL = "protocol"
    ARRANGEMENT = "arrangement"
    OTHER = "other"


# The headline's "of which cooperation agreements and MoUs".
COOPERATION_TYPES = frozenset({AgreementType.COOPERATION_AGREEMENT, AgreementType.MOU})


class CounterpartKind(StrEnum):
    """What kind of body signs with the authority."""

    GOVERNMENT = "government"
    ASSOCIATION = "association"
    ACCREDITATION_BODY = "accreditation_body"
    CERTIFICATION_BODY = "certification_body"
    OTHER = "other"


class OrganisationLevel(StrEnum):
    """International or regional organisation."""

    INTERNATIONAL = "international"
    REGIONAL = "regional"


class MembershipEventKind(StrEnum):
    """Status changes of a membership; the status on a date is the last one in effect."""

    JOINED = "joined"
    OBSERVER = "observer"
    TRACKED = "tracked"
    LEFT = "left"


ENGAGED_KINDS = frozenset(
    {MembershipEventKind.JOINED, MembershipEventKind.OBSERVER, MembershipEventKind.TRACKED}
)


class ExpertRole(StrEnum):
    """Positions the authority's experts hold in an organisation."""

    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    CONVENOR = "convenor"
    BOARD_MEMBER = "board_member"
    WORKING_GROUP_MEMBER = "working_group_member"
    OTHER = "other"


class ParticipationKind(StrEnum):
    """A multilateral recognition system, or an accreditation arrangement, the authority signed."""

    SYSTEM = "system"  # testing/certification systems: IECEE CB Scheme, IECEx, IECQ ...
    ACCREDITATION_ARRANGEMENT = "accreditation_arrangement"  # IAF MLA, ILAC MRA, APAC ...


class ChangeKind(StrEnum):
    """What the "changed since" section lists."""

    AGREEMENT_SIGNED = "agreement_signed"
    AGREEMENT_ENDED = "agreement_ended"  # terminated or expired (still counted as signed)
    COUNTERPART_ADDED = "counterpart_added"
    ECONOMY_ADDED = "economy_added"
    ORGANISATION_ADDED = "organisation_added"
    MEMBERSHIP_CHANGED = "membership_changed"
    SYSTEM_SIGNED = "system_signed"
    ACCREDITATION_ARRANGEMENT_SIGNED = "accreditation_arrangement_signed"


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# --- the ledger -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EconomyName:
    """Display names of an economy code (the ``economy`` table's code and names)."""

    code: str
    name_zh: str | None = None
    name_en: str | None = None


@dataclass(frozen=True, slots=True)
class Counterpart:
    """A body the authority signs with, in one economy (ISO 3166 alpha-2 or grouping code)."""

    key: str
    kind: str
    economy: str
    name_zh: str | None = None
    name_en: str | None = None


@dataclass(frozen=True, slots=True)
class Agreement:
    """An agreement document. ``counterparts`` are counterpart keys.

    ``expires_on`` is the last day of validity (inclusive); ``terminated_on`` is the first day
    the agreement no longer applies.
    """

    key: str
    type: str
    signed_on: dt.date
    counterparts: tuple[str, ...]
    title_zh: str | None = None
    title_en: str | None = None
    in_force_on: dt.date | None = None
    expires_on: dt.date | None = None
    terminated_on: dt.date | None = None

    def in_force(self, on: dt.date) -> bool:
        """Whether the agreement applies on ``on``: signed, entered into force, not ended."""
        start = self.in_force_on or self.signed_on
        if on < self.signed_on or on < start:
            return False
        if self.terminated_on is not None and on >= self.terminated_on:
            return False
        return self.expires_on is None or on <= self.expires_on

    def ended_on(self) -> dt.date | None:
        """The first day it no longer applied (termination, or the day after expiry)."""
        ends = [d for d in (self.terminated_on,) if d is not None]
        if self.expires_on is not None:
            ends.append(self.expires_on + dt.timedelta(days=1))
        return min(ends) if ends else None


@dataclass(frozen=True, slots=True)
class MembershipEvent:
    """One status change of a membership (append-only, like every status in the registry)."""

    kind: str
    effective_on: dt.date
    recorded_at: dt.datetime = _EPOCH
    source: str = ""


@dataclass(frozen=True, slots=True)
class Membership:
    """The authority's relation to an international or regional organisation."""

    key: str
    events: tuple[MembershipEvent, ...]
    name_zh: str | None = None
    name_en: str | None = None
    level: str = OrganisationLevel.INTERNATIONAL

    def _ordered(self, on: dt.date) -> list[MembershipEvent]:
        effective = [e for e in self.events if e.effective_on <= on]
        return sorted(effective, key=lambda e: (e.effective_on, e.recorded_at))

    def first_engaged_on(self) -> dt.date | None:
        """When it was first joined, observed or tracked."""
        dates = [e.effective_on for e in self.events if e.kind in ENGAGED_KINDS]
        return min(dates) if dates else None

    def status_on(self, on: dt.date) -> str | None:
        """The last status in effect on ``on`` (``None`` before the first event)."""
        evs = self._ordered(on)
        return evs[-1].kind if evs else None


@dataclass(frozen=True, slots=True)
class Participation:
    """A multilateral recognition system or accreditation arrangement the authority signed."""

    key: str
    kind: str
    signed_on: dt.date
    name_zh: str | None = None
    name_en: str | None = None
    scope: str | None = None
    withdrawn_on: dt.date | None = None

    def active(self, on: dt.date) -> bool:
        return self.signed_on <= on and (self.withdrawn_on is None or on < self.withdrawn_on)


@dataclass(frozen=True, slots=True)
class Ledger:
    """Everything the figures are computed from."""

    counterparts: tuple[Counterpart, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    memberships: tuple[Membership, ...] = ()
    participations: tuple[Participation, ...] = ()
    economies: tuple[EconomyName, ...] = ()


# --- the figures ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Headline:
    """The headline figures as of a date (the numbers of DOMAIN.md's sentence, and context)."""

    bodies: int
    economies: int
    agreements: int
    cooperation_and_mous: int
    organisations: int
    systems: int
    accreditation_arrangements: int
    agreements_in_force: int
    organisations_engaged: int  # joined, observer or tracked on the date (not left)
    systems_active: int
    accreditation_arrangements_active: int


@dataclass(frozen=True, slots=True)
class TypeRow:
    type: str
    signed: int
    in_force: int


@dataclass(frozen=True, slots=True)
class EconomyRow:
    """One economy: its counterpart bodies and the agreements with at least one of them."""

    code: str
    name_zh: str | None
    name_en: str | None
    bodies: int
    agreements: int


@dataclass(frozen=True, slots=True)
class YearRow:
    year: int
    agreements: int
    cooperation_and_mous: int
    cumulative: int


@dataclass(frozen=True, slots=True)
class Change:
    """One thing that changed between ``since`` (exclusive) and ``on`` (inclusive)."""

    kind: str
    key: str
    on: dt.date
    name_zh: str | None = None
    name_en: str | None = None
    detail: str = ""  # a type, economy code or status, as a code (translated when rendered)


@dataclass(frozen=True, slots=True)
class Changes:
    since: dt.date
    before: Headline
    items: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class Figures:
    on: dt.date
    headline: Headline
    by_type: tuple[TypeRow, ...]
    by_economy: tuple[EconomyRow, ...]
    by_year: tuple[YearRow, ...]
    changes: Changes | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings)."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- counting ---------------------------------------------------------------------------------


def _unique(items: Iterable[Any]) -> list[Any]:
    """First item per ``key``: a record listed twice counts once."""
    seen: dict[str, Any] = {}
    for item in items:
        seen.setdefault(item.key, item)
    return list(seen.values())


def _check(ledger: Ledger) -> dict[str, Counterpart]:
    counterparts = {c.key: c for c in ledger.counterparts}
    for a in ledger.agreements:
        unknown = [k for k in a.counterparts if k not in counterparts]
        if unknown:
            raise ValueError(f"agreement {a.key!r} names unknown counterparts {unknown}")
    return counterparts


def _signed(ledger: Ledger, on: dt.date) -> list[Agreement]:
    return [a for a in _unique(ledger.agreements) if a.signed_on <= on]


def _bodies(agreements: Iterable[Agreement], counterparts: dict[str, Counterpart]) -> set[str]:
    return {k for a in agreements for k in a.counterparts if k in counterparts}


def headline(ledger: Ledger, on: dt.date) -> Headline:
    """The headline figures as of ``on`` (rules 1-7 of this module)."""
    counterparts = _check(ledger)
    signed = _signed(ledger, on)
    bodies = _bodies(signed, counterparts)
    members = [
        m
        for m in _unique(ledger.memberships)
        if (first := m.first_engaged_on()) is not None and first <= on
    ]
    parts = [p for p in _unique(ledger.participations) if p.signed_on <= on]
    systems = [p for p in parts if p.kind == ParticipationKind.SYSTEM]
    arrangements = [p for p in parts if p.kind == ParticipationKind.ACCREDITATION_ARRANGEMENT]
    return Headline(
        bodies=len(bodies),
        economies=len({counterparts[k].economy for k in bodies}),
        agreements=len(signed),
        cooperation_and_mous=sum(1 for a in signed if a.type in COOPERATION_TYPES),
        organisations=len(members),
        systems=len(systems),
        accreditation_arrangements=len(arrangements),
        agreements_in_force=sum(1 for a in signed if a.in_force(on)),
        organisations_engaged=sum(1 for m in members if m.status_on(on) in ENGAGED_KINDS),
        systems_active=sum(1 for p in systems if p.active(on)),
        accreditation_arrangements_active=sum(1 for p in arrangements if p.active(on)),
    )


def by_type(ledger: Ledger, on: dt.date) -> tuple[TypeRow, ...]:
    """Agreements signed and in force on ``on``, per type (every type listed, in enum order)."""
    signed = _signed(ledger, on)
    known = [t.value for t in AgreementType]
    extra = sorted({a.type for a in signed} - set(known))
    return tuple(
        TypeRow(
            type=t,
            signed=sum(1 for a in signed if a.type == t),
            in_force=sum(1 for a in signed if a.type == t and a.in_force(on)),
        )
        for t in known + extra
    )


def by_economy(ledger: Ledger, on: dt.date) -> tuple[EconomyRow, ...]:
    """Counterpart bodies and agreements per economy, most agreements first.

    An agreement with counterparts in two economies appears in both rows, so the agreements
    column can add up to more than the total; the bodies column adds up to the total.
    """
    counterparts = _check(ledger)
    names = {e.code: e for e in ledger.economies}
    bodies: dict[str, set[str]] = defaultdict(set)
    agreements: dict[str, set[str]] = defaultdict(set)
    for a in _signed(ledger, on):
        for k in a.counterparts:
            code = counterparts[k].economy
            bodies[code].add(k)
            agreements[code].add(a.key)
    rows = [
        EconomyRow(
            code=code,
            name_zh=names[code].name_zh if code in names else None,
            name_en=names[code].name_en if code in names else None,
            bodies=len(bodies[code]),
            agreements=len(agreements[code]),
        )
        for code in bodies
    ]
    return tuple(sorted(rows, key=lambda r: (-r.agreements, -r.bodies, r.code)))


def by_year(ledger: Ledger, on: dt.date) -> tuple[YearRow, ...]:
    """Agreements signed per calendar year up to ``on``, with the running total."""
    per_year: dict[int, list[Agreement]] = defaultdict(list)
    for a in _signed(ledger, on):
        per_year[a.signed_on.year].append(a)
    rows: list[YearRow] = []
    total = 0
    for year in sorted(per_year):
        signed = per_year[year]
        total += len(signed)
        coop = sum(1 for a in signed if a.type in COOPERATION_TYPES)
        rows.append(YearRow(year, len(signed), coop, total))
    return tuple(rows)


def changes(ledger: Ledger, on: dt.date, since: dt.date) -> Changes:
    """What changed after ``since`` up to and including ``on``."""
    if since > on:
        raise ValueError(f"since ({since}) is after on ({on})")
    counterparts = _check(ledger)

    def new(d: dt.date | None) -> bool:
        return d is not None and since < d <= on

    items: list[Change] = []
    signed = _signed(ledger, on)
    for a in signed:
        if new(a.signed_on):
            items.append(
                Change(
                    ChangeKind.AGREEMENT_SIGNED, a.key, a.signed_on, a.title_zh, a.title_en, a.type
                )
            )
        if new(a.ended_on()):
            items.append(
                Change(
                    ChangeKind.AGREEMENT_ENDED,
                    a.key,
                    a.ended_on() or on,
                    a.title_zh,
                    a.title_en,
                    a.type,
                )
            )
    # A counterpart (or economy) is new when its first counted agreement is.
    first_seen: dict[str, dt.date] = {}
    for a in signed:
        for k in a.counterparts:
            first_seen[k] = min(first_seen.get(k, a.signed_on), a.signed_on)
    economy_first: dict[str, dt.date] = {}
    for k, d in first_seen.items():
        c = counterparts[k]
        economy_first[c.economy] = min(economy_first.get(c.economy, d), d)
        if new(d):
            items.append(
                Change(ChangeKind.COUNTERPART_ADDED, k, d, c.name_zh, c.name_en, c.economy)
            )
    names = {e.code: e for e in ledger.economies}
    for code, d in economy_first.items():
        if new(d):
            e = names.get(code, EconomyName(code))
            items.append(Change(ChangeKind.ECONOMY_ADDED, code, d, e.name_zh, e.name_en))
    for m in _unique(ledger.memberships):
        first = m.first_engaged_on()
        if new(first):
            items.append(
                Change(ChangeKind.ORGANISATION_ADDED, m.key, first or on, m.name_zh, m.name_en)
            )
        for ev in m.events:
            if new(ev.effective_on) and ev.effective_on != first:
                items.append(
                    Change(
                        ChangeKind.MEMBERSHIP_CHANGED,
                        m.key,
                        ev.effective_on,
                        m.name_zh,
                        m.name_en,
                        ev.kind,
                    )
                )
    for p in _unique(ledger.participations):
        if new(p.signed_on):
            kind = (
                ChangeKind.SYSTEM_SIGNED
                if p.kind == ParticipationKind.SYSTEM
                else ChangeKind.ACCREDITATION_ARRANGEMENT_SIGNED
            )
            items.append(Change(kind, p.key, p.signed_on, p.name_zh, p.name_en, p.scope or ""))
    items.sort(key=lambda c: (c.on, list(ChangeKind).index(ChangeKind(c.kind)), c.key))
    return Changes(since=since, before=headline(ledger, since), items=tuple(items))


def figures(ledger: Ledger, on: dt.date, since: dt.date | None = None) -> Figures:
    """All the figures of the cooperation report as of ``on``, and changes since ``since``.

    Raises:
        ValueError: an agreement names a counterpart the ledger does not hold, or ``since``
            is after ``on``.
    """
    return Figures(
        on=on,
        headline=headline(ledger, on),
        by_type=by_type(ledger, on),
        by_economy=by_economy(ledger, on),
        by_year=by_year(ledger, on),
        changes=changes(ledger, on, since) if since is not None else None,
    )
