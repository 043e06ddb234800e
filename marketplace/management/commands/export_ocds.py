"""Export the public tenders as OCDS 1.1 (``manage.py export_ocds [--records] [--out FILE]``).

Writes one release package (every release of every public tender, oldest
first) or, with ``--records``, one record package (per tender its releases
and the compiled release), as JSON to ``--out`` or to standard output.
``--tender`` (repeatable, a uuid or a reference) limits the export. Only what
the public may see is exported: see ``marketplace.ocds``.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from marketplace.ocds import packages
from marketplace.ocds import releases as ocds


class Command(BaseCommand):
    help = "Export public tenders as an OCDS 1.1 release package (or record package)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", default="-", help="File to write; '-' (the default) is standard output."
        )
        parser.add_argument(
            "--records",
            action="store_true",
            help="Write a record package (releases and compiled release per tender).",
        )
        parser.add_argument(
            "--tender",
            action="append",
            default=[],
            dest="tenders",
            help="Only this tender (uuid or reference); may be given more than once.",
        )
        parser.add_argument(
            "--base-url",
            default=None,
            help="Site address for links in the export; default: the SITE_URL setting.",
        )
        parser.add_argument("--indent", type=int, default=2, help="JSON indentation (0: none).")

    def handle(self, *args, out, records, tenders, base_url, indent, **options):
        queryset = ocds.public_processes()
        if tenders:
            lookup = Q()
            for value in tenders:
                as_uuid = ocds.uuid_or_none(value)
                lookup |= Q(uuid=as_uuid) if as_uuid else Q(reference=value)
            queryset = queryset.filter(lookup)
            found = queryset.count()
            if found < len(set(tenders)):
                raise CommandError(
                    _("Only %(found)d of the %(asked)d tenders asked for are public.")
                    % {"found": found, "asked": len(set(tenders))}
                )
        base_url = (base_url or ocds.default_base_url()).rstrip("/")
        processes = ocds.load(queryset, base_url=base_url)
        if records:
            package = packages.record_package(processes, uri=f"{base_url}/api/v1/ocds/records/")
            count, what = len(package["records"]), _("records")
        else:
            package = packages.release_package(processes, uri=f"{base_url}/api/v1/ocds/releases/")
            count, what = len(package["releases"]), _("releases")
        text = json.dumps(package, ensure_ascii=False, indent=indent or None) + "\n"
        if out == "-":
            self.stdout.write(text, ending="")
            return
        path = Path(out)
        if path.is_dir():
            raise CommandError(_("%(path)s is a directory: name a file.") % {"path": out})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(
            _("%(path)s: %(count)d %(what)s of %(processes)d tenders")
            % {"path": path, "count": count, "what": what, "processes": len(processes)}
        )
