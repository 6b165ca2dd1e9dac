"""Demo inspections (issue 7 §4, §7): a verifiable draw and a handful of inspections in every
state, on a demo world built by :func:`accordia.demo.generator.generate`.

Everything is synthetic and says so: the inspectors' names, every inspection's ``source``, the
notes and the complaint. The draw's seed is fixed (``accordia-demo-inspections-<seed>``), so it
re-verifies with ``accordia supervise draw --verify DRAW --seed accordia-demo-inspections-42``,
and for the same world the same targets, inspectors, outcomes and conclusions come out.

What it makes (dates relative to the demo's anchor date, 2026-11-27):

* synthetic inspectors ``DEMO-INSP-01`` … (when the directory has none of them), one of them a
  former employee of the showcase CAB, so the draw recuses it if that CAB is drawn;
* a draw committed and revealed over every CAB, at a ratio giving at least six targets;
* one inspection per drawn target: completed ``conforming``; completed ``minor`` with a
  rectification order; completed ``major`` with a fine; in progress with part of its result;
  planned; cancelled (targets the draw left short of inspectors are cancelled for that reason);
* an ad-hoc inspection from a synthetic complaint, completed ``minor``.

Sanctions are warnings, rectification orders and fines only: none changes a body's approval, so
verdicts and the scan's planted set are unchanged.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, func, select

from accordia import models as m
from accordia.db.session import unit_of_work
from accordia.demo.generator import TODAY, Showcase
from accordia.models.supervision import Complaint, Inspection, Inspector
from accordia.services import authz
from accordia.services import inspections as ins
from accordia.services import supervision as sv

SOURCE = "SYNTHETIC DEMO DATA (accordia demo inspections, seed {seed}); not a real inspection"
SEED_TEXT = "accordia-demo-inspections-{seed}"
ACTOR = "demo"
# (specialties) of the synthetic inspectors; at least three per CAB kind of the demo world
SPECIALTIES: tuple[tuple[str, ...], ...] = (
    ("ms_cb",),
    ("ms_cb", "product_cb"),
    ("ms_cb", "testing_lab"),
    ("product_cb", "testing_lab"),
    ("ms_cb",),
    ("product_cb",),
    ("testing_lab",),
    ("ms_cb", "product_cb", "testing_lab"),
)
ZH_NUMBERS = "一二三四五六七八九十"
BASIS = {
    "rectification": (
        "《中华人民共和国认证认可条例》（条款待确认）；合成示例",
        "PRC Regulations on Certification and Accreditation (article to be confirmed); "
        "synthetic example",
    ),
    "fine": (
        "《中华人民共和国认证认可条例》（条款待确认）；合成示例",
        "PRC Regulations on Certification and Accreditation (article to be confirmed); "
        "synthetic example",
    ),
}
NOTES = {
    "surveillance_overdue": (
        "抽查的 3 份证书中有 1 份年度监督审核逾期（合成示例）",
        "1 of 3 sampled certificates had its yearly surveillance audit overdue (synthetic example)",
    ),
    "audit_time_below_md5": (
        "2 份审核记录的审核人日低于 IAF MD 5 最低要求（合成示例）",
        "2 audit records below the IAF MD 5 minimum auditor-days (synthetic example)",
    ),
    "validity_exceeds_cycle": (
        "证书有效期未超过认证周期（合成示例）",
        "No certificate valid beyond its certification cycle (synthetic example)",
    ),
}


def _day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def _inspectors(engine: Engine, n: int) -> None:
    with unit_of_work(engine) as session:
        have = set(
            session.execute(
                select(Inspector.code).filter(Inspector.code.like("DEMO-INSP-%"))
            ).scalars()
        )
    showcase = Showcase().cab
    for i in range(n):
        code = f"DEMO-INSP-{i + 1:02d}"
        if code in have:
            continue
        zh_n = ZH_NUMBERS[i] if i < len(ZH_NUMBERS) else str(i + 1)
        sv.add_inspector(
            engine,
            code,
            list(SPECIALTIES[i % len(SPECIALTIES)]),
            region="CN",
            past_employers=[showcase] if i == 0 else [],
            name_zh=f"演示检查员{zh_n}号（合成）",
            name_en=f"Demo inspector {i + 1:02d} (synthetic)",
        )


def _outcomes(checklist: Sequence[str], kind: str) -> list[dict[str, Any]]:
    """Item outcomes for a result of conclusion ``kind`` (conforming | minor | major |
    partial)."""
    rows: list[dict[str, Any]] = []
    for n, code in enumerate(checklist):
        outcome = "conforming" if n % 4 != 3 else "not_applicable"
        if kind in ("minor", "major") and code == "surveillance_overdue":
            outcome = "nonconforming_minor"
        if kind == "major" and code == "audit_time_below_md5":
            outcome = "nonconforming_major"
        note = NOTES.get(code)
        if note and not (outcome.startswith("nonconforming") or code == "validity_exceeds_cycle"):
            note = None
        rows.append(
            {
                "item": code,
                "outcome": outcome,
                "note_zh": note[0] if note else None,
                "note_en": note[1] if note else None,
            }
        )
    if kind == "partial":
        rows = rows[: max(1, len(rows) // 2)]
    return rows


def _result(
    session: Any,
    actor: authz.Actor,
    code: str,
    kind: str,
    started: int,
    completed: int | None,
    source: str,
) -> None:
    ins.start(session, actor, code, on=_day(started), note="synthetic demo")
    view = ins.regulator_view(session, actor, code)
    signers = [p["code"] for p in view["inspectors"]]
    summary = {
        "conforming": (
            "检查未发现不符合（合成示例）",
            "No nonconformity found (synthetic example)",
        ),
        "minor": (
            "发现轻微不符合，责令整改（合成示例）",
            "Minor nonconformity; rectification ordered (synthetic example)",
        ),
        "major": ("发现严重不符合（合成示例）", "Major nonconformity found (synthetic example)"),
        "partial": ("检查进行中（合成示例）", "Inspection under way (synthetic example)"),
    }[kind]
    ins.record_result(
        session,
        actor,
        code,
        items=_outcomes([i["code"] for i in view["items"]], kind),
        signed_by=signers,
        summary_zh=summary[0],
        summary_en=summary[1],
    )
    if completed is None:
        return
    sanction = None
    if kind in ("minor", "major"):
        sk = "rectification" if kind == "minor" else "fine"
        sanction = {
            "kind": sk,
            "effective_on": _day(completed + 7),
            "basis_zh": BASIS[sk][0],
            "basis_en": BASIS[sk][1],
            "amount": 50000.0 if sk == "fine" else None,
            "decided_on": _day(completed + 5),
        }
    ins.complete(
        session,
        actor,
        code,
        on=_day(completed),
        note="synthetic demo",
        sanction=sanction,
        published_on=_day(completed),
    )


def seed(engine: Engine, *, seed: int, scale: int) -> None:
    """Add the demo draw and inspections to a demo world (see the module's docstring). Does
    nothing when this database already has the demo inspections."""
    source = SOURCE.format(seed=seed)
    with unit_of_work(engine) as session:
        if session.execute(select(Inspection.id).filter(Inspection.source == source)).first():
            return
        n_cabs = session.execute(select(func.count()).select_from(m.Cab)).scalar_one()
    if not n_cabs:
        raise RuntimeError("no CAB in this database: build the demo world first")
    _inspectors(engine, max(len(SPECIALTIES), min(30, 8 + scale // 200_000)))
    sv.ensure_items(engine)
    ratio = min(1.0, math.ceil(600 / n_cabs) / 100)  # at least six targets
    committed = sv.commit_draw(
        engine, ratio, _day(-100), per_target=2, seed=SEED_TEXT.format(seed=seed)
    )
    sv.reveal_draw(engine, committed.code, committed.seed)
    actor = authz.local_admin(ACTOR)
    with unit_of_work(engine) as session:
        planned = ins.plan_from_draw(
            session,
            actor,
            committed.code,
            planned_from=_day(-80),
            planned_until=_day(-10),
            on=_day(-95),
            source=source,
        )
        plans = ["conforming", "minor", "major", "partial", "planned", "cancelled"]
        k = 0
        for p in planned:
            view = ins.regulator_view(session, actor, p["code"])
            if not view["inspectors"]:
                ins.cancel(
                    session,
                    actor,
                    p["code"],
                    on=_day(-90),
                    reason="no eligible inspector in the draw (synthetic demo)",
                )
                continue
            plan = plans[k] if k < len(plans) else "planned"
            k += 1
            if plan in ("conforming", "minor", "major"):
                _result(session, actor, p["code"], plan, -75 + k, -60 + k, source)
            elif plan == "partial":
                _result(session, actor, p["code"], "partial", -20, None, source)
            elif plan == "cancelled":
                ins.cancel(
                    session,
                    actor,
                    p["code"],
                    on=_day(-70),
                    reason="target body under restructuring; re-planned next year (synthetic)",
                )
        _adhoc(session, actor, source, seed)


def _adhoc(session: Any, actor: authz.Actor, source: str, seed: int) -> None:
    """An ad-hoc inspection from a synthetic complaint about the showcase CAB."""
    regno = Showcase().cab
    cab = session.execute(select(m.Cab).filter(m.Cab.registration_number == regno)).scalar_one()
    case = f"CMP-{_day(-50):%Y%m%d}-DEMO{seed % 10000:04d}"
    if session.execute(select(Complaint.id).filter(Complaint.case_number == case)).first():
        return
    session.add(
        Complaint(
            case_number=case,
            cab_id=cab.id,
            received_on=_day(-50),
            status="substantiated",
            summary="SYNTHETIC DEMO complaint: certificates issued without an on-site audit.",
            subject_kind="body",
            subject=regno,
            anonymous=True,
            deadline=_day(10),
            outcome="Synthetic demo: the ad-hoc inspection found a minor nonconformity.",
            outcome_published_on=_day(-20),
        )
    )
    session.flush()
    eligible = [
        i.code
        for i in session.execute(
            select(Inspector).filter(Inspector.code.like("DEMO-INSP-%")).order_by(Inspector.code)
        ).scalars()
        if cab.kind in i.specialties and regno not in (i.past_employers or [])
    ][:2]
    if len(eligible) < 2:
        return
    view = ins.plan_adhoc(
        session,
        actor,
        cab=regno,
        inspectors=eligible,
        planned_from=_day(-45),
        planned_until=_day(-30),
        complaint=case,
        on=_day(-48),
        source=source,
    )
    _result(session, actor, view["code"], "minor", -40, -25, source)
