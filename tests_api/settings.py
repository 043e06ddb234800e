"""Settings of the schemathesis run (`make api-fuzz`): the test settings, with the
database, cache and every file the run writes in its own scratch folder, so it
touches nothing of the checkout, of the demo database or of a suite running beside it."""

from pathlib import Path

from config.env import env
from config.settings.test import *  # noqa: F403

SCRATCH_DIR = Path(env("API_FUZZ_DIR", "/tmp/socialcommissioning-api-fuzz"))  # noqa: S108
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": SCRATCH_DIR / "db.sqlite3"}
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = SCRATCH_DIR / "media"
PRIVATE_MEDIA_ROOT = SCRATCH_DIR / "private-media"
CONTRACT_SIGNING_SELF_SIGNED_DIR = PRIVATE_MEDIA_ROOT / "contract-signing"
