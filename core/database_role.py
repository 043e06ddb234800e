"""Whether the role the application connects as could empty or rewrite the audit log.

The audit table's triggers (core migrations 0002 and 0004) refuse UPDATE,
DELETE and TRUNCATE to everyone, but a superuser can switch every trigger off
for a session (``SET session_replication_role = replica``) and the table's
owner can drop or disable them. So in production the application connects as
a role that is neither: it owns no table, view, sequence or schema, has no
superuser-like attribute, and holds only SELECT and INSERT on the audit table;
migrations run as the owner. ``manage.py check_database_role`` runs these
checks on the configured connection (README, "Deploying on PostgreSQL and
Redis with gunicorn").
"""

from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from core.models import AuditEvent

# The triggers of migrations 0002 (UPDATE and DELETE of rows) and 0004 (TRUNCATE).
ROW_TRIGGER = "core_auditevent_append_only"
TRUNCATE_TRIGGER = "core_auditevent_no_truncate"
AUDIT_TRIGGERS = (ROW_TRIGGER, TRUNCATE_TRIGGER)
# Role attributes that let a role around triggers or privileges: a superuser
# ignores both, BYPASSRLS skips row security, REPLICATION streams and applies
# changes, CREATEROLE (PostgreSQL 15 and earlier) can grant itself any
# non-superuser role, the table owner's included. In the order _attributes selects them.
DANGEROUS_ATTRIBUTES = {
    "rolsuper": "SUPERUSER",
    "rolbypassrls": "BYPASSRLS",
    "rolreplication": "REPLICATION",
    "rolcreaterole": "CREATEROLE",
}
AUDIT_PRIVILEGES_NEEDED = ("SELECT", "INSERT")
AUDIT_PRIVILEGES_REFUSED = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER")
# At most this many object names are quoted in a finding; the count is exact.
_NAMES_SHOWN = 5


@dataclass(frozen=True)
class Finding:
    """One thing checked: whether it holds, and what was found, in words."""

    ok: bool
    message: str


def _names(rows) -> str:
    names = [".".join(row) for row in rows[:_NAMES_SHOWN]]
    if len(rows) > _NAMES_SHOWN:
        names.append(_("and %(count)d more") % {"count": len(rows) - _NAMES_SHOWN})
    return ", ".join(names)


def _attributes(cursor) -> Finding:
    # pg_has_role(..., 'MEMBER'): the role itself and every role it can SET ROLE to.
    cursor.execute(
        """
        SELECT rolname, rolsuper, rolbypassrls, rolreplication, rolcreaterole FROM pg_roles
        WHERE pg_has_role(current_user, oid, 'MEMBER') ORDER BY rolname
        """
    )
    found = []
    for rolname, *flags in cursor.fetchall():
        attributes = [
            label for label, flag in zip(DANGEROUS_ATTRIBUTES.values(), flags, strict=True) if flag
        ]
        if attributes:
            found.append(f"{rolname} ({', '.join(attributes)})")
    if found:
        return Finding(
            False,
            _(
                "The role is, or can become, a role with SUPERUSER, BYPASSRLS, REPLICATION "
                "or CREATEROLE: %(roles)s. Connect as a role with none of them."
            )
            % {"roles": ", ".join(found)},
        )
    return Finding(True, _("Not a superuser; no BYPASSRLS, REPLICATION or CREATEROLE."))


def _owned_relations(cursor, audit_table: str) -> Finding:
    # Schemas named pg_... are PostgreSQL's own; nobody else may name one so.
    cursor.execute(
        """
        SELECT n.nspname, c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
            AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
            AND pg_has_role(current_user, c.relowner, 'MEMBER')
        ORDER BY c.relname = %s DESC, n.nspname, c.relname
        """,
        [audit_table],
    )
    rows = cursor.fetchall()
    if rows:
        return Finding(
            False,
            _(
                "The role owns (or is a member of the owner of) %(count)d tables, views or "
                "sequences: %(names)s. An owner can drop or disable the audit triggers; run "
                "migrations as the owner and the application as another role."
            )
            % {"count": len(rows), "names": _names(rows)},
        )
    return Finding(True, _("Owns no table, view or sequence."))


