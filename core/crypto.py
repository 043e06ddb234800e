"""Encryption of personal data at rest: AES-256-GCM with a rotatable keyring.

The Personal Information Protection Law (PIPL, art. 51) and the Data Security
Law require that personal identifiers of the households we serve — names, ID
numbers, phones, addresses — be protected by encryption. ``core.fields`` uses
this module to store such values as text of the form::

    v1$<key id>$<base64(12-byte nonce + ciphertext + 16-byte GCM tag)>

Keys come from ``settings.FIELD_ENCRYPTION_KEYS``: comma-separated
``<key id>:<base64 of 32 bytes>`` entries, newest first. The first key
encrypts; every key listed decrypts, so a new key can be deployed first and
old rows re-encrypted afterwards with ``manage.py rotate_keys``.

Every value is encrypted with *associated data* naming the model and field it
belongs to (``referrals.beneficiary.name``): a ciphertext copied into another
column or table fails to decrypt instead of silently showing one person's data
as another's.

Errors name the key id and the field, never the value: they end up in logs.
"""

import base64
import binascii
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

FORMAT_VERSION = "v1"
SEPARATOR = "$"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # the size GCM is designed for; random per value
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class EncryptionError(Exception):
    """A stored value could not be decrypted; the message names field and key, never the value."""


class UnknownKeyError(EncryptionError):
    """The value was encrypted with a key that is not in FIELD_ENCRYPTION_KEYS any more."""

    def __init__(self, key_id: str, *, context: str = ""):
        self.key_id = key_id
        self.context = context
        super().__init__(
            _(
                "The value of %(context)s was encrypted with key “%(key_id)s”, which is not "
                "in FIELD_ENCRYPTION_KEYS. Add that key back (after the current key) and run "
                "“manage.py rotate_keys” before removing it."
            )
            % {"context": context or _("an encrypted field"), "key_id": key_id}
        )


class DecryptionError(EncryptionError):
    """The value did not authenticate: it was altered, or copied from another field or model."""

    def __init__(self, key_id: str, *, context: str = ""):
        self.key_id = key_id
        self.context = context
        super().__init__(
            _(
                "The value of %(context)s could not be decrypted with key “%(key_id)s”: it was "
                "altered, or copied from another field or record."
            )
            % {"context": context or _("an encrypted field"), "key_id": key_id}
        )


class MalformedCiphertextError(EncryptionError):
    """The stored text is not in the ``v1$<key id>$<data>`` format at all."""

    def __init__(self, *, context: str = ""):
        self.context = context
        # The stored text is deliberately not quoted: if it is not ciphertext,
        # it may be a plaintext identifier written around the encrypted field.
        super().__init__(
            _(
                "The value of %(context)s is not in the encrypted format "
                "“v1$<key id>$<data>”. It was written without going through the encrypted field."
            )
            % {"context": context or _("an encrypted field")}
        )


@dataclass(frozen=True)
class Keyring:
    """The parsed FIELD_ENCRYPTION_KEYS: the key that encrypts and every key that decrypts."""

    current_key_id: str
    ciphers: dict[str, AESGCM]

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self.ciphers)


def _misconfigured(problem: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"FIELD_ENCRYPTION_KEYS is invalid: {problem}. Expected comma-separated "
        f"'<key id>:<base64 of {KEY_BYTES} bytes>' entries, newest first; "
        f"'manage.py generate_keys' prints a new one."
    )


@lru_cache(maxsize=8)
def parse_keyring(raw: str | None) -> Keyring:
    """Parse a FIELD_ENCRYPTION_KEYS value; raise ImproperlyConfigured naming the bad entry.

    Cached by the raw setting, so ``override_settings`` in tests and a changed
    environment after a restart both take effect without invalidation code.
    Messages name key ids but never key material.
    """
    if not raw or not raw.strip():
        raise _misconfigured("it is empty")
    ciphers: dict[str, AESGCM] = {}
    for position, entry in enumerate(raw.split(","), start=1):
        entry = entry.strip()
        key_id, sep, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id:
            raise _misconfigured(f"entry {position} has no '<key id>:' prefix")
        if not KEY_ID_PATTERN.match(key_id):
            raise _misconfigured(f"key id {key_id!r} must be 1-32 letters, digits, '.', '_' or '-'")
        if key_id in ciphers:
            raise _misconfigured(f"key id {key_id!r} is listed twice")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise _misconfigured(f"the key of {key_id!r} is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise _misconfigured(
                f"the key of {key_id!r} decodes to {len(key)} bytes, AES-256 needs {KEY_BYTES}"
            )
        ciphers[key_id] = AESGCM(key)
    return Keyring(current_key_id=next(iter(ciphers)), ciphers=ciphers)


def keyring() -> Keyring:
    """The keyring configured in settings right now."""
    return parse_keyring(getattr(settings, "FIELD_ENCRYPTION_KEYS", None))


def current_key_id() -> str:
    """Id of the key new values are encrypted with (the first one listed)."""
    return keyring().current_key_id


def _associated_data(context: str) -> bytes:
    return f"{FORMAT_VERSION}|{context}".encode()


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt ``plaintext`` with the current key, bound to ``context`` (``app.model.field``)."""
    ring = keyring()
    # A fresh random nonce per value. With 96-bit random nonces NIST SP 800-38D
    # allows 2**32 encryptions per key: rotate keys well before that (yearly).
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.ciphers[ring.current_key_id].encrypt(
        nonce, plaintext.encode("utf-8"), _associated_data(context)
    )
    payload = base64.b64encode(nonce + sealed).decode("ascii")
    return SEPARATOR.join((FORMAT_VERSION, ring.current_key_id, payload))


def _split(token: str, *, context: str) -> tuple[str, bytes]:
    parts = token.split(SEPARATOR)
    if len(parts) != 3 or parts[0] != FORMAT_VERSION or not parts[1]:
        raise MalformedCiphertextError(context=context)
    try:
        data = base64.b64decode(parts[2], validate=True)
    except (binascii.Error, ValueError):
        raise MalformedCiphertextError(context=context) from None
    if len(data) < NONCE_BYTES + 16:
        raise MalformedCiphertextError(context=context)
    return parts[1], data


def decrypt(token: str, *, context: str) -> str:
    """Decrypt a value written by :func:`encrypt` for the same ``context``."""
    key_id, data = _split(token, context=context)
    cipher = keyring().ciphers.get(key_id)
    if cipher is None:
        raise UnknownKeyError(key_id, context=context)
    try:
        plaintext = cipher.decrypt(
            data[:NONCE_BYTES], data[NONCE_BYTES:], _associated_data(context)
        )
    except InvalidTag:
        raise DecryptionError(key_id, context=context) from None
    return plaintext.decode("utf-8")


def key_id_of(token: str) -> str:
    """The id of the key a stored value was encrypted with, read without decrypting it."""
    key_id, _data = _split(token, context="")
    return key_id


def uses_current_key(token: str | None) -> bool:
    """Whether a stored value needs no re-encryption: empty, or encrypted with the current key."""
    if not token:
        return True
    return key_id_of(token) == current_key_id()


def generate_key() -> str:
    """A new random 32-byte key, base64-encoded, for FIELD_ENCRYPTION_KEYS or BLIND_INDEX_KEY."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


@checks.register(checks.Tags.security)
def check_encryption_keys(app_configs=None, **kwargs):
    """``manage.py check`` reports a broken keyring before the first value fails to decrypt."""
    try:
        keyring()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="core.E002")]
    return []
