"""Settings for a developer's machine: the embedded default of `make run`.

Development-only keys are published defaults from ``config/published_keys.py``,
never in ``base.py``; production refuses to start with them or without its own.
"""

from config import published_keys
from config.env import env

from .base import *  # noqa: F403

DEBUG = True
# Published defaults (config/published_keys.py), which production refuses.
SECRET_KEY = env("SECRET_KEY", published_keys.DEV_SECRET_KEY)
# Fixed development keys so the demo database stays readable across restarts.
FIELD_ENCRYPTION_KEYS = env("FIELD_ENCRYPTION_KEYS", published_keys.DEV_FIELD_ENCRYPTION_KEYS)
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", published_keys.DEV_BLIND_INDEX_KEY)
# A self-signed contract-signing pair, made on first use in this (git-ignored)
# folder unless CONTRACT_SIGNING_CERT and CONTRACT_SIGNING_KEY are set.
CONTRACT_SIGNING_SELF_SIGNED_DIR = BASE_DIR / ".dev-signing"  # noqa: F405
