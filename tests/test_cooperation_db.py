"""The cooperation ledger through the database: importer kinds, loader, CLI report and API.

Invariant: what the importer writes is what the figures count — the example files and
DOMAIN.md's example ledger (built through the import formats) give the same figures through
the database as the pure domain code; re-importing changes nothing; export → import into an
empty database → export is identical; API writes need the admin token and are audited.

Runs on SQLite (a temporary file per database) by default, on PostgreSQL when
ACCORDIA_DATABASE_URL starts with ``postgresql`` (a uniquely named database per use on that
server, dropped at the end of the module).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, inspect, select
from typer.testing import CliRunner

from accordia import models as m
from accordia.app import create_app
from accordia.db.base import Base
from accordia.db.session import engine_for, session_factory
from accordia.domain.cooperation import Ledger, figures
from accordia.importer.export import export_all
from accordia.importer.run import ImportResult, import_files
from accordia.models import cooperation as mc
from accordia.services.cooperation import cooperation_figures, load_ledger
from accordia.settings import get_settings
from tests.conftest import TestDatabase, make_database
from tests.test_cooperation import ECONOMIES, ON, example_ledger

D = dt.date
EXAMPLES = Path(__file__).resolve().parent.parent / "src" / "accordia" / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("cooperation_*.csv"))
COOPERATION_TABLES = {
    "cooperation_counterpart",
    "cooperation_agreement",
    "cooperation_agreement_party",
    "cooperation_agreement_scope_item",
    "cooperation_agreement_document",
    "cooperation_membership",
    "cooperation_membership_event",
    "cooperation_expert_position",
    "cooperation_recognition_system",
}
SYNTHETIC = "SYNTHETIC EXAMPLE (tests/test_cooperation_db.py)"


# -- databases -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def new_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Engine]]:
    """A factory of fresh migrated databases (SQLite file, or a uniquely named PostgreSQL
    database), with the reference data unless ``reference=False``; dropped with the module."""
    made: list[TestDatabase] = []

    def _new(reference: bool = True) -> Engine:
        db = make_database(tmp_path_factory.mktemp("coop"), reference=reference)
        made.append(db)
        missing = COOPERATION_TABLES - set(inspect(db.engine).get_table_names())
        if missing:  # stop-gap while the migration lacks the cooperation tables
            Base.metadata.create_all(db.engine)
        return db.engine

    yield _new
    engine_for.cache_clear()
    for db in made:
        db.drop()


def imported(engine: Engine, paths: list[Path], actor: str = "test") -> ImportResult:
    result = import_files(engine, paths, actor=actor)
    assert result.problem_count == 0, [str(p) for p in result.problems]
    return result


def stats(result: ImportResult) -> dict[str, dict[str, int]]:
    return {f.kind: f.stats.as_dict() for f in result.files}


def write_csv(path: Path, header: list[str], rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, header)
        w.writeheader()
        for r in rows:
            w.writerow({k: "" if v is None else v for k, v in r.items()})
    return path


def _d(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def ledger_files(ledger: Ledger, out: Path) -> list[Path]:
    """Write ``ledger`` as import files (the economies it needs beyond ISO 3166 included)."""
    out.mkdir(parents=True, exist_ok=True)
    files = [
        write_csv(
            out / "economies.csv",
            ["code", "kind", "name_en", "name_zh", "members", "source"],
            [
                {
                    "code": "EU",
                    "kind": "grouping",
                    "name_en": "European Union",
                    "name_zh": "欧盟",
                    "members": "DE;FR",
                    "source": SYNTHETIC,
                }
            ],
        ),
        write_csv(
            out / "cooperation_counterparts.csv",
            ["key", "kind", "economy", "name_zh", "name_en", "source"],
            [
                {
                    "key": c.key,
                    "kind": c.kind,
                    "economy": c.economy,
                    "name_zh": c.name_zh,
                    "name_en": c.name_en,
                    "source": SYNTHETIC,
                }
                for c in ledger.counterparts
            ],
        ),
        write_csv(
            out / "cooperation_agreements.csv",
            [
                "key",
                "type",
                "title_zh",
                "title_en",
                "signed_on",
                "in_force_on",
                "expires_on",
                "terminated_on",
                "parties",
                "source",
            ],
            [
                {
                    "key": a.key,
                    "type": a.type,
                    "title_zh": a.title_zh,
                    "title_en": a.title_en,
                    "signed_on": _d(a.signed_on),
                    "in_force_on": _d(a.in_force_on),
                    "expires_on": _d(a.expires_on),
                    "terminated_on": _d(a.terminated_on),
                    "parties": ";".join(a.counterparts),
                    "source": SYNTHETIC,
                }
                for a in ledger.agreements
            ],
        ),
        write_csv(
            out / "cooperation_memberships.csv",
            ["key", "level", "name_zh", "name_en", "source"],
            [
                {
                    "key": ms.key,
                    "level": ms.level,
                    "name_zh": ms.name_zh,
                    "name_en": ms.name_en,
                    "source": SYNTHETIC,
                }
                for ms in ledger.memberships
            ],
        ),
        write_csv(
            out / "cooperation_membership_events.csv",
            ["membership", "kind", "effective_on", "source"],
            [
                {
                    "membership": ms.key,
                    "kind": e.kind,
                    "effective_on": _d(e.effective_on),
                    "source": SYNTHETIC,
                }
                for ms in ledger.memberships
                for e in ms.events
            ],
        ),
        write_csv(
            out / "cooperation_recognition_systems.csv",
            [
                "key",
                "kind",
                "name_zh",
                "name_en",
                "scope_en",
                "signed_on",
                "withdrawn_on",
                "source",
            ],
            [
                {
                    "key": p.key,
                    "kind": p.kind,
                    "name_zh": p.name_zh,
                    "name_en": p.name_en or p.key,
                    "scope_en": p.scope,
                    "signed_on": _d(p.signed_on),
                    "withdrawn_on": _d(p.withdrawn_on),
                    "source": SYNTHETIC,
                }
                for p in ledger.participations
            ],
        ),
    ]
    return files


@pytest.fixture(scope="module")
def examples_engine(new_database: Callable[..., Engine]) -> Iterator[Engine]:
    """A database holding the example files (read-only for the tests using it)."""
    engine = new_database()
    imported(engine, EXAMPLE_FILES)
    yield engine


@pytest.fixture(scope="module")
def domain_engine(
    new_database: Callable[..., Engine], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A database holding DOMAIN.md's example ledger, imported through the CSV formats."""
    engine = new_database()
    imported(engine, ledger_files(example_ledger(), tmp_path_factory.mktemp("domain")))
    yield engine


