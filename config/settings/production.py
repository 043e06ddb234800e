"""Production settings: every secret must come from the environment.

Importing this module with a secret missing, or set to a value this repository
publishes (``config/published_keys.py``), raises ``ImproperlyConfigured``
naming the variable, so a misconfigured server refuses to start instead of
running with a guessable key.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env, env_bool, env_int, require
from config.published_keys import refuse_published

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = require("SECRET_KEY")
FIELD_ENCRYPTION_KEYS = require("FIELD_ENCRYPTION_KEYS")
BLIND_INDEX_KEY = require("BLIND_INDEX_KEY")
DATABASE_URL = require("DATABASE_URL")
# The platform's contract-signing certificate and key (PEM files; README "Configuration").
CONTRACT_SIGNING_CERT = require("CONTRACT_SIGNING_CERT")
CONTRACT_SIGNING_KEY = require("CONTRACT_SIGNING_KEY")
CONTRACT_SIGNING_SELF_SIGNED_DIR = None
ALLOWED_HOSTS = [h.strip() for h in require("ALLOWED_HOSTS").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "The environment variable ALLOWED_HOSTS must name at least one host."
    )
ALLOW_DEMO_SEED = False
# Keys and passwords anyone can read in this repository protect nothing.
refuse_published(
    {
        "SECRET_KEY": SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": FIELD_ENCRYPTION_KEYS,
        "BLIND_INDEX_KEY": BLIND_INDEX_KEY,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,  # noqa: F405
        "EMAIL_HOST_PASSWORD": EMAIL_HOST_PASSWORD,  # noqa: F405
        "CONTRACT_SIGNING_KEY_PASSPHRASE": CONTRACT_SIGNING_KEY_PASSPHRASE,  # noqa: F405
    }
)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Behind a proxy the client address is in X-Forwarded-For; axes must lock the
# real client, not the proxy.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 1)
WAGTAILADMIN_BASE_URL = env("SITE_URL", f"https://{ALLOWED_HOSTS[0]}")
# drf-spectacular hooks a full schema generation into `check --deploy`. That
# generation queries the database (it fails on one not yet migrated, the usual
# state when a release is checked) and judges the code, not this deployment's
# configuration; CI validates the schema instead (`make schema-check`).
SPECTACULAR_SETTINGS = {**SPECTACULAR_SETTINGS, "ENABLE_DJANGO_DEPLOY_CHECK": False}  # noqa: F405
