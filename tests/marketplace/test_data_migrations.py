"""Marketplace data migrations lose nothing: 0002 gives each existing alert a uuid of its
own (a shared default would break the unique index and stop the migration)."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from marketplace.models import Alert
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def test_alerts_made_before_uuids_each_get_their_own():
    person = UserFactory()
    try:
        migrate([("marketplace", "0001_initial")])
        with connection.cursor() as cursor:
            for key in ("a", "b", "c"):
                cursor.execute(
                    "INSERT INTO marketplace_alert (recipient_id, kind, key, message_zh, "
                    "message_en, url, created_at) VALUES (%s, 'tender_published', %s, '新', "
                    "'', '', CURRENT_TIMESTAMP)",
                    [person.pk, key],
                )
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    uuids = list(Alert.objects.filter(recipient=person).values_list("uuid", flat=True))
    assert len(uuids) == 3
    assert len(set(uuids)) == 3
    assert all(isinstance(value, uuid.UUID) for value in uuids)
