"""Check that the application's database role cannot empty or rewrite the audit log.

Run it in production with the application's own DATABASE_URL (not the owner's
that migrations use). It prints each check and exits non-zero when any fails:
a superuser, a table or schema owner, or a role that may UPDATE, DELETE or
TRUNCATE the audit table or switch triggers off. See ``core.database_role``
and the README, "Deploying on PostgreSQL and Redis with gunicorn".
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from core import database_role


class Command(BaseCommand):
    help = (
        "Check that the database role the application connects as is not a superuser, "
        "owns no table and cannot empty, change or bypass the audit log (PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database connection to check (default: %(default)s).",
        )

    def handle(self, *args, database: str, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError(
                _(
                    "The database is %(vendor)s: this check is for the PostgreSQL role a "
                    "production server connects as."
                )
                % {"vendor": connection.display_name}
            )
        self.stdout.write(
            _("Checking the database role %(role)s:")
            % {"role": database_role.current_role(connection)}
        )
        findings = database_role.check_role(connection)
        for finding in findings:
            if finding.ok:
                label = self.style.SUCCESS(f"{_('ok'):<8}")
            else:
                label = self.style.ERROR(f"{_('FAILED'):<8}")
            self.stdout.write(f"  {label}{finding.message}")
        failed = sum(not finding.ok for finding in findings)
        if failed:
            raise CommandError(
                _(
                    "%(failed)d of %(total)d checks failed: this role could empty, change or "
                    "bypass the audit log. Connect the application as a role that is not a "
                    "superuser and owns no table (README, “Deploying on PostgreSQL and Redis "
                    "with gunicorn”)."
                )
                % {"failed": failed, "total": len(findings)}
            )
        self.stdout.write(self.style.SUCCESS(_("The application's database role is safe.")))
