"""Blind indexes: keyed hashes that let us match encrypted identifiers without decrypting them.

ID numbers (GB 11643) are stored encrypted, yet a caseworker must learn that
a person is already known to another agency (SPEC §5 referrals). We store
``HMAC-SHA256(BLIND_INDEX_KEY, purpose ‖ normalized value)`` beside the
ciphertext and compare those. The key is separate from the encryption keys
and never leaves the servers: an unkeyed hash of an 18-character ID number
could be reversed by trying every birth date and district code, so a plain
``sha256`` would amount to storing the number in clear.

The purpose is mixed in as a domain separator, so an index computed for ID
numbers can never be compared with one computed for phone numbers.
"""

import base64
import binascii
import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

MIN_KEY_BYTES = 32
ID_NUMBER = "id_number"

# Full-width ASCII (U+FF01–U+FF5E) to ASCII: Chinese input methods produce
# "１１０１０５…Ｘ" as readily as "110105…X", and both are the same person.
_FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def _fold(value: str) -> str:
    """Full-width characters to ASCII, every kind of whitespace (incl. U+3000) removed."""
    return "".join(value.translate(_FULL_WIDTH_TO_ASCII).split())


def normalize_id_number(value: str) -> str:
    """The canonical form of a Chinese citizen ID number: ASCII, no spaces, check digit ``X``.

    ``" 110105 19491231002x "`` and ``"１１０１０５１９４９１２３１００２Ｘ"``
    both become ``"11010519491231002X"``. Validation (length, check digit) is
    the form's job; this only removes differences in how the number was typed.
    """
    return _fold(value).upper()


_NORMALIZERS = {ID_NUMBER: normalize_id_number}


@lru_cache(maxsize=4)
def _key_from(raw: str | None) -> bytes:
    if not raw or not raw.strip():
        raise ImproperlyConfigured(
            "BLIND_INDEX_KEY is not set. It must be the base64 of at least "
            f"{MIN_KEY_BYTES} random bytes; 'manage.py generate_keys' prints one."
        )
    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured("BLIND_INDEX_KEY is not valid base64.") from None
    if len(key) < MIN_KEY_BYTES:
        raise ImproperlyConfigured(
            f"BLIND_INDEX_KEY decodes to {len(key)} bytes; at least {MIN_KEY_BYTES} are needed."
        )
    return key


def blind_index(value: str, *, purpose: str = ID_NUMBER) -> str:
    """The 64-hex-character keyed hash of ``value`` after normalization for ``purpose``.

    Raises ``ValueError`` when nothing is left to index: every empty value
    would share one index and make strangers look like the same person.
    """
    if not purpose or "\x00" in purpose:
        raise ValueError("purpose must be a non-empty name without NUL characters")
    normalized = _NORMALIZERS.get(purpose, _fold)(value)
    if not normalized:
        raise ValueError("cannot build a blind index of an empty value")
    key = _key_from(getattr(settings, "BLIND_INDEX_KEY", None))
    message = purpose.encode("utf-8") + b"\x00" + normalized.encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class BlindIndexField(models.CharField):
    """Column for a :func:`blind_index` value: 64 hex characters, indexed for matching.

    Not editable in forms: services compute it from the plaintext when they set
    the encrypted field.
    """

    description = _("Blind index (keyed hash)")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        # CharField.deconstruct leaves out db_index=False and editable=True (the
        # defaults of Field); ours are the opposite, so record the exceptions.
        if kwargs.pop("db_index", False) is not True:
            kwargs["db_index"] = False
        if kwargs.pop("editable", True) is not False:
            kwargs["editable"] = True
        return name, path, args, kwargs


@checks.register(checks.Tags.security)
def check_blind_index_key(app_configs=None, **kwargs):
    """``manage.py check`` reports a missing or weak BLIND_INDEX_KEY at start-up."""
    try:
        _key_from(getattr(settings, "BLIND_INDEX_KEY", None))
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="core.E003")]
    return []
