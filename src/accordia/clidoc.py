"""Render ``docs/cli.md`` from the CLI itself (``python -m accordia.clidoc > docs/cli.md``)."""

from __future__ import annotations

import re
from typing import Any

from typer.main import get_command
from typer.testing import CliRunner

from accordia.cli import app

INTRO = """# Command line

Generated from the commands' own help by `python -m accordia.clidoc > docs/cli.md`; a test
checks that every command appears here. `accordia --help` shows the same.

Exit statuses follow one convention: 0 success, 1 a negative answer or invalid input rows,
2 no such record / unreadable file, 64 a usage error.
"""


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _walk(cmd: Any, path: list[str], out: list[str]) -> None:
    if hasattr(cmd, "commands"):
        for name in cmd.commands:  # registration order
            _walk(cmd.commands[name], [*path, name], out)
        return
    result = CliRunner().invoke(app, [*path[1:], "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"})
    help_text = _plain(result.output)
    out.append(f"## {' '.join(path)}\n")
    out.append("```text\n" + help_text.strip("\n") + "\n```\n")


def render_cli() -> str:
    group: Any = get_command(app)
    out = [INTRO]
    _walk(group, ["accordia"], out)
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_cli())
