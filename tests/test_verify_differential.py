"""Differential tests: verdicts must not change when verification is made faster.

1. Domain: ``tests/data/verify_golden.json.gz`` holds the facts of a sample of a demo world
   (every showcase and planted certificate and a random sample, with their CABs'
   accreditations, signatory records and the whole upper chain) and a digest of the verdict
   JSON the verification code gave for each on several dates and markets, recorded before the
   speed work (issue 9). The facts are stored themselves, so the test does not depend on the
   demo generator or the reference data staying the same. Regenerate (only when a verdict is
   *meant* to change) with ``python tests/test_verify_differential.py``.
2. Memo and folded timelines: verdicts through the shared chain memo, and the cached timeline
   path of :mod:`accordia.domain.status`, answer exactly as without them.
3. Database: on a small demo world, the one-statement loader of ``Verifier`` gives the same
   verdicts as the plain per-table ORM loader, a batch in chunks gives row by row the single
   verdict, and the chain check interval bounds how stale the cached chain may be.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from accordia.domain import recognition as rec
from accordia.domain import status as st
from accordia.domain.bilingual import Bilingual
from accordia.domain.verification import (
    IssuerCoverage,
    Query,
    Verdict,
    VerificationFacts,
    ambiguous,
    not_found,
    verify,
)

GOLDEN = Path(__file__).parent / "data" / "verify_golden.json.gz"
DATES = ("2019-03-01", "2024-06-01", "2026-06-01", "2026-11-27")
MARKETS = (None, "GB", "CN", "NZ", "US")

_TYPES: dict[str, type[Any]] = {
    t.__name__: t
    for t in (
        rec.AccreditationFacts,
        rec.AccreditationRef,
        rec.ArrangementFacts,
        rec.CabFacts,
        rec.CertificateFacts,
        rec.IssuerCoverage,
        rec.MarketAcceptanceFacts,
        rec.RecognitionFacts,
        rec.ScopeMapping,
        rec.SignatoryFacts,
        st.Event,
        Bilingual,
    )
}


def encode(v: Any) -> Any:
    """Facts as JSON: dataclasses tagged with their name, tuples, dates and times tagged."""
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        out = {"_": type(v).__name__}
        out.update({f.name: encode(getattr(v, f.name)) for f in dataclasses.fields(v) if f.init})
        return out
    if isinstance(v, tuple):
        return {"_t": [encode(x) for x in v]}
    if isinstance(v, list):
        return [encode(x) for x in v]
    if isinstance(v, dict):
        return {k: encode(x) for k, x in v.items()}
    if isinstance(v, dt.datetime):
        return {"_dt": v.isoformat()}
    if isinstance(v, dt.date):
        return {"_d": v.isoformat()}
    return v


def decode(v: Any) -> Any:
    if isinstance(v, list):
        return [decode(x) for x in v]
    if not isinstance(v, dict):
        return v
    if "_t" in v:
        return tuple(decode(x) for x in v["_t"])
    if "_dt" in v:
        return dt.datetime.fromisoformat(v["_dt"])
    if "_d" in v:
        return dt.date.fromisoformat(v["_d"])
    if "_" not in v:
        return {k: decode(x) for k, x in v.items()}
    cls = _TYPES[v["_"]]
    return cls(**{k: decode(x) for k, x in v.items() if k != "_"})


def digest(verdict: Verdict) -> str:
    text = json.dumps(verdict.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _facts_of(
    world: dict[str, Any], case: dict[str, Any], memo: rec.Memo | None = None
) -> VerificationFacts:
    chain, cab = world["chain"], world["cabs"][case["cab"]]
    return VerificationFacts(
        certificate=case["certificate"],
        cab=cab["cab"],
        accreditations=cab["accreditations"],
        signatories=cab["signatories"],
        arrangements=chain["arrangements"],
        recognitions=chain["recognitions"],
        acceptances=chain["acceptances"],
        scope_map=chain["scope_map"],
        memo=memo,
    )


def _verdicts(world: dict[str, Any], memo: rec.Memo | None = None) -> dict[str, Verdict]:
    """Every verdict the golden file has a digest for, keyed ``case|date|market``."""
    out: dict[str, Verdict] = {}
    for i, case in enumerate(world["cases"]):
        facts = _facts_of(world, case, memo)
        for d in DATES:
            for market in MARKETS:
                out[f"{i}|{d}|{market}"] = verify(facts, dt.date.fromisoformat(d), market)
    certs = [c["certificate"] for c in world["cases"][:3]]
    cov = IssuerCoverage("X-1", True, 12, dt.date(2025, 1, 2), Bilingual("某机构", "Some Body"))
    q = Query("NO-SUCH", dt.date(2026, 6, 1), "X-1", "GB")
    out["not_found"] = not_found(q, certs[:1], cov)
    out["not_found_unknown"] = not_found(Query("N", dt.date(2026, 6, 1), "NOPE"), (), None)
    out["ambiguous"] = ambiguous(Query("DUP", dt.date(2026, 6, 1)), certs, None)
    return out


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    raw = json.loads(gzip.decompress(GOLDEN.read_bytes()).decode("utf-8"))
    world: dict[str, Any] = decode(raw["world"])
    world["digests"] = raw["digests"]
    return world


def _compare(got: dict[str, Verdict], expected: dict[str, str]) -> None:
    assert set(got) == set(expected)
    changed = [k for k, v in got.items() if digest(v) != expected[k]]
    if changed:
        first = got[changed[0]].to_dict()
        pytest.fail(
            f"{len(changed)} of {len(got)} verdicts changed, first {changed[0]}:\n"
            + json.dumps(first, ensure_ascii=False, indent=1)[:6000]
        )


def test_verdicts_identical_to_the_recorded_ones(golden: dict[str, Any]) -> None:
    got = _verdicts(golden)
    _compare(got, golden["digests"])
    # the sample exercises every link status and failing link, so the comparison means something
    failed = {v.failed_link.value if v.failed_link else None for v in got.values()}
    assert failed >= {None, "certificate", "accreditation", "arrangement", "market"}
    vias = {p.via for v in got.values() for p in v.path if p.node == "arrangement"}
    assert "direct" in vias
    assert {v.outcome.value for v in got.values()} == {"found", "not_found", "ambiguous"}


def test_memoised_verdicts_identical(golden: dict[str, Any]) -> None:
    """With one Memo shared by every verdict (as the service shares one per chain), and asked
    twice so that the second round is answered from it, the verdicts are the same."""
    memo = rec.Memo()
    some = {**golden, "cases": golden["cases"][::4]}  # a quarter of the sample keeps it quick
    expected = {k: v for k, v in golden["digests"].items() if k.split("|")[0].isdigit()}
    expected = {k: v for k, v in expected.items() if int(k.split("|")[0]) % 4 == 0}
    renumber = {f"{i}": f"{i * 4}" for i in range(len(some["cases"]))}

    def keyed(got: dict[str, Verdict]) -> dict[str, Verdict]:
        out = {}
        for k, v in got.items():
            head, sep, rest = k.partition("|")
            if sep:
                out[f"{renumber[head]}|{rest}"] = v
        return out

    first = keyed(_verdicts(some, memo))
    assert len(memo) > 0
    again = keyed(_verdicts(some, memo))
    _compare(first, expected)
    _compare(again, expected)


def test_memo_is_bounded_and_checks_its_facts() -> None:
    memo = rec.Memo(limit=2)
    a, b, c = tuple(["x"]), tuple(["x"]), tuple(["y"])
    memo.put("k", (a,), 1)
    assert memo.get("k", (a,)) == 1
    assert memo.get("k", (c,)) is None  # other facts under the same key (an id reused)
    assert memo.get("k", (b,)) == 1  # equal facts: the same answer holds
    memo.put("k2", (a,), 2)
    memo.put("k3", (a,), 3)  # full: emptied first
    assert len(memo) == 1 and memo.get("k", (a,)) is None


_events = hs.lists(
    hs.builds(
        st.Event,
        kind=hs.sampled_from([k.value for k in st.EventKind]),
        effective_on=hs.dates(dt.date(2020, 1, 1), dt.date(2020, 3, 1)),
        recorded_at=hs.sampled_from(
            [dt.datetime(2020, 1, 1, tzinfo=dt.UTC), dt.datetime(2021, 1, 1, tzinfo=dt.UTC)]
        ),
        scope=hs.sampled_from([(), ("IAF:1",), ("IAF:2",)]),
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(_events, hs.dates(dt.date(2019, 12, 1), dt.date(2020, 4, 1)))
def test_folded_timelines_answer_as_the_fold(events: list[st.Event], on: dt.date) -> None:
    """Folded event tuples (accordia.domain.status.folded, as the service loads the upper
    chain) answer every status question exactly as the plain sort and fold of a list."""
    as_tuple = st.folded(events)
    assert as_tuple == tuple(events)
    until = dt.date(2020, 2, 1)
    for _ in range(2):
        assert st.status_on(as_tuple, on) is st.status_on(events, on)
        assert st.status_on(as_tuple, on, valid_until=until) is st.status_on(
            events, on, valid_until=until
        )
        assert st.in_effect(as_tuple, on) == st.in_effect(events, on)
        assert st.ordered(as_tuple) == st.ordered(events)
        assert st.scope_on(["IAF:1"], as_tuple, on) == st.scope_on(["IAF:1"], events, on)
        assert st.last_event(as_tuple, on) == st.last_event(events, on)


# --- database: one statement, batches, the chain check ---------------------------------------

ON = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def demo(db):  # type: ignore[no-untyped-def]
    from accordia.demo.generator import generate

    generate(db.engine, scale=300, seed=5, index=False)
    return db


def _plain_facts(session: Any, verifier: Any, cert: Any, cab: Any) -> VerificationFacts:
    """The facts as the per-table ORM loader built them before the one-statement loader."""
    from sqlalchemy import select

    from accordia import models as m
    from accordia.services.verification import certificate_facts

    events = session.execute(
        select(m.CertificateEvent)
        .where(m.CertificateEvent.parent_id == cert.id)
        .order_by(m.CertificateEvent.id)
    ).scalars()
    scope = session.execute(
        select(m.CertificateScopeItem.item)
        .where(m.CertificateScopeItem.certificate_id == cert.id)
        .order_by(m.CertificateScopeItem.id)
    ).scalars()
    org = session.get(m.Organization, cert.organization_id)
    part = verifier.cab_part(cab)
    chain = verifier.chain
    return VerificationFacts(
        certificate=certificate_facts(
            cert,
            cab,
            list(events),
            list(scope),
            Bilingual(org.name_zh, org.name_en),
            part.accreditation_ids.get(cert.accreditation_id or -1),
        ),
        cab=part.cab,
        accreditations=part.accreditations,
        signatories=part.signatories,
        arrangements=chain.arrangements,
        recognitions=chain.recognitions,
        acceptances=chain.acceptances,
        scope_map=chain.scope_map,
    )


def _numbers(demo: Any) -> list[tuple[str, str]]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from accordia import models as m

    with Session(demo.engine) as s:
        return [
            (n, c)
            for n, c in s.execute(
                select(m.Certificate.number, m.Cab.registration_number)
                .join(m.Cab, m.Cab.id == m.Certificate.cab_id)
                .order_by(m.Certificate.id)
            )
        ]


def test_one_statement_gives_the_facts_of_the_plain_loader(demo) -> None:  # type: ignore[no-untyped-def]
    """Every certificate of the demo world: the verdict from the one statement (certificate,
    holder, events and scope as JSON, fingerprint) equals the verdict from the facts the plain
    ORM queries give, with and without the chain memo, for two markets."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from accordia import models as m
    from accordia.services.verification import Verifier

    with Session(demo.engine) as s:
        v = Verifier(s)
        rows = s.execute(
            select(m.Certificate, m.Cab).join(m.Cab, m.Certificate.cab_id == m.Cab.id)
        ).all()
        assert len(rows) >= 300
        for cert, cab in rows:
            plain = _plain_facts(s, v, cert, cab)
            for market in ("GB", None):
                q = Query(cert.number, ON, cab.registration_number, market)
                want = verify(plain, ON, market, query=q).to_dict()
                got = v.verify(cert.number, issuer=cab.registration_number, market=market, on=ON)
                assert got.to_dict() == want, cert.number
            assert v.facts(cert, cab).certificate == plain.certificate


