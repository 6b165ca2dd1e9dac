"""``accordia search``: find organizations, CABs, accreditation bodies and certificates.

Exit statuses: 0 hits; 1 no match, or the query must be refined (the message says why);
64 usage error (unknown kind, bad limit, unknown standard or status, bad date, no query).

``accordia search reindex`` brings the index up to date with the registry changes recorded in
the audit trail since it was last updated (incremental); ``--full`` rebuilds it from the
registry tables. ``--reindex`` (before a query) is the full rebuild too.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import NoReturn

import typer
from rich.console import Console

from accordia.commands.calculators import EX_USAGE, UsageExit64Command
from accordia.search import KINDS, SearchResponse

EX_NO_MATCH = 1

err = Console(stderr=True, soft_wrap=True)


def _usage(message: str) -> NoReturn:
    err.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(EX_USAGE)


def exit_status(resp: SearchResponse) -> int:
    return 0 if resp.status == "ok" and resp.hits else EX_NO_MATCH


def render(resp: SearchResponse) -> str:
    """Hits, one block each: rank, kind, names, key, score and why it matched (and, with a
    standard/status filter, the certificate that satisfies it)."""
    if resp.status != "ok":
        return resp.message
    lines = []
    for i, h in enumerate(resp.hits, 1):
        names = " / ".join(n for n in (h.name_zh, h.name_en) if n) or h.acronym or h.key
        eco = f" [{h.economy_code}]" if h.economy_code else ""
        lines.append(f"{i:>2}. {h.kind:<18} {names}{eco}")
        lines.append(f"    {h.key}  score {h.score:.1f}  {h.why}")
        ev = (h.extra or {}).get("filter")
        if ev:
            st = f", {ev['status_on']} on {ev['on']}" if "status_on" in ev else ""
            lines.append(f"    filter: {ev['certificate']} ({ev['standard']}{st})")
    return "\n".join(lines)


def _reindex(full: bool = True) -> None:
    from accordia.db.session import default_engine
    from accordia.services.search_index import reindex_all, update_index

    t0 = time.perf_counter()
    last = [t0]

    def progress(kind: str, done: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 2:
            last[0] = now
            err.print(f"  {kind}: {done:,}", markup=False, highlight=False)

    engine = default_engine()
    counts = reindex_all(engine, on_progress=progress) if full else update_index(engine)
    secs = time.perf_counter() - t0
    rebuilt = full or counts.pop("full", 0)
    counts.pop("full", None)
    removed = counts.pop("removed", 0)
    total = sum(counts.values())
    parts = ", ".join(f"{k} {n:,}" for k, n in counts.items())
    what = "rebuilt" if rebuilt else "updated"
    gone = f", {removed:,} removed" if removed else ""
    err.print(
        f"search index {what}: {total:,} entities ({parts}){gone} in {secs:.1f} s",
        markup=False,
        highlight=False,
    )


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        _usage(f"--on: {value!r} is not a date (YYYY-MM-DD)")


def register(app: typer.Typer) -> None:
    @app.command("search", cls=UsageExit64Command)
    def search_cmd(
        query: str | None = typer.Argument(
            None,
            help="A name in any script, pinyin, an acronym or an identifier; "
            "or `reindex` to update the index.",
        ),
        kind: list[str] | None = typer.Option(
            None, "--kind", help=f"Only this kind (repeatable): {', '.join(KINDS)}."
        ),
        economy: str | None = typer.Option(None, "--economy", help="Economy code (CN, GB …)."),
        standard: str | None = typer.Option(
            None,
            "--standard",
            help="Only certificates of this standard (ISO9001, ISO 14001 …) and organizations "
            "holding one.",
        ),
        status: str | None = typer.Option(
            None,
            "--status",
            help="Only certificates with this status on --on (valid, active, suspended, "
            "withdrawn, expired, not_yet) and organizations holding one.",
        ),
        on: str | None = typer.Option(
            None, "--on", help="Date the status is asked on (YYYY-MM-DD; default today)."
        ),
        limit: int = typer.Option(10, "--limit", help="Most hits shown (1–100)."),
        as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
        reindex: bool = typer.Option(
            False, "--reindex", help="Rebuild the whole index from the registry first."
        ),
        full: bool = typer.Option(
            False, "--full", help="With `reindex`: rebuild the whole index, not only changes."
        ),
    ) -> None:
        """Find organizations, CABs, accreditation bodies and certificates by name (Chinese,
        traditional, pinyin, English, acronym, with typos) or identifier, and say why each
        matched; filter by kind, economy, standard and status on a date.

        `accordia search reindex`: update the index from the audit trail (`--full`: rebuild).

        Exit 0: hits; 1: no match or the query must be refined; 64: usage error."""
        if query == "reindex" and not reindex:
            _reindex(full=full)
            return
        if full:
            _usage("--full goes with `accordia search reindex`")
        kinds = [k.strip().lower() for k in kind or []]
        bad = [k for k in kinds if k not in KINDS]
        if bad:
            _usage(f"--kind: {bad[0]!r} is not one of {', '.join(KINDS)}")
        if not 1 <= limit <= 100:
            _usage(f"--limit: {limit} is not between 1 and 100")
        if economy is not None and not economy.strip().isalnum():
            _usage(f"--economy: {economy!r} is not an economy code")
        on_date = _date(on)
        if query is None and not reindex:
            _usage("missing QUERY (or reindex)")
        if reindex:
            _reindex()
            if query is None:
                return
        assert query is not None
        from accordia.db.session import default_engine, session_factory
        from accordia.services.search_index import FilterError, search_registry

        with session_factory(default_engine())() as s:
            try:
                resp = search_registry(
                    s,
                    query,
                    kinds=kinds or None,
                    economy=economy.strip() if economy else None,
                    limit=limit,
                    standard=standard,
                    status=status,
                    on=on_date,
                )
            except FilterError as exc:
                _usage(f"--{exc.field}: {exc.message}")
        if as_json:
            typer.echo(json.dumps(resp.to_dict(), ensure_ascii=False, indent=2, default=str))
        else:
            typer.echo(render(resp))
        raise typer.Exit(exit_status(resp))
