"""``accordia db``: schema migrations and reference data."""

from __future__ import annotations

import typer
from rich.console import Console

from accordia.db.migrate import current_revision, upgrade
from accordia.db.session import default_engine

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Database schema and reference data.", no_args_is_help=True)

    @db.command("upgrade")
    def upgrade_cmd(
        reference: bool = typer.Option(True, help="Load or refresh the reference data."),
    ) -> None:
        """Migrate the database to the latest schema and load the reference data."""
        from accordia.reference import load_reference

        engine = default_engine()
        upgrade(engine)
        typer.echo(f"schema at revision {current_revision(engine)}")
        if reference:
            result = load_reference(engine)
            if result.problem_count:
                for p in result.problems[:20]:
                    err.print(str(p))
                raise typer.Exit(1)
            total = sum(f.stats.created + f.stats.events for f in result.files)
            typer.echo(f"reference data loaded ({total} new rows and events)")

    @db.command("revision")
    def revision_cmd() -> None:
        """Print the schema revision of the database."""
        typer.echo(current_revision(default_engine()) or "empty")

    app.add_typer(db, name="db")
