"""Render ``docs/formats.md`` from the record-kind registry (kept in step by a test)."""

from __future__ import annotations

from accordia.importer.kind import ORDER, REGISTRY
from accordia.importer.run import import_files  # noqa: F401  (registers the kinds)

INTRO = """# Import and export formats

Generated from the importer's own field definitions by `python -m accordia.importer.docs`;
a test fails when this page and the code disagree.

Every record kind can be imported with `accordia import FILE...` and exported with
`accordia export --out DIR [--format csv|jsonl|xlsx]`, in CSV, JSON (an array of objects, or
`{"records": [...]}`), JSON Lines and XLSX (first sheet, header in the first row). Records refer
to each other by **natural keys** — never by internal ids.

Rules common to every kind:

- The kind is taken from `--kind`, else from the file name (`certificates.csv`,
  `2024_certificates.xlsx`), else from the header.
- CSV files may be UTF-8 (with or without BOM) or GBK/GB18030; the encoding is detected over
  the whole file, and a file that is neither is refused with a clear message (never mojibake).
- Dates are `YYYY-MM-DD` (`YYYYMMDD` is accepted). Lists are `;`-separated in CSV and XLSX and
  arrays in JSON. Empty cells are empty values. Text cells are limited in length (see below).
- Validation is per row; every error names the file, line, field and rule. A file with any
  invalid row writes nothing (exit status 1) unless `--reject-file PATH` is given: then the
  valid rows are written and the invalid ones go to PATH with their error (exit status 3).
  An unreadable file writes nothing (exit status 2).
- Re-importing the same file changes nothing. Status is history: a `status` that differs from
  the registry's derived status becomes a new event dated `changed_on`, never an overwrite.
- The whole import is one transaction: killed halfway, it leaves the database as it was.
- Every write lands in the audit trail with its actor (`--actor`, or `ACCORDIA_ACTOR`).

Example files for every kind are in `src/accordia/examples/` (synthetic, labelled so in their
`source` column); the tests import them.
"""


def render_formats() -> str:
    out = [INTRO]
    out.append("## Kinds, in import order\n")
    for name in ORDER:
        k = REGISTRY[name]
        out.append(f"- [`{k.name}`](#{k.name}) — file `{k.plural}.csv`")
    out.append("")
    for name in ORDER:
        k = REGISTRY[name]
        out.append(f"## {k.name}\n")
        out.append(f"{k.doc}\n")
        aliases = ", ".join(f"`{a}`" for a in (k.plural, k.name, *k.aliases))
        out.append(f"File names: {aliases}. Natural key: {', '.join(f'`{x}`' for x in k.key)}.\n")
        out.append("| column | type | required | rule | meaning |")
        out.append("|---|---|---|---|---|")
        for f in k.fields:
            rule = []
            if f.choices:
                rule.append("one of " + ", ".join(f"`{c}`" for c in f.choices))
            if f.type in ("str", "list"):
                rule.append(f"≤ {f.max_len} characters" + (" per item" if f.type == "list" else ""))
            if f.check is not None:
                rule.append("check digit verified")
            help_text = f.help + (f" Example: `{f.example}`." if f.example else "")
            out.append(
                f"| `{f.name}` | {f.type} | {'yes' if f.required else ''} | "
                f"{'; '.join(rule)} | {help_text} |"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_formats())
