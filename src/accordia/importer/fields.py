"""Field specifications: how one cell of an import row is parsed and validated."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_TEXT = 4000  # no registry text field is longer; larger cells are rejected, not truncated
LIST_SEP = ";"


class FieldError(ValueError):
    """A cell broke a rule. ``rule`` is a short machine-readable name, ``message`` the sentence."""

    def __init__(self, field_name: str, rule: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class Field:
    """One column of a record kind.

    ``type`` is one of: str, date, int, decimal, bool, list (``;``-separated in CSV and XLSX,
    an array in JSON).
    """

    name: str
    type: str = "str"
    required: bool = False
    max_len: int = 500
    choices: Sequence[str] | None = None
    help: str = ""
    example: str = ""
    check: Callable[[Any], Any] | None = field(default=None, compare=False)


_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_cell(f: Field, raw: Any) -> Any:
    """Parse one cell according to ``f``; empty cells become ``None`` (or ``[]`` for lists)."""
    if f.type == "list":
        items = _parse_list(f, raw)
        if f.required and not items:
            raise FieldError(f.name, "required", "is required and is empty")
        return items
    text = _text(raw)
    if "\x00" in text:
        raise FieldError(f.name, "control_character", "contains a NUL character")
    if text == "":
        if f.required:
            raise FieldError(f.name, "required", "is required and is empty")
        return None
    limit = MAX_TEXT if f.type == "str" and f.max_len > MAX_TEXT else f.max_len
    if len(text) > limit:
        raise FieldError(f.name, "max_length", f"is {len(text)} characters long; at most {limit}")
    value: Any = text
    if f.type == "date":
        value = parse_date(f.name, text)
    elif f.type == "int":
        try:
            value = int(text)
        except ValueError:
            raise FieldError(f.name, "integer", f"{text!r} is not a whole number") from None
        if value < 0:
            raise FieldError(f.name, "non_negative", f"{value} is negative")
    elif f.type == "decimal":
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise FieldError(f.name, "number", f"{text!r} is not a number") from None
        if not value.is_finite():
            raise FieldError(f.name, "number", f"{text!r} is not a finite number")
    elif f.type == "bool":
        low = text.lower()
        if low not in ("true", "false", "1", "0", "yes", "no"):
            raise FieldError(f.name, "boolean", f"{text!r} is not true/false")
        value = low in ("true", "1", "yes")
    if f.choices is not None and value not in f.choices:
        raise FieldError(f.name, "enum", f"{text!r} is not one of: {', '.join(sorted(f.choices))}")
    if f.check is not None:
        value = f.check(value)
    return value


def _parse_list(f: Field, raw: Any) -> list[str]:
    if raw is None:
        return []
    parts = [_text(p) for p in raw] if isinstance(raw, list) else _text(raw).split(LIST_SEP)
    items = [p.strip() for p in parts if p and p.strip()]
    for item in items:
        if len(item) > f.max_len:
            raise FieldError(f.name, "max_length", f"item {item[:40]!r}… longer than {f.max_len}")
        if f.choices is not None and item not in f.choices:
            raise FieldError(f.name, "enum", f"{item!r} is not one of: {', '.join(f.choices)}")
    # keep order, drop duplicates
    return list(dict.fromkeys(items))


def parse_date(name: str, text: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` (or ``YYYYMMDD``, as IAF CertSearch writes dates)."""
    m = _DATE.match(text)
    if not m:
        raise FieldError(name, "date", f"{text!r} is not a date in the form YYYY-MM-DD")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise FieldError(name, "date", f"{text!r} is not a real calendar date") from None


def format_cell(f: Field, value: Any) -> Any:
    """The export form of a value (lists joined with ``;`` for CSV/XLSX by the writer)."""
    if value is None:
        return [] if f.type == "list" else ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def compile_field(f: Field) -> Callable[[Any], Any]:
    """A parser for ``f``'s cells that behaves exactly like :func:`parse_cell` (same values,
    same errors), with the common cases — plain text, dates and whole numbers without choices
    or checks — decided once per column instead of once per cell."""
    if f.type not in ("str", "date", "int") or f.choices is not None or f.check is not None:
        return lambda raw: parse_cell(f, raw)
    name, required, kind = f.name, f.required, f.type
    limit = MAX_TEXT if kind == "str" and f.max_len > MAX_TEXT else f.max_len

    def parse(raw: Any) -> Any:
        text = raw.strip() if raw.__class__ is str else _text(raw)
        if not text:
            if required:
                raise FieldError(name, "required", "is required and is empty")
            return None
        if "\x00" in text:
            raise FieldError(name, "control_character", "contains a NUL character")
        if len(text) > limit:
            raise FieldError(name, "max_length", f"is {len(text)} characters long; at most {limit}")
        if kind == "str":
            return text
        if kind == "date":
            return parse_date(name, text)
        try:
            value = int(text)
        except ValueError:
            raise FieldError(name, "integer", f"{text!r} is not a whole number") from None
        if value < 0:
            raise FieldError(name, "non_negative", f"{value} is negative")
        return value

    return parse
