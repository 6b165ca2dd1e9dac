"""Record kinds: economies, standards, scope codes."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from accordia import models as m
from accordia.importer.context import ImportContext
from accordia.importer.fields import Field
from accordia.importer.kind import Kind, Row, check_one_of, register
from accordia.models.standard import ScopeScheme, StandardKind

SOURCE = Field("source", max_len=2000, help="Where the facts in this row come from.")


def _apply_economy(ctx: ImportContext, row: Row) -> None:
    code = row["code"].upper()
    eco, _ = ctx.upsert(
        m.Economy,
        {"code": code},
        {
            "kind": row["kind"] or "country",
            "name_en": row["name_en"],
            "name_zh": row["name_zh"],
            "alpha3": row["alpha3"],
            "source": row["source"] or "",
        },
        "economy",
        code,
    )
    for member in row["members"]:
        member_id = ctx.economy(member, "members")
        exists = ctx.session.execute(
            select(m.EconomyGroupMember.id).filter_by(group_id=eco.id, member_id=member_id)
        ).first()
        if not exists:
            ctx.session.add(
                m.EconomyGroupMember(
                    group_id=eco.id, member_id=member_id, source=row["source"] or ""
                )
            )
            ctx.audit(
                "create",
                "economy_group_member",
                f"{code} / {member}",
                None,
                {"group": code, "member": member},
            )
            ctx.stats.add("created")


def _export_economy(session: Session) -> Iterator[Row]:
    grp, mem = aliased(m.Economy), aliased(m.Economy)
    members: dict[int, list[str]] = {}
    for gid, code in session.execute(
        select(grp.id, mem.code)
        .join(m.EconomyGroupMember, m.EconomyGroupMember.group_id == grp.id)
        .join(mem, m.EconomyGroupMember.member_id == mem.id)
        .order_by(mem.code)
    ):
        members.setdefault(gid, []).append(code)
    # countries first so that groupings find their members on re-import
    for e in session.execute(
        select(m.Economy).order_by(m.Economy.kind != "country", m.Economy.code)
    ).scalars():
        yield {
            "code": e.code,
            "kind": e.kind,
            "name_en": e.name_en,
            "name_zh": e.name_zh,
            "alpha3": e.alpha3,
            "members": members.get(e.id, []),
            "source": e.source,
        }


register(
    Kind(
        name="economy",
        plural="economies",
        doc="A country or territory (ISO 3166-1 alpha-2) or a grouping of economies.",
        fields=(
            Field(
                "code",
                required=True,
                max_len=16,
                help="ISO 3166-1 alpha-2, or a grouping code.",
                example="CN",
            ),
            Field(
                "kind", choices=("country", "grouping"), help="`country` (default) or `grouping`."
            ),
            Field("name_en", help="English name.", example="China"),
            Field("name_zh", help="Chinese name.", example="中国"),
            Field("alpha3", max_len=3, help="ISO 3166-1 alpha-3."),
            Field("members", type="list", max_len=16, help="For a grouping: member economy codes."),
            SOURCE,
        ),
        key=("code",),
        apply=_apply_economy,
        export=_export_economy,
        checks=(check_one_of("name_en", "name_zh"),),
    )
)


def _apply_standard(ctx: ImportContext, row: Row) -> None:
    ctx.upsert(
        m.Standard,
        {"code": row["code"]},
        {
            "kind": row["kind"],
            "edition": row["edition"],
            "title_en": row["title_en"],
            "title_zh": row["title_zh"],
            "source": row["source"] or "",
        },
        "standard",
        row["code"],
    )


def _export_standard(session: Session) -> Iterator[Row]:
    for s in session.execute(select(m.Standard).order_by(m.Standard.code)).scalars():
        yield {
            "code": s.code,
            "kind": s.kind,
            "edition": s.edition,
            "title_en": s.title_en,
            "title_zh": s.title_zh,
            "source": s.source,
        }


register(
    Kind(
        name="standard",
        plural="standards",
        doc="A normative document, by its code without the year.",
        fields=(
            Field(
                "code", required=True, max_len=80, help="Code without the year.", example="ISO 9001"
            ),
            Field(
                "kind",
                required=True,
                choices=tuple(k.value for k in StandardKind),
                help="Role in the chain.",
            ),
            Field("edition", max_len=40, help="Current edition, e.g. `2015`."),
            Field("title_en", help="English title."),
            Field("title_zh", help="Chinese title."),
            SOURCE,
        ),
        key=("code",),
        apply=_apply_standard,
        export=_export_standard,
    )
)


def _apply_scope_code(ctx: ImportContext, row: Row) -> None:
    ctx.upsert(
        m.ScopeCode,
        {"scheme": row["scheme"], "code": row["code"]},
        {
            "parent_code": row["parent_code"],
            "name_en": row["name_en"],
            "name_zh": row["name_zh"],
            "cab_standard": row["cab_standard"],
            "normative_standard": row["normative_standard"],
            "level": row["level"],
            "source": row["source"] or "",
        },
        "scope_code",
        f"{row['scheme']}:{row['code']}",
    )


def _export_scope_code(session: Session) -> Iterator[Row]:
    for s in session.execute(
        select(m.ScopeCode).order_by(m.ScopeCode.scheme, m.ScopeCode.id)
    ).scalars():
        yield {
            "scheme": s.scheme,
            "code": s.code,
            "parent_code": s.parent_code,
            "name_en": s.name_en,
            "name_zh": s.name_zh,
            "cab_standard": s.cab_standard,
            "normative_standard": s.normative_standard,
            "level": s.level,
            "source": s.source,
        }


register(
    Kind(
        name="scope_code",
        plural="scope_codes",
        doc="A code of a scope taxonomy: IAF/EA sectors, IAF MLA scopes, ILAC activities, HS.",
        fields=(
            Field(
                "scheme",
                required=True,
                choices=tuple(s.value for s in ScopeScheme),
                help="Taxonomy.",
            ),
            Field(
                "code", required=True, max_len=64, help="Code within the taxonomy.", example="19"
            ),
            Field("parent_code", max_len=64, help="Parent code (e.g. main scope of a sub-scope)."),
            Field("name_en", help="English name."),
            Field("name_zh", help="Chinese name."),
            Field("cab_standard", max_len=80, help="For MLA/ILAC: the CAB standard covered."),
            Field(
                "normative_standard",
                max_len=80,
                help="For MLA sub-scopes: the standard certified against.",
            ),
            Field("level", type="int", help="IAF MLA level (2-5) where applicable."),
            SOURCE,
        ),
        key=("scheme", "code"),
        apply=_apply_scope_code,
        export=_export_scope_code,
        aliases=("scopes",),
    )
)
