"""Fixtures shared by the whole suite."""

import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://… (CI does)")


@pytest.fixture(scope="session", autouse=True)
def _restore_migrated_rows(django_db_setup, django_db_blocker):
    """Put back, at the end of the run, the rows that data migrations made.

    Tests that need committed data (``transaction=True``: browser journeys, races
    between transactions) end with a flush that also empties what data
    migrations loaded (need categories, home pages…). pytest-django runs them
    after all other database tests, but ``--reuse-db`` would carry the emptied
    database into the next run. So take a snapshot first and restore it last.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    name = str(connection.settings_dict["NAME"])
    if not (name.startswith("test_") or "memory" in name):
        # Never flush a database that is not a test database (a developer's own).
        yield
        return
    with django_db_blocker.unblock():
        snapshot = connection.creation.serialize_db_to_string()
    yield
    with django_db_blocker.unblock():
        call_command(
            "flush",
            database=DEFAULT_DB_ALIAS,
            interactive=False,
            inhibit_post_migrate=True,
            reset_sequences=False,
            verbosity=0,
        )
        _load_snapshot(connection, snapshot)


def _load_snapshot(connection, snapshot: str) -> None:
    # Content types first: Wagtail's Page and Task look theirs up while being
    # loaded and would otherwise create duplicates of rows still to come.
    records = sorted(json.loads(snapshot), key=lambda r: r["model"] != "contenttypes.contenttype")
    ContentType.objects.clear_cache()
    connection.creation.deserialize_db_from_string(json.dumps(records))
    ContentType.objects.clear_cache()
    # The rows come back with their ids: move the sequences past them (PostgreSQL).
    models = apps.get_models(include_auto_created=True)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


@pytest.fixture(autouse=True)
def _english_messages_outside_requests():
    """Service messages are asserted in English; requests still pick their language
    through LocaleMiddleware (tests of Chinese pages send Accept-Language)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate limits and throttles count per test,
    also on Redis, where the cache outlives the test run."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def pudong():
    """The district most tests place people and sites in; a test module may define its own."""
    from tests.factories.places import shanghai_district

    return shanghai_district()


@pytest.fixture
def fake_geocoder(monkeypatch, pudong):
    """Replace the geocoder: addresses in 浦东新区 resolve to the district, others are not found.

    Code under test calls ``places.geocoding.geocode`` through the module, so
    replacing the module's function is enough, and no test parses addresses.
    The ``pudong`` it answers with is the test module's own when it has one.
    """
    from places import geocoding

    def geocode(address):
        if "浦东新区" in (address or ""):
            return geocoding.GeocodeResult(
                found=True,
                area=pudong,
                latitude=Decimal("31.221517"),
                longitude=Decimal("121.544379"),
                precision=geocoding.Precision.DISTRICT,
            )
        return geocoding.not_found(geocoding.ADDRESS_NOT_FOUND)

    monkeypatch.setattr(geocoding, "geocode", geocode)
