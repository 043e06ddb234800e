"""Print fresh keys for FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY.

The two lines on standard output can be pasted into an environment file; the
advice goes to standard error so that ``manage.py generate_keys >> .env``
writes only the keys. Keys are random bytes from the operating system and are
never stored by the command.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import crypto


class Command(BaseCommand):
    help = "Print a new FIELD_ENCRYPTION_KEYS entry and a new BLIND_INDEX_KEY."
    # Runs before any key is configured, so the checks that need keys must not stop it.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--key-id",
            default=None,
            help="Id of the new encryption key (default: k<today's date>, e.g. k20260101).",
        )

    def handle(self, *args, key_id: str | None, **options):
        key_id = key_id or f"k{timezone.localdate():%Y%m%d}"
        if not crypto.KEY_ID_PATTERN.match(key_id):
            raise CommandError(_("The key id must be 1-32 letters, digits, '.', '_' or '-'."))
        self.stdout.write(f"FIELD_ENCRYPTION_KEYS={key_id}:{crypto.generate_key()}")
        self.stdout.write(f"BLIND_INDEX_KEY={crypto.generate_key()}")
        self.stderr.write(
            _(
                "To rotate the encryption key, put the new entry first and keep the old ones "
                "after it (FIELD_ENCRYPTION_KEYS=new,old), deploy, run “manage.py rotate_keys”, "
                "then remove the old entry. Keep BLIND_INDEX_KEY unchanged on an existing "
                "database: every blind index was computed with it."
            )
        )
