"""Settings for the test suite: fast hashing, local-memory cache, eager Celery
unless REDIS_URL is set (then Celery still runs eagerly but the cache is Redis)."""

import os
from urllib.parse import urlsplit, urlunsplit

from config import published_keys
from config.env import env

from .base import *  # noqa: F403
from .base import REDIS_URL

DEBUG = False
# Published defaults (config/published_keys.py), which production refuses.
SECRET_KEY = published_keys.TEST_SECRET_KEY
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
FIELD_ENCRYPTION_KEYS = env("FIELD_ENCRYPTION_KEYS", published_keys.TEST_FIELD_ENCRYPTION_KEYS)
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", published_keys.TEST_BLIND_INDEX_KEY)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in-process so tests see their effects; with REDIS_URL set the
# broker is still real for tests that publish to it explicitly.
CELERY_TASK_ALWAYS_EAGER = True
if REDIS_URL:
    CACHES["default"]["KEY_PREFIX"] = "sc-test"  # noqa: F405
    # Each pytest-xdist worker gets a Redis database of its own: tests clear the
    # cache (FLUSHDB), which must not empty another worker's in the middle of a test.
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if _worker.startswith("gw") and _worker[2:].isdigit():
        _parts = urlsplit(REDIS_URL)
        CACHES["default"]["LOCATION"] = urlunsplit(  # noqa: F405
            _parts._replace(path=f"/{1 + int(_worker[2:]) % 15}")
        )
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
PRIVATE_MEDIA_ROOT = BASE_DIR / ".test-private-media"  # noqa: F405
# Signing tests of any app get a self-signed pair, made once per checkout.
CONTRACT_SIGNING_SELF_SIGNED_DIR = PRIVATE_MEDIA_ROOT / "contract-signing"
AXES_ENABLED = True
WAGTAILADMIN_BASE_URL = "http://testserver"
# A test-only app with small models that exercise core's encrypted fields.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
