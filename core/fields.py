"""Model fields that keep personal data encrypted at rest (SPEC §4, PIPL art. 51).

``EncryptedTextField``, ``EncryptedCharField`` and ``EncryptedJSONField``
behave like their plain counterparts in Python — the attribute holds the
plaintext — while the database column only ever holds ciphertext written by
``core.crypto``, bound to the model and field name. Anyone with a copy of the
database, a backup or a replica but not the keys sees no name, ID number,
phone or address.

Because encryption is randomized, an encrypted column cannot be searched,
sorted meaningfully or made unique: lookups other than ``isnull`` raise a
``FieldError`` that points to the blind index (``core.blind_index``), which
is how ID numbers are matched.

Decrypting here is not an audited read: services that show personal data to
a person call ``core.audit.record_read``.
"""

import json
from functools import cached_property

from django import forms
from django.core import checks, exceptions, validators
from django.core.exceptions import FieldError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import crypto

LOOKUPS_ALLOWED = frozenset({"isnull"})


class EncryptedTextField(models.TextField):
    """A text field stored as AES-256-GCM ciphertext; reads and writes plaintext in Python.

    ``associated_data`` pins the binding of ciphertext to its column; it
    defaults to ``"<app_label>.<model_name>.<field name>"``. Set it explicitly
    only to keep existing values readable after renaming the model or field.
    ``""`` is stored as ``""`` (an empty ciphertext would reveal no more).
    """

    description = _("Encrypted text")

    def __init__(self, *args, associated_data: str | None = None, **kwargs):
        self.associated_data = associated_data
        super().__init__(*args, **kwargs)

    @property
    def encryption_context(self) -> str:
        if self.associated_data:
            return self.associated_data
        return f"{self.model._meta.label_lower}.{self.name}"

    # --- Python <-> database -------------------------------------------------

    def to_plaintext(self, value) -> str:
        """Turn a prepared Python value into the text that gets encrypted."""
        return value

    def from_plaintext(self, text: str):
        """Turn decrypted text back into the Python value."""
        return text

    def empty_value_from_db(self, value):
        return value

    def get_db_prep_value(self, value, connection, prepared=False):
        # Every path to the database goes through here: save(), update(),
        # bulk_create() and bulk_update(). Lookups never do: get_lookup refuses them.
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        plaintext = self.to_plaintext(value)
        if plaintext == "":
            return ""
        return crypto.encrypt(plaintext, context=self.encryption_context)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return self.empty_value_from_db(value)
        return self.from_plaintext(crypto.decrypt(value, context=self.encryption_context))

    # --- searching is refused ------------------------------------------------

    def _refuse_lookup(self, lookup_name: str):
        label = f"{self.model._meta.label}.{self.name}" if hasattr(self, "model") else self.name
        raise FieldError(
            f"{label} is encrypted at rest and cannot be searched with '{lookup_name}': "
            f"encrypted values are randomized, so equal plaintexts never compare equal. "
            f"Only '{self.name}__isnull' works. Match ID numbers through their blind index "
            f"(core.blind_index.blind_index) and filter on the indexed column instead."
        )

    def get_lookup(self, lookup_name):
        if lookup_name not in LOOKUPS_ALLOWED:
            self._refuse_lookup(lookup_name)
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name):
        self._refuse_lookup(lookup_name)

    # --- migrations and checks -----------------------------------------------

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.associated_data:
            kwargs["associated_data"] = self.associated_data
        return name, path, args, kwargs

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.unique or self.primary_key or self.db_index:
            errors.append(
                checks.Error(
                    "Encrypted fields cannot be unique, indexed or a primary key: "
                    "their ciphertext is randomized.",
                    hint="Add a core.blind_index.BlindIndexField beside it and make that unique.",
                    obj=self,
                    id="core.E001",
                )
            )
        return errors


class EncryptedCharField(EncryptedTextField):
    """An encrypted single-line value (name, phone). ``max_length`` limits the plaintext.

    The column is ``text`` whatever ``max_length`` is, because the ciphertext
    is longer than the plaintext and varies with the key format.
    """

    description = _("Encrypted string (up to %(max_length)s)")

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self):
        return [*super().validators, validators.MaxLengthValidator(self.max_length)]

    def formfield(self, **kwargs):
        # Skip TextField.formfield: a one-line input, not a textarea.
        return models.Field.formfield(self, **{"max_length": self.max_length, **kwargs})


class EncryptedJSONField(EncryptedTextField):
    """Structured personal data (household members, contacts) as one encrypted JSON document.

    ``encoder`` and ``decoder`` work as on ``models.JSONField``. ``None`` is
    stored as SQL NULL; the whole document is encrypted, so nothing inside it
    can be queried.
    """

    description = _("Encrypted JSON")
    empty_strings_allowed = False
    default_error_messages = {"invalid": _("Value must be valid JSON.")}

    def __init__(self, *args, encoder=None, decoder=None, **kwargs):
        if encoder and not callable(encoder):
            raise ValueError("The encoder parameter must be a callable object.")
        if decoder and not callable(decoder):
            raise ValueError("The decoder parameter must be a callable object.")
        self.encoder = encoder
        self.decoder = decoder
        super().__init__(*args, **kwargs)

    def get_prep_value(self, value):
        # Keep the Python structure: TextField would turn it into str(value).
        return models.Field.get_prep_value(self, value)

    def to_python(self, value):
        return value

    def to_plaintext(self, value) -> str:
        return json.dumps(value, cls=self.encoder, ensure_ascii=False)

    def from_plaintext(self, text: str):
        return json.loads(text, cls=self.decoder)

    def empty_value_from_db(self, value):
        return None

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        try:
            json.dumps(value, cls=self.encoder)
        except TypeError:
            raise exceptions.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None

    def value_to_string(self, obj):
        return self.value_from_object(obj)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.encoder is not None:
            kwargs["encoder"] = self.encoder
        if self.decoder is not None:
            kwargs["decoder"] = self.decoder
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return models.Field.formfield(
            self,
            **{
                "form_class": forms.JSONField,
                "encoder": self.encoder,
                "decoder": self.decoder,
                **kwargs,
            },
        )


def encrypted_fields(model) -> list[EncryptedTextField]:
    """The encrypted columns of ``model``'s own table (a parent's fields belong to the parent)."""
    return [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]


def stored_ciphertext(field_name: str) -> models.ExpressionWrapper:
    """An expression selecting the raw ciphertext of an encrypted column, undecrypted.

    ``qs.annotate(raw=stored_ciphertext("name")).values_list("raw", flat=True)``
    gives the stored text; with ``core.crypto.uses_current_key`` it tells which
    rows still carry an old key, without decrypting anything.
    """
    # A plain TextField output has no from_db_value, so the value comes back as stored.
    return models.ExpressionWrapper(models.F(field_name), output_field=models.TextField())
