"""Reference data shipped with Accordia, loaded on ``accordia db upgrade``.

ISO 3166-1 economies come from pycountry (with the Chinese names of its zh_CN catalogue); the
rest are the files in ``data/registry/``, in the importer's own formats, each row with its
source (built from the public reference tables by ``tools/build_reference.py``).
"""

from __future__ import annotations

import gettext
from importlib.resources import as_file, files
from pathlib import Path

import pycountry
from sqlalchemy import Engine, select

from accordia import models as m
from accordia.db.session import unit_of_work
from accordia.importer.run import ImportResult, import_files

REFERENCE_ACTOR = "reference"
PYCOUNTRY_SOURCE = "ISO 3166-1 via pycountry " + getattr(pycountry, "__version__", "")


def _zh_names() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:
        return gettext.NullTranslations()


def load_economies(engine: Engine) -> int:
    """Insert the ISO 3166-1 countries that are not there yet; return how many were added."""
    zh = _zh_names()
    added = 0
    with unit_of_work(engine) as s:
        have = set(s.execute(select(m.Economy.code)).scalars())
        for c in pycountry.countries:
            if c.alpha_2 in have:
                continue
            name_zh = zh.gettext(c.name)
            s.add(
                m.Economy(
                    code=c.alpha_2,
                    kind="country",
                    name_en=getattr(c, "common_name", None) or c.name,
                    name_zh=name_zh if name_zh != c.name else None,
                    alpha3=c.alpha_3,
                    source=PYCOUNTRY_SOURCE + " (Chinese names: its zh_CN catalogue)",
                )
            )
            added += 1
        if added:
            s.add(
                m.AuditEntry(
                    actor=REFERENCE_ACTOR,
                    action="create",
                    entity="economy",
                    record_key="ISO 3166-1",
                    after={"added": added},
                    message="ISO 3166-1 countries loaded from pycountry",
                )
            )
    return added


def registry_files() -> list[Path]:
    base = files("accordia.reference") / "data" / "registry"
    with as_file(base) as d:
        return sorted(Path(d).glob("*.csv"))


def load_reference(engine: Engine) -> ImportResult:
    """Load (or refresh, idempotently) all reference data."""
    load_economies(engine)
    return import_files(engine, registry_files(), actor=REFERENCE_ACTOR)
