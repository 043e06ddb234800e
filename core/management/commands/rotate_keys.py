"""Re-encrypt personal data with the current key so that an old key can be retired.

Rotation, step by step (README, "Configuration"):

1. ``manage.py generate_keys`` and put the new entry *first* in
   FIELD_ENCRYPTION_KEYS, keeping the old ones after it; deploy everywhere.
   New writes now use the new key and old rows stay readable.
2. ``manage.py rotate_keys`` re-encrypts every row still on an old key.
3. Remove the old key from FIELD_ENCRYPTION_KEYS.

The command finds every encrypted column of every installed model, reads the
stored ciphertext without decrypting it to skip rows already on the current
key, and rewrites the others in batches, each batch in its own transaction
with the rows locked so a concurrent edit is never overwritten. It is safe to
interrupt and run again. It writes one security audit event with counts — never
values.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from core import crypto
from core.audit import record_security
from core.fields import encrypted_fields, stored_ciphertext


def models_with_encrypted_fields() -> list:
    """Every concrete model that owns at least one encrypted column."""
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed and encrypted_fields(model)
    ]


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the first key in FIELD_ENCRYPTION_KEYS. "
        "Rows already on that key are skipped, so running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=500,
            help="Rows read, locked and rewritten per transaction (default 500).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the rows that would be re-encrypted; write nothing.",
        )

    def handle(self, *args, chunk_size: int, dry_run: bool, **options):
        if chunk_size < 1:
            raise CommandError(_("--chunk-size must be at least 1."))
        key_id = crypto.current_key_id()
        counts = {}
        for model in models_with_encrypted_fields():
            rotated, current = self._rotate(model, chunk_size=chunk_size, dry_run=dry_run)
            counts[model._meta.label_lower] = {"rotated": rotated, "already_current": current}
            template = (
                _("%(model)s: %(rotated)d to re-encrypt, %(current)d already on key %(key_id)s")
                if dry_run
                else _("%(model)s: %(rotated)d re-encrypted, %(current)d already on key %(key_id)s")
            )
            self.stdout.write(
                template
                % {
                    "model": model._meta.label,
                    "rotated": rotated,
                    "current": current,
                    "key_id": key_id,
                }
            )

        total = sum(c["rotated"] for c in counts.values())
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        # Key rotation is a security event the supervisors' log must show (who ran
        # it is the system; which key and how many rows, never any value).
        record_security(
            action="keys.rotated",
            details={"key_id": key_id, "rotated": total, "models": counts},
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(total)d rows re-encrypted with key %(key_id)s.")
                % {"total": total, "key_id": key_id}
            )
        )

    def _rotate(self, model, *, chunk_size: int, dry_run: bool) -> tuple[int, int]:
        fields = encrypted_fields(model)
        names = [field.attname for field in fields]
        raw = {f"_ciphertext_{i}": stored_ciphertext(name) for i, name in enumerate(names)}
        manager = model._base_manager
        rotated = current = 0
        last_pk = None
        # Keyset pagination (pk > last seen) rather than one long cursor: each
        # batch commits on its own, and rows rewritten behind us are never re-read.
        while True:
            queryset = manager.order_by("pk")
            if last_pk is not None:
                queryset = queryset.filter(pk__gt=last_pk)
            rows = list(queryset.annotate(**raw).values_list("pk", *raw)[:chunk_size])
            if not rows:
                break
            last_pk = rows[-1][0]
            stale = [pk for pk, *tokens in rows if not self._current(model, fields, pk, tokens)]
            current += len(rows) - len(stale)
            rotated += len(stale)
            if stale and not dry_run:
                with transaction.atomic():
                    objects = list(
                        manager.filter(pk__in=stale).select_for_update().only("pk", *names)
                    )
                    # Loading decrypts with whichever key wrote the value; saving
                    # encrypts with the current one.
                    manager.bulk_update(objects, names)
        return rotated, current

    def _current(self, model, fields, pk, tokens) -> bool:
        """Whether every value of one row is empty or on the current key; refuse unknown keys."""
        ring = crypto.keyring()
        on_current_key = True
        for field, token in zip(fields, tokens, strict=True):
            if not token:
                continue
            try:
                key_id = crypto.key_id_of(token)
            except crypto.EncryptionError:
                raise CommandError(
                    _("%(model)s %(pk)s, field %(field)s: the stored value is not ciphertext.")
                    % {"model": model._meta.label, "pk": pk, "field": field.name}
                ) from None
            if key_id not in ring.ciphers:
                # Stop before writing anything else: the row can only be saved
                # again once its key is back in the keyring.
                raise CommandError(
                    _(
                        "%(model)s %(pk)s, field %(field)s is encrypted with key “%(key_id)s”, "
                        "which is not in FIELD_ENCRYPTION_KEYS. Add it after the current key "
                        "and run the command again."
                    )
                    % {"model": model._meta.label, "pk": pk, "field": field.name, "key_id": key_id}
                )
            on_current_key = on_current_key and key_id == ring.current_key_id
        return on_current_key
