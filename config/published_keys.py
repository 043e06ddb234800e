"""Keys and secrets that anyone can read, because this repository publishes them.

The development and test settings take their default keys from here, and the
README's examples are listed here, so that this module is the one list of
values that must never protect real data. Production refuses to start with any
of them (``config/settings/production.py``), and ``manage.py check --deploy``
reports them under any settings (``core/checks.py``), naming the variable.

A key is compared by its bytes as well as by its text: the development
encryption key under another key id, or the test blind-index key used as an
encryption key, is still the published key.
"""

import base64
import binascii
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# --- defaults of config/settings/dev.py (`make run`) -----------------------------
DEV_SECRET_KEY = "dev-only-insecure-key-not-for-production"  # noqa: S105
# Fixed so that the demo database stays readable across restarts.
DEV_FIELD_ENCRYPTION_KEYS = "dev1:ZGV2LWtleS0xLWRldi1rZXktMS1kZXYta2V5LTEtISE="
DEV_BLIND_INDEX_KEY = "ZGV2LWJsaW5kLWluZGV4LWtleS1kZXYtYmxpbmQtaWR4"

# --- defaults of config/settings/test.py -----------------------------------------
TEST_SECRET_KEY = "test-only-key"  # noqa: S105
TEST_FIELD_ENCRYPTION_KEYS = "t1:dGVzdC1rZXktMS10ZXN0LWtleS0xLXRlc3Qta2V5LTE="
TEST_BLIND_INDEX_KEY = "dGVzdC1ibGluZC1pbmRleC1rZXktdGVzdC1ibGluZC0x"

# --- examples in README.md ----------------------------------------------------------
# Passwords in the example DATABASE_URLs (of this README and its earlier
# versions: git keeps them), and the documented demo password (base.py's
# DEMO_PASSWORD_DEFAULT). tests/test_published_keys.py fails when the README
# shows a key or password that is not listed here.
README_EXAMPLES = ("secret", "pass", "demo-pass-2026")

PUBLISHED = (
    DEV_SECRET_KEY,
    DEV_FIELD_ENCRYPTION_KEYS,
    DEV_BLIND_INDEX_KEY,
    TEST_SECRET_KEY,
    TEST_FIELD_ENCRYPTION_KEYS,
    TEST_BLIND_INDEX_KEY,
    *README_EXAMPLES,
)

# Settings whose value is one secret, compared whole.
SECRET_SETTINGS = (
    "SECRET_KEY",
    "BLIND_INDEX_KEY",
    "EMAIL_HOST_PASSWORD",
    "CONTRACT_SIGNING_KEY_PASSPHRASE",
)
# Settings holding a keyring: comma-separated "<key id>:<base64 key>" entries.
KEYRING_SETTINGS = ("FIELD_ENCRYPTION_KEYS",)
# Settings holding a URL whose password is the secret.
URL_SETTINGS = ("DATABASE_URL", "REDIS_URL")


def _key_part(entry: str) -> str:
    _key_id, separator, key = entry.partition(":")
    return key if separator else entry


def _decoded(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.strip(), validate=True) or None
    except (binascii.Error, ValueError):
        return None


def _published_texts() -> frozenset[str]:
    texts = set()
    for value in PUBLISHED:
        texts.add(value)
        # A keyring's entries are published one by one, with and without their id.
        for entry in value.split(","):
            texts.update({entry.strip(), _key_part(entry).strip()})
    return frozenset(texts)


PUBLISHED_TEXTS = _published_texts()
PUBLISHED_KEY_BYTES = frozenset(
    key for key in (_decoded(text) for text in PUBLISHED_TEXTS) if key and len(key) >= 16
)


def is_published(secret: str | None) -> bool:
    """Whether ``secret`` (one key, password or passphrase) is a value this repository shows."""
    if not secret or not secret.strip():
        return False
    if secret in PUBLISHED_TEXTS or secret.strip() in PUBLISHED_TEXTS:
        return True
    return _decoded(secret) in PUBLISHED_KEY_BYTES


def secrets_of(name: str, value: str | None) -> list[str]:
    """The secrets a setting holds: a keyring's keys, a URL's password, else the value."""
    if not value:
        return []
    if name in KEYRING_SETTINGS:
        return [_key_part(entry) for entry in value.split(",")]
    if name in URL_SETTINGS:
        try:
            password = urlsplit(value).password
        except ValueError:
            return []
        return [password] if password else []
    return [value]


def published_variables(values: Mapping[str, str | None]) -> list[str]:
    """The names, of those in ``values``, whose value (or one of its keys) is published."""
    return [
        name
        for name, value in values.items()
        if any(is_published(secret) for secret in secrets_of(name, value))
    ]


def refusal_message(names: list[str]) -> str:
    return (
        f"Published keys refused: {', '.join(names)} "
        f"{'is' if len(names) == 1 else 'are'} set to a value this repository publishes "
        f"(a development or test default, or a README example), which anyone can read. "
        f"Set a value of your own: 'python manage.py generate_keys' prints new keys."
    )


def refuse_published(values: Mapping[str, str | None]) -> None:
    """Stop a production start whose keys or passwords are published, naming the variables."""
    names = published_variables(values)
    if names:
        raise ImproperlyConfigured(refusal_message(names))
