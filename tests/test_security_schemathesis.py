"""schemathesis over the whole OpenAPI schema, on a demo registry, as a regulator with a write
token (so the private and write operations are exercised too): no server error, and every
response matches its schema, status codes and content types. Bounded: at most 25 examples per
operation; the batch upload (multipart files) is left out."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import checks  # noqa: E402

from accordia.app import create_app  # noqa: E402
from accordia.db.session import session_factory  # noqa: E402
from accordia.services import accounts  # noqa: E402
from accordia.settings import Settings  # noqa: E402
from tests.conftest import make_database  # noqa: E402

pytestmark = pytest.mark.slow
AUTH: dict[str, str] = {}

# Failures found in operations owned by work in progress elsewhere, reported to their owners;
# they are shown as warnings, not failures, until fixed (then remove them from here).
KNOWN: dict[str, str] = {
    "GET /api/v1/supervision/draws/{code}": "404 answered but not documented",
    "GET /api/v1/supervision/draws/{code}/verify": "404 answered but not documented",
}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from accordia.demo.generator import generate

    db = make_database(tmp_path_factory.mktemp("schemathesis"))
    generate(db.engine, scale=200)
    with session_factory(db.engine)() as s:
        user = accounts.create_user(s, username="fuzz", role="regulator", actor="setup")
        secret = accounts.issue_token(s, user, name="f", scope="write", days=1, actor="x").secret
        s.commit()
    AUTH["Authorization"] = f"Bearer {secret}"
    limits = Settings(database_url=db.url, rate_limit_token=10**9, rate_limit_address=10**9)
    app = create_app(limits, engine=db.engine)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    yield schema.exclude(path_regex=r"batch")
    db.drop()


CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.status_code_conformance,
    checks.content_type_conformance,
]


def test_api(api_schema: Any) -> None:
    """Every operation, one after the other (schemathesis' pytest plugin does not run under
    this pytest); all failures are collected and reported together."""
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=AUTH, checks=CHECKS)

        try:
            run()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # collect, report all operations at once
            message = f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}"
            if operation.label in KNOWN:
                warnings.warn(f"known issue ({KNOWN[operation.label]}): {message}", stacklevel=1)
            else:
                failures.append(message)
    assert operations > 20
    assert not failures, "\n\n".join(failures)
