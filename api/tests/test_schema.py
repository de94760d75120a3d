"""The committed OpenAPI document matches the API, and the API matches its document."""

import datetime as dt
import json
from pathlib import Path

import pytest
import schemathesis
import time_machine
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

OPEN_MONDAY = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 10:00 in Samarinda
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "openapi.json"
REGENERATE = (
    ".venv/bin/pustaka export_openapi_schema --api api.urls.api "
    "--output api/openapi.json --indent 2 --sorted"
)


def test_committed_openapi_document_is_up_to_date(tmp_path):
    out = tmp_path / "openapi.json"
    call_command(
        "export_openapi_schema", api="api.urls.api", output=str(out), indent=2, sorted=True
    )
    current = json.loads(out.read_text())
    committed = json.loads(SCHEMA_FILE.read_text())
    assert current == committed, f"The API changed: regenerate with `{REGENERATE}` and commit."


def test_openapi_document_is_served(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Pustaka API"


def _wsgi_schema():
    """The committed document (kept equal to the live one by the test above), called in-process."""
    from config.wsgi import application

    loaded = schemathesis.openapi.from_path(SCHEMA_FILE)
    loaded.app = application
    loaded.location = "/api/openapi.json"
    return loaded


schema = _wsgi_schema()


@pytest.fixture
def _keep_test_connection():
    """Calls go straight to the WSGI app, which closes database connections at the end of a
    request; Django's own test client stops that, and so do we, for the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, library, _keep_test_connection):
    """Property-based: every operation, with generated input, answers as documented. At a
    fixed moment when the branches are open (a Monday morning in the library's time zone), so
    that today's opening hours are in the answers whatever the day the suite runs."""
    with time_machine.travel(OPEN_MONDAY, tick=True):
        # The in-process WSGI client does not undo gzip; ask for plain bodies.
        case.call_and_validate(headers={"Accept-Encoding": "identity"})


def test_every_endpoint_that_reads_a_body_documents_the_unreadable_body_answer():
    """A body that is not JSON is answered 400 `unreadable_body` (api.urls); the schema says so
    wherever a body is read, so a client generated from it handles the answer."""
    import json
    from pathlib import Path

    schema = json.loads((Path(__file__).resolve().parents[1] / "openapi.json").read_text())
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation and "400" not in operation["responses"]
    ]
    assert missing == []
