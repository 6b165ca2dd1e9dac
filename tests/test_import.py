"""The common importer: every kind, every format, by natural keys; all-or-nothing unless a
reject file is given; idempotent; a changed status becomes an event; clear per-row errors."""

from __future__ import annotations

import csv
import json
import shutil
from importlib.resources import files
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accordia import models as m
from accordia.db.session import session_factory
from accordia.domain.status import Status, status_on
from accordia.importer.export import export_all
from accordia.importer.run import ImportAborted, import_files
from tests.conftest import TestDatabase, make_database

EXAMPLES = Path(str(files("accordia") / "examples"))
CORE_EXAMPLES = sorted(p for p in EXAMPLES.glob("*.csv") if not p.name.startswith("cooperation"))


def count(db: TestDatabase, model: type) -> int:
    with session_factory(db.engine)() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def loaded(db: TestDatabase) -> TestDatabase:
    result = import_files(db.engine, CORE_EXAMPLES, actor="test")
    assert result.problem_count == 0, [str(p) for p in result.problems]
    return db


class TestExamples:
    def test_every_kind_has_an_example_that_imports(self, loaded: TestDatabase) -> None:
        from accordia.importer.kind import ORDER, REGISTRY

        names = {p.stem for p in CORE_EXAMPLES}
        core = [k for k in ORDER if not k.startswith("cooperation")]
        assert {REGISTRY[k].plural for k in core} <= names
        assert count(loaded, m.Certificate) == 3
        assert count(loaded, m.GhgFigure) == 1

    def test_reimport_changes_nothing(self, loaded: TestDatabase) -> None:
        before = count(loaded, m.AuditEntry)
        result = import_files(loaded.engine, CORE_EXAMPLES, actor="test")
        assert result.problem_count == 0
        for f in result.files:
            assert (f.stats.created, f.stats.updated, f.stats.events) == (0, 0, 0), f.kind
        assert count(loaded, m.AuditEntry) == before

    def test_history_is_derived_from_events(self, loaded: TestDatabase) -> None:
        import datetime as dt

        with session_factory(loaded.engine)() as s:
            acc = s.execute(select(m.Accreditation).filter_by(number="EXAB C-0001")).scalar_one()
            evs = (
                s.execute(select(m.AccreditationEvent).filter_by(parent_id=acc.id)).scalars().all()
            )
        assert status_on(evs, dt.date(2024, 3, 1)) is Status.SUSPENDED
        assert status_on(evs, dt.date(2024, 4, 1)) is Status.ACTIVE

    def test_every_write_is_in_the_audit_trail(self, loaded: TestDatabase) -> None:
        with session_factory(loaded.engine)() as s:
            entries = (
                s.execute(select(m.AuditEntry).filter_by(entity="certificate", actor="test"))
                .scalars()
                .all()
            )
        assert {e.record_key for e in entries} >= {"EX-CB-001 / EXQ-2024-0001"}
        assert all(e.action == "create" and e.after for e in entries)


class TestStatusChanges:
    def test_changed_status_becomes_a_new_event(self, loaded: TestDatabase, tmp_path: Path) -> None:
        src = (EXAMPLES / "certificates.csv").read_text(encoding="utf-8").splitlines()
        header, first = src[0], src[1]
        changed = first.replace(",120,2,,,", ",120,2,suspended,2025-09-01,")
        assert changed != first
        path = tmp_path / "certificates.csv"
        path.write_text(header + "\n" + changed + "\n", encoding="utf-8")
        result = import_files(loaded.engine, [path], actor="test")
        assert result.problem_count == 0
        assert result.files[0].stats.events == 1
        with session_factory(loaded.engine)() as s:
            cert = s.execute(select(m.Certificate).filter_by(number="EXQ-2024-0001")).scalar_one()
            kinds = [
                e.kind
                for e in s.execute(
                    select(m.CertificateEvent).filter_by(parent_id=cert.id)
                ).scalars()
            ]
        assert kinds.count("suspended") == 1 and "granted" in kinds
        again = import_files(loaded.engine, [path], actor="test")
        assert again.files[0].stats.events == 0

    def test_changed_status_needs_its_date(self, loaded: TestDatabase, tmp_path: Path) -> None:
        src = (EXAMPLES / "certificates.csv").read_text(encoding="utf-8").splitlines()
        row = src[1].replace(",120,2,,,", ",120,2,withdrawn,,")
        path = tmp_path / "certificates.csv"
        path.write_text(src[0] + "\n" + row + "\n", encoding="utf-8")
        result = import_files(loaded.engine, [path], actor="test")
        assert result.problem_count == 1 and not result.committed
        p = result.problems[0]
        assert (p.file, p.line, p.field, p.rule) == (
            "certificates.csv",
            2,
            "changed_on",
            "required",
        )


