"""``accordia report``: reports computed from the registry (``accordia report cooperation``).

``report`` is a command group so that later reports join it as ``accordia report <name>``.
Usage errors (bad date, unknown language or format, PDF to a terminal) exit with status 64
(EX_USAGE) and a message on stderr; a database that cannot be read exits with 1.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import NoReturn, cast

import typer
from sqlalchemy.exc import SQLAlchemyError

from accordia.commands.calculators import EX_USAGE, UsageExit64Command
from accordia.importer.fields import FieldError, parse_date

LANGS = ("zh", "en")
FORMATS = ("md", "html", "pdf", "json")


def _usage(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(EX_USAGE)


def _date(option: str, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_date(option, text.strip())
    except FieldError as exc:
        _usage(f"{option}: {exc.message}")


def cooperation_command(
    on: str | None = typer.Option(
        None, "--on", metavar="DATE", help="Figures as of this date (YYYY-MM-DD); default today."
    ),
    since: str | None = typer.Option(
        None, "--since", metavar="DATE", help="Also list what changed after this date."
    ),
    lang: str | None = typer.Option(
        None, "--lang", metavar="zh|en", help="Language of the report (default: settings)."
    ),
    fmt: str = typer.Option("md", "--format", metavar="md|html|pdf|json", help="Output format."),
    out: Path | None = typer.Option(
        None, "--out", metavar="FILE", help="Write to FILE instead of standard output."
    ),
) -> None:
    """International cooperation: headline figures, tables by type, economy and year, changes."""
    from accordia.db.session import unit_of_work
    from accordia.reports import Format, Lang, render_cooperation
    from accordia.services.cooperation import cooperation_figures, today
    from accordia.settings import get_settings

    on_date = _date("--on", on) or today()
    since_date = _date("--since", since)
    if since_date is not None and since_date > on_date:
        _usage(f"--since {since_date} is after --on {on_date}")
    language = (lang or get_settings().default_locale).lower()
    if language not in LANGS:
        _usage(f"--lang must be one of {', '.join(LANGS)}, not {language!r}")
    fmt = fmt.lower()
    if fmt not in FORMATS:
        _usage(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "pdf" and out is None and sys.stdout.isatty():
        _usage("PDF is binary: pass --out FILE or redirect standard output")

    try:
        with unit_of_work() as session:
            figures = cooperation_figures(session, on_date, since_date)
    except SQLAlchemyError as exc:
        typer.echo(
            f"Error: cannot read the cooperation ledger ({exc.__class__.__name__}); "
            "is the database created? Run `accordia db upgrade`.",
            err=True,
        )
        raise typer.Exit(1) from exc
    rendered = render_cooperation(figures, cast(Lang, language), cast(Format, fmt))
    if out is not None:
        out.write_bytes(rendered.encode("utf-8") if isinstance(rendered, str) else rendered)
        typer.echo(str(out), err=True)
    elif isinstance(rendered, str):
        typer.echo(rendered, nl=False)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(rendered)
        sys.stdout.buffer.flush()


def register(app: typer.Typer) -> None:
    report = typer.Typer(help="Reports computed from the registry.", no_args_is_help=True)
    report.command("cooperation", cls=UsageExit64Command)(cooperation_command)
    app.add_typer(report, name="report")
