"""The documentation tells the truth: the formats page matches the code, every setting and
every CLI command is documented, and the README's quick start is the one CI runs."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from accordia.cli import app
from accordia.importer.docs import render_formats
from accordia.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_formats_page_is_current() -> None:
    assert (ROOT / "docs" / "formats.md").read_text(encoding="utf-8") == render_formats(), (
        "docs/formats.md is stale: run `python -m accordia.importer.docs > docs/formats.md`"
    )


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"ACCORDIA_{name.upper()}" in text, name


def test_every_command_is_documented() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    group = get_command(app)
    names = list(group.commands)  # type: ignore[attr-defined]
    assert names
    for name in names:
        assert f"accordia {name}" in text, name


def test_readme_quick_start_is_two_commands_and_ci_runs_pytest() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start\n+```(?:sh|bash)?\n(.*?)```", readme, re.S)
    assert block, "README has no quick start block"
    commands = [
        line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")
    ]
    assert len(commands) == 2
    assert "accordia serve --demo" in commands[0]
    assert commands[1].endswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -q -e '.[test]'" in ci and "pytest" in ci