def _owned_schemas(cursor) -> Finding:
    # The owner of a schema can drop every table in it, the owner of the
    # database the whole database (on PostgreSQL 15 it also owns the public schema).
    cursor.execute(
        "SELECT pg_has_role(current_user, datdba, 'MEMBER') FROM pg_database "
        "WHERE datname = current_database()"
    )
    (owns_database,) = cursor.fetchone()
    cursor.execute(
        """
        SELECT n.nspname FROM pg_namespace n
        WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
            AND pg_has_role(current_user, n.nspowner, 'MEMBER')
        ORDER BY n.nspname
        """
    )
    rows = cursor.fetchall()
    if owns_database or rows:
        problems = [_("the database")] if owns_database else []
        if rows:
            problems.append(_("the schemas %(names)s") % {"names": _names(rows)})
        return Finding(
            False,
            _(
                "The role owns %(what)s: it could drop the audit table with everything "
                "else. Let the owner role own them."
            )
            % {"what": ", ".join(problems)},
        )
    return Finding(True, _("Owns neither the database nor any schema."))


def _audit_privileges(cursor, audit_table: str) -> Finding:
    privileges = (*AUDIT_PRIVILEGES_NEEDED, *AUDIT_PRIVILEGES_REFUSED)
    cursor.execute(
        "SELECT " + ", ".join(["has_table_privilege(current_user, %s, %s)"] * len(privileges)),
        [value for privilege in privileges for value in (audit_table, privilege)],
    )
    held = dict(zip(privileges, cursor.fetchone(), strict=True))
    missing = [name for name in AUDIT_PRIVILEGES_NEEDED if not held[name]]
    extra = [name for name in AUDIT_PRIVILEGES_REFUSED if held[name]]
    if missing or extra:
        problems = []
        if extra:
            problems.append(
                _("it may %(privileges)s it (revoke that)") % {"privileges": ", ".join(extra)}
            )
        if missing:
            problems.append(
                _("it may not %(privileges)s it, which the application needs (grant that)")
                % {"privileges": ", ".join(missing)}
            )
        return Finding(
            False,
            _("Audit table %(table)s: %(problems)s.")
            % {"table": audit_table, "problems": "; ".join(problems)},
        )
    return Finding(
        True,
        _("Audit table %(table)s: SELECT and INSERT only (no UPDATE, DELETE, TRUNCATE, TRIGGER).")
        % {"table": audit_table},
    )


def _audit_triggers(cursor, audit_table: str) -> Finding:
    cursor.execute(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = ANY(%s) "
        "AND tgenabled <> 'D'",
        [audit_table, list(AUDIT_TRIGGERS)],
    )
    enabled = {name for (name,) in cursor.fetchall()}
    missing = [name for name in AUDIT_TRIGGERS if name not in enabled]
    if missing:
        return Finding(
            False,
            _(
                "The audit triggers %(names)s are missing or disabled: run “manage.py "
                "migrate” as the owner, and enable them again if someone disabled them."
            )
            % {"names": ", ".join(missing)},
        )
    return Finding(True, _("The audit table's triggers refuse UPDATE, DELETE and TRUNCATE."))


class _Allowed(Exception):
    """Raised to roll back a setting that was accepted."""


def _replication_role(connection) -> Finding:
    # Tried for real, then rolled back: GRANT SET ON PARAMETER (PostgreSQL 15)
    # can allow it without any attribute the checks above see.
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            raise _Allowed
    except _Allowed:
        return Finding(
            False,
            _(
                "The role may SET session_replication_role = replica, which switches every "
                "trigger off, the audit log's too."
            ),
        )
    except DatabaseError:
        return Finding(True, _("Cannot SET session_replication_role = replica."))


def check_role(connection) -> list[Finding]:
    """Every check of the role ``connection`` is logged in as (PostgreSQL only)."""
    audit_table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        findings = [
            _attributes(cursor),
            _owned_relations(cursor, audit_table),
            _owned_schemas(cursor),
            _audit_privileges(cursor, audit_table),
            _audit_triggers(cursor, audit_table),
        ]
    findings.append(_replication_role(connection))
    return findings


def current_role(connection) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database()")
        user, database = cursor.fetchone()
    return f"{user}@{database}"
