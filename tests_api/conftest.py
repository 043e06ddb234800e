"""Fixtures of the schemathesis run: the demo database `scripts/api_fuzz.sh` prepared,
the WSGI application in-process, and a token for each role."""

import os

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from werkzeug.test import Client

# The roles the API is checked as: nobody signed in, and one demo user of each kind
# of organization (README, "Demo logins").
ROLES = {
    "anonymous": None,
    "caseworker": "caseworker",
    "provider_admin": "ngo_admin",
    "commissioner": "commissioner",
}


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    """Use the database the script prepared (migrated, areas, demo data) instead of an
    empty test database: the API answers with real objects only where there are some."""
    if settings.SETTINGS_MODULE != "tests_api.settings":
        # Never run against another database (a developer's own db.sqlite3).
        pytest.exit("tests_api/ runs under tests_api.settings: use `make api-fuzz`.", returncode=2)
    with django_db_blocker.unblock():
        if not get_user_model().objects.filter(username__in=ROLES.values()).exists():
            pytest.exit(
                "The demo database is missing: run `make api-fuzz` "
                "(scripts/api_fuzz.sh prepares it).",
                returncode=2,
            )


def _in_process_app():
    """Django's WSGI application, called in-process (no server, no network). As in
    Django's own test client, a request does not close the database connection at
    its end: each test runs in a transaction that is rolled back afterwards."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    return get_wsgi_application()


WSGI_APP = _in_process_app()


def get_json(path: str, headers: dict) -> tuple[int, object]:
    """GET ``path`` from the application: the status and the decoded JSON, if any."""
    response = Client(WSGI_APP).get(path, headers=headers)
    body = response.json if response.mimetype == "application/json" else None
    return response.status_code, body


@pytest.fixture(scope="session")
def auth_headers(django_db_setup, django_db_blocker):
    """Request headers of each role, with a token from `POST /api/v1/auth/token/`
    (the way a client gets one), so the run does not depend on how tokens are stored."""
    password = os.environ.get("DEMO_PASSWORD") or settings.DEMO_PASSWORD_DEFAULT
    client = Client(WSGI_APP)
    headers = {}
    with django_db_blocker.unblock():
        for role, username in ROLES.items():
            if username is None:
                headers[role] = {}
                continue
            response = client.post(
                "/api/v1/auth/token/", json={"username": username, "password": password}
            )
            assert response.status_code == 200, (role, response.status_code, response.text)
            headers[role] = {"Authorization": f"Token {response.json['token']}"}
    return headers
