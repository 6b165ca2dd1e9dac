"""Demo self-discipline data: two synthetic associations of the demo world's Chinese bodies, their
codes of conduct (with a revised version) and the members' commitments — some withdrawn, some
expelled, some never made, so ratings and pages have every case to show.

Deterministic for a seed; every row says it is synthetic in its ``source``. The associations,
codes and provisions are invented for the demo: they are not the text of any real association.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.db.types import utcnow
from accordia.demo.generator import TODAY
from accordia.models.discipline import ConductCode, ConductCodeVersion, ConductCommitmentEvent

SOURCE = "SYNTHETIC DEMO DATA (accordia demo discipline, seed {seed}); not a real record"

# acronym → (name zh, name en)
ASSOCIATIONS = {
    "DEMO-CCA": ("示例认证认可行业协会（演示）", "Demo Certification Industry Association (demo)"),
    "DEMO-TLA": ("示例检验检测行业协会（演示）", "Demo Testing and Laboratory Association (demo)"),
}

_CCA_V1 = [
    (
        "坚持客观公正，不以任何形式出卖认证结论。",
        "Act objectively and impartially; never sell a certification decision.",
    ),
    (
        "不以低于成本的价格或承诺通过认证等不正当手段招揽客户。",
        "Do not solicit clients with below-cost prices or by promising a pass.",
    ),
    (
        "按认证规则配足审核人日，不减少审核时间。",
        "Allocate the audit days the certification rules require; never shorten an audit.",
    ),
    (
        "如实记录并保存审核证据，接受监督检查。",
        "Record and keep audit evidence truthfully; submit to supervision and inspection.",
    ),
    (
        "及时报送证书信息，证书状态变化后及时公布。",
        "Report certificates promptly and publish every change of their status.",
    ),
    (
        "尊重同行，不诋毁其他认证机构。",
        "Respect peers; do not disparage other certification bodies.",
    ),
]
_CCA_V2_EXTRA = [
    (
        "不聘用同时在其他认证机构执业的审核员。",
        "Do not engage auditors who practise for another certification body at the same time.",
    ),
]
_TLA_V1 = [
    (
        "独立出具检验检测数据和结果，不出具虚假报告。",
        "Issue test data and results independently; never issue a false report.",
    ),
    (
        "按标准方法检测，保留原始记录。",
        "Test by the standard methods and keep the original records.",
    ),
    (
        "不超出资质认定范围出具报告。",
        "Do not issue reports outside the scope of the accreditation.",
    ),
    ("对客户信息保密。", "Keep clients' information confidential."),
]

# (association, code, version, title zh, title en, provisions, adopted, effective)
CODES = [
    (
        "DEMO-CCA",
        "CCA-INTEGRITY",
        1,
        "认证机构诚信自律公约（演示）",
        "Certification bodies' code of integrity (demo)",
        _CCA_V1,
        dt.date(2019, 3, 1),
        dt.date(2019, 5, 1),
    ),
    (
        "DEMO-CCA",
        "CCA-INTEGRITY",
        2,
        "认证机构诚信自律公约（2023 年修订，演示）",
        "Certification bodies' code of integrity (2023 revision, demo)",
        _CCA_V1 + _CCA_V2_EXTRA,
        dt.date(2023, 6, 15),
        dt.date(2023, 9, 1),
    ),
    (
        "DEMO-TLA",
        "TLA-PLEDGE",
        1,
        "检验检测机构诚信承诺（演示）",
        "Testing and laboratory integrity pledge (demo)",
        _TLA_V1,
        dt.date(2020, 10, 1),
        dt.date(2021, 1, 1),
    ),
]


def _commitment_plan(i: int) -> str:
    """What happens to the i-th member (by registration number): a fixed pattern, so even the
    smallest demo world shows every case."""
    return {1: "withdrawn", 3: "expelled", 5: "never"}.get(i % 8, "committed")


def seed(engine: Engine, *, seed: int, scale: int) -> None:
    """Add the demo associations, codes and commitments to a database holding the demo world.

    ``scale`` is accepted for symmetry with the generator: every Chinese demo body joins
    ``DEMO-CCA`` (testing laboratories also ``DEMO-TLA``), however many there are. A database
    that already holds the demo codes is left unchanged.
    """
    if scale < 0:
        raise ValueError("scale cannot be negative")
    rng = random.Random(f"accordia-discipline-{seed}")
    source = SOURCE.format(seed=seed)
    now = utcnow()
    with engine.begin() as conn:
        session = Session(bind=conn)
        cn = session.execute(select(m.Economy.id).filter_by(code="CN")).scalar_one()
        assoc_ids: dict[str, int] = {}
        for acr, (zh, en) in ASSOCIATIONS.items():
            a = session.execute(
                select(m.Association).filter_by(acronym=acr, economy_id=cn)
            ).scalar_one_or_none()
            if a is None:
                a = m.Association(acronym=acr, economy_id=cn, name_zh=zh, name_en=en, source=source)
                session.add(a)
                session.flush()
            assoc_ids[acr] = a.id
        if session.execute(
            select(ConductCode.id).filter(ConductCode.association_id.in_(assoc_ids.values()))
        ).first():
            session.close()
            return
        cabs = session.execute(
            select(m.Cab.id, m.Cab.registration_number, m.Cab.kind)
            .filter(m.Cab.registration_number.like("DEMO-R-CN-%"))
            .order_by(m.Cab.registration_number)
        ).all()
        code_ids: dict[str, int] = {}
        for acr, code, version, tzh, ten, provisions, adopted, effective in CODES:
            if code not in code_ids:
                row = ConductCode(association_id=assoc_ids[acr], code=code, source=source)
                session.add(row)
                session.flush()
                code_ids[code] = row.id
            session.add(
                ConductCodeVersion(
                    code_id=code_ids[code],
                    version=version,
                    title_zh=tzh,
                    title_en=ten,
                    provisions=[
                        {"number": n, "zh": zh, "en": en}
                        for n, (zh, en) in enumerate(provisions, start=1)
                    ],
                    adopted_on=adopted,
                    effective_on=effective,
                    source_url=None,
                    source=source,
                )
            )
        first_effective = {code: eff for _a, code, v, *_r, eff in CODES if v == 1}
        memberships: list[dict[str, object]] = []
        events: list[dict[str, object]] = []
        groups = {
            "DEMO-CCA": ("CCA-INTEGRITY", list(cabs)),
            "DEMO-TLA": ("TLA-PLEDGE", [c for c in cabs if c.kind == "testing_lab"]),
        }
        for acr, (code, members) in groups.items():
            for i, cab in enumerate(members):
                since = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365))
                memberships.append(
                    {
                        "association_id": assoc_ids[acr],
                        "cab_id": cab.id,
                        "since": since,
                        "until": None,
                        "source": source,
                        "recorded_at": now,
                    }
                )
                plan = _commitment_plan(i)
                if plan == "never":
                    continue
                committed = max(since, first_effective[code]) + dt.timedelta(days=rng.randrange(60))
                planned = [("committed", committed, "签署公约 / signed the code (demo)")]
                if plan == "withdrawn":
                    planned.append(
                        (
                            "withdrawn",
                            TODAY - dt.timedelta(days=200 + rng.randrange(300)),
                            "撤回承诺 / withdrew its commitment (demo)",
                        )
                    )
                elif plan == "expelled":
                    planned.append(
                        (
                            "expelled",
                            TODAY - dt.timedelta(days=100 + rng.randrange(400)),
                            "违反第 3 条被除名 / expelled for a breach of provision 3 (demo)",
                        )
                    )
                for kind, on, note in planned:
                    events.append(
                        {
                            "code_id": code_ids[code],
                            "cab_id": cab.id,
                            "kind": kind,
                            "effective_on": on,
                            "recorded_at": now,
                            "recorded_by": "demo",
                            "source": source,
                            "note": note,
                        }
                    )
        if memberships:
            conn.execute(insert(m.AssociationMembership), memberships)
        if events:
            conn.execute(insert(ConductCommitmentEvent), events)
        session.flush()
        conn.execute(
            insert(m.AuditEntry),
            [
                {
                    "at": now,
                    "actor": "demo",
                    "action": "create",
                    "entity": "demo",
                    "record_key": f"discipline seed={seed} scale={scale}",
                    "after": {
                        "associations": len(assoc_ids),
                        "memberships": len(memberships),
                        "commitment_events": len(events),
                    },
                    "operation": f"demo-discipline-{seed}",
                    "before": None,
                    "message": source,
                }
            ],
        )
        session.close()
