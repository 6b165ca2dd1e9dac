"""Status as history: the one function that answers "what was the status on date D?".

Every attested thing (certificate, accreditation, signatory scope, body approval, arrangement
recognition) carries an append-only list of events. Each event has the date it took effect in
the world (``effective_on``) and the time we recorded it (``recorded_at``). The status on a date
is derived by folding the events in effect on or before that date, in the order they took
effect (ties broken by the order they were recorded). Nothing is overwritten.

Dates are inclusive: an event effective on D already applies on D; a validity that ends on D
(``valid_until``) still holds on D and no longer holds on D + 1.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class EventKind(StrEnum):
    """What happened to an attested thing. The same vocabulary serves every kind of record."""

    GRANTED = "granted"  # accreditation granted, certificate issued, signatory admitted, approval
    RENEWED = "renewed"  # recertification / reaccreditation: a new cycle, active again
    SUSPENDED = "suspended"
    RESTORED = "restored"  # suspension lifted (or restored within the allowed window)
    WITHDRAWN = "withdrawn"  # withdrawn / revoked / cancelled: final unless granted again
    EXPIRED = "expired"  # ended by the passage of time (explicitly recorded)
    SCOPE_REDUCED = "scope_reduced"
    SCOPE_EXTENDED = "scope_extended"
    SURVEILLANCE = "surveillance"  # a surveillance audit confirmed continued validity


class Status(StrEnum):
    """Derived status of an attested thing on a date."""

    NOT_YET = "not_yet"  # no grant in effect yet on that date
    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class EventLike(Protocol):
    """Anything that looks like a status event (ORM rows and plain dataclasses alike)."""

    @property
    def kind(self) -> str: ...

    @property
    def effective_on(self) -> dt.date: ...

    @property
    def recorded_at(self) -> dt.datetime: ...


@dataclass(frozen=True, slots=True)
class Event:
    """A plain status event, for domain code and tests."""

    kind: str
    effective_on: dt.date
    recorded_at: dt.datetime = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    scope: tuple[str, ...] = ()
    source: str = ""
    note: str = ""


_ACTIVATING = {EventKind.GRANTED, EventKind.RENEWED}


def _apply(status: Status, kind: str) -> Status:
    """One transition of the status machine."""
    if kind in _ACTIVATING:
        return Status.ACTIVE
    if kind == EventKind.SUSPENDED:
        return Status.SUSPENDED if status in (Status.ACTIVE, Status.SUSPENDED) else status
    if kind == EventKind.RESTORED:
        return Status.ACTIVE if status in (Status.SUSPENDED, Status.EXPIRED) else status
    if kind == EventKind.WITHDRAWN:
        return Status.WITHDRAWN if status != Status.NOT_YET else status
    if kind == EventKind.EXPIRED:
        return Status.EXPIRED if status in (Status.ACTIVE, Status.SUSPENDED) else status
    return status  # scope changes and surveillance do not change the status


# Same day and same recording time (one import records many events at once): the restrictive
# event is applied last, so a simultaneous "granted" and "suspended" leave the record suspended.
_TIE_RANK: dict[str, int] = {
    EventKind.GRANTED: 0,
    EventKind.RENEWED: 1,
    EventKind.RESTORED: 2,
    EventKind.SCOPE_EXTENDED: 3,
    EventKind.SURVEILLANCE: 4,
    EventKind.SCOPE_REDUCED: 5,
    EventKind.SUSPENDED: 6,
    EventKind.EXPIRED: 7,
    EventKind.WITHDRAWN: 8,
}


def _order_key(e: EventLike) -> tuple[dt.date, dt.datetime, int]:
    return (e.effective_on, e.recorded_at, _TIE_RANK.get(e.kind, 9))


def _sorted(events: Iterable[EventLike]) -> list[EventLike]:
    return sorted(events, key=_order_key)


class _Timeline:
    """An event tuple folded once: the events in order, their dates, and the status after
    each. ``status_on`` and ``in_effect`` then bisect instead of sorting and folding."""

    __slots__ = ("dates", "events", "statuses")

    def __init__(self, events: Iterable[EventLike]) -> None:
        self.events = _sorted(events)
        self.dates = [e.effective_on for e in self.events]
        status, statuses = Status.NOT_YET, []
        for e in self.events:
            status = _apply(status, e.kind)
            statuses.append(status)
        self.statuses = statuses

    def upto(self, on: dt.date) -> int:
        """How many events had taken effect by ``on`` (they come first: sorted by date)."""
        return bisect_right(self.dates, on)


class FoldedEvents(tuple):  # type: ignore[type-arg]
    """A tuple of events folded once (see :func:`folded`); equal to the plain tuple."""

    _timeline: _Timeline

    def __new__(cls, events: Iterable[EventLike]) -> FoldedEvents:
        self = super().__new__(cls, events)
        self._timeline = _Timeline(self)
        return self


def folded(events: Iterable[EventLike]) -> tuple[Event, ...]:
    """The events as a tuple that carries its folded timeline: :func:`status_on`,
    :func:`in_effect`, :func:`ordered` and :func:`scope_on` then bisect instead of sorting and
    folding on every question. For histories asked about again and again (the accreditations,
    signatory records and approvals of the upper chain, loaded once and shared by every
    verdict); the answers are exactly those of the plain tuple."""
    return FoldedEvents(events)


def _timeline_of(events: Iterable[EventLike]) -> _Timeline | None:
    return events._timeline if type(events) is FoldedEvents else None


def ordered(events: Iterable[EventLike]) -> list[EventLike]:
    """Events in the order they took effect; same-day ties in the order they were recorded, and
    ties in both by :data:`_TIE_RANK` — a total order, whatever order the input came in."""
    t = _timeline_of(events)
    return list(t.events) if t is not None else _sorted(events)


def in_effect(
    events: Iterable[EventLike], on: dt.date, *, known_at: dt.datetime | None = None
) -> list[EventLike]:
    """The events that had taken effect by ``on`` (and, if given, were recorded by ``known_at``)."""
    if known_at is None:
        t = _timeline_of(events)
        if t is not None:
            return t.events[: t.upto(on)]
    return [
        e
        for e in ordered(events)
        if e.effective_on <= on and (known_at is None or e.recorded_at <= known_at)
    ]


def status_on(
    events: Iterable[EventLike],
    on: dt.date,
    *,
    valid_until: dt.date | None = None,
    known_at: dt.datetime | None = None,
) -> Status:
    """The status on date ``on``.

    Args:
        events: the record's status events, in any order.
        on: the date asked about.
        valid_until: last day of validity printed on the attestation, if any; after it the
            record is expired unless an event of a later cycle (renewal) says otherwise.
        known_at: answer as the registry knew it at that moment (bitemporal question);
            ``None`` uses everything recorded.
    """
    t = _timeline_of(events) if known_at is None else None
    if t is not None:
        n = t.upto(on)
        status = t.statuses[n - 1] if n else Status.NOT_YET
    else:
        status = Status.NOT_YET
        for e in in_effect(events, on, known_at=known_at):
            status = _apply(status, e.kind)
    if valid_until is not None and on > valid_until and status in (Status.ACTIVE, Status.SUSPENDED):
        return Status.EXPIRED
    return status


def last_event(
    events: Iterable[EventLike], on: dt.date, *, known_at: dt.datetime | None = None
) -> EventLike | None:
    """The latest event in effect on ``on``: the evidence behind :func:`status_on`."""
    effective = in_effect(events, on, known_at=known_at)
    return effective[-1] if effective else None


def first_effective(events: Iterable[EventLike], kinds: Sequence[str]) -> dt.date | None:
    """Date of the first event of one of ``kinds`` (e.g. when the record was first granted)."""
    for e in ordered(events):
        if e.kind in kinds:
            return e.effective_on
    return None


@dataclass(frozen=True, slots=True)
class Period:
    """A maximal run of days with one status: ``start`` inclusive, ``end`` inclusive or open."""

    status: Status
    start: dt.date
    end: dt.date | None = None


def timeline(events: Iterable[EventLike], *, valid_until: dt.date | None = None) -> list[Period]:
    """The status history as consecutive periods (for timelines on pages and in reports)."""
    evs = ordered(events)
    dates = sorted(
        {e.effective_on for e in evs}
        | ({valid_until + dt.timedelta(days=1)} if valid_until else set())
    )
    periods: list[Period] = []
    for d in dates:
        s = status_on(evs, d, valid_until=valid_until)
        if periods and periods[-1].status == s:
            continue
        if periods:
            last = periods[-1]
            periods[-1] = Period(last.status, last.start, d - dt.timedelta(days=1))
        periods.append(Period(s, d))
    return periods


def scope_on(
    granted: Iterable[str],
    events: Iterable[EventLike],
    on: dt.date,
) -> frozenset[str]:
    """The scope in force on ``on``: the granted items, minus reductions, plus extensions.

    Events of kind ``scope_reduced`` / ``scope_extended`` carry the affected items in their
    ``scope`` attribute (an iterable of scope item codes).
    """
    current = set(granted)
    for e in in_effect(events, on):
        items = set(getattr(e, "scope", ()) or ())
        if e.kind == EventKind.SCOPE_REDUCED:
            current -= items
        elif e.kind == EventKind.SCOPE_EXTENDED:
            current |= items
    return frozenset(current)
