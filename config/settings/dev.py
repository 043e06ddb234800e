"""Settings for a developer's machine: the embedded default of `make run`.

Development-only keys are generated here, never in ``base.py``; production
refuses to start without its own.
"""

from config.env import env

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-not-for-production")  # noqa: S105
# Fixed development keys so the demo database stays readable across restarts.
FIELD_ENCRYPTION_KEYS = env(
    "FIELD_ENCRYPTION_KEYS", "dev1:ZGV2LWtleS0xLWRldi1rZXktMS1kZXYta2V5LTEtISE="
)
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", "ZGV2LWJsaW5kLWluZGV4LWtleS1kZXYtYmxpbmQtaWR4")
# A self-signed contract-signing pair, made on first use in this (git-ignored)
# folder unless CONTRACT_SIGNING_CERT and CONTRACT_SIGNING_KEY are set.
CONTRACT_SIGNING_SELF_SIGNED_DIR = BASE_DIR / ".dev-signing"  # noqa: F405
