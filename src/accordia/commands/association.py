"""``accordia association``: industry self-discipline — codes of conduct, members' commitments,
credit ratings (issue 7 §6).

Writes act as ``--actor`` (default ``ACCORDIA_ACTOR``, the local administrator ``cli``): an
association account may write its own codes and commitments, a regulator every association's.
Usage errors and refused input exit with 64, refusals of the ownership rules with 1.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

EX_USAGE = 64
DATE = ["%Y-%m-%d"]

association = typer.Typer(
    name="association",
    help="Industry self-discipline: codes of conduct, commitments, credit ratings.",
    no_args_is_help=True,
)

ActorOpt = typer.Option(None, "--actor", help="Act as this account (default: ACCORDIA_ACTOR).")
EconomyOpt = typer.Option(
    None, "--economy", help="The association's economy (needed when the acronym is ambiguous)."
)
OnOpt = typer.Option(None, "--on", formats=DATE, help="As of this date (default today).")


def _engine() -> Any:
    from accordia.db.session import default_engine

    return default_engine()


def _out(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _day(value: dt.datetime | None) -> dt.date:
    return value.date() if value is not None else _today()


def _pick(value: dict[str, Any] | None, lang: str) -> str:
    value = value or {}
    first, second = ("zh", "en") if lang.startswith("zh") else ("en", "zh")
    return str(value.get(first) or value.get(second) or "")


@contextmanager
def _errors() -> Iterator[None]:
    from accordia.services import authz
    from accordia.services import discipline as ds

    try:
        yield
    except authz.UnknownActor as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    except authz.Forbidden as exc:
        typer.echo(f"error: {exc.message} ({exc.rule})", err=True)
        raise typer.Exit(1) from exc
    except ds.DisciplineError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EX_USAGE) from exc


@contextmanager
def _acting(actor: str | None) -> Iterator[tuple[Any, Any]]:
    """A unit of work and the resolved actor (the block's writes commit together or not)."""
    from accordia.db.session import unit_of_work
    from accordia.services import authz
    from accordia.settings import get_settings

    with _errors(), unit_of_work(_engine()) as session:
        who = authz.resolve_actor(session, actor or get_settings().actor)
        yield session, who


@association.command("codes")
def codes_cmd(
    acronym: str | None = typer.Argument(None, help="Association acronym (default: all)."),
    economy: str | None = EconomyOpt,
    code: str | None = typer.Option(None, "--code", help="Show this code in full."),
    on: dt.datetime | None = OnOpt,
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
    lang: str = typer.Option("en", help="Language of titles and provisions: zh or en."),
) -> None:
    """Codes of conduct and the version in force; with --code, its provisions, versions and
    the members' commitments."""
    from accordia.db.session import unit_of_work
    from accordia.services import discipline as ds

    day = _day(on)
    with _errors(), unit_of_work(_engine()) as session:
        if code:
            if not acronym:
                typer.echo("error: name the association to show a code", err=True)
                raise typer.Exit(EX_USAGE)
            doc = ds.code_detail(session, acronym, economy, code, day)
            rows = [doc]
        else:
            rows = ds.list_codes(session, day, acronym, economy)
    if as_json:
        _out(doc if code else rows)
        return
    for r in rows:
        a = r["association"]
        cur = r["in_force"]
        title = _pick(cur["title"], lang) if cur else "(no version in force)"
        version = f"v{cur['version']} from {cur['effective_on']}" if cur else ""
        typer.echo(f"{a['acronym']}/{a['economy']:4} {r['code']:20} {version:22} {title}")
        if code and cur:
            for p in cur["provisions"]:
                typer.echo(f"    {p['number']:>3}. {_pick(p, lang)}")
            typer.echo(f"  versions: {', '.join(str(v['version']) for v in r['versions'])}")
            for c in r["commitments"]:
                typer.echo(f"  {c['cab']:20} {c['status']:10} since {c['since'] or '-'}")
    if not code:
        typer.echo(f"{len(rows)} code(s) of conduct")


@association.command("code-add")
def code_add(
    acronym: str = typer.Argument(..., help="Association acronym."),
    code: str = typer.Option(..., "--code", help="The code id (letters, digits, . _ -)."),
    economy: str | None = EconomyOpt,
    title_zh: str | None = typer.Option(None, "--title-zh", help="Title, Chinese."),
    title_en: str | None = typer.Option(None, "--title-en", help="Title, English."),
    provision_zh: list[str] = typer.Option(
        [], "--provision-zh", help="A provision in Chinese (repeat, in order)."
    ),
    provision_en: list[str] = typer.Option(
        [], "--provision-en", help="A provision in English (repeat, same order)."
    ),
    adopted_on: dt.datetime = typer.Option(..., "--adopted-on", formats=DATE),
    effective_on: dt.datetime = typer.Option(..., "--effective-on", formats=DATE),
    source_url: str | None = typer.Option(None, "--source-url", help="Where it is published."),
    source: str = typer.Option("", "--source", help="Provenance note."),
    version: int | None = typer.Option(None, "--version", help="Default: the next number."),
    actor: str | None = ActorOpt,
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Publish a code of conduct, or a new version of it (association or regulator)."""
    from accordia.services import discipline as ds

    with _acting(actor) as (session, who):
        data = ds.add_code_version(
            session,
            who,
            association=acronym,
            economy=economy,
            code=code,
            title_zh=title_zh,
            title_en=title_en,
            provisions_zh=provision_zh,
            provisions_en=provision_en,
            adopted_on=adopted_on.date(),
            effective_on=effective_on.date(),
            source_url=source_url,
            source=source,
            version=version,
        )
    if as_json:
        _out(data)
        return
    typer.echo(
        f"{data['association']['acronym']} {data['code']} version {data['version']}: "
        f"{len(data['provisions'])} provision(s), in force from {data['effective_on']}"
    )


@association.command("commit")
def commit_cmd(
    acronym: str = typer.Argument(..., help="Association acronym."),
    code: str = typer.Option(..., "--code", help="The code id."),
    cab: str = typer.Option(..., "--cab", help="The member body's registration number."),
    economy: str | None = EconomyOpt,
    kind: str = typer.Option("committed", "--kind", help="committed | withdrawn | expelled."),
    effective_on: dt.datetime = typer.Option(..., "--effective-on", formats=DATE),
    note: str | None = typer.Option(None, "--note", help="Reason or reference."),
    source: str = typer.Option("", "--source", help="Provenance note."),
    actor: str | None = ActorOpt,
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Record a member's commitment to a code, its withdrawal, or its expulsion."""
    from accordia.services import discipline as ds

    with _acting(actor) as (session, who):
        data = ds.record_commitment(
            session,
            who,
            association=acronym,
            economy=economy,
            code=code,
            cab=cab,
            kind=kind,
            effective_on=effective_on.date(),
            note=note,
            source=source,
        )
    if as_json:
        _out(data)
        return
    typer.echo(f"{data['cab']} {data['kind']} {data['code']} on {data['effective_on']}")


def _print_rating(r: dict[str, Any], lang: str) -> None:
    typer.echo(
        f"{r['body']:20} {r['grade']}  {r['score']:>3}  {_pick(r['label'], lang)}"
        + (f"  (scan of {r['scan_on']})" if r["scan_on"] else "")
    )


@association.command("ratings")
def ratings_cmd(
    on: dt.datetime | None = OnOpt,
    grade: str | None = typer.Option(None, "--grade", help="Only this grade (A–D)."),
    top: int = typer.Option(0, "--top", help="Only the N lowest-scored bodies (0: all)."),
    actor: str | None = ActorOpt,
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
    lang: str = typer.Option("en", help="Language of labels: zh or en."),
) -> None:
    """Credit ratings of every body on a date, lowest first (regulator: all bodies;
    association: its members)."""
    from accordia.services import discipline as ds

    if grade is not None and grade not in ("A", "B", "C", "D"):
        typer.echo("error: --grade must be A, B, C or D", err=True)
        raise typer.Exit(EX_USAGE)
    day = _day(on)
    with _acting(actor) as (_session, who):
        rows = [r.as_dict() for r in ds.ratings(_engine(), day, who)]
    rows = [r for r in rows if grade is None or r["grade"] == grade]
    if top:
        rows = rows[:top]
    if as_json:
        _out(rows)
        return
    for r in rows:
        _print_rating(r, lang)
    typer.echo(f"{len(rows)} bodies rated on {day}")


@association.command("rating")
def rating_cmd(
    cab: str = typer.Argument(..., help="The body's registration number."),
    on: dt.datetime | None = OnOpt,
    actor: str | None = ActorOpt,
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
    lang: str = typer.Option("en", help="Language of the explanation: zh or en."),
) -> None:
    """One body's credit rating on a date, factor by factor with its basis."""
    from accordia.services import discipline as ds

    day = _day(on)
    with _acting(actor) as (_session, who):
        r = ds.rating(_engine(), cab, day, who).as_dict()
    if as_json:
        _out(r)
        return
    _print_rating(r, lang)
    for f in r["factors"]:
        cap = f"  [grade {f['cap']} at best]" if f["cap"] else ""
        typer.echo(f"  {f['points']:>4}  {_pick(f['explanation'], lang)}{cap}")
        if f["basis"]:
            typer.echo(f"        {_pick(f['basis'], lang)}")


def register(app: typer.Typer) -> None:
    app.add_typer(association, name="association")
