"""The cooperation ledger's counting rules (docs/cooperation.md), each one tested on its own.

Invariant: the figures are as of a date, count what was signed on or before it, count each
counterpart, agreement, organisation and system once, and keep ended agreements as signed while
stating separately how many are in force. A ledger built here reproduces DOMAIN.md's example.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum

import pytest

from accordia.domain.cooperation import (
    Agreement,
    AgreementType,
    ChangeKind,
    Counterpart,
    CounterpartKind,
    EconomyName,
    Ledger,
    Membership,
    MembershipEvent,
    MembershipEventKind,
    Participation,
    ParticipationKind,
    figures,
    headline,
)

D = dt.date
ON = D(2023, 8, 31)

# 25 economies: 24 countries and regions and one grouping (the EU counts once, as a region).
ECONOMIES = [
    "NZ",
    "KR",
    "DE",
    "FR",
    "GB",
    "US",
    "RU",
    "JP",
    "SG",
    "MY",
    "TH",
    "VN",
    "ID",
    "AU",
    "CA",
    "BR",
    "ZA",
    "EG",
    "AE",
    "SA",
    "KZ",
    "PK",
    "HK",
    "MO",
    "EU",
]
_NAMES_ZH = {"NZ": "新西兰", "KR": "韩国", "DE": "德国", "HK": "中国香港", "EU": "欧盟"}

_OTHER_TYPES = (
    AgreementType.MUTUAL_RECOGNITION_AGREEMENT,
    AgreementType.PROTOCOL,
    AgreementType.ARRANGEMENT,
    AgreementType.OTHER,
)


def example_ledger() -> Ledger:
    """A ledger whose figures on 2023-08-31 are exactly DOMAIN.md's example.

    36 bodies in 25 economies; 82 agreements (42 cooperation agreements and MoUs), among them
    multi-party agreements, counterparts with several agreements, terminated and expired ones,
    and some signed after the date; 19 organisations joined or tracked (one left, one with
    several status changes) plus one tracked only after the date; 8 systems and 4
    accreditation arrangements signed, plus one of each signed after the date.
    """
    kinds = list(CounterpartKind)
    counterparts = tuple(
        Counterpart(
            key=f"CP{i:02d}",
            kind=kinds[i % len(kinds)],
            economy=ECONOMIES[i % len(ECONOMIES)],
            name_en=f"Counterpart {i:02d}",
            name_zh=f"合作方{i:02d}",
        )
        for i in range(36)
    )
    agreements: list[Agreement] = []
    for i in range(82):
        first = f"CP{i % 36:02d}"
        parties = (first, f"CP{(i + 7) % 36:02d}") if i % 10 == 3 else (first,)
        agreements.append(
            Agreement(
                key=f"AG{i:03d}",
                type=(AgreementType.MOU if i % 2 else AgreementType.COOPERATION_AGREEMENT)
                if i < 42
                else _OTHER_TYPES[i % len(_OTHER_TYPES)],
                signed_on=D(2002 + i % 21, 1 + i % 12, 1 + i % 28),
                counterparts=parties,
                title_en=f"Agreement {i:03d}",
                title_zh=f"协议{i:03d}",
                terminated_on=D(2020, 1, 1) if i in (5, 50) else None,
                expires_on=D(2022, 12, 31) if i in (6, 60, 61) else None,
            )
        )
    # Signed after the date: not counted (and its new counterpart is not either).
    late = (Counterpart("CP-LATE", CounterpartKind.GOVERNMENT, "AR", "阿根廷某部", "Late body AR"),)
    agreements.append(
        Agreement("AG-LATE", AgreementType.MOU, D(2023, 9, 1), ("CP-LATE", "CP00"), None, "Late")
    )
    memberships = [
        Membership(
            key=f"ORG{i:02d}",
            name_en=f"Organisation {i:02d}",
            name_zh=f"组织{i:02d}",
            events=(MembershipEvent(MembershipEventKind.JOINED, D(2002 + i, 6, 1)),),
        )
        for i in range(17)
    ]
    j, t, o, left = (MembershipEventKind.JOINED, MembershipEventKind.TRACKED,
                     MembershipEventKind.OBSERVER, MembershipEventKind.LEFT)  # fmt: skip
    memberships += [
        Membership("ORG-HIST", (
            MembershipEvent(t, D(2005, 1, 1)),
            MembershipEvent(o, D(2010, 1, 1)),
            MembershipEvent(j, D(2015, 1, 1)),
        ), "历史组织", "Organisation with history"),
        Membership("ORG-LEFT", (
            MembershipEvent(j, D(2004, 1, 1)),
            MembershipEvent(left, D(2019, 1, 1)),
        ), "已退出组织", "Organisation left"),
        Membership("ORG-LATE", (MembershipEvent(t, D(2024, 1, 1)),), None, "Tracked later"),
    ]  # fmt: skip
    sys_, acc = ParticipationKind.SYSTEM, ParticipationKind.ACCREDITATION_ARRANGEMENT
    participations = [
        Participation(f"SYS{i}", sys_, D(2003 + i, 3, 1), name_en=f"System {i}") for i in range(8)
    ]
    participations += [
        Participation(f"ACC{i}", acc, D(2004 + i, 5, 1), name_en=f"Arrangement {i}")
        for i in range(4)
    ]
    participations += [
        Participation("SYS-LATE", sys_, D(2023, 9, 1)),
        Participation("ACC-LATE", acc, D(2024, 1, 1)),
    ]
    return Ledger(
        counterparts=counterparts + late,
        agreements=tuple(agreements),
        memberships=tuple(memberships),
        participations=tuple(participations),
        economies=tuple(EconomyName(c, _NAMES_ZH.get(c), c) for c in ECONOMIES),
    )


def _cp(key: str, economy: str = "NZ") -> Counterpart:
    return Counterpart(key, CounterpartKind.GOVERNMENT, economy, name_en=key)


def _ag(key: str, signed: D, *parties: str, type_: str = AgreementType.MOU, **kw: D) -> Agreement:
    return Agreement(key, type_, signed, parties, title_en=key, **kw)


class TestDomainExample:
    def test_reproduces_domain_md_figures_exactly(self) -> None:
        h = headline(example_ledger(), ON)
        assert (h.bodies, h.economies) == (36, 25)
        assert (h.agreements, h.cooperation_and_mous) == (82, 42)
        assert h.organisations == 19
        assert (h.systems, h.accreditation_arrangements) == (8, 4)

    def test_in_force_and_engaged_counts_stated_beside(self) -> None:
        h = headline(example_ledger(), ON)
        assert h.agreements_in_force == 82 - 2 - 3  # two terminated, three expired
        assert h.organisations_engaged == 18  # ORG-LEFT had been left
        assert (h.systems_active, h.accreditation_arrangements_active) == (8, 4)

    def test_tables_add_up(self) -> None:
        f = figures(example_ledger(), ON)
        assert sum(r.signed for r in f.by_type) == 82
        assert sum(r.in_force for r in f.by_type) == 77
        assert sum(r.bodies for r in f.by_economy) == 36
        assert len(f.by_economy) == 25
        assert f.by_year[-1].cumulative == 82
        assert sum(r.cooperation_and_mous for r in f.by_year) == 42
        assert [r.year for r in f.by_year] == sorted(r.year for r in f.by_year)

    def test_to_dict_is_json(self) -> None:
        d = figures(example_ledger(), ON, since=D(2022, 1, 1)).to_dict()
        assert json.loads(json.dumps(d))["headline"]["bodies"] == 36
        assert d["on"] == "2023-08-31"


class TestAsOfDate:
    def test_signed_after_the_date_not_counted(self) -> None:
        ledger = Ledger((_cp("A"), _cp("B", "KR")), (_ag("X", D(2020, 1, 1), "A"),
                                                     _ag("Y", D(2020, 1, 2), "B")))  # fmt: skip
        h = headline(ledger, D(2020, 1, 1))
        assert (h.agreements, h.bodies, h.economies) == (1, 1, 1)

    def test_signed_on_the_date_counted(self) -> None:
        ledger = Ledger((_cp("A"),), (_ag("X", D(2020, 1, 1), "A"),))
        assert headline(ledger, D(2020, 1, 1)).agreements == 1
        assert headline(ledger, D(2019, 12, 31)).agreements == 0

    def test_counterpart_without_counted_agreement_not_counted(self) -> None:
        ledger = Ledger((_cp("A"), _cp("B", "KR")), (_ag("X", D(2020, 1, 1), "A"),))
        assert headline(ledger, D(2021, 1, 1)).bodies == 1

    def test_systems_signed_after_the_date_not_counted(self) -> None:
        ledger = Ledger(participations=(
            Participation("S1", ParticipationKind.SYSTEM, D(2020, 1, 1)),
            Participation("S2", ParticipationKind.SYSTEM, D(2021, 1, 1)),
            Participation("A1", ParticipationKind.ACCREDITATION_ARRANGEMENT, D(2020, 6, 1)),
        ))  # fmt: skip
        h = headline(ledger, D(2020, 12, 31))
        assert (h.systems, h.accreditation_arrangements) == (1, 1)


class TestCountedOnce:
    def test_counterpart_with_several_agreements_counts_once(self) -> None:
        ledger = Ledger((_cp("A"),), tuple(_ag(f"X{i}", D(2020, 1, 1 + i), "A") for i in range(3)))
        h = headline(ledger, D(2021, 1, 1))
        assert (h.bodies, h.economies, h.agreements) == (1, 1, 3)

    def test_agreement_with_several_counterparts_counts_once(self) -> None:
        ledger = Ledger((_cp("A"), _cp("B", "KR"), _cp("C", "KR")),
                        (_ag("X", D(2020, 1, 1), "A", "B", "C"),))  # fmt: skip
        f = figures(ledger, D(2021, 1, 1))
        assert (f.headline.agreements, f.headline.bodies, f.headline.economies) == (1, 3, 2)
        assert sum(r.signed for r in f.by_type) == 1
        # by economy, the agreement shows under each economy of its parties
        assert {r.code: (r.bodies, r.agreements) for r in f.by_economy} == {
            "KR": (2, 1),
            "NZ": (1, 1),
        }

    def test_same_key_listed_twice_counts_once(self) -> None:
        ledger = Ledger((_cp("A"),), (_ag("X", D(2020, 1, 1), "A"), _ag("X", D(2020, 1, 1), "A")))
        assert headline(ledger, D(2021, 1, 1)).agreements == 1

    def test_cooperation_and_mous_subset(self) -> None:
        types = [AgreementType.COOPERATION_AGREEMENT, AgreementType.MOU, AgreementType.PROTOCOL,
                 AgreementType.MUTUAL_RECOGNITION_AGREEMENT]  # fmt: skip
        ledger = Ledger((_cp("A"),), tuple(
            _ag(f"X{i}", D(2020, 1, 1), "A", type_=t) for i, t in enumerate(types)
        ))  # fmt: skip
        h = headline(ledger, D(2021, 1, 1))
        assert (h.agreements, h.cooperation_and_mous) == (4, 2)


class TestEndedAgreements:
    LEDGER = Ledger(
        (_cp("A"),),
        (
            _ag("T", D(2010, 1, 1), "A", terminated_on=D(2015, 1, 1)),
            _ag("E", D(2010, 1, 1), "A", expires_on=D(2014, 12, 31)),
            _ag("F", D(2010, 1, 1), "A", in_force_on=D(2011, 1, 1)),
            _ag("K", D(2010, 1, 1), "A"),
        ),
    )

    def test_terminated_and_expired_still_counted_as_signed(self) -> None:
        h = headline(self.LEDGER, D(2020, 1, 1))
        assert (h.agreements, h.agreements_in_force) == (4, 2)

    def test_in_force_boundaries(self) -> None:
        # the last day of validity is in force; the termination date is not
        assert headline(self.LEDGER, D(2014, 12, 31)).agreements_in_force == 4
        assert headline(self.LEDGER, D(2015, 1, 1)).agreements_in_force == 2
        # signed but not yet in force
        assert headline(self.LEDGER, D(2010, 6, 1)).agreements_in_force == 3

    def test_by_type_shows_in_force(self) -> None:
        (mou,) = [r for r in figures(self.LEDGER, D(2020, 1, 1)).by_type if r.type == "mou"]
        assert (mou.signed, mou.in_force) == (4, 2)


class TestMemberships:
    def test_several_status_changes_count_once(self) -> None:
        ev = MembershipEvent
        m = Membership("IEC", (
            ev(MembershipEventKind.TRACKED, D(2001, 1, 1)),
            ev(MembershipEventKind.OBSERVER, D(2003, 1, 1)),
            ev(MembershipEventKind.JOINED, D(2005, 1, 1)),
        ), name_en="IEC")  # fmt: skip
        h = headline(Ledger(memberships=(m,)), D(2020, 1, 1))
        assert (h.organisations, h.organisations_engaged) == (1, 1)

    def test_left_before_the_date_still_counts_as_joined(self) -> None:
        m = Membership("X", (
            MembershipEvent(MembershipEventKind.JOINED, D(2001, 1, 1)),
            MembershipEvent(MembershipEventKind.LEFT, D(2010, 1, 1)),
        ), name_en="X")  # fmt: skip
        h = headline(Ledger(memberships=(m,)), D(2020, 1, 1))
        assert (h.organisations, h.organisations_engaged) == (1, 0)

    def test_joined_after_the_date_not_counted(self) -> None:
        m = Membership("X", (MembershipEvent(MembershipEventKind.TRACKED, D(2021, 1, 1)),))
        assert headline(Ledger(memberships=(m,)), D(2020, 1, 1)).organisations == 0

    def test_same_day_events_ordered_by_recording(self) -> None:
        t0 = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        m = Membership("X", (
            MembershipEvent(MembershipEventKind.LEFT, D(2010, 1, 1), t0 + dt.timedelta(hours=1)),
            MembershipEvent(MembershipEventKind.JOINED, D(2010, 1, 1), t0),
        ))  # fmt: skip
        assert m.status_on(D(2010, 1, 1)) == MembershipEventKind.LEFT


class TestChanges:
    def test_changes_since(self) -> None:
        ledger = Ledger(
            (_cp("A"), _cp("B", "KR")),
            (
                _ag("OLD", D(2019, 1, 1), "A", terminated_on=D(2021, 3, 1)),
                _ag("NEW", D(2021, 2, 1), "A", "B"),
            ),
            (Membership("M", (MembershipEvent(MembershipEventKind.JOINED, D(2021, 5, 1)),)),),
            (Participation("S", ParticipationKind.SYSTEM, D(2021, 6, 1)),),
        )
        f = figures(ledger, D(2021, 12, 31), since=D(2020, 12, 31))
        assert f.changes is not None
        kinds = [(c.kind, c.key) for c in f.changes.items]
        assert kinds == [
            (ChangeKind.AGREEMENT_SIGNED, "NEW"),
            (ChangeKind.COUNTERPART_ADDED, "B"),
            (ChangeKind.ECONOMY_ADDED, "KR"),
            (ChangeKind.AGREEMENT_ENDED, "OLD"),
            (ChangeKind.ORGANISATION_ADDED, "M"),
            (ChangeKind.SYSTEM_SIGNED, "S"),
        ]
        assert f.changes.before.agreements == 1
        assert f.headline.agreements == 2

    def test_since_after_on_rejected(self) -> None:
        with pytest.raises(ValueError, match="after"):
            figures(Ledger(), D(2020, 1, 1), since=D(2021, 1, 1))

    def test_unknown_counterpart_rejected(self) -> None:
        with pytest.raises(ValueError, match="unknown counterparts"):
            figures(Ledger((), (_ag("X", D(2020, 1, 1), "NOPE"),)), D(2021, 1, 1))


@pytest.mark.parametrize(
    ("model", "column", "enum"),
    [
        ("Agreement", "type", AgreementType),
        ("Counterpart", "kind", CounterpartKind),
        ("MembershipEvent", "kind", MembershipEventKind),
        ("RecognitionSystemParticipation", "kind", ParticipationKind),
    ],
)
def test_models_check_the_domain_enums(model: str, column: str, enum: type[StrEnum]) -> None:
    """Each ORM check constraint lists exactly the domain enum's values."""
    from accordia.models import cooperation as m

    table = getattr(m, model).__table__
    (check,) = [c for c in table.constraints if c.name and str(c.name).endswith(f"_{column}")]
    text = str(check.sqltext)
    assert text.startswith(f"{column} IN (")
    assert text.count("'") == 2 * len(enum)
    assert all(f"'{v.value}'" in text for v in enum)
