"""Import another directory's HSDS 3.0 JSON files (``manage.py import_hsds PATH --source NAME``).

PATH holds files shaped like our own export (organizations.json, services.json,
locations.json, service_at_locations.json, taxonomy_terms.json; any may be
missing, and organizations may nest their services and locations). Every
record is validated against the HSDS schema; bad ones are listed with their
id and reason while the others load. Running it again with the same source
updates what changed and creates nothing new. New providers await
verification unless ``--verify`` says the source is a trusted partner.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from providers.hsds import imports, schemas
from providers.hsds.vocabulary import ENTITY_FILES

OUTCOMES = ("created", "updated", "skipped", "errors")


class Command(BaseCommand):
    help = "Import organizations, services and locations from another directory's HSDS files."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Directory with the HSDS JSON files.")
        parser.add_argument(
            "--source",
            required=True,
            help="A short stable name of the directory the files come from (e.g. pudong-211); "
            "the same name makes a re-import update instead of duplicate.",
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Mark new providers verified (a trusted partner directory); otherwise they "
            "await verification by a platform admin.",
        )

    def handle(self, *args, path: str, source: str, verify: bool, **options):
        directory = Path(path)
        source = source.strip()
        if not source or len(source) > 100:
            raise CommandError(_("Give --source a name of 1 to 100 characters."))
        if not directory.is_dir():
            raise CommandError(_("%(path)s is not a directory.") % {"path": path})
        if not any((directory / name).exists() for name in ENTITY_FILES.values()):
            raise CommandError(
                _("%(path)s holds none of the HSDS files: %(files)s.")
                % {"path": path, "files": ", ".join(ENTITY_FILES.values())}
            )
        if schemas.standard_missing():
            raise CommandError(schemas.standard_missing())
        report = imports.import_directory(directory, source=source, verify=verify)
        for message in report.errors:
            self.stderr.write(_("Error: %(message)s") % {"message": message})
        for message in report.warnings:
            self.stderr.write(_("Warning: %(message)s") % {"message": message})
        for entity in ENTITY_FILES:
            counts = report.counts.get(entity)
            if not counts or not any(counts.values()):
                continue
            self.stdout.write(
                _(
                    "%(entity)s: %(created)d created, %(updated)d updated, %(skipped)d skipped, "
                    "%(errors)d errors"
                )
                % {"entity": entity, **{outcome: counts[outcome] for outcome in OUTCOMES}}
            )
        self.stdout.write(
            _(
                "Total: %(created)d created, %(updated)d updated, %(skipped)d skipped, "
                "%(errors)d errors"
            )
            % {outcome: report.total(outcome) for outcome in OUTCOMES}
        )
