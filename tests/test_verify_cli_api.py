"""``accordia verify`` (single and batch), the reverse-question commands and the API."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

import accordia.examples as examples
from accordia.app import create_app
from accordia.cli import app
from accordia.importer.run import import_files
from accordia.services.batch import COLUMNS

DATA = Path(__file__).parent / "data" / "verify"
runner = CliRunner()

VERDICT_KEYS = {
    "query",
    "outcome",
    "certificate",
    "valid",
    "recognized",
    "failed_link",
    "links",
    "path",
    "candidates",
    "coverage",
}


@pytest.fixture(scope="module")
def world(db):  # type: ignore[no-untyped-def]
    for files in (sorted(Path(examples.__path__[0]).glob("*.csv")), sorted(DATA.glob("*.csv"))):
        assert import_files(db.engine, files, actor="test").problem_count == 0
    return db


@pytest.fixture()
def cli(world, use_db):  # type: ignore[no-untyped-def]
    return use_db


@pytest.fixture(scope="module")
def client(world):  # type: ignore[no-untyped-def]
    with TestClient(create_app(engine=world.engine)) as c:
        yield c


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["EXQ-2024-0001", "--on", "2025-06-01"], 0),
        (["EXQ-2024-0001", "--market", "exm", "--on", "2025-06-01"], 0),
        (["EXQ-2024-0001", "--market", "EXN", "--on", "2025-06-01"], 1),
        (["VS-EXPIRES", "--on", "2025-07-01"], 1),
        (["VS-ACCW", "--on", "2025-06-01"], 0),  # valid; recognition not asked without a market
        (["VS-ACCW", "--market", "EXM", "--on", "2025-06-01"], 1),
        (["VS-NONE", "--issuer", "NO-SUCH-CB", "--on", "2025-06-01"], 2),
        (["VS-DUP", "--on", "2025-06-01"], 2),
        (["VS-DUP", "--issuer", "EX-CB-001", "--on", "2025-06-01"], 0),
        (["EXQ-2024-0001", "--on", "2025-13-01"], 64),
        (["EXQ-2024-0001", "--lang", "fr"], 64),
        (["EXQ-2024-0001", "--market", "ZZ"], 64),
        (["EXQ-2024-0001", "--bogus"], 64),
        ([], 64),
    ],
)
def test_exit_codes(cli, args, code):  # type: ignore[no-untyped-def]
    result = run("verify", *args)
    assert result.exit_code == code, result.output
    if code == 64:
        assert result.stderr.strip()


def test_json_shape(cli):  # type: ignore[no-untyped-def]
    result = run("verify", "VS-ACCW", "--market", "EXM", "--on", "2025-06-01", "--json")
    assert result.exit_code == 1
    d = json.loads(result.stdout)
    assert set(d) == VERDICT_KEYS
    assert d["query"] == {"number": "VS-ACCW", "issuer": None, "market": "EXM", "on": "2025-06-01"}
    assert (d["valid"], d["recognized"], d["failed_link"]) == (True, False, "accreditation")
    assert [x["link"] for x in d["links"]] == [
        "certificate",
        "accreditation",
        "arrangement",
        "market",
    ]
    for link in d["links"]:
        assert set(link) == {"link", "status", "reason", "evidence"}
        assert set(link["reason"]) == {"zh", "en"}


def test_human_output_both_languages(cli):  # type: ignore[no-untyped-def]
    en = run("verify", "VS-ACCW", "--market", "EXM", "--on", "2025-06-01").stdout
    assert "NOT RECOGNIZED in EXM" in en and "failed link: accreditation" in en
    assert "✗ accreditation" in en and "FAILED LINK" in en and "✓ certificate" in en
    assert "evidence:" in en and "withdrawn" in en
    zh = run("verify", "VS-ACCW", "--market", "EXM", "--on", "2025-06-01", "--lang", "zh").stdout
    assert "失败环节：认可" in zh and "依据" in zh and "撤销" in zh
    amb = run("verify", "VS-DUP", "--on", "2025-06-01").stdout
    assert "AMBIGUOUS" in amb and "EX-CB-001" in amb and "EX-CB-W" in amb


def _write_list(path: Path) -> Path:
    path.write_text(
        "number,issuer,market\n"
        "EXQ-2024-0001,,\n"
        "VS-ACCW,,\n"
        ",EX-CB-001,\n"
        "VS-DUP,,\n"
        "EXT-2025-0001,,NZ\n"
        "VS-NONE,NO-SUCH-CB,\n"
        "EXQ-2024-0001,,ZZ\n",
        encoding="utf-8",
    )
    return path


EXPECTED = [
    ("EXQ-2024-0001", "found", "true", "true", ""),
    ("VS-ACCW", "found", "true", "false", "accreditation"),
    ("", "invalid_row", "", "", ""),
    ("VS-DUP", "ambiguous", "", "", ""),
    ("EXT-2025-0001", "found", "true", "true", ""),
    ("VS-NONE", "not_found", "", "", ""),
    ("EXQ-2024-0001", "invalid_row", "", "", ""),
]


def _summary(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
    return [
        (r["number"], r["outcome"], r["valid"], r["recognized"], r["failed_link"]) for r in rows
    ]


def test_batch_cli_csv(cli, tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "report.csv"
    src = _write_list(tmp_path / "suppliers.csv")
    result = run(
        "verify", "--batch", str(src), "--market", "EXM", "--on", "2025-06-01",
        "--out", str(out), "--no-progress",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == list(COLUMNS)
    assert _summary(rows) == EXPECTED
    assert rows[1]["holder_en"].startswith("Shenzhen Example")
    assert rows[1]["issuer_name_zh"] == "示例认证二号有限公司"
    assert "withdrawn" in rows[1]["reason_en"] and rows[1]["reason_zh"]
    assert rows[2]["reason_en"] == "no certificate number"
    assert rows[4]["market"] == "NZ" and rows[0]["market"] == "EXM"
    assert "ZZ" in rows[6]["reason_en"]
    assert "7 rows" in result.stdout


def test_batch_cli_usage(cli, tmp_path):  # type: ignore[no-untyped-def]
    src = _write_list(tmp_path / "suppliers.csv")
    assert run("verify", "--batch", str(src), "--market", "EXM").exit_code == 64  # no --out
    assert run("verify", "--batch", str(src), "--out", str(tmp_path / "x.pdf")).exit_code == 64
    bad = tmp_path / "bad.csv"
    bad.write_text("cert,issuer\nX,Y\n", encoding="utf-8")
    assert run("verify", "--batch", str(bad), "--out", str(tmp_path / "o.csv")).exit_code == 2


def test_reverse_cli(cli):  # type: ignore[no-untyped-def]
    r = run(
        "recognized", "--organization", "91440300000000000E", "--market", "EXM",
        "--on", "2025-06-01", "--json",
    )  # fmt: skip
    assert r.exit_code == 0
    d = json.loads(r.stdout)
    assert "EXQ-2024-0001" in {x["number"] for x in d["recognized"]}
    assert run("recognized", "--organization", "NOPE", "--market", "EXM").exit_code == 2
    e = run(
        "eligible-cabs", "--standard", "ISO 9001", "--sector", "19", "--market", "EXM",
        "--on", "2025-09-01",
    )  # fmt: skip
    assert e.exit_code == 0 and "EX-CB-001" in e.stdout and "EX-CB-W" not in e.stdout
    assert run("eligible-cabs", "--standard", "ISO 9001", "--market", "ZZ").exit_code == 64


def test_api_verify(client):  # type: ignore[no-untyped-def]
    params = {"number": "VS-ACCW", "market": "EXM", "on": "2025-06-01"}
    r = client.get("/api/v1/verify", params=params)
    assert r.status_code == 200
    d = r.json()
    assert set(d) == VERDICT_KEYS and d["failed_link"] == "accreditation"
    nf = client.get("/api/v1/verify", params={"number": "VS-NONE", "issuer": "NO-SUCH-CB"})
    assert nf.status_code == 200 and nf.json()["outcome"] == "not_found"
    assert nf.json()["coverage"]["submits"] is False


def test_api_verdict_is_the_documented_model_and_the_cli_json(client, cli):  # type: ignore[no-untyped-def]
    """The endpoint serialises Verdict.to_dict() itself (no second validation on the hot path):
    what it sends must still validate against the VerdictModel of the OpenAPI schema, and be
    exactly what ``accordia verify --json`` prints, for every outcome."""
    from accordia.api.verify import VerdictModel

    for params in (
        {"number": "VS-ACCW", "market": "EXM", "on": "2025-06-01"},
        {"number": "vs accw", "on": "2025-06-01"},
        {"number": "VS-DUP", "on": "2025-06-01"},
        {"number": "VS-DUP", "issuer": "EX-CB-001", "market": "exm", "on": "2025-06-01"},
        {"number": "VS-NONE", "issuer": "EX-CB-001", "on": "2025-06-01"},
    ):
        r = client.get("/api/v1/verify", params=params)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        VerdictModel.model_validate(r.json())
        args = [params["number"], "--on", params["on"], "--json"]
        for opt in ("issuer", "market"):
            if opt in params:
                args += [f"--{opt}", params[opt]]
        assert json.loads(run("verify", *args).stdout) == r.json(), params


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"number": "X", "on": "2025-13-01"}, "on"),
        ({"number": "X", "market": "ZZ"}, "market"),
        ({}, "number"),
    ],
)
def test_api_422_shape(client, params, field):  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/verify", params=params)
    assert r.status_code == 422
    err = r.json()["error"]
    assert set(err) == {"code", "message", "field"} and err["field"] == field


def test_api_batch_upload_csv_and_xlsx(client, tmp_path):  # type: ignore[no-untyped-def]
    src = _write_list(tmp_path / "suppliers.csv")
    upload = {"file": ("suppliers.csv", src.read_bytes(), "text/csv")}
    form = {"market": "EXM", "on": "2025-06-01", "format": "csv"}
    r = client.post("/api/v1/verify/batch", files=upload, data=form)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="verdicts-2025-06-01.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert _summary(rows) == EXPECTED
    x = client.post("/api/v1/verify/batch", files=upload, data={**form, "format": "xlsx"})
    assert x.status_code == 200
    assert x.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert x.headers["content-disposition"].endswith('.xlsx"')
    ws = load_workbook(io.BytesIO(x.content), read_only=True).worksheets[0]
    table = list(ws.iter_rows(values_only=True))
    assert table[0] == COLUMNS and len(table) == 8
    assert table[2][4:8] == ("found", True, False, "accreditation")


def test_api_batch_json_body(client):  # type: ignore[no-untyped-def]
    body = {
        "rows": [{"number": "EXQ-2024-0001"}, {"number": "VS-ACCW"}, {"issuer": "X"}],
        "market": "EXM",
        "on": "2025-06-01",
        "format": "json",
    }
    r = client.post("/api/v1/verify/batch", json=body)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert [(x["number"], x["outcome"], x["recognized"]) for x in r.json()] == [
        ("EXQ-2024-0001", "found", True),
        ("VS-ACCW", "found", False),
        ("", "invalid_row", None),
    ]
    bad = client.post("/api/v1/verify/batch", json={**body, "market": "ZZ"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "market"


def test_api_batch_limit(client):  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/v1/verify/batch", json={"rows": [{"number": "A"}] * 100_001, "format": "csv"}
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_many_rows"
    big = "number\n" + "A\n" * 100_001
    r = client.post(
        "/api/v1/verify/batch",
        files={"file": ("big.csv", big.encode(), "text/csv")},
        data={"format": "csv"},
    )
    assert r.status_code == 413 and set(r.json()["error"]) == {"code", "message", "field"}


def test_api_reverse_questions(client):  # type: ignore[no-untyped-def]
    params = {"organization": "91440300000000000E", "market": "EXM", "on": "2025-06-01"}
    r = client.get("/api/v1/recognized-certificates", params=params)
    assert r.status_code == 200
    assert "EXQ-2024-0001" in {x["number"] for x in r.json()["recognized"]}
    missing = {"organization": "NOPE", "market": "EXM"}
    assert client.get("/api/v1/recognized-certificates", params=missing).status_code == 404
    q = {"standard": "ISO 9001", "sector": "19", "market": "EXM", "on": "2025-09-01"}
    e = client.get("/api/v1/eligible-cabs", params=q)
    assert e.status_code == 200
    cabs = {x["cab"] for x in e.json()["eligible"]}
    assert "EX-CB-001" in cabs and "EX-CB-W" not in cabs
    bad = client.get("/api/v1/eligible-cabs", params={"standard": "ISO 9001", "market": "ZZ"})
    assert bad.status_code == 422
    schema = client.get("/api/v1/openapi.json").json()
    assert "VerdictModel" in schema["components"]["schemas"]
