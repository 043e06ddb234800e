"""Export the public directory as Open Referral HSDS 3.0 (``manage.py export_hsds --out DIR``).

``--format json`` writes one file per entity (organizations.json, services.json,
locations.json, service_at_locations.json, taxonomy_terms.json), each an array
of compiled HSDS objects; ``--format tabular`` writes the HSDS tabular data
package (datapackage.json and one CSV per table); ``both`` (the default) writes
the JSON files in DIR and the data package in DIR/tabular. Only public data is
exported: see ``providers.hsds.mapping``.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from providers.hsds import export, schemas


class Command(BaseCommand):
    help = "Export verified providers, their public services and sites as HSDS 3.0."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Directory to write (created if needed).")
        parser.add_argument(
            "--format", choices=["json", "tabular", "both"], default="both", dest="output_format"
        )
        parser.add_argument(
            "--language",
            default=None,
            help="Language of the texts the export composes (eligibility, fees…); "
            "default: the site's language.",
        )

    def handle(self, *args, out: str, output_format: str, language: str | None, **options):
        out_dir = Path(out)
        if out_dir.exists() and not out_dir.is_dir():
            raise CommandError(_("%(path)s exists and is not a directory.") % {"path": out})
        if output_format != "json" and schemas.standard_missing():
            raise CommandError(schemas.standard_missing())
        with translation.override(language or translation.get_language()):
            objects = export.export_objects()
        if output_format in ("json", "both"):
            self._print_counts(export.write_json(objects, out_dir), out_dir)
        if output_format in ("tabular", "both"):
            tabular_dir = out_dir / "tabular" if output_format == "both" else out_dir
            counts = export.write_tabular(objects, tabular_dir)
            self._print_counts({name: n for name, n in counts.items() if n}, tabular_dir)

    def _print_counts(self, counts: dict[str, int], directory: Path) -> None:
        for filename, count in counts.items():
            self.stdout.write(
                _("%(file)s: %(count)d records") % {"file": directory / filename, "count": count}
            )
