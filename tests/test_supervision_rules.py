"""Supervision rules on plain facts, at their boundaries; the risk score; the verifiable draw."""

from __future__ import annotations

import datetime as dt

import pytest

from accordia.domain.status import Event
from accordia.domain.supervision import draw as d
from accordia.domain.supervision.facts import (
    AccreditationFacts,
    AuditFacts,
    BodyFacts,
    CertificateFacts,
)
from accordia.domain.supervision.risk import risk_score
from accordia.domain.supervision.rules import (
    CERTIFICATE_RULES,
    RULES,
    certificate_mill,
    concurrent_certification,
    md5_minimum,
)

D = dt.date
ON = D(2026, 11, 27)
ACC = AccreditationFacts(
    "CNAS C001",
    "ISO/IEC 17021-1",
    ("STD:ISO 9001", "STD:ISO 14001", "IAF:19", "IAF:28"),
    (
        Event("granted", D(2015, 1, 1)),
        Event("suspended", D(2024, 3, 1)),
        Event("restored", D(2024, 6, 1)),
        Event("scope_reduced", D(2025, 1, 1), scope=("IAF:28",)),
    ),
)
BODY = BodyFacts("CAB-1", "ms_cb", 10, (ACC,), (Event("granted", D(2010, 1, 1)),))


def cert(**kw: object) -> CertificateFacts:
    base: dict[str, object] = {
        "number": "C-1",
        "cab": "CAB-1",
        "kind": "ms_certificate",
        "standard": "ISO 9001",
        "issued_on": D(2024, 7, 1),
        "expires_on": D(2027, 6, 30),
        "scope": ("IAF:19",),
        "events": (Event("granted", D(2024, 7, 1)),),
        "personnel": 60,
    }
    base.update(kw)
    return CertificateFacts(**base)  # type: ignore[arg-type]


def run(rule: str, c: CertificateFacts, on: dt.date = ON, body: BodyFacts = BODY) -> bool:
    return CERTIFICATE_RULES[rule](c, body, on, None) is not None


def test_every_rule_has_bilingual_title_basis_and_severity() -> None:
    assert len(RULES) == 11
    for spec in RULES.values():
        assert spec.title.zh and spec.title.en and spec.basis.zh and spec.basis.en
        assert spec.sources and spec.severity
        assert spec.as_dict()["weight"] > 0


class TestScope:
    def test_within_scope(self) -> None:
        assert not run("issued_outside_scope", cert())

    def test_sector_reduced_before_issue(self) -> None:
        assert run("issued_outside_scope", cert(scope=("IAF:28",), issued_on=D(2025, 1, 1)))
        assert not run("issued_outside_scope", cert(scope=("IAF:28",), issued_on=D(2024, 12, 31)))

    def test_standard_not_accredited(self) -> None:
        assert run("issued_outside_scope", cert(standard="ISO 45001"))

    def test_no_accreditation_yet(self) -> None:
        assert run("issued_outside_scope", cert(issued_on=D(2014, 12, 31)))

    def test_scheme_not_listed_is_not_checked(self) -> None:
        assert not run("issued_outside_scope", cert(scope=("IAF:19", "HS:8516")))


class TestSuspended:
    @pytest.mark.parametrize(
        ("issued", "hit"),
        [
            (D(2024, 2, 29), False),
            (D(2024, 3, 1), True),
            (D(2024, 5, 31), True),
            (D(2024, 6, 1), False),
        ],
    )
    def test_window_edges(self, issued: dt.date, hit: bool) -> None:
        c = cert(issued_on=issued)
        assert run("issued_while_suspended", c) is hit
        assert not run("issued_outside_scope", c)  # one finding, not two

    def test_approval_withdrawn(self) -> None:
        body = BodyFacts(
            "CAB-1",
            "ms_cb",
            10,
            (ACC,),
            (Event("granted", D(2010, 1, 1)), Event("withdrawn", D(2024, 7, 1))),
        )
        assert run("issued_while_suspended", cert(), body=body)
        assert not run("issued_while_suspended", cert(issued_on=D(2024, 6, 30)), body=body)


class TestValidity:
    def test_three_years_is_the_limit(self) -> None:
        assert not run("validity_exceeds_cycle", cert(expires_on=D(2027, 7, 1)))
        assert run("validity_exceeds_cycle", cert(expires_on=D(2027, 7, 2)))

    def test_only_management_system_certificates(self) -> None:
        assert not run(
            "validity_exceeds_cycle", cert(kind="product_certificate", expires_on=D(2029, 6, 30))
        )


