"""Nobody can empty the audit log: not the application's role, not a superuser (issue #14).

On PostgreSQL the audit table's triggers refuse UPDATE, DELETE and TRUNCATE to
everyone. The application connects as a role set up as the README's
deployment section says, which owns nothing and may only read and append to
the audit log, so it cannot switch the triggers off either; ``manage.py
check_database_role`` verifies that setup. Each test makes a throwaway role
inside its own transaction and acts as it with ``SET LOCAL ROLE``; the
rollback at the end of the test removes both.
"""

import re
import secrets
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from core.audit import record_security
from core.database_role import TRUNCATE_TRIGGER
from core.models import AuditEvent
from tests.test_settings import BASE_DIR

pytestmark = pytest.mark.django_db

INSUFFICIENT_PRIVILEGE = "42501"
README_ROLE = "socialservices_app"


def readme_grants() -> list[str]:
    """The statements the README runs after each migrate, one by one."""
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", readme, re.DOTALL)
    (grants,) = [block for block in blocks if "REVOKE UPDATE, DELETE, TRUNCATE" in block]
    without_comments = "\n".join(
        line for line in grants.splitlines() if not line.lstrip().startswith("--")
    )
    return [statement.strip() for statement in without_comments.split(";") if statement.strip()]


def execute(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def event(on_postgres):
    return record_security(action="auth.login_failed", details={"username": "someone"})


@pytest.fixture
def app_role(on_postgres):
    """A login role with exactly the README's grants; acts as it with ``act_as``."""
    name = f"sc_app_test_{secrets.token_hex(4)}"
    execute(
        f"CREATE ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    )
    execute(f"GRANT USAGE ON SCHEMA public TO {name}")
    for statement in readme_grants():
        execute(statement.replace(README_ROLE, name))
    return name


def act_as(role: str) -> None:
    # LOCAL: until the end of the test's transaction, which is rolled back.
    execute(f"SET LOCAL ROLE {role}")


def refusal(sql: str, params=None) -> DatabaseError:
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        execute(sql, params)
    return caught.value


def run_check() -> str:
    out = StringIO()
    try:
        call_command("check_database_role", stdout=out)
    except CommandError as error:
        return f"{out.getvalue()}\nERROR: {error}"
    return out.getvalue()


# --- the database refuses ---------------------------------------------------------

TAMPERING = {
    "UPDATE": "UPDATE core_auditevent SET action = 'tampered' WHERE id = %s",
    "DELETE": "DELETE FROM core_auditevent WHERE id = %s",
    "TRUNCATE": "TRUNCATE core_auditevent",
    "TRUNCATE CASCADE": "TRUNCATE core_auditevent CASCADE",
    "switch triggers off": "SET session_replication_role = replica",
    "disable a trigger": "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only",
    "drop a trigger": "DROP TRIGGER core_auditevent_no_truncate ON core_auditevent",
}


@pytest.mark.postgres
@pytest.mark.parametrize("how", TAMPERING)
def test_the_application_role_cannot_change_empty_or_unprotect_the_audit_log(how, event, app_role):
    act_as(app_role)

    error = refusal(TAMPERING[how], [event.pk] if "%s" in TAMPERING[how] else None)

    assert error.__cause__.sqlstate == INSUFFICIENT_PRIVILEGE
    # Refused by the role's privileges, before any trigger is reached.
    assert "permission denied" in str(error) or "must be owner" in str(error)
    assert AuditEvent.objects.get(pk=event.pk).action == "auth.login_failed"


@pytest.mark.postgres
def test_the_application_role_can_still_read_and_append_to_the_audit_log(event, app_role):
    act_as(app_role)

    appended = record_security(action="auth.login")

    assert set(AuditEvent.objects.values_list("pk", flat=True)) >= {event.pk, appended.pk}


@pytest.mark.postgres
def test_even_a_superuser_cannot_truncate_the_audit_log(event):
    # The suite connects as the superuser postgres: only the trigger stands in the way.
    error = refusal("TRUNCATE core_auditevent CASCADE")

    assert error.__cause__.sqlstate == INSUFFICIENT_PRIVILEGE
    assert "core_auditevent is append-only: TRUNCATE refused" in str(error)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_the_test_suites_flush_leaves_the_truncate_trigger_on(event):
    # Tests that commit end with a flush that must get past the trigger
    # (tests/testapp/management/commands/flush.py) and switch it on again.
    call_command(
        "flush", interactive=False, inhibit_post_migrate=True, allow_cascade=True, verbosity=0
    )

    assert not AuditEvent.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = %s", [TRUNCATE_TRIGGER])
        assert cursor.fetchone() == ("O",)
    record_security(action="auth.login")
    assert "TRUNCATE refused" in str(refusal("TRUNCATE core_auditevent"))


# --- manage.py check_database_role -----------------------------------------------


@pytest.mark.postgres
def test_the_check_passes_for_a_role_set_up_as_the_readme_says(app_role):
    act_as(app_role)

    report = run_check()

    assert "ERROR" not in report, report
    assert "FAILED" not in report
    assert report.count("ok ") == 6
    assert f"{app_role}@" in report
    assert "Cannot SET session_replication_role = replica." in report


@pytest.mark.postgres
def test_the_check_fails_for_a_superuser_as_in_ci(on_postgres):
    report = run_check()

    assert "ERROR: " in report
    assert "SUPERUSER" in report
    assert "may SET session_replication_role = replica" in report
    assert "Audit table core_auditevent: it may UPDATE, DELETE, TRUNCATE, TRIGGER it" in report


@pytest.mark.postgres
def test_the_check_fails_for_the_owner_of_the_audit_table(app_role):
    # As when the application's own role ran the migrations.
    execute(f"ALTER TABLE core_auditevent OWNER TO {app_role}")
    act_as(app_role)

    report = run_check()

    assert "ERROR: " in report
    failures = [line for line in report.splitlines() if "FAILED" in line]
    assert any("owns" in line and "public.core_auditevent" in line for line in failures), report
    assert "SUPERUSER" not in report


@pytest.mark.postgres
def test_the_check_fails_for_the_owner_of_the_database(app_role):
    # A database owner could drop the whole database, and owns its public schema.
    execute(f"ALTER DATABASE {connection.settings_dict['NAME']} OWNER TO {app_role}")
    act_as(app_role)

    report = run_check()

    failures = [line for line in report.splitlines() if "FAILED" in line]
    assert len(failures) == 1, report
    assert "The role owns the database, the schemas public:" in failures[0]


@pytest.mark.postgres
def test_the_check_fails_when_the_audit_table_grant_was_not_revoked(app_role):
    execute(f"GRANT UPDATE, DELETE ON core_auditevent TO {app_role}")
    act_as(app_role)

    report = run_check()

    failures = [line for line in report.splitlines() if "FAILED" in line]
    assert len(failures) == 1, report
    assert "Audit table core_auditevent: it may UPDATE, DELETE it (revoke that)." in failures[0]
    assert "ERROR: 1 of 6 checks failed" in report


@pytest.mark.postgres
def test_the_check_fails_when_a_trigger_was_disabled(app_role):
    execute(f"ALTER TABLE core_auditevent DISABLE TRIGGER {TRUNCATE_TRIGGER}")
    act_as(app_role)

    report = run_check()

    assert f"The audit triggers {TRUNCATE_TRIGGER} are missing or disabled" in report
    assert "ERROR: 1 of 6 checks failed" in report


def test_the_check_explains_that_it_needs_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("checks what happens on SQLite")

    with pytest.raises(CommandError, match="PostgreSQL role"):
        call_command("check_database_role")
