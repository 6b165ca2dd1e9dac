"""Reports rendered from the registry's figures, in Chinese and English."""

from accordia.reports.cooperation import Format, Lang, headline_sentence, render_cooperation

__all__ = ["Format", "Lang", "headline_sentence", "render_cooperation"]