def db_figures(engine: Engine, on: dt.date, since: dt.date | None = None) -> Any:
    with session_factory(engine)() as s:
        return cooperation_figures(s, on, since)


def test_kinds_register_after_the_arrangements_whatever_is_imported_first() -> None:
    code = (
        "import accordia.importer.kinds_cooperation\n"
        "from accordia.importer.kind import ORDER\n"
        "import accordia.importer.run\n"
        "print(ORDER.index('arrangement') < ORDER.index('cooperation_counterpart'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


# -- the example files -----------------------------------------------------------------------------
class TestExampleFiles:
    def test_are_labelled_synthetic(self) -> None:
        assert len(EXAMPLE_FILES) == 6
        for path in EXAMPLE_FILES:
            with path.open(encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
            assert rows, path
            assert all("SYNTHETIC EXAMPLE" in r["source"] for r in rows), path

    def test_figures_match_what_the_examples_contain(self, examples_engine: Engine) -> None:
        h = db_figures(examples_engine, D(2023, 12, 31)).headline
        # EX-NZ-GOV, EX-NZ-AB, EX-KR-GOV, EX-DE-ASSOC in NZ, KR, DE; EX-AG-6 is 2024
        assert (h.bodies, h.economies) == (4, 3)
        # EX-AG-1 mou, EX-AG-2 cooperation agreement, EX-AG-5 mou
        assert (h.agreements, h.cooperation_and_mous) == (5, 3)
        assert h.agreements_in_force == 3  # EX-AG-4 terminated, EX-AG-5 expired
        assert (h.organisations, h.organisations_engaged) == (3, 2)  # EX-ORG-C left, D is 2024
        assert (h.systems, h.systems_active, h.accreditation_arrangements) == (2, 1, 1)
        later = db_figures(examples_engine, D(2024, 12, 31)).headline
        assert (later.bodies, later.economies, later.agreements) == (5, 4, 6)
        assert (later.organisations, later.systems) == (4, 3)

    def test_loader_reads_every_record(self, examples_engine: Engine) -> None:
        with session_factory(examples_engine)() as s:
            ledger = load_ledger(s)
        assert len(ledger.counterparts) == 5
        ag1 = next(a for a in ledger.agreements if a.key == "EX-AG-1")
        assert ag1.counterparts == ("EX-NZ-AB", "EX-NZ-GOV")
        org_b = next(ms for ms in ledger.memberships if ms.key == "EX-ORG-B")
        assert [e.kind for e in org_b.events] == ["tracked", "observer", "joined"]
        assert {e.code for e in ledger.economies} == {"DE", "KR", "NZ", "ZA"}
        nz = next(e for e in ledger.economies if e.code == "NZ")
        assert nz.name_en and nz.name_zh  # from the economy table

    def test_reimport_changes_nothing(self, examples_engine: Engine) -> None:
        with session_factory(examples_engine)() as s:
            audit_before = s.execute(select(func.count(m.AuditEntry.id))).scalar_one()
        result = imported(examples_engine, EXAMPLE_FILES)
        for kind, counts in stats(result).items():
            assert counts["created"] == counts["updated"] == counts["events"] == 0, kind
            assert counts["unchanged"] > 0, kind
        with session_factory(examples_engine)() as s:
            assert s.execute(select(func.count(m.AuditEntry.id))).scalar_one() == audit_before

    def test_every_write_is_audited(self, examples_engine: Engine) -> None:
        with session_factory(examples_engine)() as s:
            entities = set(
                s.execute(select(m.AuditEntry.entity).where(m.AuditEntry.actor == "test")).scalars()
            )
        assert {
            "cooperation_counterpart",
            "cooperation_agreement",
            "cooperation_agreement_party",
            "cooperation_agreement_scope_item",
            "cooperation_agreement_document",
            "cooperation_membership",
            "cooperation_membership_event",
            "cooperation_expert_position",
            "cooperation_recognition_system",
        } <= entities


# -- DOMAIN.md's example through the database ------------------------------------------------------
class TestDomainExample:
    def test_reproduces_domain_md_figures(self, domain_engine: Engine) -> None:
        h = db_figures(domain_engine, ON).headline
        assert (h.bodies, h.economies) == (36, 25)
        assert (h.agreements, h.cooperation_and_mous) == (82, 42)
        assert h.organisations == 19
        assert (h.systems, h.accreditation_arrangements) == (8, 4)
        assert (h.agreements_in_force, h.organisations_engaged) == (77, 18)

    def test_same_figures_as_the_pure_domain(self, domain_engine: Engine) -> None:
        since = D(2022, 1, 1)
        ours, theirs = db_figures(domain_engine, ON, since), figures(example_ledger(), ON, since)
        assert ours.headline == theirs.headline
        assert ours.by_type == theirs.by_type
        assert ours.by_year == theirs.by_year
        assert [(r.code, r.bodies, r.agreements) for r in ours.by_economy] == [
            (r.code, r.bodies, r.agreements) for r in theirs.by_economy
        ]
        assert ours.changes is not None and theirs.changes is not None
        assert ours.changes.before == theirs.changes.before
        assert [(c.kind, c.key, c.on) for c in ours.changes.items] == [
            (c.kind, c.key, c.on) for c in theirs.changes.items
        ]
        assert len(ECONOMIES) == 25


# -- import rules ----------------------------------------------------------------------------------
AGREEMENT_HEADER = [
    "key",
    "type",
    "title_en",
    "signed_on",
    "in_force_on",
    "expires_on",
    "terminated_on",
    "parties",
    "scope_items",
    "documents",
    "source",
]


def _agreement(**kw: str) -> dict[str, str]:
    row = {
        "key": "T-1",
        "type": "mou",
        "title_en": "Test",
        "signed_on": "2020-01-01",
        "parties": "EX-NZ-GOV",
        "source": SYNTHETIC,
    }
    row.update(kw)
    return row


@pytest.fixture(scope="module")
def rules_engine(new_database: Callable[..., Engine]) -> Engine:
    engine = new_database()
    imported(engine, EXAMPLE_FILES)
    return engine


class TestImportRules:
    @pytest.mark.parametrize(
        ("row", "field", "rule"),
        [
            (_agreement(in_force_on="2019-12-31"), "in_force_on", "date_order"),
            (_agreement(expires_on="2019-12-31"), "expires_on", "date_order"),
            (_agreement(terminated_on="2020-01-01"), "terminated_on", "date_order"),
            (_agreement(parties="EX-NZ-GOV;NOBODY"), "parties", "unknown_reference"),
            (_agreement(parties=""), "parties", "required"),
            (_agreement(documents="ftp://x"), "documents", "url"),
            (_agreement(type="treaty"), "type", "enum"),
            (_agreement(title_en=""), "title_zh", "required"),
        ],
    )
    def test_bad_agreement_rows_name_the_field(
        self, rules_engine: Engine, tmp_path: Path, row: dict[str, str], field: str, rule: str
    ) -> None:
        path = write_csv(tmp_path / "cooperation_agreements.csv", AGREEMENT_HEADER, [row])
        result = import_files(rules_engine, [path], actor="test")
        assert not result.committed
        assert [(p.field, p.rule) for p in result.problems] == [(field, rule)]

    @pytest.mark.parametrize(
        ("name", "header", "row", "field"),
        [
            (
                "cooperation_counterparts",
                ["key", "kind", "economy", "name_en"],
                {"key": "X", "kind": "government", "economy": "QQ", "name_en": "X"},
                "economy",
            ),
            (
                "cooperation_membership_events",
                ["membership", "kind", "effective_on"],
                {"membership": "NOPE", "kind": "joined", "effective_on": "2020-01-01"},
                "membership",
            ),
            (
                "cooperation_expert_positions",
                ["membership", "role", "since", "until"],
                {
                    "membership": "EX-ORG-A",
                    "role": "chair",
                    "since": "2020-01-01",
                    "until": "2019-01-01",
                },
                "until",
            ),
            (
                "cooperation_recognition_systems",
                ["key", "kind", "name_en", "signed_on", "arrangement"],
                {
                    "key": "S",
                    "kind": "system",
                    "name_en": "S",
                    "signed_on": "2020-01-01",
                    "arrangement": "NO-SUCH",
                },
                "arrangement",
            ),
            (
                "cooperation_recognition_systems",
                ["key", "kind", "name_en", "signed_on", "withdrawn_on"],
                {
                    "key": "S",
                    "kind": "system",
                    "name_en": "S",
                    "signed_on": "2020-01-01",
                    "withdrawn_on": "2020-01-01",
                },
                "withdrawn_on",
            ),
        ],
    )
    def test_bad_rows_of_other_kinds(
        self,
        rules_engine: Engine,
        tmp_path: Path,
        name: str,
        header: list[str],
        row: dict[str, str],
        field: str,
    ) -> None:
        path = write_csv(tmp_path / f"{name}.csv", header, [row])
        result = import_files(rules_engine, [path], actor="test")
        assert [p.field for p in result.problems] == [field]

    def test_lists_replace_what_the_registry_held(
        self, rules_engine: Engine, tmp_path: Path
    ) -> None:
        first = _agreement(
            parties="EX-NZ-GOV;EX-NZ-AB",
            scope_items="HS:8516",
            documents="https://example.org/a.pdf",
        )
        path = write_csv(tmp_path / "cooperation_agreements.csv", AGREEMENT_HEADER, [first])
        assert stats(imported(rules_engine, [path]))["cooperation_agreement"]["created"] == 1
        second = _agreement(parties="EX-NZ-GOV", documents="https://example.org/a.pdf")
        path = write_csv(tmp_path / "cooperation_agreements.csv", AGREEMENT_HEADER, [second])
        counts = stats(imported(rules_engine, [path], actor="editor"))["cooperation_agreement"]
        assert (counts["created"], counts["updated"], counts["unchanged"]) == (0, 1, 0)
        with session_factory(rules_engine)() as s:
            ag = next(a for a in load_ledger(s).agreements if a.key == "T-1")
            assert ag.counterparts == ("EX-NZ-GOV",)
            deleted = s.execute(
                select(m.AuditEntry.entity, m.AuditEntry.record_key).where(
                    m.AuditEntry.actor == "editor", m.AuditEntry.action == "delete"
                )
            ).all()
        assert sorted(deleted) == [
            ("cooperation_agreement_party", "T-1 / EX-NZ-AB"),
            ("cooperation_agreement_scope_item", "T-1 / HS:8516"),
        ]


# -- export → import → export ----------------------------------------------------------------------
def test_export_import_export_is_identical(
    new_database: Callable[..., Engine], tmp_path: Path
) -> None:
    source = new_database()
    arrangement = write_csv(
        tmp_path / "arrangements.csv",
        ["key", "kind", "name_en", "source"],
        [
            {
                "key": "EX-ARR",
                "kind": "global",
                "name_en": "Example arrangement",
                "source": SYNTHETIC,
            }
        ],
    )
    linked = write_csv(
        tmp_path / "cooperation_recognition_systems.csv",
        ["key", "kind", "name_en", "signed_on", "arrangement", "source"],
        [
            {
                "key": "EX-LINKED",
                "kind": "accreditation_arrangement",
                "name_en": "Linked",
                "signed_on": "2001-01-01",
                "arrangement": "EX-ARR",
                "source": SYNTHETIC,
            }
        ],
    )
    imported(source, [*EXAMPLE_FILES, arrangement])
    imported(source, [linked])
    first = export_all(source, tmp_path / "first")
    assert {p.name for p in first} >= {p.name for p in EXAMPLE_FILES}

    empty = new_database(reference=False)
    imported(empty, first)
    second = export_all(empty, tmp_path / "second")
    assert [p.name for p in second] == [p.name for p in first]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


# -- CLI -------------------------------------------------------------------------------------------
@pytest.fixture
def cli_env(examples_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    url = examples_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("ACCORDIA_DATABASE_URL", url)
    get_settings.cache_clear()
    engine_for.cache_clear()
    yield
    engine_for(url).dispose()
    monkeypatch.undo()
    get_settings.cache_clear()
    engine_for.cache_clear()


class TestCli:
    def run(self, *args: str) -> Any:
        from accordia.cli import app

        return CliRunner().invoke(app, ["report", "cooperation", *args])

    def test_json(self, cli_env: None) -> None:
        result = self.run("--on", "2023-12-31", "--since", "2015-01-01", "--format", "json")
        assert result.exit_code == 0, result.output
        doc = json.loads(result.stdout)
        assert doc["report"] == "cooperation"
        assert doc["on"] == "2023-12-31"
        assert doc["headline"]["bodies"] == 4
        assert doc["headline"]["agreements"] == 5
        assert doc["changes"]["since"] == "2015-01-01"

    def test_markdown_in_chinese(self, cli_env: None) -> None:
        result = self.run("--on", "2023-12-31", "--lang", "zh")
        assert result.exit_code == 0, result.output
        assert "与3个国家和地区的4个机构签署合作文件5份" in result.stdout

    def test_out_file(self, cli_env: None, tmp_path: Path) -> None:
        out = tmp_path / "report.html"
        result = self.run("--on", "2023-12-31", "--format", "html", "--out", str(out))
        assert result.exit_code == 0, result.output
        assert "<svg" in out.read_text(encoding="utf-8")

    def test_pdf_to_a_file(self, cli_env: None, tmp_path: Path) -> None:
        pytest.importorskip("fpdf")
        out = tmp_path / "report.pdf"
        result = self.run(
            "--on", "2023-12-31", "--lang", "zh", "--format", "pdf", "--out", str(out)
        )
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(b"%PDF")

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--on", "2023-02-30"], "--on"),
            (["--since", "yesterday"], "--since"),
            (["--on", "2020-01-01", "--since", "2021-01-01"], "--since"),
            (["--format", "docx"], "--format"),
            (["--lang", "fr"], "--lang"),
            (["--no-such-option"], "No such option"),
        ],
    )
    def test_usage_errors_exit_64(self, cli_env: None, args: list[str], message: str) -> None:
        result = self.run(*args)
        assert result.exit_code == 64
        assert message in result.stderr
        assert result.stdout == ""


# -- API -------------------------------------------------------------------------------------------
# Filled by ``api_engine``: a write token of the regulator account "tester", and a read token.
AUTH: dict[str, str] = {}
READ_ONLY: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_engine(new_database: Callable[..., Engine]) -> Iterator[Engine]:
    from accordia.services import accounts

    engine = new_database()
    imported(engine, EXAMPLE_FILES)
    with session_factory(engine)() as s:
        user = accounts.create_user(s, username="tester", role="regulator", actor="setup")
        write = accounts.issue_token(s, user, name="w", scope="write", days=1, actor="setup")
        read = accounts.issue_token(s, user, name="r", scope="read", days=1, actor="setup")
        s.commit()
    AUTH.update({"Authorization": f"Bearer {write.secret}"})
    READ_ONLY.update({"Authorization": f"Bearer {read.secret}"})
    yield engine


@pytest.fixture
def client(api_engine: Engine) -> TestClient:
    return TestClient(create_app(engine=api_engine))


def count(engine: Engine, model: type[Any]) -> int:
    with session_factory(engine)() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    return dict(body["error"])


class TestApiReads:
    def test_report_json(self, client: TestClient) -> None:
        r = client.get(
            "/api/v1/cooperation/report",
            params={"on": "2023-12-31", "since": "2015-01-01", "lang": "zh"},
        )
        assert r.status_code == 200
        doc = r.json()
        assert doc["headline"]["bodies"] == 4 and doc["lang"] == "zh"
        assert doc["sentence"].startswith("与3个国家和地区的4个机构")
        assert doc["changes"]["before"]["agreements"] == 3

    @pytest.mark.parametrize(("fmt", "media"), [("html", "text/html"), ("md", "text/markdown")])
    def test_report_text(self, client: TestClient, fmt: str, media: str) -> None:
        r = client.get("/api/v1/cooperation/report", params={"on": "2023-12-31", "format": fmt})
        assert r.status_code == 200
        assert r.headers["content-type"].startswith(media)
        assert "4 bodies in 3 countries and regions" in r.text

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"on": "2023-02-30"}, "on"),
            ({"format": "pdf"}, "format"),
            ({"lang": "fr"}, "lang"),
            ({"on": "2020-01-01", "since": "2021-01-01"}, "since"),
        ],
    )
    def test_report_errors(self, client: TestClient, params: dict[str, str], field: str) -> None:
        r = client.get("/api/v1/cooperation/report", params=params)
        assert r.status_code == 422
        assert error(r)["field"] == field

    def test_agreements_paging_and_filters(self, client: TestClient) -> None:
        r = client.get("/api/v1/cooperation/agreements", params={"limit": 2, "offset": 2})
        page = r.json()
        assert (page["total"], page["limit"], page["offset"]) == (6, 2, 2)
        assert [a["key"] for a in page["items"]] == ["EX-AG-3", "EX-AG-4"]
        mous = client.get("/api/v1/cooperation/agreements", params={"type": "mou"}).json()
        assert [a["key"] for a in mous["items"]] == ["EX-AG-1", "EX-AG-5"]
        nz = client.get("/api/v1/cooperation/agreements", params={"economy": "nz"}).json()
        assert [a["key"] for a in nz["items"]] == ["EX-AG-1", "EX-AG-2"]
        too_many = client.get("/api/v1/cooperation/agreements", params={"limit": 10**6})
        assert too_many.status_code == 422 and error(too_many)["field"] == "limit"

    def test_agreement_detail_has_the_import_columns(self, client: TestClient) -> None:
        r = client.get("/api/v1/cooperation/agreements/EX-AG-3")
        assert r.status_code == 200
        ag = r.json()
        assert ag["scope_items"] == ["CCC:0701", "HS:8516"]
        assert ag["in_force_on"] == "2016-01-01" and ag["parties"] == ["EX-KR-GOV"]
        missing = client.get("/api/v1/cooperation/agreements/NOPE")
        assert missing.status_code == 404 and error(missing)["code"] == "not_found"

    def test_counterparts(self, client: TestClient) -> None:
        page = client.get("/api/v1/cooperation/counterparts", params={"kind": "government"}).json()
        assert [c["key"] for c in page["items"]] == ["EX-KR-GOV", "EX-NZ-GOV"]
        one = client.get("/api/v1/cooperation/counterparts/EX-NZ-GOV").json()
        assert one["economy"] == "NZ" and one["agreements"] == ["EX-AG-1", "EX-AG-2"]

    def test_memberships(self, client: TestClient) -> None:
        page = client.get("/api/v1/cooperation/memberships", params={"on": "2023-12-31"}).json()
        assert {ms["key"]: ms["status"] for ms in page["items"]} == {
            "EX-ORG-A": "joined",
            "EX-ORG-B": "joined",
            "EX-ORG-C": "left",
            "EX-ORG-D": None,
        }
        left = client.get(
            "/api/v1/cooperation/memberships", params={"kind": "left", "on": "2023-12-31"}
        ).json()
        assert [ms["key"] for ms in left["items"]] == ["EX-ORG-C"]
        a = client.get("/api/v1/cooperation/memberships/EX-ORG-A").json()
        assert a["positions"][0]["role"] == "convenor"

    def test_expert_names_only_for_signed_in_callers(self, client: TestClient) -> None:
        public = client.get("/api/v1/cooperation/memberships/EX-ORG-A").json()
        assert public["positions"][0]["person_name"] is None
        listed = client.get("/api/v1/cooperation/memberships").json()
        assert all(p["person_name"] is None for ms in listed["items"] for p in ms["positions"])
        signed = client.get("/api/v1/cooperation/memberships/EX-ORG-A", headers=READ_ONLY).json()
        assert signed["positions"][0]["person_name"] == "Example Expert"

    def test_recognition_systems(self, client: TestClient) -> None:
        page = client.get(
            "/api/v1/cooperation/recognition-systems", params={"kind": "system"}
        ).json()
        assert page["total"] == 3


