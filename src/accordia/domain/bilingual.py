"""Registry content in two languages, never machine-translated.

Interface text goes through gettext; registry content (legal names, scopes, titles) is stored as
it was published, in Chinese and/or English. :class:`Bilingual` picks the language asked for and
says when it had to fall back to the other one.
"""

from __future__ import annotations

from dataclasses import dataclass

LOCALES = ("zh", "en")


def normalize_locale(value: str | None, default: str = "en") -> str:
    """Map ``zh``, ``zh-CN``, ``zh_Hans``, ``en-GB`` ... onto ``zh`` or ``en``."""
    if not value:
        return default
    v = value.strip().lower().replace("_", "-")
    if v.startswith("zh"):
        return "zh"
    if v.startswith("en"):
        return "en"
    return default


@dataclass(frozen=True, slots=True)
class Picked:
    """A value picked for a locale, and whether it came from the other language."""

    text: str
    lang: str
    fallback: bool


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A text published in Chinese and/or English."""

    zh: str | None = None
    en: str | None = None

    def pick(self, locale: str) -> Picked:
        """The text in ``locale``, or in the other language with ``fallback=True``."""
        want = normalize_locale(locale)
        first, second = (self.zh, self.en) if want == "zh" else (self.en, self.zh)
        other = "en" if want == "zh" else "zh"
        if first:
            return Picked(first, want, False)
        if second:
            return Picked(second, other, True)
        return Picked("", want, False)

    def as_dict(self) -> dict[str, str | None]:
        return {"zh": self.zh, "en": self.en}