def test_batch_chunks_give_the_single_verdicts(demo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A list with messy formatting, unknown numbers, issuers, per-row markets and a bad row,
    verified in chunks of 7 (one statement per chunk): row by row the single verdict."""
    from sqlalchemy.orm import Session

    from accordia.services.batch import BatchRow, run_batch
    from accordia.services.verification import Verifier

    numbers = _numbers(demo)[:120]
    rows: list[BatchRow] = []
    for i, (number, issuer) in enumerate(numbers):
        messy = number.lower().replace("-", " ") if i % 3 == 0 else number
        rows.append(
            BatchRow(
                len(rows) + 1,
                messy,
                issuer if i % 4 == 0 else None,
                "NZ" if i % 5 == 0 else None,
            )
        )
        if i % 10 == 0:
            rows.append(BatchRow(len(rows) + 1, f"NO-SUCH-{i}", "NO-SUCH-CB" if i % 20 else None))
    rows.append(BatchRow(len(rows) + 1, "", error=("缺少证书编号", "no certificate number")))
    rows.append(BatchRow(len(rows) + 1, numbers[0][0], None, "ZZ"))
    out = tmp_path / "verdicts.jsonl"
    with Session(demo.engine) as s, out.open("wb") as fh:
        summary = run_batch(s, iter(rows), fh, "jsonl", market="GB", on=ON, chunk=7)
    report = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert summary.rows == len(rows) == len(report)
    assert [r["line"] for r in report] == [r.line for r in rows]
    assert report[-1]["outcome"] == report[-2]["outcome"] == "invalid_row"
    outcomes = {r["outcome"] for r in report}
    assert {"found", "not_found", "invalid_row"} <= outcomes
    with Session(demo.engine) as s:
        v = Verifier(s)
        for row, rep in zip(rows[:-2], report[:-2], strict=True):
            single = v.verify(row.number, issuer=row.issuer, market=row.market or "GB", on=ON)
            assert rep["outcome"] == single.outcome.value, row
            assert (rep["valid"], rep["recognized"]) == (single.valid, single.recognized), row
            failed = next((x for x in single.links if x.status == "failed"), None)
            if single.outcome.value != "found":
                failed = single.links[0]
            assert rep["reason_en"] == (failed.reason.en if failed else None), row


def test_chain_check_interval_bounds_staleness(demo) -> None:  # type: ignore[no-untyped-def]
    """``ACCORDIA_VERIFY_CHAIN_CHECK_MS``: a change to the upper chain written by another
    process shows at once with 0, and after at most N ms with N; a write committed in this
    process shows at once whatever N is."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from accordia import models as m
    from accordia.services.verification import Verifier

    with Session(demo.engine) as s:
        pick = [
            c
            for c in s.execute(select(m.Certificate).order_by(m.Certificate.id)).scalars()
            if c.accreditation_id
            and len(Verifier(s).candidates(c.number, None)) == 1
            and Verifier(s).verify(c.number, market="GB", on=ON).recognized
        ]
        by_acc = {c.accreditation_id: c.number for c in pick}
        assert len(by_acc) >= 2
        (acc1, number1), (acc2, number2) = list(by_acc.items())[:2]
    day = (ON - dt.timedelta(days=1)).isoformat()

    def suspend_elsewhere(acc_id: int) -> None:
        """An insert through a bare DBAPI connection: like a write by another process, no
        SQLAlchemy commit is seen here."""
        raw = demo.engine.raw_connection()
        try:
            cur = raw.cursor()
            ph = "%s" if demo.engine.dialect.name == "postgresql" else "?"
            cur.execute(
                "INSERT INTO accreditation_event (parent_id, kind, effective_on, recorded_at, "
                f"source) VALUES ({ph}, 'suspended', {ph}, {ph}, 'test')",
                (acc_id, day, "2026-01-01 00:00:00"),
            )
            raw.commit()
        finally:
            raw.close()

    def ask(number: str, check_ms: int) -> Any:
        with Session(demo.engine) as s:  # a request: its own session (and snapshot)
            return Verifier(s, check_ms=check_ms).verify(number, market="GB", on=ON)

    assert ask(number1, 0).recognized
    suspend_elsewhere(acc1)
    stale = ask(number1, 3_600_000)
    assert stale.recognized is True  # within the interval: the cached chain answers
    fresh = ask(number1, 0)
    assert fresh.recognized is False and fresh.failed_link == "accreditation"
    assert "suspended" in fresh.link("accreditation").reason.en
    # the check found the change and reloaded the chain: every verifier sees it now
    assert ask(number1, 3_600_000).failed_link == "accreditation"

    assert ask(number2, 3_600_000).recognized
    with Session(demo.engine) as s:
        s.add(m.AccreditationEvent(parent_id=acc2, kind="suspended", effective_on=ON))
        s.commit()  # a commit in this process: the next verdict checks the chain at once
    now = ask(number2, 3_600_000)
    assert now.recognized is False and now.failed_link == "accreditation"


# --- regeneration (run this file as a script, with the verification code to record) ----------


def _record(scale: int = 3000, sample: int = 260) -> None:  # pragma: no cover - a tool
    import tempfile

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from accordia import models as m
    from accordia.db.engine import make_engine
    from accordia.db.migrate import upgrade
    from accordia.demo.generator import Showcase, generate
    from accordia.reference import load_reference
    from accordia.services.verification import Verifier

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/golden.db")
        upgrade(engine)
        load_reference(engine)
        result = generate(engine, scale=scale, index=False)
        show = result.showcase
        wanted = {show.valid, show.suspended, show.withdrawn_accreditation, show.product}
        wanted |= {show.test_report} | {p.certificate for p in result.planted}
        assert isinstance(show, Showcase)
        with Session(engine) as s:
            rows = s.execute(
                select(m.Certificate, m.Cab)
                .join(m.Cab, m.Certificate.cab_id == m.Cab.id)
                .order_by(m.Certificate.id)
            ).all()
            rng = random.Random(9)
            picked = [r for r in rows if r[0].number in wanted]
            picked += rng.sample([r for r in rows if r[0].number not in wanted], sample)
            v = Verifier(s)
            cases, cabs = [], {}
            chain: dict[str, Any] = {}
            for cert, cab in picked:
                f = v.facts(cert, cab)
                chain = {
                    "arrangements": f.arrangements,
                    "recognitions": f.recognitions,
                    "acceptances": f.acceptances,
                    "scope_map": f.scope_map,
                }
                cabs[cab.registration_number] = {
                    "cab": f.cab,
                    "accreditations": f.accreditations,
                    "signatories": f.signatories,
                }
                cases.append({"cab": cab.registration_number, "certificate": f.certificate})
        world = {"chain": chain, "cabs": cabs, "cases": cases}
        decoded = decode(json.loads(json.dumps(encode(world))))
        digests = {k: digest(x) for k, x in _verdicts(decoded).items()}
        payload = {"world": encode(world), "digests": digests}
        GOLDEN.write_bytes(
            gzip.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"), mtime=0)
        )
        print(f"{GOLDEN}: {len(cases)} certificates, {len(digests)} verdicts")


if __name__ == "__main__":  # pragma: no cover
    _record(*(int(a) for a in sys.argv[1:]))