class TestBadInput:
    HEADER = ["key", "name_zh", "name_en", "economy", "uscc"]

    def run(
        self, db: TestDatabase, tmp_path: Path, rows: list[list[str]], reject: bool = False
    ) -> tuple[object, int]:
        path = write_csv(tmp_path / "organizations.csv", self.HEADER, rows)
        before = count(db, m.Organization)
        result = import_files(
            db.engine,
            [path],
            actor="test",
            reject_file=tmp_path / "rejects.csv" if reject else None,
        )
        return result, count(db, m.Organization) - before

    @pytest.mark.parametrize(
        ("row", "field", "rule"),
        [
            (["K1", "", "", "CN", ""], "name_zh", "required"),
            (["K2", "某公司", "", "CN", "91440300000000000A"], "uscc", "check_digit"),
            (["K3", "某公司", "", "XX", ""], "economy", "unknown_reference"),
            (["K4", "某" * 600, "", "CN", ""], "name_zh", "max_length"),
            (["", "某公司", "", "CN", ""], "key", "required"),
        ],
    )
    def test_each_rule_names_field_and_line_and_writes_nothing(
        self, db: TestDatabase, tmp_path: Path, row: list[str], field: str, rule: str
    ) -> None:
        good = ["GOOD-1", "好公司", "Good Co.", "CN", ""]
        result, added = self.run(db, tmp_path, [good, row])
        assert added == 0
        assert result.problem_count == 1 and result.exit_code == 1  # type: ignore[attr-defined]
        p = result.problems[0]  # type: ignore[attr-defined]
        assert (p.line, p.field, p.rule) == (3, field, rule)
        assert "organizations.csv:3" in str(p)

    def test_reject_file_keeps_valid_rows(self, db: TestDatabase, tmp_path: Path) -> None:
        rows = [["REJ-OK", "好公司", "", "CN", ""], ["REJ-BAD", "", "", "CN", ""]]
        result, added = self.run(db, tmp_path, rows, reject=True)
        assert added == 1 and result.exit_code == 3  # type: ignore[attr-defined]
        text = (tmp_path / "rejects.csv").read_text(encoding="utf-8-sig")
        assert "REJ-BAD" in text and "name_zh" in text and "REJ-OK" not in text

    def test_unknown_enum_and_bad_dates(self, db: TestDatabase, tmp_path: Path) -> None:
        path = write_csv(
            tmp_path / "certificates.csv",
            ["cab", "number", "kind", "organization", "standard", "issued_on", "expires_on"],
            [
                ["EX-CB-001", "N1", "diploma", "K", "ISO 9001", "2024-01-01", ""],
                ["EX-CB-001", "N2", "ms_certificate", "K", "ISO 9001", "2024-02-30", ""],
                ["EX-CB-001", "N3", "ms_certificate", "K", "ISO 9001", "2024-05-01", "2024-04-01"],
            ],
        )
        result = import_files(db.engine, [path], actor="test")
        rules = [(p.line, p.field, p.rule) for p in result.problems]
        assert rules == [
            (2, "kind", "enum"),
            (3, "issued_on", "date"),
            (4, "expires_on", "date_order"),
        ]

    def test_duplicate_key_with_different_values(self, db: TestDatabase, tmp_path: Path) -> None:
        rows = [["DUP-1", "甲公司", "", "CN", ""], ["DUP-1", "乙公司", "", "CN", ""]]
        result, added = self.run(db, tmp_path, rows)
        assert added == 0
        assert [p.rule for p in result.problems] == ["duplicate_key"]  # type: ignore[attr-defined]

    def test_unknown_column(self, db: TestDatabase, tmp_path: Path) -> None:
        path = write_csv(
            tmp_path / "organizations.csv", ["key", "name_zh", "colour"], [["U1", "某公司", "red"]]
        )
        result = import_files(db.engine, [path], actor="test")
        assert result.problems[0].rule == "unknown_column"

    def test_unknown_kind_is_refused(self, db: TestDatabase, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "stuff.csv", ["a", "b"], [["1", "2"]])
        with pytest.raises(ImportAborted, match="--kind"):
            import_files(db.engine, [path], actor="test")

    def test_kind_from_header(self, db: TestDatabase, tmp_path: Path) -> None:
        path = write_csv(
            tmp_path / "upload.csv",
            ["key", "name_zh", "economy"],
            [["HDR-1", "表头识别公司", "CN"]],
        )
        result = import_files(db.engine, [path], actor="test")
        assert result.files[0].kind == "organization" and result.problem_count == 0


class TestEncodings:
    ROW = ["ENC-{n}", "深圳市编码测试电子有限公司", "", "CN", ""]

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
    def test_chinese_csv_in_any_common_encoding(
        self, db: TestDatabase, tmp_path: Path, encoding: str
    ) -> None:
        key = f"ENC-{encoding}"
        path = write_csv(
            tmp_path / "organizations.csv",
            ["key", "name_zh", "name_en", "economy", "uscc"],
            [[key, *self.ROW[1:]]],
            encoding=encoding,
        )
        result = import_files(db.engine, [path], actor="test")
        assert result.problem_count == 0
        with session_factory(db.engine)() as s:
            org = s.execute(select(m.Organization).filter_by(key=key)).scalar_one()
        assert org.name_zh == "深圳市编码测试电子有限公司"

    def test_undecodable_bytes_fail_clearly(self, db: TestDatabase, tmp_path: Path) -> None:
        path = tmp_path / "organizations.csv"
        path.write_bytes(b"key,name_zh\nX1,\xff\xfe\xfd\x80\x80\n")
        with pytest.raises(ImportAborted, match="neither UTF-8 nor GBK"):
            import_files(db.engine, [path], actor="test")


