"""Every operation in the OpenAPI spec, fed requests generated from it (schemathesis),
answers without a server error.

Generated from the spec: valid and invalid bodies, parameters and headers, sent with an
admin key so that the requests reach the endpoints instead of stopping at 401. The run
is derandomized (the same cases every time), so a failure here is a failure on CI too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi

from tests.factories import api_key
from trustfair.api.app import create_app
from trustfair.pipeline.registry import build_registry
from trustfair.settings import Settings
from trustfair.store.database import Store

EXAMPLES_PER_OPERATION = int(os.environ.get("TRUSTFAIR_FUZZ_EXAMPLES", "50"))
"""Per operation and mode: enough to reach past validation into each endpoint, and the
file runs in about 20 s. Set TRUSTFAIR_FUZZ_EXAMPLES=1000 for a deeper look."""


@pytest.fixture(scope="module")
def fuzzed_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    store = Store.open(f"sqlite:///{path}")
    yield store
    store.close()


@pytest.fixture(scope="module")
def fuzzed_app(fuzzed_store: Store) -> Iterator[FastAPI]:
    app = create_app(fuzzed_store, build_registry(Settings()), access_log=False)
    yield app
    # schemathesis starts the app's lifespan on its first call and keeps it running;
    # stop it (and the group committer with it) while the store is still open.
    asgi.shutdown_lifespans()


@pytest.fixture(scope="module")
def admin_headers(fuzzed_store: Store) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key(fuzzed_store, 'admin')}"}


@pytest.fixture(scope="module")
def api_schema(fuzzed_app: FastAPI):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)


def fuzz(operation, mode: GenerationMode, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Send ``operation`` the cases ``mode`` generates; the first 5xx fails it (shrunk
    to a small example, which the message shows as a curl command)."""

    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def send(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(headers=dict(headers))  # a copy: call() adds to the dict
        case.validate_response(response, checks=[not_a_server_error])
        # schemathesis' headers: lower-case names, each with a list of values.
        assert response.headers.get("x-request-id"), "every answer carries its request id"

    send()


# schemathesis' own pytest integration (schemathesis.pytest.from_fixture) fails on
# pytest 9.2 (it sets a node attribute pytest no longer has), and the spec is only known
# once an app with a store exists: the operations are fuzzed here, one after another.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_operation_answers_with_a_server_error(api_schema, admin_headers, mode) -> None:  # type: ignore[no-untyped-def]
    failures: list[Exception] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:
        try:
            fuzz(operation, mode, admin_headers)
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing to get wrong: no parameters
        except Exception as exc:  # each operation's failure, not just the first one's
            exc.add_note(f"operation: {operation.label} ({mode.value} cases)")
            failures.append(exc)
    if failures:  # pytest shows each with its traceback and a curl command to reproduce it
        raise ExceptionGroup(f"{len(failures)} operation(s) failed", failures)