class TestSurveillance:
    def test_first_within_twelve_months(self) -> None:
        ok = cert(
            events=(
                Event("granted", D(2024, 7, 1)),
                Event("surveillance", D(2025, 7, 1)),
                Event("surveillance", D(2026, 6, 1)),
            )
        )
        late = cert(
            events=(
                Event("granted", D(2024, 7, 1)),
                Event("surveillance", D(2025, 7, 2)),
                Event("surveillance", D(2026, 6, 1)),
            )
        )
        assert not run("surveillance_overdue", ok)
        assert run("surveillance_overdue", late)

    def test_not_due_yet(self) -> None:
        c = cert(events=(Event("granted", D(2024, 7, 1)),))
        assert not run("surveillance_overdue", c, on=D(2025, 7, 1))
        assert run("surveillance_overdue", c, on=D(2025, 7, 2))

    def test_calendar_year_gap(self) -> None:
        c = cert(
            issued_on=D(2023, 1, 10),
            expires_on=D(2026, 1, 9),
            events=(
                Event("granted", D(2023, 1, 10)),
                Event("surveillance", D(2023, 11, 1)),
                Event("surveillance", D(2024, 11, 1)),
            ),
        )
        hit = CERTIFICATE_RULES["surveillance_overdue"](c, BODY, ON, None)
        assert hit and [g["due"] for g in hit.evidence["gaps"]] == ["2025-12-31"]
        # the year is only due once it has ended
        assert not run("surveillance_overdue", c, on=D(2025, 12, 31))

    def test_not_due_while_suspended_or_withdrawn(self) -> None:
        c = cert(events=(Event("granted", D(2024, 7, 1)), Event("withdrawn", D(2025, 5, 1))))
        assert not run("surveillance_overdue", c)


class TestSuspension:
    def test_six_months(self) -> None:
        c = cert(events=(Event("granted", D(2024, 7, 1)), Event("suspended", D(2026, 5, 27))))
        assert not run("suspension_beyond_limit", c, on=D(2026, 11, 27))
        assert run("suspension_beyond_limit", c, on=D(2026, 11, 28))

    def test_resolved_in_time(self) -> None:
        c = cert(
            events=(
                Event("granted", D(2024, 7, 1)),
                Event("suspended", D(2025, 1, 1)),
                Event("withdrawn", D(2025, 6, 1)),
            )
        )
        assert not run("suspension_beyond_limit", c)

    def test_suspended_until_expiry(self) -> None:
        c = cert(
            issued_on=D(2022, 1, 1),
            expires_on=D(2024, 12, 31),
            events=(Event("granted", D(2022, 1, 1)), Event("suspended", D(2024, 1, 1))),
        )
        assert run("suspension_beyond_limit", c)


class TestExpiredShownValid:
    def test_event_after_expiry(self) -> None:
        evs = (Event("granted", D(2022, 1, 1)), Event("surveillance", D(2025, 1, 1)))
        assert run(
            "expired_shown_valid",
            cert(issued_on=D(2022, 1, 1), expires_on=D(2024, 12, 31), events=evs),
        )
        assert not run(
            "expired_shown_valid",
            cert(issued_on=D(2022, 1, 1), expires_on=D(2025, 1, 1), events=evs),
        )

    def test_withdrawal_after_expiry_is_not_showing_valid(self) -> None:
        evs = (Event("granted", D(2022, 1, 1)), Event("withdrawn", D(2025, 1, 1)))
        assert not run(
            "expired_shown_valid",
            cert(issued_on=D(2022, 1, 1), expires_on=D(2024, 12, 31), events=evs),
        )


class TestAudits:
    def test_md5_minimum_boundary(self) -> None:
        minimum = md5_minimum("ISO 9001", 60, None, "initial")
        assert minimum is not None
        at = cert(audits=(AuditFacts("initial", D(2024, 6, 1), auditor_days=minimum),))
        below = cert(audits=(AuditFacts("initial", D(2024, 6, 1), auditor_days=minimum - 0.5),))
        assert not run("audit_time_below_md5", at)
        assert run("audit_time_below_md5", below)

    def test_surveillance_share(self) -> None:
        assert md5_minimum("ISO 9001", 60, None, "surveillance") < md5_minimum(  # type: ignore[operator]
            "ISO 9001", 60, None, "initial"
        )

    def test_md1_sample(self) -> None:
        # 6 sites incl. the central function: x = 5, initial ⌈√5⌉ = 3
        ok = cert(site_count=6, audits=(AuditFacts("initial", D(2024, 6, 1), sites_audited=3),))
        low = cert(site_count=6, audits=(AuditFacts("initial", D(2024, 6, 1), sites_audited=2),))
        assert not run("sample_below_md1", ok)
        assert run("sample_below_md1", low)
        surv = cert(
            site_count=6, audits=(AuditFacts("surveillance", D(2025, 6, 1), sites_audited=2),)
        )
        assert not run("sample_below_md1", surv)  # ⌈0.6·√5⌉ = 2

    def test_issued_too_soon(self) -> None:
        def c(app: dt.date) -> CertificateFacts:
            return cert(audits=(AuditFacts("initial", D(2024, 6, 28), application_on=app),))

        assert run("issued_too_soon", c(D(2024, 6, 22)))  # 9 days
        assert not run("issued_too_soon", c(D(2024, 6, 21)))  # 10 days


