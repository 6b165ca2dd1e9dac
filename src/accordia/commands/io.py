"""``accordia import`` and ``accordia export``."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TransferSpeedColumn

from accordia.db.session import default_engine
from accordia.settings import get_settings

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_cmd(
        files: list[Path] = typer.Argument(..., help="CSV, JSON, JSONL or XLSX files."),
        kind: str | None = typer.Option(
            None, help="Record kind; taken from each file's name or header when not given."
        ),
        reject_file: Path | None = typer.Option(
            None,
            "--reject-file",
            help="Write valid rows and send invalid ones here (CSV or JSONL) with their error.",
        ),
        encoding: str | None = typer.Option(
            None, help="Force a CSV encoding (detected by default: UTF-8 or GBK/GB18030)."
        ),
        actor: str | None = typer.Option(None, help="Actor recorded in the audit trail."),
        as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
        progress: bool = typer.Option(True, help="Show a progress bar on stderr."),
        reindex: bool = typer.Option(
            True,
            help="Update the search index after a committed import (only the records it "
            "changed; see accordia search reindex).",
        ),
    ) -> None:
        """Import records. Exit 0: all imported; 1: invalid rows, nothing written;
        2: a file could not be read; 3: imported, invalid rows written to --reject-file."""
        from accordia.importer.run import ImportAborted, import_files

        engine = default_engine()
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TransferSpeedColumn(),
            console=err,
            disable=not progress,
            transient=True,
        ) as bar:
            task = bar.add_task("import", total=None)

            def on_progress(name: str, done: int, total: int) -> None:
                bar.update(task, description=name, completed=done, total=total)

            try:
                result = import_files(
                    engine,
                    files,
                    actor=actor or get_settings().actor,
                    kind=kind,
                    reject_file=reject_file,
                    encoding=encoding,
                    on_progress=on_progress,
                )
            except ImportAborted as exc:
                err.print(f"[red]error:[/red] {exc}")
                raise typer.Exit(2) from exc
        if (
            reindex
            and result.committed
            and any(f.stats.created or f.stats.updated for f in result.files)
        ):
            from accordia.services.search_index import update_index

            update_index(engine)
        summary = {
            "operation": result.operation,
            "committed": result.committed,
            "files": [
                {"file": str(f.path), "kind": f.kind, **f.stats.as_dict()} for f in result.files
            ],
            "problems": [p.__dict__ | {"raw": None} for p in result.problems],
            "problem_count": result.problem_count,
        }
        if as_json:
            typer.echo(json.dumps(summary, ensure_ascii=False, default=str, indent=2))
        else:
            for f in result.files:
                s = f.stats
                typer.echo(
                    f"{f.path.name} ({f.kind}): {s.created} created, {s.updated} updated, "
                    f"{s.unchanged} unchanged, {s.events} events, {s.rejected} rejected"
                )
            for p in result.problems[:50]:
                err.print(str(p), markup=False, highlight=False, soft_wrap=True)
            if result.problem_count > 50:
                err.print(f"… and {result.problem_count - 50} more problems")
            if result.problem_count and not result.committed:
                err.print(
                    f"[red]{result.problem_count} invalid rows: nothing was written.[/red] "
                    "Fix them, or pass --reject-file to import the valid rows."
                )
            elif result.problem_count:
                err.print(f"{result.problem_count} invalid rows written to {reject_file}")
        raise typer.Exit(result.exit_code)

    @app.command("export")
    def export_cmd(
        out: Path = typer.Option(..., "--out", help="Directory to write one file per kind."),
        fmt: str = typer.Option("csv", "--format", help="csv, jsonl or xlsx."),
    ) -> None:
        """Export every record kind in the import formats (re-importable as is)."""
        from accordia.importer.export import FORMATS, export_all

        if fmt not in FORMATS:
            err.print(f"error: --format must be one of {', '.join(FORMATS)}")
            raise typer.Exit(64)
        for path in export_all(default_engine(), out, fmt):
            typer.echo(str(path))
