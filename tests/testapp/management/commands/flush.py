"""``flush`` for the test suite: empties the audit table too, on PostgreSQL.

Tests that commit (``transaction=True``) end with a flush, which TRUNCATEs every
table, and the audit table refuses TRUNCATE to everyone (core migration 0004).
The test database belongs to the role the suite connects as, so, as only an
owner can, this flush switches that one trigger off inside its own transaction
and on again before it commits. The application's role in production owns no
table and cannot do this (``manage.py check_database_role``).
"""

from django.core.management.commands import flush
from django.db import connections, transaction

from core.database_role import TRUNCATE_TRIGGER
from core.models import AuditEvent


def _has_truncate_trigger(connection) -> bool:
    # Absent while a test has migrated core back before 0004.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = to_regclass(%s)",
            [TRUNCATE_TRIGGER, AuditEvent._meta.db_table],
        )
        return cursor.fetchone() is not None


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql" or not _has_truncate_trigger(connection):
            return super().handle(**options)
        table = connection.ops.quote_name(AuditEvent._meta.db_table)
        trigger = connection.ops.quote_name(TRUNCATE_TRIGGER)
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
            super().handle(**options)
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
