"""``manage.py load_areas``: load the administrative areas of China (safe to run again)."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from places import services


class Command(BaseCommand):
    help = (
        "Load every province, city and district of China from the cpca package data, then the "
        "Shanghai streets from places/data/shanghai_streets.csv. Running it again creates no "
        "duplicates and updates changed names and centroids."
    )

    def add_arguments(self, parser):
        only = parser.add_mutually_exclusive_group()
        only.add_argument(
            "--streets",
            action="store_true",
            help="Load only the streets (the districts must be loaded already).",
        )
        only.add_argument(
            "--no-streets",
            action="store_true",
            help="Load provinces, cities and districts but not the streets.",
        )

    def handle(self, *args, streets=False, no_streets=False, **options):
        try:
            if streets:
                summary = services.load_streets()
            else:
                summary = services.load_areas(include_streets=not no_streets)
        except ApplicationError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Areas loaded: {summary.created} created, {summary.updated} updated, "
                f"{summary.unchanged} unchanged."
            )
        )
