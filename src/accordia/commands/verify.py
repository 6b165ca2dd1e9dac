"""``accordia verify``, ``accordia recognized`` and ``accordia eligible-cabs``.

Exit statuses of ``verify``: 0 valid (and recognized, when ``--market`` is given); 1 found but
not valid / not recognized; 2 no such certificate, or the number is ambiguous; 64 usage error
(bad option, bad date, bad language, unknown market). With ``--batch`` the report is written
and the status is 0 (the verdicts are in the report), 2 when the list cannot be read, 64 on a
usage error.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accordia.commands.calculators import EX_USAGE, UsageExit64Command
from accordia.domain.bilingual import Bilingual
from accordia.domain.verification import Verdict

EX_FOUND_NOT_OK = 1
EX_NOT_FOUND = 2

err = Console(stderr=True)

_MARK = {"ok": "✓", "failed": "✗", "not_applicable": "–"}

_LINK_NAMES = {
    "certificate": ("证书", "certificate"),
    "accreditation": ("认可", "accreditation"),
    "arrangement": ("互认协议", "arrangement"),
    "market": ("市场", "market"),
}


def _usage(message: str) -> NoReturn:
    err.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(EX_USAGE)


def parse_date(value: str | None, option: str = "--on") -> dt.date:
    if not value:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        _usage(f"{option}: {value!r} is not a date (use YYYY-MM-DD)")


def parse_lang(value: str) -> str:
    lang = value.strip().lower()
    if lang not in ("zh", "en"):
        _usage(f"--lang: {value!r} is not one of zh, en")
    return lang


def check_market(engine: Engine, market: str | None, option: str = "--market") -> str | None:
    """The market code, upper-cased, when it names a row of the ``economy`` table."""
    if market is None:
        return None
    from accordia.services.batch import known_markets

    code = market.strip().upper()
    with Session(engine) as s:
        if code not in known_markets(s):
            _usage(f"{option}: unknown market code {market!r} (an economy code such as CN, GB)")
    return code


def exit_status(v: Verdict) -> int:
    if v.outcome != "found":
        return EX_NOT_FOUND
    ok = bool(v.valid) and (v.query.market is None or bool(v.recognized))
    return 0 if ok else EX_FOUND_NOT_OK


def _t(text: Bilingual | dict[str, Any] | None, lang: str) -> str:
    if text is None:
        return ""
    if isinstance(text, dict):
        text = Bilingual(text.get("zh"), text.get("en"))
    return text.pick(lang).text


def _evidence_brief(e: dict[str, Any]) -> str:
    """One evidence item in a few words: its record type, key and state."""
    rec = str(e.get("record", "?"))
    key = next(
        (
            str(e[k])
            for k in ("number", "arrangement", "market", "participant", "issuer", "kind")
            if e.get(k)
        ),
        "",
    )
    extra = [
        f"{k}={e[k]}"
        for k in ("status_on", "route", "via", "effective_on", "scope")
        if e.get(k) and not isinstance(e[k], list | dict)
    ]
    if rec == "signatory" and e.get("participant") and e.get("arrangement"):
        key = f"{e['participant']} @ {e['arrangement']}"
    return " ".join(x for x in [rec, key, f"({', '.join(extra)})" if extra else ""] if x)


def render_verdict(v: Verdict, lang: str) -> str:
    zh = lang == "zh"
    d = v.to_dict()
    q = d["query"]
    lines: list[str] = []
    cert = v.certificate
    if cert is not None:
        holder = _t(cert.holder, lang)
        issuer = f"{_t(cert.issuer_name, lang)} ({cert.issuer})"
        lines.append(f"{cert.number} · {cert.standard} · {holder} · {issuer}")
    else:
        lines.append(q["number"] + (f" · {q['issuer']}" if q["issuer"] else ""))
    asked = f"{'查询日' if zh else 'on'} {q['on']}"
    if q["market"]:
        asked += f", {'市场' if zh else 'market'} {q['market']}"
    lines.append(asked)
    if v.outcome == "not_found":
        head = (
            "未找到：本库没有该证书的记录（并不等于无效）"
            if zh
            else (
                "NOT FOUND: the registry holds no such certificate "
                "(that is not a finding of invalidity)"
            )
        )
    elif v.outcome == "ambiguous":
        head = (
            "有歧义：多个发证机构使用该编号，请用 --issuer 指定"
            if zh
            else ("AMBIGUOUS: several issuers use this number; give one with --issuer")
        )
    else:
        valid = ("有效" if v.valid else "无效") if zh else ("VALID" if v.valid else "NOT VALID")
        head = valid
        if q["market"]:
            if zh:
                head += "，" + ("在该市场获承认" if v.recognized else "在该市场不获承认")
            else:
                head += ", " + (
                    f"RECOGNIZED in {q['market']}"
                    if v.recognized
                    else f"NOT RECOGNIZED in {q['market']}"
                )
        if v.failed_link is not None:
            name = _LINK_NAMES[v.failed_link.value][0 if zh else 1]
            head += f"（失败环节：{name}）" if zh else f" (failed link: {name})"
    lines.append(("结论：" if zh else "Verdict: ") + head)
    lines.append("")
    width = max(len(n[0 if zh else 1]) for n in _LINK_NAMES.values())
    for link in d["links"]:
        name = _LINK_NAMES[link["link"]][0 if zh else 1]
        mark = _MARK[link["status"]]
        flag = ""
        if v.failed_link is not None and link["link"] == v.failed_link.value:
            flag = "  ◀ 失败环节" if zh else "  ◀ FAILED LINK"
        lines.append(f"{mark} {name.ljust(width)}  {_t(link['reason'], lang)}{flag}")
        ev = [_evidence_brief(e) for e in link["evidence"]]
        if ev:
            shown = "; ".join(ev[:4]) + (f"; … +{len(ev) - 4}" if len(ev) > 4 else "")
            lines.append(f"  {' ' * width}  {'依据' if zh else 'evidence'}: {shown}")
    if d["candidates"]:
        lines.append("")
        lines.append("候选证书：" if zh else "Candidates:")
        for c in d["candidates"]:
            lines.append(
                f"  - {c['number']}  {'发证机构' if zh else 'issuer'} {c['issuer']} "
                f"({_t(c['issuer_name'], lang)}), {c['standard']}, "
                f"{'颁发' if zh else 'issued'} {c['issued_on']}"
            )
    cov = d["coverage"]
    if cov and v.outcome != "found":
        lines.append("")
        if cov["submits"]:
            lines.append(
                f"{'发证机构覆盖' if zh else 'Issuer coverage'}: {cov['issuer']} — "
                f"{cov['certificate_count']} "
                f"{'份证书在库，最近提交' if zh else 'on record, last submitted'} "
                f"{cov['last_submitted_on']}"
            )
        else:
            lines.append(
                f"{'发证机构覆盖' if zh else 'Issuer coverage'}: {cov['issuer']} — "
                + ("未向本库提交证书" if zh else "does not submit its certificates to the registry")
            )
    return "\n".join(lines)


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _run_batch(
    engine: Engine, batch: Path, out: Path | None, market: str | None, on: dt.date, progress: bool
) -> None:
    from accordia.services.batch import (
        BatchError,
        count_rows,
        output_format,
        rows_from_file,
        run_batch,
    )

    if out is None:
        _usage("--batch needs --out FILE (.csv, .xlsx, .json or .jsonl)")
    try:
        fmt = output_format(out)
    except BatchError as exc:
        _usage(f"--out: {exc}")
    if not batch.is_file():
        _usage(f"--batch: no such file {str(batch)!r}")
    try:
        total = count_rows(batch)
    except BatchError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(EX_NOT_FOUND) from exc
    tmp = out.with_name(out.name + ".part")
    with (
        Progress(
            TextColumn("verify"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            disable=not progress,
            transient=True,
        ) as bar,
        Session(engine) as session,
        tmp.open("wb") as fh,
    ):
        task = bar.add_task("verify", total=total)

        def on_row(n: int) -> None:
            if n % 100 == 0 or n == total:
                bar.update(task, completed=n)

        try:
            summary = run_batch(
                session, rows_from_file(batch), fh, fmt, market=market, on=on, on_row=on_row
            )
        except BatchError as exc:
            err.print(f"error: {exc}", markup=False, highlight=False)
            tmp.unlink(missing_ok=True)
            raise typer.Exit(EX_NOT_FOUND) from exc
    tmp.replace(out)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(summary.outcomes.items()))
    typer.echo(
        f"{summary.rows} rows → {out}: {counts}; valid {summary.valid}, "
        f"recognized {summary.recognized}"
    )


def register(app: typer.Typer) -> None:
    @app.command("verify", cls=UsageExit64Command)
    def verify_cmd(
        number: str | None = typer.Argument(None, help="Certificate or report number."),
        issuer: str | None = typer.Option(
            None, "--issuer", help="The issuing CAB (registration number or acronym)."
        ),
        market: str | None = typer.Option(
            None, "--market", help="Economy code of the market asked about (CN, GB, NZ …)."
        ),
        on: str | None = typer.Option(None, "--on", help="The date asked (YYYY-MM-DD); today."),
        lang: str = typer.Option("en", "--lang", help="zh or en."),
        as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
        batch: Path | None = typer.Option(
            None, "--batch", help="Verify a supplier list (CSV, XLSX, JSON, JSONL)."
        ),
        out: Path | None = typer.Option(
            None, "--out", help="Batch report; format from the suffix (.csv .xlsx .json .jsonl)."
        ),
        progress: bool = typer.Option(True, help="Show a progress bar on stderr (batch)."),
    ) -> None:
        """Is it valid, and is it recognized in MARKET on date ON? Link by link, with reasons.

        Exit 0: valid (and recognized when --market is given); 1: not; 2: no such certificate
        or ambiguous number; 64: usage error."""
        from accordia.db.session import default_engine

        day = parse_date(on)
        lang = parse_lang(lang)
        if batch is not None and number is not None:
            _usage("give either a NUMBER or --batch FILE, not both")
        if batch is None and not number:
            _usage("missing NUMBER (or --batch FILE)")
        engine = default_engine()
        code = check_market(engine, market)
        if batch is not None:
            _run_batch(engine, batch, out, code, day, progress)
            return
        from accordia.services.verification import verify_one

        assert number is not None
        verdict = verify_one(engine, number, issuer=issuer, market=code, on=day)
        if as_json:
            _emit(verdict.to_dict())
        else:
            typer.echo(render_verdict(verdict, lang))
        raise typer.Exit(exit_status(verdict))

    @app.command("recognized", cls=UsageExit64Command)
    def recognized_cmd(
        organization: str = typer.Option(..., "--organization", help="Organization key."),
        market: str = typer.Option(..., "--market", help="Economy code of the market."),
        on: str | None = typer.Option(None, "--on", help="The date asked (YYYY-MM-DD); today."),
        lang: str = typer.Option("en", "--lang", help="zh or en."),
        as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
    ) -> None:
        """Which certificates of an organization are valid and recognized in MARKET on ON.

        Exit 0: at least one is; 1: none is; 2: unknown organization; 64: usage error."""
        from accordia.db.session import default_engine
        from accordia.services.verification import UnknownKey, recognized_certificates

        day = parse_date(on)
        lang = parse_lang(lang)
        engine = default_engine()
        code = check_market(engine, market)
        assert code is not None
        with Session(engine) as s:
            try:
                result = recognized_certificates(s, organization, market=code, on=day)
            except UnknownKey as exc:
                err.print(f"error: {exc}", markup=False, highlight=False)
                raise typer.Exit(EX_NOT_FOUND) from exc
        data = result.to_dict()
        if as_json:
            _emit(data)
        else:
            zh = lang == "zh"
            typer.echo(
                f"{organization} · {_t(result.name, lang)} · "
                f"{'市场' if zh else 'market'} {code} · {'查询日' if zh else 'on'} {day}"
            )
            typer.echo(
                f"{len(data['recognized'])}/{data['certificate_count']} "
                + ("份证书有效且获承认" if zh else "certificates valid and recognized")
            )
            for row in data["recognized"]:
                typer.echo(f"✓ {row['number']}  {row['standard']}  {row['issuer']}")
            for row in data["not_recognized"]:
                typer.echo(
                    f"✗ {row['number']}  {row['standard']}  {row['issuer']}  "
                    f"[{row['failed_link'] or row['outcome']}] {_t(row['reason'], lang)}"
                )
        raise typer.Exit(0 if data["recognized"] else EX_FOUND_NOT_OK)

    @app.command("eligible-cabs", cls=UsageExit64Command)
    def eligible_cmd(
        standard: str = typer.Option(..., "--standard", help="Certified standard, e.g. ISO 9001."),
        sector: str | None = typer.Option(
            None, "--sector", help="IAF sector (19 or IAF:19) or a scope item such as HS:85."
        ),
        market: str = typer.Option(..., "--market", help="Economy code of the market."),
        on: str | None = typer.Option(None, "--on", help="The date asked (YYYY-MM-DD); today."),
        lang: str = typer.Option("en", "--lang", help="zh or en."),
        as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
    ) -> None:
        """Which CABs can issue certificates for STANDARD (and SECTOR) recognized in MARKET.

        Exit 0: at least one; 1: none; 64: usage error."""
        from accordia.db.session import default_engine
        from accordia.services.verification import eligible_cabs

        day = parse_date(on)
        lang = parse_lang(lang)
        engine = default_engine()
        code = check_market(engine, market)
        assert code is not None
        with Session(engine) as s:
            result = eligible_cabs(s, standard, sector=sector, market=code, on=day)
        data = result.to_dict()
        if as_json:
            _emit(data)
        else:
            zh = lang == "zh"
            q = data["query"]
            what = q["standard"] + (f" / {q['sector']}" if q["sector"] else "")
            typer.echo(
                f"{what} · {'市场' if zh else 'market'} {code} · {'查询日' if zh else 'on'} {day}: "
                f"{len(result.eligible)} "
                + ("家机构符合" if zh else "eligible CABs")
                + f" ({result.examined} {'项认可已审查' if zh else 'accreditations examined'})"
            )
            for e in result.eligible:
                route = " → ".join(
                    r["key"] + (f" ({r['via']})" if r["via"] else "") for r in e.to_dict()["route"]
                )
                typer.echo(
                    f"✓ {e.registration_number}  {_t(e.name, lang)}  "
                    f"{e.accreditation_body} {e.accreditation}  {route}"
                )
        raise typer.Exit(0 if result.eligible else EX_FOUND_NOT_OK)
