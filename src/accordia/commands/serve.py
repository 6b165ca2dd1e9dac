"""``accordia serve`` (and ``accordia demo``)."""

from __future__ import annotations

import os
import sys

import typer
from rich.console import Console

from accordia.db.session import default_engine

err = Console(stderr=True)


def prepare_demo(scale: int, seed: int = 42) -> None:
    """Migrate, load reference data and build the demo world unless it is already there."""
    from sqlalchemy import select

    from accordia import models as m
    from accordia.db.migrate import upgrade
    from accordia.db.session import session_factory
    from accordia.demo.generator import Showcase, generate
    from accordia.reference import load_reference

    engine = default_engine()
    upgrade(engine)
    load_reference(engine)
    with session_factory(engine)() as s:
        exists = s.execute(select(m.Cab.id).filter_by(registration_number=Showcase().cab)).first()
    if exists:
        err.print("demo data already present")
        return
    err.print(f"building the demo world ({scale} certificates)…")
    result = generate(engine, scale=scale, seed=seed)
    err.print(
        f"demo ready: {result.counts.get('certificate', 0)} certificates; try "
        f"`accordia verify {result.showcase.valid} --market GB`"
    )


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8000, help="Port to listen on."),
        demo: bool = typer.Option(False, "--demo", help="Prepare the database with demo data."),
        scale: int = typer.Option(5000, help="Demo size in certificates (with --demo)."),
        workers: int = typer.Option(
            1, min=1, help="Worker processes (one per CPU core is a good start)."
        ),
        access_log: bool = typer.Option(
            False,
            "--access-log/--no-access-log",
            help="Log one line per request to standard error (off: only warnings and errors).",
        ),
    ) -> None:
        """Start the web server: pages, the JSON API and its OpenAPI page (/api/v1/docs).
        Liveness and readiness probes: /api/v1/health and /api/v1/health/ready
        (docs/operations.md)."""
        if demo:
            prepare_demo(scale)
        else:
            from accordia.db.migrate import current_revision

            if current_revision(default_engine()) is None:
                err.print(
                    "[red]the database is empty:[/red] run `accordia db upgrade` first, "
                    "or `accordia serve --demo`"
                )
                raise typer.Exit(1)
        err.print(f"Accordia on http://{host}:{port}/  (API docs: /api/v1/docs)")
        # Replace this process by uvicorn's own command line (same pid, same environment): the
        # process that supervises the workers then holds uvicorn only, not the whole CLI and
        # its database engine (~140 MB less resident memory; docs/operations.md).
        args = [
            sys.executable,
            "-m",
            "uvicorn",
            "accordia.app:create_app",
            "--factory",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "info" if access_log else "warning",
            "--access-log" if access_log else "--no-access-log",
        ]
        sys.stdout.flush()
        sys.stderr.flush()
        default_engine().dispose()
        os.execv(sys.executable, args)
