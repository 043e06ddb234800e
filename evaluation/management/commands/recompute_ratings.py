"""``manage.py recompute_ratings``: rebuild every provider rating and the last months of
history from the evidence, with set-based queries (``evaluation.services.ratings``).
Safe to run at any time: it gives the same rows as the incremental updates."""

import time

from django.core.management.base import BaseCommand

from evaluation.services.ratings import recompute_ratings


class Command(BaseCommand):
    help = "Rebuild every provider rating and its monthly history from the evidence."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = recompute_ratings()
        self.stdout.write(f"{count} ratings rebuilt in {time.perf_counter() - started:.1f} s")
