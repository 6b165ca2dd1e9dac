"""Status is history: "status on date D" is one function, and it is consistent over time.

Property-based: whatever the events, adding an event dated after D never changes the answer for
D (the cascade runs forward in time only), the timeline agrees with status_on day by day, and
knowledge recorded later does not change what the registry knew earlier.
"""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from accordia.domain.status import Event, EventKind, Status, scope_on, status_on, timeline

D0 = dt.date(2020, 1, 1)
KINDS = [
    EventKind.GRANTED,
    EventKind.SUSPENDED,
    EventKind.RESTORED,
    EventKind.WITHDRAWN,
    EventKind.EXPIRED,
    EventKind.RENEWED,
    EventKind.SURVEILLANCE,
]

events_st = st.lists(
    st.builds(
        Event,
        kind=st.sampled_from(KINDS),
        effective_on=st.dates(D0, dt.date(2026, 12, 31)),
        recorded_at=st.datetimes(
            dt.datetime(2020, 1, 1), dt.datetime(2027, 1, 1), timezones=st.just(dt.UTC)
        ),
    ),
    max_size=12,
)


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


class TestStatusOn:
    def test_nothing_before_grant(self) -> None:
        evs = [Event("granted", d("2024-01-10"))]
        assert status_on(evs, d("2024-01-09")) is Status.NOT_YET
        assert status_on(evs, d("2024-01-10")) is Status.ACTIVE

    def test_suspended_then_restored(self) -> None:
        evs = [
            Event("granted", d("2024-01-01")),
            Event("suspended", d("2024-05-01")),
            Event("restored", d("2024-06-01")),
        ]
        assert status_on(evs, d("2024-04-30")) is Status.ACTIVE
        assert status_on(evs, d("2024-05-01")) is Status.SUSPENDED
        assert status_on(evs, d("2024-05-31")) is Status.SUSPENDED
        assert status_on(evs, d("2024-06-01")) is Status.ACTIVE

    def test_valid_until_is_inclusive(self) -> None:
        evs = [Event("granted", d("2024-01-01"))]
        assert status_on(evs, d("2026-12-31"), valid_until=d("2026-12-31")) is Status.ACTIVE
        assert status_on(evs, d("2027-01-01"), valid_until=d("2026-12-31")) is Status.EXPIRED

    def test_withdrawal_is_final_until_granted_again(self) -> None:
        evs = [
            Event("granted", d("2020-01-01")),
            Event("withdrawn", d("2021-01-01")),
            Event("restored", d("2021-02-01")),
        ]
        assert status_on(evs, d("2021-03-01")) is Status.WITHDRAWN
        evs.append(Event("granted", d("2022-01-01")))
        assert status_on(evs, d("2022-01-01")) is Status.ACTIVE

    def test_same_day_events_follow_recording_order(self) -> None:
        t1 = dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC)
        t2 = dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC)
        evs = [
            Event("suspended", d("2024-03-01"), t2),
            Event("granted", d("2024-01-01"), t1),
            Event("restored", d("2024-03-01"), t2 + dt.timedelta(hours=1)),
        ]
        assert status_on(evs, d("2024-03-01")) is Status.ACTIVE

    def test_known_at_answers_as_the_registry_knew_it(self) -> None:
        learned = dt.datetime(2024, 8, 1, tzinfo=dt.UTC)
        evs = [
            Event("granted", d("2024-01-01"), dt.datetime(2024, 1, 2, tzinfo=dt.UTC)),
            Event("suspended", d("2024-05-01"), learned),
        ]
        assert status_on(evs, d("2024-06-01")) is Status.SUSPENDED
        before = learned - dt.timedelta(days=1)
        assert status_on(evs, d("2024-06-01"), known_at=before) is Status.ACTIVE

    def test_scope_on_applies_reductions_and_extensions_in_time(self) -> None:
        evs = [
            Event("scope_reduced", d("2024-01-01"), scope=("IAF:18",)),
            Event("scope_extended", d("2025-01-01"), scope=("IAF:28",)),
        ]
        granted = ["STD:ISO 9001", "IAF:18", "IAF:19"]
        assert scope_on(granted, evs, d("2023-12-31")) == {"STD:ISO 9001", "IAF:18", "IAF:19"}
        assert scope_on(granted, evs, d("2024-01-01")) == {"STD:ISO 9001", "IAF:19"}
        assert scope_on(granted, evs, d("2025-06-01")) == {"STD:ISO 9001", "IAF:19", "IAF:28"}


@settings(max_examples=150, deadline=None)
@given(
    events=events_st,
    on=st.dates(D0, dt.date(2026, 12, 31)),
    later=st.builds(
        Event,
        kind=st.sampled_from(KINDS),
        effective_on=st.dates(dt.date(2027, 1, 1), dt.date(2030, 1, 1)),
    ),
)
def test_later_events_never_change_earlier_answers(
    events: list[Event], on: dt.date, later: Event
) -> None:
    assert status_on([*events, later], on) == status_on(events, on)


@settings(max_examples=100, deadline=None)
@given(events=events_st, until=st.one_of(st.none(), st.dates(D0, dt.date(2026, 12, 31))))
def test_timeline_agrees_with_status_on_every_day(
    events: list[Event], until: dt.date | None
) -> None:
    periods = timeline(events, valid_until=until)
    for p in periods:
        end = p.end or p.start + dt.timedelta(days=3)
        day = p.start
        while day <= end:
            assert status_on(events, day, valid_until=until) == p.status
            day += dt.timedelta(days=max(1, (end - p.start).days // 7 or 1))
    for a, b in itertools.pairwise(periods):
        assert a.end is not None and a.end + dt.timedelta(days=1) == b.start
        assert a.status != b.status


@settings(max_examples=100, deadline=None)
@given(events=events_st, on=st.dates(D0, dt.date(2026, 12, 31)))
def test_order_of_the_input_does_not_matter(events: list[Event], on: dt.date) -> None:
    assert status_on(list(reversed(events)), on) == status_on(events, on)


@settings(max_examples=100, deadline=None)
@given(events=events_st, on=st.dates(D0, dt.date(2026, 12, 31)))
def test_nothing_is_active_before_a_grant(events: list[Event], on: dt.date) -> None:
    grants = [e for e in events if e.kind in (EventKind.GRANTED, EventKind.RENEWED)]
    if not any(g.effective_on <= on for g in grants):
        assert status_on(events, on) is Status.NOT_YET


def test_simultaneous_events_apply_the_restrictive_one_last() -> None:
    t = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    evs = [Event("suspended", d("2024-01-01"), t), Event("granted", d("2024-01-01"), t)]
    assert status_on(evs, d("2024-01-01")) is Status.SUSPENDED
    assert status_on(list(reversed(evs)), d("2024-01-01")) is Status.SUSPENDED
