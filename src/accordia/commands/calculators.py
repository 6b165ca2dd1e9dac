"""``accordia audit-time`` (IAF MD 5) and ``accordia sampling`` (IAF MD 1).

Usage errors, whether caught by the parser (missing option, bad number, unknown choice) or by the
calculator (personnel above the table, reduction above 30 % ...), exit with status 64 (EX_USAGE)
and a message on stderr.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, NoReturn

import click
import typer
from typer.core import TyperCommand

from accordia.domain.audit_time import AuditTimeResult, CalculatorInputError, Citation, audit_time
from accordia.domain.bilingual import Bilingual
from accordia.domain.sampling import SamplingResult, sample_size

EX_USAGE = 64

# Domain parameter names → option names, for error messages.
_OPTION_FOR_FIELD = {
    "standard": "--standard",
    "personnel": "--personnel",
    "complexity": "--complexity",
    "audit": "--audit",
    "reduction_pct": "--reduction",
    "sites": "--sites",
}


class AuditKind(StrEnum):
    initial = "initial"
    surveillance = "surveillance"
    recertification = "recertification"


class ComplexityOpt(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"
    limited = "limited"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


def _usage_error_types() -> tuple[type[Exception], ...]:
    """click's ``UsageError`` and the one of the click copy Typer vendors (``typer._click``)."""
    vendored = [k for k in typer.BadParameter.__mro__ if k.__name__ == "UsageError"]
    return (click.UsageError, *(k for k in vendored if issubclass(k, Exception)))


_USAGE_ERRORS = _usage_error_types()


class UsageExit64Command(TyperCommand):
    """A command whose parse errors (missing option, bad value) exit with 64, not 2."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except _USAGE_ERRORS as exc:
            exc.exit_code = EX_USAGE  # type: ignore[attr-defined]
            raise


def _fail(exc: CalculatorInputError) -> NoReturn:
    option = _OPTION_FOR_FIELD.get(exc.field, exc.field)
    typer.echo(f"Error ({option}): {exc.message}", err=True)
    raise typer.Exit(EX_USAGE)


def _t(text: Bilingual, lang: str) -> str:
    return text.pick(lang).text


def _rows(rows: Sequence[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def _citations(citations: Sequence[Citation], lang: str) -> str:
    head = "依据" if lang == "zh" else "Citations"
    src = "来源" if lang == "zh" else "source"
    lines = [f"{head}:"]
    for c in citations:
        lines.append(f"  - {c.id}: {_t(c.text, lang)}")
        lines.append(f"    {src}: {c.source}")
        if c.note:
            lines.append(f"    note: {c.note}")
    return "\n".join(lines)


def _g(x: float) -> str:
    return f"{x:g}"


def render_audit_time(r: AuditTimeResult, lang: str) -> str:
    zh = lang == "zh"
    band = f"{r.band.personnel_min}–{r.band.personnel_max}"
    rows = [
        ("标准" if zh else "Standard", f"{r.standard} ({r.table})"),
        ("有效人数" if zh else "Personnel", f"{r.personnel} (band {band})"),
        ("表列" if zh else "Column", r.complexity_column),
        ("审核类型" if zh else "Audit", r.audit),
        ("表值（人日）" if zh else "Table days", _g(r.table_days)),
        (
            "减少" if zh else "Reduction",
            f"{_g(r.reduction_pct)} % (max {_g(r.max_reduction_pct)} %)",
        ),
        ("初次审核（人日）" if zh else "Initial days", _g(r.initial_days)),
        ("比例" if zh else "Share", r.share),
        ("审核时间（人日）" if zh else "Audit days", f"{_g(r.audit_days)} ({_g(r.audit_hours)} h)"),
        (
            "现场最少（人日）" if zh else "On-site minimum",
            f"{_g(r.on_site_min_days)} ({_g(r.on_site_min_hours)} h, 80 %)",
        ),
    ]
    parts = [_rows(rows), "", _t(r.explanation, lang)]
    parts += [f"* {_t(n, lang)}" for n in r.notes]
    parts += ["", _citations(r.citations, lang)]
    return "\n".join(parts)


def render_sampling(r: SamplingResult, lang: str) -> str:
    zh = lang == "zh"
    rows = [
        ("场所数 x（不含中心职能）" if zh else "Sites x (excl. central)", str(r.sites)),
        ("审核类型" if zh else "Audit", r.audit),
        ("方法" if zh else "Method", f"{r.method} ({r.formula})"),
        ("最少抽样场所" if zh else "Sites to audit", str(r.sample_size)),
        ("其中随机" if zh else "Random (min)", "-" if r.random_min is None else str(r.random_min)),
        ("中心职能" if zh else "Central function", "审核" if zh else "audited"),
        ("合计地点" if zh else "Total locations", str(r.total_audited_locations)),
    ]
    parts = [_rows(rows), "", _t(r.explanation, lang)]
    parts += [f"* {_t(n, lang)}" for n in r.notes]
    parts += ["", _citations(r.citations, lang)]
    return "\n".join(parts)


def _emit(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def audit_time_command(
    standard: str = typer.Option(..., "--standard", help="ISO9001, ISO14001 or ISO45001."),
    personnel: int = typer.Option(..., "--personnel", help="Effective number of personnel."),
    complexity: ComplexityOpt | None = typer.Option(
        None,
        "--complexity",
        case_sensitive=False,
        help="EMS: high|medium|low|limited; OH&SMS: high|medium|low; none for QMS.",
    ),
    audit: AuditKind = typer.Option(AuditKind.initial, "--audit", case_sensitive=False),
    reduction: float = typer.Option(0.0, "--reduction", help="Reduction in %, at most 30."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    lang: Lang = typer.Option(Lang.en, "--lang", case_sensitive=False),
) -> None:
    """IAF MD 5 audit time (QMS, EMS, OH&SMS), citing the table row and rules used."""
    try:
        result = audit_time(
            standard,
            personnel,
            None if complexity is None else complexity.value,
            audit.value,
            reduction,
        )
    except CalculatorInputError as exc:
        _fail(exc)
    if as_json:
        _emit(result.as_dict())
    else:
        typer.echo(render_audit_time(result, lang.value))


def sampling_command(
    sites: int = typer.Option(
        ..., "--sites", help="Number of sites x, not counting the central function."
    ),
    audit: AuditKind = typer.Option(AuditKind.initial, "--audit", case_sensitive=False),
    no_sampling: bool = typer.Option(
        False, "--no-sampling", help="Sampling not appropriate (IAF MD 1 §6.2)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    lang: Lang = typer.Option(Lang.en, "--lang", case_sensitive=False),
) -> None:
    """IAF MD 1 multi-site sample size, citing the rule used."""
    try:
        result = sample_size(sites, audit.value, sampling_appropriate=not no_sampling)
    except CalculatorInputError as exc:
        _fail(exc)
    if as_json:
        _emit(result.as_dict())
    else:
        typer.echo(render_sampling(result, lang.value))


def register(app: typer.Typer) -> None:
    """Add ``audit-time`` and ``sampling`` to the main CLI."""
    app.command("audit-time", cls=UsageExit64Command)(audit_time_command)
    app.command("sampling", cls=UsageExit64Command)(sampling_command)
