"""Print fresh keys for FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY, or write a
self-signed contract-signing pair.

The two lines on standard output can be pasted into an environment file; the
advice goes to standard error so that ``manage.py generate_keys >> .env``
writes only the keys. Keys are random bytes from the operating system and are
never stored by the command.

``--signing-dir DIR`` instead writes a self-signed certificate and its private
key (readable by its owner only) into DIR and prints the CONTRACT_SIGNING_CERT
and CONTRACT_SIGNING_KEY lines, for development and the demo. Production signs
with a certificate issued by a CA recognised under the PRC Electronic Signature
Law (电子签名法), never with this one.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import crypto
from core.integrations import signing


class Command(BaseCommand):
    help = (
        "Print a new FIELD_ENCRYPTION_KEYS entry and a new BLIND_INDEX_KEY; with "
        "--signing-dir, write a self-signed contract-signing pair instead."
    )
    # Runs before any key is configured, so the checks that need keys must not stop it.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--key-id",
            default=None,
            help="Id of the new encryption key (default: k<today's date>, e.g. k20260101).",
        )
        parser.add_argument(
            "--signing-dir",
            type=Path,
            default=None,
            help="Write a self-signed contract-signing certificate and key (development "
            "and demo only) into this folder and print the two settings lines.",
        )

    def handle(self, *args, key_id: str | None, signing_dir: Path | None, **options):
        if signing_dir is not None:
            self.write_signing_pair(signing_dir)
            return
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

    def write_signing_pair(self, directory: Path) -> None:
        try:
            certificate, key = signing.write_self_signed_pair(directory)
        except FileExistsError as exc:
            raise CommandError(
                _(
                    "%(path)s already exists; it is not replaced, since contracts signed "
                    "with its key would no longer verify. Choose another folder."
                )
                % {"path": exc.filename or directory}
            ) from exc
        self.stdout.write(f"CONTRACT_SIGNING_CERT={certificate.resolve()}")
        self.stdout.write(f"CONTRACT_SIGNING_KEY={key.resolve()}")
        self.stderr.write(
            _(
                "This certificate is self-signed: use it for development and the demo only. "
                "In production, sign with a certificate issued by a certification authority "
                "recognised under the PRC Electronic Signature Law (电子签名法)."
            )
        )