class TestFormats:
    def test_jsonl_and_xlsx(self, db: TestDatabase, tmp_path: Path) -> None:
        from openpyxl import Workbook

        jl = tmp_path / "organizations.jsonl"
        jl.write_text(
            json.dumps({"key": "JL-1", "name_en": "Json Lines Ltd", "identifiers": ["NZBN:123"]})
            + "\n",
            encoding="utf-8",
        )
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(["key", "name_zh", "economy"])
        ws.append(["XL-1", "表格公司", "CN"])
        xl = tmp_path / "organizations.xlsx"
        wb.save(xl)
        result = import_files(db.engine, [jl, xl], actor="test")
        assert result.problem_count == 0
        assert sum(f.stats.created for f in result.files) == 2


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
def test_export_import_export_is_identical(loaded: TestDatabase, tmp_path: Path, fmt: str) -> None:
    first = tmp_path / "first"
    export_all(loaded.engine, first, fmt)
    fresh = make_database(tmp_path / "fresh")
    try:
        # the fresh database already has the reference data; the import adds the rest
        result = import_files(fresh.engine, sorted(first.iterdir()), actor="roundtrip")
        assert result.problem_count == 0, [str(p) for p in result.problems[:5]]
        second = tmp_path / "second"
        export_all(fresh.engine, second, fmt)
        names = sorted(p.name for p in first.iterdir())
        assert names == sorted(p.name for p in second.iterdir())
        for name in names:
            if fmt == "xlsx":
                from openpyxl import load_workbook

                a = [
                    list(r) for r in load_workbook(first / name).active.iter_rows(values_only=True)
                ]  # type: ignore[union-attr]
                b = [
                    list(r) for r in load_workbook(second / name).active.iter_rows(values_only=True)
                ]  # type: ignore[union-attr]
                assert a == b, name
            else:
                assert (first / name).read_bytes() == (second / name).read_bytes(), name
    finally:
        fresh.drop()
        shutil.rmtree(tmp_path / "fresh", ignore_errors=True)


class TestSetBasedPath:
    """The set-based chunk path for high-volume kinds writes exactly what the per-row path
    writes, and a bad row inside a bulk chunk is still reported on its own line."""

    def test_bulk_and_per_row_paths_agree(
        self, loaded: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import dataclasses

        from accordia.importer.kind import REGISTRY

        src = tmp_path / "src"
        export_all(loaded.engine, src, "csv")
        outputs = []
        for mode in ("bulk", "per_row"):
            if mode == "per_row":
                for name in ("certificate", "certificate_event"):
                    monkeypatch.setitem(
                        REGISTRY, name, dataclasses.replace(REGISTRY[name], apply_many=None)
                    )
            fresh = make_database(tmp_path / mode)
            try:
                result = import_files(fresh.engine, sorted(src.iterdir()), actor="t")
                assert result.problem_count == 0
                out = tmp_path / f"out-{mode}"
                export_all(fresh.engine, out, "csv")
                outputs.append({p.name: p.read_bytes() for p in out.iterdir()})
                with session_factory(fresh.engine)() as s:
                    audit = sorted(
                        (a.action, a.entity, a.record_key, json.dumps(a.after, sort_keys=True))
                        for a in s.execute(
                            select(m.AuditEntry).filter(
                                m.AuditEntry.entity.in_(["certificate", "certificate_event"])
                            )
                        ).scalars()
                    )
                outputs[-1]["audit"] = json.dumps(audit).encode()
            finally:
                fresh.drop()
        assert outputs[0] == outputs[1]

    def test_bad_row_in_bulk_chunk_names_its_line(
        self, loaded: TestDatabase, tmp_path: Path
    ) -> None:
        header = ["cab", "number", "kind", "organization", "standard", "issued_on"]
        org = "91440300000000000E"
        rows = [
            ["EX-CB-001", f"BULK-{i}", "ms_certificate", org, "ISO 9001", "2025-01-01"]
            for i in range(20)
        ]
        rows[13][3] = "NO-SUCH-ORG"
        path = write_csv(tmp_path / "certificates.csv", header, rows)
        before = count(loaded, m.Certificate)
        result = import_files(loaded.engine, [path], actor="test")
        assert [(p.line, p.field, p.rule) for p in result.problems] == [
            (15, "organization", "unknown_reference")
        ]
        assert count(loaded, m.Certificate) == before


def test_kind_order_does_not_depend_on_import_order() -> None:
    """The dependency order of kinds (import plan, export files, formats page) is the same
    whichever module a program happens to import first."""
    import subprocess
    import sys

    from accordia.importer.kind import ORDER

    code = (
        "import accordia.importer.kinds_cooperation, accordia.importer.kinds_arrangements\n"
        "import accordia.importer.run\n"
        "from accordia.importer.kind import ORDER; print(','.join(ORDER))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().split(",") == ORDER