NEW_AGREEMENT = {
    "key": "API-AG-1",
    "type": "cooperation_agreement",
    "title_en": "Agreement written through the API",
    "signed_on": "2023-06-01",
    "parties": ["EX-KR-GOV", "EX-ZA-CB"],
    "documents": "https://example.org/api-ag-1.pdf",
    "source": SYNTHETIC,
}


class TestApiWrites:
    def test_without_token_is_403_and_changes_nothing(
        self, client: TestClient, api_engine: Engine
    ) -> None:
        before = (count(api_engine, mc.Agreement), count(api_engine, m.AuditEntry))
        r = client.post("/api/v1/cooperation/agreements", json=NEW_AGREEMENT)
        assert r.status_code == 401 and error(r)["code"] == "unauthorized"
        for headers in ({"Authorization": "Bearer wrong"}, {"Authorization": "Bearer acc_x_y"}):
            r = client.post("/api/v1/cooperation/agreements", json=NEW_AGREEMENT, headers=headers)
            assert r.status_code == 401, headers
            assert error(r) == {
                "code": "invalid_token",
                "field": "Authorization",
                "message": error(r)["message"],
            }
        r = client.post("/api/v1/cooperation/agreements", json=NEW_AGREEMENT, headers=READ_ONLY)
        assert r.status_code == 403 and error(r)["code"] == "read_only"
        r = client.post(
            "/api/v1/cooperation/memberships/EX-ORG-D/events",
            json={"kind": "joined", "effective_on": "2024-06-01"},
        )
        assert r.status_code == 401
        assert (count(api_engine, mc.Agreement), count(api_engine, m.AuditEntry)) == before
        assert count(api_engine, mc.MembershipEvent) == 7

    def test_write_with_token_is_audited_and_idempotent(
        self, client: TestClient, api_engine: Engine
    ) -> None:
        r = client.post("/api/v1/cooperation/agreements", json=NEW_AGREEMENT, headers=AUTH)
        assert r.status_code == 201, r.json()
        body = r.json()
        assert (body["action"], body["key"]) == ("created", "API-AG-1")
        assert body["record"]["parties"] == ["EX-KR-GOV", "EX-ZA-CB"]
        assert body["record"]["documents"] == ["https://example.org/api-ag-1.pdf"]
        with session_factory(api_engine)() as s:
            actors = set(
                s.execute(
                    select(m.AuditEntry.actor).where(m.AuditEntry.operation == body["operation"])
                ).scalars()
            )
        assert actors == {"tester"}
        again = client.post("/api/v1/cooperation/agreements", json=NEW_AGREEMENT, headers=AUTH)
        assert again.status_code == 200 and again.json()["action"] == "unchanged"
        changed = {**NEW_AGREEMENT, "parties": "EX-KR-GOV"}
        r = client.post("/api/v1/cooperation/agreements", json=changed, headers=AUTH)
        assert r.json()["action"] == "updated" and r.json()["record"]["parties"] == ["EX-KR-GOV"]
        h = db_figures(api_engine, D(2023, 12, 31)).headline
        assert (h.agreements, h.cooperation_and_mous) == (6, 4)

    @pytest.mark.parametrize(
        ("body", "field", "code"),
        [
            (
                {**NEW_AGREEMENT, "key": "API-AG-2", "parties": ["NOBODY"]},
                "parties",
                "unknown_reference",
            ),
            (
                {**NEW_AGREEMENT, "key": "API-AG-2", "in_force_on": "2020-01-01"},
                "in_force_on",
                "date_order",
            ),
            ({**NEW_AGREEMENT, "key": "API-AG-2", "colour": "red"}, "colour", "unknown_column"),
            ({**NEW_AGREEMENT, "key": "API-AG-2", "title_en": ["a"]}, "title_en", "type"),
        ],
    )
    def test_invalid_write_is_422_and_changes_nothing(
        self,
        client: TestClient,
        api_engine: Engine,
        body: dict[str, Any],
        field: str,
        code: str,
    ) -> None:
        before = count(api_engine, m.AuditEntry)
        r = client.post("/api/v1/cooperation/agreements", json=body, headers=AUTH)
        assert r.status_code == 422
        assert (error(r)["field"], error(r)["code"]) == (field, code)
        assert count(api_engine, m.AuditEntry) == before

    def test_membership_events_and_other_kinds(
        self, client: TestClient, api_engine: Engine
    ) -> None:
        url = "/api/v1/cooperation/memberships/EX-ORG-D/events"
        event = {"kind": "joined", "effective_on": "2024-06-01", "source": SYNTHETIC}
        r = client.post(url, json=event, headers=AUTH)
        assert r.status_code == 201 and r.json()["action"] == "events"
        assert [e["kind"] for e in r.json()["record"]["events"]] == ["tracked", "joined"]
        assert client.post(url, json=event, headers=AUTH).json()["action"] == "unchanged"
        mismatch = client.post(url, json={**event, "membership": "EX-ORG-A"}, headers=AUTH)
        assert mismatch.status_code == 422 and error(mismatch)["field"] == "membership"
        r = client.post("/api/v1/cooperation/memberships/NOPE/events", json=event, headers=AUTH)
        assert r.status_code == 422 and error(r)["code"] == "unknown_reference"
        r = client.post(
            "/api/v1/cooperation/counterparts",
            headers=AUTH,
            json={
                "key": "API-CP",
                "kind": "other",
                "economy": "SG",
                "name_en": "API counterpart",
            },
        )
        assert r.status_code == 201 and r.json()["record"]["agreements"] == []
        r = client.post(
            "/api/v1/cooperation/memberships",
            headers=AUTH,
            json={
                "key": "API-ORG",
                "name_zh": "接口组织",
            },
        )
        assert r.status_code == 201 and r.json()["record"]["level"] == "international"
        r = client.post(
            "/api/v1/cooperation/memberships/API-ORG/positions",
            headers=AUTH,
            json={"role": "chair", "since": "2024-01-01"},
        )
        assert r.status_code == 201 and r.json()["record"]["positions"][0]["role"] == "chair"
        r = client.post(
            "/api/v1/cooperation/recognition-systems",
            headers=AUTH,
            json={
                "key": "API-SYS",
                "kind": "system",
                "name_en": "API system",
                "signed_on": "2024-01-01",
            },
        )
        assert r.status_code == 201
