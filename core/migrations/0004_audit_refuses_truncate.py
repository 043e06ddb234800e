"""Refuse TRUNCATE of the audit table too, on PostgreSQL.

0002 refuses UPDATE and DELETE row by row; TRUNCATE fires no row trigger and
empties the table at once, so a statement-level trigger refuses it, whoever
connects, the table's owner and a superuser included. Only the owner or a
superuser can switch the triggers off, which is why the application connects
as a role that is neither (README, "Deploying on PostgreSQL and Redis with
gunicorn"; ``manage.py check_database_role``). SQLite has no TRUNCATE.
"""

from django.db import migrations

PG_FORWARD = """
CREATE TRIGGER core_auditevent_no_truncate
    BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_refuse_change();
"""
PG_BACKWARD = "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_calendar_days")]
    operations = [migrations.RunPython(forward, backward)]
