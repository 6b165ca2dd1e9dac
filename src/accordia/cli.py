"""The ``accordia`` command line: a thin shell over the services.

Each group of commands lives in ``accordia.commands.<name>`` and exposes ``register(app)``.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="accordia",
    help="Accordia: certification, accreditation and mutual recognition, in Chinese and English.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Order is the order of `accordia --help`.
COMMAND_MODULES = (
    "serve",
    "db",
    "io",
    "demo",
    "verify",
    "calculators",
    "search",
    "report",
    "supervise",
    "accounts",
    "association",
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"accordia.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"accordia.commands.{name}":
                continue  # a command group not built yet
            raise
        module.register(app)


_register_all()


def main() -> None:
    """Entry point of the ``accordia`` script."""
    app()
