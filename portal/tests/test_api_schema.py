"""Schemathesis walks every operation of /api/schema/ as a stranger, a citizen, counter staff and
an agency officer, with valid and with invalid data, and runs every check it has (server errors,
status codes, content types, headers, response schemas, invalid data refused, valid data accepted …).

One test, one demo load: each operation gets a bounded number of generated requests
(SCHEMATHESIS_EXAMPLES, default 6) in each mode, derandomised so a failure reproduces, and each
request goes out as every role. A request is generated once for the four roles: drawing costs more
than sending (hypothesis drew 5,828 candidates for the 1,684 requests sent), and a run per role drew
the very same requests four times over.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from accounts.models import User
from accounts.services import api_token_issue
from portal.demo import DEMO_CITIZEN_ID
from portal.wsgi import application

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))


@pytest.fixture
def wsgi_in_test_transaction():
    """As Django's test client does: the request signals must not close the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def unlimited(settings):
    # Limits are tested elsewhere; here a 429 would only hide what lies behind it.
    settings.RATE_LIMITS = {scope: "100000/minute" for scope in settings.RATE_LIMITS}


def _exercise(operation, roles: dict[str, dict], mode) -> dict[str, BaseException]:
    """Each generated request, sent as every role and checked; returns each failing role's first
    failure. A role that failed is not asked again (one failure per role is reported), the others
    go on: every role's failure is reported, not only the first."""
    failed: dict[str, BaseException] = {}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        for role, headers in roles.items():
            if role in failed:
                continue
            try:
                response = case.call(headers=headers)
                case.validate_response(response, headers=headers)  # every check
            except (Exception, BaseExceptionGroup) as error:  # a FailureGroup: every failed check
                failed[role] = error

    run()
    return failed


def test_the_schema_validates_and_every_operation_keeps_to_it(demo, unlimited, wsgi_in_test_transaction):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    roles = {"anonymous": {}}
    for name, username in (
        ("citizen", DEMO_CITIZEN_ID),
        ("staff", "canbo.caugiay"),
        ("officer", "chuyenvien.hotich"),
    ):
        _token, key = api_token_issue(kind="user", user=User.objects.get(username=username))
        roles[name] = {"Authorization": f"Bearer {key}"}
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                failed = _exercise(operation, roles, mode)
            except Unsatisfiable:
                continue  # no invalid request exists (a slug path takes any string): nothing to send
            for role, error in failed.items():
                failures.append(f"{operation.label} as {role} ({mode.value}): {error}")
    assert operations >= 20
    assert not failures, "\n\n".join(failures)
