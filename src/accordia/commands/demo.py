"""``accordia demo``: build the synthetic demo world."""

from __future__ import annotations

import typer

from accordia.commands.serve import prepare_demo


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        scale: int = typer.Option(5000, help="Number of certificates to generate."),
        seed: int = typer.Option(42, help="Random seed (the world is deterministic per seed)."),
    ) -> None:
        """Build a deterministic synthetic world on top of the reference data. Every record is
        labelled synthetic in its source. Optional demo extras (inspections, discipline) are
        added after it, then the search index is built. On PostgreSQL a build of 100,000
        certificates or more locks the demo tables until it commits (their indexes are built
        once at the end)."""
        if scale < 1:
            typer.echo("error: --scale must be at least 1", err=True)
            raise typer.Exit(64)
        prepare_demo(scale, seed)
