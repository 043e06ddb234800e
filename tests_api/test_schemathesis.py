"""The API answers as its OpenAPI schema says, for every operation and every role.

Schemathesis reads the schema the application serves at /api/schema/, generates
requests for each operation (valid ones and invalid ones) and sends them to the
WSGI application in-process, once per role. A test fails on

- ``not_a_server_error``: any 5xx answer;
- ``response_schema_conformance``: a documented answer whose body the schema does
  not allow (a null the schema does not declare nullable, ``""`` in a URI field,
  a list where a paginated object is declared…);
- ``content_type_conformance``: an answer in a media type the operation does not declare;
- ``response_headers_conformance``: a declared response header that is missing or malformed.

Not checked: ``status_code_conformance`` (the schema documents each operation's
successful answers; the shared error answers 400/401/403/404, described in
core/api.py, are not repeated on every operation) and the checks of what the API
should accept or refuse (``positive_data_acceptance``, ``negative_data_rejection``),
which are the API tests' business, not the schema's.

Bounded: at most ``MAX_EXAMPLES`` generated requests per operation and role, with
Schemathesis's coverage phase off (it generates every boundary case the schema
defines, however many, with no bound); scripts/api_fuzz.sh bounds the time.
"""

import pytest
import schemathesis
from django.core.cache import cache
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from tests_api.conftest import WSGI_APP, get_json
from tests_api.path_values import PathValues

MAX_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]
CONFIG = schemathesis.Config.from_dict(
    {
        # The same requests on every run: a failure can be replayed, CI is not flaky.
        "seed": 14,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {"coverage": {"enabled": False}},
        # Slow answers (PDFs, the whole directory) are no failure here.
        "suppress-health-check": ["too_slow"],
    }
)

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGI_APP, config=CONFIG)
PATH_VALUES = PathValues()


@pytest.fixture(scope="session", autouse=True)
def _known_path_values(auth_headers, django_db_blocker):
    with django_db_blocker.unblock():
        PATH_VALUES.collect(
            get=get_json, paths=schema.raw_schema["paths"], headers=list(auth_headers.values())
        )


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return PATH_VALUES.choose(context.operation.path, path_parameters)


def _checked_as(role):
    @pytest.mark.django_db
    @schema.parametrize()
    def test(case, auth_headers):
        # Rate limits (the token exchange's) count in the cache: the run's own
        # requests must not turn each other into 429s.
        cache.clear()
        case.call_and_validate(headers=auth_headers[role], checks=CHECKS)

    return test


test_as_anonymous = _checked_as("anonymous")
test_as_caseworker = _checked_as("caseworker")
test_as_provider_admin = _checked_as("provider_admin")
test_as_commissioner = _checked_as("commissioner")
