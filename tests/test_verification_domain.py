"""The verification verdict walks four links, each judged on the date asked, and names the first
one that fails; every event changes verdicts from its effective date on, and never before.

Scenarios use real bodies and arrangements (CNAS/CN, UKAS/GB, IANZ/NZ, IAF-MLA, APAC-MLA,
ILAC-MRA, the 2008 China–New Zealand EEE agreement); certificate holders are invented.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from accordia.domain.bilingual import Bilingual
from accordia.domain.status import Event
from accordia.domain.verification import (
    CAB,
    AccreditationFacts,
    AccreditationRef,
    ArrangementFacts,
    CabFacts,
    CertificateFacts,
    IssuerCoverage,
    LinkStatus,
    MarketAcceptanceFacts,
    Query,
    RecognitionFacts,
    SignatoryFacts,
    Verdict,
    VerificationFacts,
    ambiguous,
    not_found,
    verify,
)

D = dt.date


def ev(kind: str, on: D, *scope: str) -> Event:
    return Event(kind, on, scope=scope, source="test")


def day(d: D, n: int) -> D:
    return d + dt.timedelta(days=n)


# --- the world -----------------------------------------------------------------------------------

CQC = "CNCA-R-2002-001"  # China Quality Certification Centre
LAB = "CN-EEE-LAB-01"  # a testing laboratory designated under the China–NZ EEE agreement
ISSUED = D(2023, 3, 15)
EXPIRES = D(2026, 3, 14)
ON = D(2025, 6, 1)
SUCCESSION = D(2026, 1, 1)

ARRANGEMENTS = (
    ArrangementFacts("IAF-MLA", "global", successor="GAC-MLA", succeeded_on=SUCCESSION),
    ArrangementFacts("GAC-MLA", "global"),
    ArrangementFacts("APAC-MLA", "regional"),
    ArrangementFacts("ILAC-MRA", "global"),
    ArrangementFacts("CN-NZ-EEE", "bilateral", parties=("CN", "NZ")),
)

MS_CERT = CertificateFacts(
    number="00123Q45678R0M",
    issuer=CQC,
    kind="ms_certificate",
    standard="ISO 9001",
    issued_on=ISSUED,
    expires_on=EXPIRES,
    scope=("IAF:19", "IAF:17"),
    holder=Bilingual("杭州示例电器有限公司", "Hangzhou Example Electric Co., Ltd."),
    issuer_name=Bilingual("中国质量认证中心", "China Quality Certification Centre"),
    accreditation=AccreditationRef("CNAS/CN", "CNAS C001-M"),
    source="test",
)
CQC_FACTS = CabFacts(CQC, Bilingual("中国质量认证中心", "CQC"), "ms_cb", "CN")
CNAS_MS = AccreditationFacts(
    "CNAS",
    "CN",
    "CNAS C001-M",
    "ISO/IEC 17021-1",
    scope=("STD:ISO 9001", "STD:ISO 14001", "IAF:17", "IAF:19"),
    events=(ev("granted", D(2006, 3, 31)),),
)
CNAS_IAF = (
    SignatoryFacts("IAF-MLA", "CNAS/CN", "MLA:MS", (ev("granted", D(2006, 3, 31)),)),
    SignatoryFacts("IAF-MLA", "CNAS/CN", "MLA:MS/QMS", (ev("granted", D(2006, 3, 31)),)),
)
MS_WORLD = VerificationFacts(
    certificate=MS_CERT,
    cab=CQC_FACTS,
    accreditations=(CNAS_MS,),
    signatories=CNAS_IAF,
    arrangements=ARRANGEMENTS,
    acceptances=(
        MarketAcceptanceFacts("GB", "IAF-MLA"),
        MarketAcceptanceFacts("NZ", "IAF-MLA", attestation_kind="product_certificate"),
    ),
    coverage=IssuerCoverage(CQC, True, 1200, D(2025, 5, 30)),
)

REPORT = CertificateFacts(
    number="EEE-2025-0815",
    issuer=LAB,
    kind="test_report",
    standard="IEC 60335-1",
    issued_on=D(2025, 2, 10),
    scope=("HS:8516",),
)
CNAS_LAB = AccreditationFacts(
    "CNAS",
    "CN",
    "CNAS L0001",
    "ISO/IEC 17025",
    scope=("STD:IEC 60335-1", "STD:IEC 60598-1"),
    events=(ev("granted", D(2006, 3, 31)),),
)
EEE_WORLD = VerificationFacts(
    certificate=REPORT,
    cab=CabFacts(
        LAB, Bilingual("示例电器检测实验室", "Example EEE Laboratory"), "testing_lab", "CN"
    ),
    accreditations=(CNAS_LAB,),
    signatories=(
        SignatoryFacts("ILAC-MRA", "CNAS/CN", "ILAC:TESTING", (ev("granted", D(2006, 3, 31)),)),
        SignatoryFacts("CN-NZ-EEE", LAB, "HS:85", (ev("granted", D(2008, 10, 2)),), CAB),
    ),
    arrangements=ARRANGEMENTS,
)


def with_sigs(world: VerificationFacts, *sigs: SignatoryFacts, **kw: Any) -> VerificationFacts:
    return replace(world, signatories=sigs, **kw)


# regional path: CNAS signs APAC-MLA only; IAF-MLA recognises APAC-MLA for MS from 2019-01-01
APAC_ONLY = with_sigs(
    MS_WORLD,
    SignatoryFacts("APAC-MLA", "CNAS/CN", "MLA:MS", (ev("granted", D(2019, 1, 1)),)),
    SignatoryFacts("APAC-MLA", "CNAS/CN", "MLA:MS/QMS", (ev("granted", D(2019, 1, 1)),)),
    recognitions=(
        RecognitionFacts("IAF-MLA", "APAC-MLA", "MLA:MS", (ev("granted", D(2019, 1, 1)),)),
    ),
)


def cert(world: VerificationFacts, **kw: Any) -> VerificationFacts:
    return replace(world, certificate=replace(world.certificate, **kw))


def acc(world: VerificationFacts, **kw: Any) -> VerificationFacts:
    return replace(world, accreditations=(replace(world.accreditations[0], **kw),))


# --- table of scenarios --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    world: VerificationFacts
    on: D
    market: str | None
    valid: bool
    recognized: bool | None
    failed: str | None
    statuses: tuple[str, str, str, str] | None = None
    mentions: tuple[str, ...] = field(default=())  # strings the failing link's reason names


OK4 = ("ok", "ok", "ok", "ok")
RESTORED = cert(MS_WORLD, events=(ev("suspended", D(2025, 1, 10)), ev("restored", D(2025, 3, 1))))
ACC_WITHDRAWN = acc(MS_WORLD, events=(*CNAS_MS.events, ev("withdrawn", D(2024, 9, 1))))
ACC_REDUCED = acc(MS_WORLD, events=(*CNAS_MS.events, ev("scope_reduced", D(2025, 2, 1), "IAF:19")))
LATE_SUBSCOPE = with_sigs(
    MS_WORLD,
    CNAS_IAF[0],
    SignatoryFacts("IAF-MLA", "CNAS/CN", "MLA:MS/QMS", (ev("granted", D(2024, 5, 1)),)),
)
APAC_LAPSED = replace(
    APAC_ONLY,
    recognitions=(
        RecognitionFacts(
            "IAF-MLA",
            "APAC-MLA",
            "MLA:MS",
            (ev("granted", D(2019, 1, 1)), ev("suspended", D(2025, 4, 1))),
        ),
    ),
)
SUCC_ONLY_MARKET = replace(
    MS_WORLD,
    acceptances=(MarketAcceptanceFacts("GB", "GAC-MLA", valid_from=SUCCESSION),),
    certificate=replace(MS_CERT, expires_on=D(2027, 3, 14)),
)
NEW_IN_SUCCESSOR = with_sigs(
    replace(MS_WORLD, certificate=replace(MS_CERT, expires_on=D(2027, 3, 14))),
    SignatoryFacts("GAC-MLA", "CNAS/CN", "MLA:MS", (ev("granted", D(2026, 2, 1)),)),
    SignatoryFacts("GAC-MLA", "CNAS/CN", "MLA:MS/QMS", (ev("granted", D(2026, 2, 1)),)),
)
SUSPENDED_IN_SUCCESSOR = with_sigs(
    replace(MS_WORLD, certificate=replace(MS_CERT, expires_on=D(2027, 3, 14))),
    *CNAS_IAF,
    SignatoryFacts("GAC-MLA", "CNAS/CN", "MLA:MS/QMS", (ev("suspended", D(2026, 6, 1)),)),
)

CASES = [
    Case("all four links hold", MS_WORLD, ON, "GB", True, True, None, OK4),
    Case("issued on the date asked", MS_WORLD, ISSUED, "GB", True, True, None, OK4),
    Case(
        "day before issue",
        MS_WORLD,
        day(ISSUED, -1),
        "GB",
        False,
        False,
        "certificate",
        mentions=(str(ISSUED),),
    ),
    Case("expires on the date asked: still valid", MS_WORLD, EXPIRES, "GB", True, True, None),
    Case(
        "day after expiry",
        MS_WORLD,
        day(EXPIRES, 1),
        "GB",
        False,
        False,
        "certificate",
        ("failed", "ok", "ok", "ok"),
        (str(EXPIRES),),
    ),
    Case(
        "suspended",
        RESTORED,
        D(2025, 1, 10),
        None,
        False,
        None,
        "certificate",
        mentions=("2025-01-10",),
    ),
    Case(
        "suspended, day before restoration",
        RESTORED,
        D(2025, 2, 28),
        None,
        False,
        None,
        "certificate",
    ),
    Case("restored", RESTORED, D(2025, 3, 1), "GB", True, True, None, OK4),
    Case(
        "certificate withdrawn",
        cert(MS_WORLD, events=(ev("withdrawn", D(2025, 5, 1)),)),
        ON,
        "GB",
        False,
        False,
        "certificate",
        ("failed", "ok", "ok", "ok"),
        ("2025-05-01",),
    ),
    Case(
        "accreditation withdrawn between issue and D",
        ACC_WITHDRAWN,
        ON,
        "GB",
        True,
        False,
        "accreditation",
        ("ok", "failed", "ok", "ok"),
        ("2024-09-01",),
    ),
    Case(
        "accreditation still held before the withdrawal",
        ACC_WITHDRAWN,
        D(2024, 8, 31),
        "GB",
        True,
        True,
        None,
        OK4,
    ),
    Case(
        "accreditation scope reduced before D",
        ACC_REDUCED,
        ON,
        "GB",
        True,
        False,
        "accreditation",
        mentions=("IAF:19",),
    ),
    Case("before the scope reduction", ACC_REDUCED, D(2025, 1, 31), "GB", True, True, None),
    Case(
        "sector added to the accreditation after issue",
        acc(
            MS_WORLD,
            scope=("STD:ISO 9001", "IAF:17"),
            events=(*CNAS_MS.events, ev("scope_extended", D(2024, 1, 1), "IAF:19")),
        ),
        ON,
        None,
        True,
        None,
        "accreditation",
        mentions=(str(ISSUED), "IAF:19"),
    ),
    Case(
        "standard outside the accreditation",
        cert(MS_WORLD, standard="ISO 45001"),
        ON,
        None,
        True,
        None,
        "accreditation",
        mentions=("STD:ISO 45001",),
    ),
    Case(
        "accreditation to the wrong CAB standard",
        acc(MS_WORLD, cab_standard="ISO/IEC 17025"),
        ON,
        None,
        True,
        None,
        "accreditation",
        ("ok", "failed", "not_applicable", "not_applicable"),
        ("ISO/IEC 17021-1",),
    ),
    Case(
        "named accreditation not on record",
        cert(MS_WORLD, accreditation=AccreditationRef("UKAS/GB", "0001")),
        ON,
        "GB",
        True,
        False,
        "accreditation",
        mentions=("UKAS/GB",),
    ),
    Case(
        "no accreditation on record",
        replace(MS_WORLD, accreditations=()),
        ON,
        None,
        True,
        None,
        "accreditation",
        ("ok", "failed", "not_applicable", "not_applicable"),
    ),
    Case(
        "named accreditation found among several",
        replace(
            MS_WORLD,
            accreditations=(
                AccreditationFacts("UKAS", "GB", "0001", "ISO/IEC 17021-1", ("STD:ISO 9001",), ()),
                CNAS_MS,
            ),
        ),
        ON,
        "GB",
        True,
        True,
        None,
        OK4,
    ),
    Case(
        "signatory sub-scope added later than the certificate",
        LATE_SUBSCOPE,
        D(2024, 4, 30),
        "GB",
        True,
        False,
        "arrangement",
        ("ok", "ok", "failed", "ok"),
        ("MLA:MS/QMS", "2024-05-01"),
    ),
    Case(
        "recognised from the sub-scope's date",
        LATE_SUBSCOPE,
        D(2024, 5, 1),
        "GB",
        True,
        True,
        None,
        OK4,
    ),
    Case(
        "AB never signed the sub-scope",
        with_sigs(MS_WORLD, CNAS_IAF[0]),
        ON,
        "GB",
        True,
        False,
        "arrangement",
        mentions=("MLA:MS/QMS",),
    ),
    Case(
        "AB signatory status withdrawn",
        with_sigs(
            MS_WORLD,
            CNAS_IAF[0],
            replace(CNAS_IAF[1], events=(*CNAS_IAF[1].events, ev("withdrawn", D(2025, 4, 1)))),
        ),
        ON,
        "GB",
        True,
        False,
        "arrangement",
        mentions=("2025-04-01",),
    ),
    Case(
        "regional path: APAC recognised by IAF for MS", APAC_ONLY, ON, "GB", True, True, None, OK4
    ),
    Case(
        "regional path: recognition of APAC suspended",
        APAC_LAPSED,
        ON,
        "GB",
        True,
        False,
        "arrangement",
        mentions=("APAC-MLA",),
    ),
    Case(
        "successor accepted, before succession",
        SUCC_ONLY_MARKET,
        D(2025, 12, 31),
        "GB",
        True,
        False,
        "market",
        ("ok", "ok", "ok", "failed"),
    ),
    Case(
        "successor accepted, from succession",
        SUCC_ONLY_MARKET,
        SUCCESSION,
        "GB",
        True,
        True,
        None,
        OK4,
    ),
    Case(
        "predecessor accepted, signatory only of the successor",
        NEW_IN_SUCCESSOR,
        D(2026, 3, 1),
        "GB",
        True,
        True,
        None,
        OK4,
    ),
    Case(
        "successor signatory before it signed",
        NEW_IN_SUCCESSOR,
        D(2026, 1, 31),
        "GB",
        True,
        False,
        "arrangement",
    ),
    Case(
        "suspension recorded against the successor",
        SUSPENDED_IN_SUCCESSOR,
        D(2026, 6, 1),
        "GB",
        True,
        False,
        "arrangement",
        mentions=("2026-06-01",),
    ),
    Case(
        "successor record ignored before succession",
        SUSPENDED_IN_SUCCESSOR,
        D(2025, 12, 31),
        "GB",
        True,
        True,
        None,
    ),
    Case(
        "bilateral: product within the designated HS scope",
        EEE_WORLD,
        ON,
        "NZ",
        True,
        True,
        None,
        OK4,
    ),
    Case(
        "bilateral: product outside the HS scope",
        cert(EEE_WORLD, scope=("HS:9405",)),
        ON,
        "NZ",
        True,
        False,
        "market",
        ("ok", "ok", "ok", "failed"),
        ("NZ", "HS:9405"),
    ),
    Case("bilateral: not the other party", EEE_WORLD, ON, "CN", True, False, "market"),
    Case(
        "bilateral: designation withdrawn",
        replace(
            EEE_WORLD,
            signatories=(
                EEE_WORLD.signatories[0],
                replace(
                    EEE_WORLD.signatories[1],
                    events=(ev("granted", D(2008, 10, 2)), ev("withdrawn", D(2025, 1, 1))),
                ),
            ),
        ),
        ON,
        "NZ",
        True,
        False,
        "market",
    ),
    Case(
        "market does not accept this attestation kind",
        MS_WORLD,
        ON,
        "NZ",
        True,
        False,
        "market",
        ("ok", "ok", "ok", "failed"),
        ("product certificate",),
    ),
    Case(
        "market accepts nothing from these arrangements",
        MS_WORLD,
        ON,
        "US",
        True,
        False,
        "market",
        mentions=("IAF-MLA",),
    ),
    Case(
        "acceptance not yet in force",
        replace(
            MS_WORLD,
            acceptances=(MarketAcceptanceFacts("GB", "IAF-MLA", valid_from=D(2025, 7, 1)),),
        ),
        ON,
        "GB",
        True,
        False,
        "market",
        mentions=("2025-07-01",),
    ),
    Case(
        "no market given",
        MS_WORLD,
        ON,
        None,
        True,
        None,
        None,
        ("ok", "ok", "ok", "not_applicable"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_verdict(case: Case) -> None:
    v = verify(case.world, case.on, case.market)
    assert (v.valid, v.recognized) == (case.valid, case.recognized)
    assert (v.failed_link.value if v.failed_link else None) == case.failed
    if case.statuses:
        assert tuple(x.status.value for x in v.links) == case.statuses
    for link in v.links:  # every link explains itself in both languages
        assert link.reason.zh and link.reason.en
        assert link.reason.zh != link.reason.en
    if case.failed:
        reason = v.link(case.failed).reason
        for text in case.mentions:
            assert text in (reason.en or "")
            assert text in (reason.zh or "") or (text.isascii() and text.islower())


def test_failed_link_is_the_first_failure_and_later_links_still_run() -> None:
    world = cert(ACC_WITHDRAWN, events=(ev("withdrawn", D(2025, 5, 1)),))
    v = verify(world, ON, "NZ")
    assert [x.status.value for x in v.links] == ["failed", "failed", "ok", "failed"]
    assert v.failed_link is not None and v.failed_link.value == "certificate"


def test_regional_route_is_reported() -> None:
    v = verify(APAC_ONLY, ON, "GB")
    reached = [e for e in v.link("arrangement").evidence if e["record"] == "reached"]
    assert {"arrangement": "IAF-MLA", "route": ["APAC-MLA", "IAF-MLA"], "via": "regional"} in [
        {k: e[k] for k in ("arrangement", "route", "via")} for e in reached
    ]
    arrangements = [p.key for p in v.path if p.node == "arrangement"]
    assert arrangements == ["APAC-MLA", "IAF-MLA"]
    assert "APAC-MLA" in (v.link("arrangement").reason.zh or "")


def test_successor_route_is_reported() -> None:
    v = verify(SUCC_ONLY_MARKET, SUCCESSION, "GB")
    assert "2026-01-01" in (v.link("arrangement").reason.en or "")
    assert [p.key for p in v.path if p.node == "arrangement"] == ["IAF-MLA", "GAC-MLA"]


# --- cascade in time -----------------------------------------------------------------------------

EFFECTIVE = D(2025, 4, 15)
CASCADE = [
    ("certificate withdrawn", cert(MS_WORLD, events=(ev("withdrawn", EFFECTIVE),)), "certificate"),
    ("certificate suspended", cert(MS_WORLD, events=(ev("suspended", EFFECTIVE),)), "certificate"),
    (
        "accreditation suspended",
        acc(MS_WORLD, events=(*CNAS_MS.events, ev("suspended", EFFECTIVE))),
        "accreditation",
    ),
    (
        "accreditation reduced",
        acc(MS_WORLD, events=(*CNAS_MS.events, ev("scope_reduced", EFFECTIVE, "IAF:17"))),
        "accreditation",
    ),
    (
        "signatory status lost",
        with_sigs(
            MS_WORLD,
            CNAS_IAF[1],
            replace(CNAS_IAF[0], events=(*CNAS_IAF[0].events, ev("withdrawn", EFFECTIVE))),
        ),
        "arrangement",
    ),
    (
        "regional recognition withdrawn",
        replace(
            APAC_ONLY,
            recognitions=(
                replace(
                    APAC_ONLY.recognitions[0],
                    events=(*APAC_ONLY.recognitions[0].events, ev("withdrawn", EFFECTIVE)),
                ),
            ),
        ),
        "arrangement",
    ),
    (
        "market acceptance ends",
        replace(
            MS_WORLD,
            acceptances=(MarketAcceptanceFacts("GB", "IAF-MLA", valid_until=day(EFFECTIVE, -1)),),
        ),
        "market",
    ),
]


@pytest.mark.parametrize(("name", "world", "link"), CASCADE, ids=[c[0] for c in CASCADE])
def test_cascade_from_effective_date_on_not_before(
    name: str, world: VerificationFacts, link: str
) -> None:
    for d in (ISSUED, D(2024, 12, 31), day(EFFECTIVE, -1)):
        v = verify(world, d, "GB")
        assert v.recognized and v.failed_link is None, (name, d)
    for d in (EFFECTIVE, day(EFFECTIVE, 1), day(EXPIRES, -1)):
        v = verify(world, d, "GB")
        assert v.recognized is False and v.failed_link is not None, (name, d)
        assert v.failed_link.value == link, (name, d)


# --- no record, several records ---------------------------------------------------------------

Q = Query("00123Q45678R0M", ON, CQC, "GB")


@pytest.mark.parametrize(
    ("coverage", "issuer", "says"),
    [
        (IssuerCoverage(CQC, True, 1200, D(2025, 5, 30)), CQC, "last submission on 2025-05-30"),
        (IssuerCoverage(CQC, False, 3), CQC, "does not submit"),
        (None, "XX-UNKNOWN", "not known to the registry"),
        (None, None, "no issuer was given"),
    ],
)
def test_not_found_is_not_invalid(
    coverage: IssuerCoverage | None, issuer: str | None, says: str
) -> None:
    v = not_found(replace(Q, issuer=issuer), (), coverage)
    assert v.outcome.value == "not_found"
    assert (v.valid, v.recognized, v.failed_link) == (None, None, None)
    assert all(x.status.value == "not_applicable" for x in v.links)
    en = v.links[0].reason.en or ""
    assert "not a finding that it is invalid" in en and says in en
    assert "并不等于证书无效" in (v.links[0].reason.zh or "")
    assert v.to_dict()["coverage"] == (v.to_dict()["coverage"] if coverage else None)


def test_ambiguous_lists_candidates() -> None:
    other = replace(MS_CERT, issuer="CNCA-R-2003-117")
    v = ambiguous(replace(Q, issuer=None), [MS_CERT, other])
    d = v.to_dict()
    assert d["outcome"] == "ambiguous" and d["valid"] is None and d["recognized"] is None
    assert [c["issuer"] for c in d["candidates"]] == [CQC, "CNCA-R-2003-117"]
    assert "--issuer" in d["links"][0]["reason"]["en"]
    assert "CNCA-R-2003-117" in d["links"][0]["reason"]["zh"]


# --- the JSON shape ----------------------------------------------------------------------------


def _shape(v: Verdict) -> dict[str, Any]:
    d = v.to_dict()
    json.dumps(d, ensure_ascii=False)  # JSON-ready: no dates, enums or dataclasses left
    return d


def test_json_shape() -> None:
    d = _shape(verify(APAC_ONLY, ON, "GB"))
    assert list(d) == [
        "query",
        "outcome",
        "certificate",
        "valid",
        "recognized",
        "failed_link",
        "links",
        "path",
        "candidates",
        "coverage",
    ]
    assert d["query"] == {
        "number": MS_CERT.number,
        "issuer": CQC,
        "market": "GB",
        "on": "2025-06-01",
    }
    assert (d["outcome"], d["valid"], d["recognized"], d["failed_link"]) == (
        "found",
        True,
        True,
        None,
    )
    assert set(d["certificate"]) == {
        "number",
        "issuer",
        "issuer_name",
        "kind",
        "standard",
        "scope",
        "holder",
        "issued_on",
        "expires_on",
        "status",
        "accreditation",
        "source",
    }
    assert d["certificate"]["holder"] == {
        "zh": "杭州示例电器有限公司",
        "en": "Hangzhou Example Electric Co., Ltd.",
    }
    assert d["certificate"]["status"] == "active"
    assert [x["link"] for x in d["links"]] == [
        "certificate",
        "accreditation",
        "arrangement",
        "market",
    ]
    for x in d["links"]:
        assert set(x) == {"link", "status", "reason", "evidence"}
        assert set(x["reason"]) == {"zh", "en"}
        assert x["evidence"] and all("record" in e for e in x["evidence"])
    assert [p["node"] for p in d["path"]] == [
        "certificate",
        "cab",
        "accreditation",
        "accreditation_body",
        "arrangement",
        "arrangement",
        "market",
    ]
    assert all(set(p) == {"node", "key", "label", "status", "via"} for p in d["path"])
    assert d["candidates"] == []
    assert d["coverage"] == {
        "issuer": CQC,
        "issuer_name": {"zh": None, "en": None},
        "submits": True,
        "certificate_count": 1200,
        "last_submitted_on": "2025-05-30",
        "source": None,
    }
    assert list(_shape(not_found(Q)).keys()) == list(d)
    assert _shape(verify(MS_WORLD, ON, None))["recognized"] is None


def test_chain_links_are_shared_through_the_memo() -> None:
    """With a Memo (as the service passes one per loaded chain) the arrangement and market
    links of a second verdict on the same question are the very objects of the first, and
    the verdict is unchanged. (Speed itself is measured by bench/verify_bench.py.)"""
    from accordia.domain.recognition import Memo

    memo = Memo()
    facts = replace(APAC_ONLY, memo=memo)
    first, second = verify(facts, ON, "GB"), verify(facts, ON, "GB")
    assert second.link("arrangement") is first.link("arrangement")
    assert second.link("market") is first.link("market")
    assert first.to_dict() == second.to_dict() == verify(APAC_ONLY, ON, "GB").to_dict()
    other_day = verify(facts, day(ON, 1), "GB")
    assert other_day.link("arrangement") is not first.link("arrangement")


def test_regulator_suspension_of_the_cab_fails_the_accreditation_link_from_its_date() -> None:
    """A sanction (suspension of the CAB's approval) cuts its attestations from the date it
    takes effect, and the verdict says so; before it, and where no approval is recorded at
    all, nothing changes."""
    suspended_on = day(ON, -10)
    approvals = (ev("granted", D(2005, 1, 1)), ev("suspended", suspended_on))
    world = replace(MS_WORLD, cab=replace(CQC_FACTS, approval_events=approvals))
    assert verify(MS_WORLD, ON, "GB").recognized is True
    before = verify(world, day(suspended_on, -1), "GB")
    assert before.link("accreditation").status is LinkStatus.OK
    during = verify(world, ON, "GB")
    link = during.link("accreditation")
    assert link.status is LinkStatus.FAILED and during.recognized is False
    assert "regulator's approval" in link.reason.en and "监管机构" in (link.reason.zh or "")
    assert any(e["record"] == "body_approval_event" for e in link.evidence)