class TestBodyAndGroup:
    def test_mill(self) -> None:
        assert certificate_mill(BODY, 2025, 300) is None
        hit = certificate_mill(BODY, 2025, 301)
        assert hit and hit.subject == "CAB-1/2025" and hit.evidence["capacity"] == 300

    def test_concurrent(self) -> None:
        a = cert(number="A", cab="CAB-1", issued_on=D(2024, 1, 1), expires_on=D(2026, 12, 31))
        b = cert(number="B", cab="CAB-2", issued_on=D(2026, 12, 1), expires_on=D(2029, 11, 30))
        # 31 days of overlap (1–31 Dec 2026), tolerance 30
        assert [h.subject for h in concurrent_certification([a, b], D(2027, 6, 1))] == ["B"]
        c = cert(number="C", cab="CAB-2", issued_on=D(2026, 12, 2), expires_on=D(2029, 11, 30))
        assert concurrent_certification([a, c], D(2027, 6, 1)) == []
        same_cab = cert(number="D", cab="CAB-1", issued_on=D(2025, 1, 1))
        assert concurrent_certification([a, same_cab], ON) == []


def test_risk_score_is_explained() -> None:
    s = risk_score(
        "CAB-1",
        {"issued_while_suspended": 7, "sample_below_md1": 1},
        [(D(2026, 1, 1), "substantiated"), (D(2020, 1, 1), "substantiated")],
        [(D(2025, 1, 1), "fine")],
        ON,
    )
    # 8 × 5 (capped) + 3 × 1 + 3 (one complaint in 24 months) + 6
    assert s.score == 52 and s.band == "high" and s.weight == pytest.approx(6.2)
    assert [c.kind for c in s.components] == ["finding", "finding", "complaint", "sanction"]
    assert risk_score("CAB-2", {}, [], [], ON).score == 0


# --------------------------------------------------------------------------- the draw

TARGETS = [
    d.Target(f"CAB-{i:02d}", "ms_cb" if i % 3 else "testing_lab", 1 + (i % 4)) for i in range(30)
]
INSPECTORS = [
    d.InspectorEntry(
        f"I-{i:02d}", ("ms_cb",) if i % 2 else ("ms_cb", "testing_lab"), "CN", (f"CAB-{i:02d}",)
    )
    for i in range(12)
]


def test_draw_is_deterministic_and_order_independent() -> None:
    r1 = d.run_draw("seed-1", TARGETS, INSPECTORS, 0.2)
    r2 = d.run_draw("seed-1", list(reversed(TARGETS)), list(reversed(INSPECTORS)), 0.2)
    assert r1.as_dict() == r2.as_dict()
    assert len(r1.drawn) == 6  # ⌈0.2 × 30⌉
    assert d.run_draw("seed-2", TARGETS, INSPECTORS, 0.2).digest != r1.digest


def test_draw_inspectors_match_specialty_and_recuse_conflicts() -> None:
    r = d.run_draw("s", TARGETS, INSPECTORS, 1.0)
    by_code = {i.code: i for i in INSPECTORS}
    for a in r.drawn:
        assert len(a.inspectors) == 2 and len(set(a.inspectors)) == 2
        for code in a.inspectors:
            assert a.specialty in by_code[code].specialties
            assert a.target not in by_code[code].past_employers
        if a.target in {f"CAB-{i:02d}" for i in range(12)}:
            assert a.target.replace("CAB", "I") in a.recused or a.specialty == "testing_lab"


def test_draw_favours_risk() -> None:
    targets = [d.Target("RISKY", "ms_cb", 20.0)] + [
        d.Target(f"T{i}", "ms_cb", 1.0) for i in range(19)
    ]
    hits = sum(
        any(a.target == "RISKY" for a in d.run_draw(f"s{k}", targets, [], 0.1, 1).drawn)
        for k in range(200)
    )
    assert hits > 120  # uniform would give about 20 of 200


def test_draw_verifies_from_revealed_seed_and_fails_otherwise() -> None:
    seed = "d3adbeef" * 8
    published = d.directory(TARGETS, INSPECTORS)
    commitment = d.commitment(seed)
    assert commitment == __import__("hashlib").sha256(seed.encode()).hexdigest()
    result = d.run_draw(seed, *d.from_directory(published), 0.3, 2)
    ok = d.verify_draw(seed, commitment, published, 0.3, 2, result.digest)
    assert ok.ok
    bad = d.verify_draw("another seed", commitment, published, 0.3, 2, result.digest)
    assert not bad.ok and not bad.commitment_ok and not bad.result_ok
    tampered = d.verify_draw(seed, commitment, published, 0.4, 2, result.digest)
    assert tampered.commitment_ok and not tampered.result_ok


def test_sample_count_is_exact() -> None:
    assert d.sample_count(0.1, 30) == 3  # float 0.1 × 30 would be 3.0000000000000004 → 4
    assert d.sample_count(0.15, 10) == 2
    with pytest.raises(ValueError):
        d.sample_count(1.5, 10)
