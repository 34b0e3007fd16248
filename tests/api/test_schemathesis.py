"""Fuzz every route of the OpenAPI description with schemathesis: no input may cause a 500."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from tests.api.conftest import ApiClient

# Small per operation: there are ~100 operations, and each example is a full request.
EXAMPLES_PER_OPERATION = 5


def _operations(schema, mode: GenerationMode):
    for result in schema.get_all_operations():
        operation = result.ok()
        # Path and query parameters are all strings: only request bodies can be made invalid.
        if mode == GenerationMode.NEGATIVE and not list(operation.body):
            continue
        yield operation


@pytest.fixture
def keep_test_connection():
    """Keep the test transaction's connection open across WSGI requests, as Django's client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("keep_test_connection")
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_request_causes_a_server_error(users, items, mode):
    auth = {"Authorization": ApiClient(users["purchaser"]).headers["Authorization"]}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler(), headers=auth)
    operations = list(_operations(schema, mode))
    assert len(operations) > (50 if mode == GenerationMode.POSITIVE else 20)
    failures: list[str] = []
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers=auth)
            case.validate_response(response, checks=[not_a_server_error])

        try:
            run()
        except Exception as exc:  # collect all failing operations, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:800]}")
    assert not failures, "\n\n".join(failures)
