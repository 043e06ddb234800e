"""Settings shared by every environment; secrets never live here.

Values that differ between machines come from environment variables through
``config.env``. ``dev``, ``test`` and ``production`` add what is particular to
each of them.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

from config.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # our apps first so their templates and translations win
    "core",
    "accounts",
    "places",
    "taxonomy",
    "providers",
    "marketplace",
    "contracts",
    "referrals",
    "evaluation",
    "cms",
    "demo",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "modelcluster",
    "taggit",
    # third party
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.NoCookiesInSharedCachesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "core.middleware.RequestContextMiddleware",
    "core.middleware.PrivateResponsesMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # axes last, as its documentation asks
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "core.context_processors.site",
            ],
        },
    },
]

# --- database -------------------------------------------------------------
# SQLite by default so a first run needs no services; DATABASE_URL selects
# PostgreSQL in CI and production.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Directory searches are short queries with high cost estimates; PostgreSQL's
    # JIT compilation then costs more than the query itself (bench/directory.py).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn/celery processes may share the file; wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, Celery --------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "sc"),
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    # No broker: tasks run in-process, right away, so a first run needs nothing else.
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_DEFAULT_QUEUE = "default"
# Timed jobs read the database and are idempotent: a missed run catches up on the next.
CELERY_BEAT_SCHEDULE: dict = {
    "providers-document-expiry-reminders": {
        "task": "providers.tasks.send_document_expiry_reminders",
        "schedule": 6 * 60 * 60,
    },
    "providers-confirmation-reminders": {
        "task": "providers.tasks.send_confirmation_reminders",
        "schedule": 6 * 60 * 60,
    },
    # The 4-hour SLA of urgent referrals needs a clock that ticks often.
    "referrals-deadlines": {
        "task": "referrals.tasks.process_referral_deadlines",
        "schedule": 5 * 60,
    },
    # Tender publication and deadlines: a tender moves within a minute of its time.
    "marketplace-advance-tenders": {
        "task": "marketplace.tasks.advance_tenders",
        "schedule": 60,
    },
    # Reminders 48 hours before the question and bid deadlines (once per person).
    "marketplace-deadline-reminders": {
        "task": "marketplace.tasks.remind_draft_bidders",
        "schedule": 15 * 60,
    },
    # Progress reports due in 7 days or late; performance notices due (once per person).
    "contracts-reminders": {
        "task": "contracts.tasks.send_contract_reminders",
        "schedule": 6 * 60 * 60,
    },
    # Ratings follow new evidence at once (a task per provider); once a day everything is
    # rebuilt, so that evidence ageing into a new month and the platform means move too.
    "evaluation-recompute-ratings": {
        "task": "evaluation.tasks.recompute_all_ratings",
        "schedule": 24 * 60 * 60,
    },
}

# --- auth -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses locked-out credentials before any other backend runs
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a check: Django tells it of every saved password change, and it revokes
    # the person's API tokens (accounts/passwords.py).
    {"NAME": "accounts.passwords.RevokeAPITokensOnPasswordChange"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:workspace"
LOGOUT_REDIRECT_URL = "/"

# Sessions end after 8 hours of inactivity and when the browser closes:
# caseworkers use shared computers in street offices.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# django-axes: lock the username for 30 minutes after 5 failures from one IP.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# --- i18n -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Documents that must never be public (registration certificates, attachments)
# live outside MEDIA_ROOT and are served only through permission-checking views.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private_media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- e-mail ---------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- personal-data protection ----------------------------------------------
# FIELD_ENCRYPTION_KEYS: comma-separated "keyid:base64key" pairs, newest first.
# BLIND_INDEX_KEY: base64 key for keyed hashes of ID numbers.
FIELD_ENCRYPTION_KEYS = env("FIELD_ENCRYPTION_KEYS")
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY")

# --- contract signing -------------------------------------------------------
# PAdES signatures on contract PDFs (core.integrations.signing): paths to the PEM
# files of the platform's signing certificate and its private key. Production
# requires both, with a certificate from a CA recognised under the PRC Electronic
# Signature Law (电子签名法).
CONTRACT_SIGNING_CERT = env("CONTRACT_SIGNING_CERT")
CONTRACT_SIGNING_KEY = env("CONTRACT_SIGNING_KEY")
CONTRACT_SIGNING_KEY_PASSPHRASE = env("CONTRACT_SIGNING_KEY_PASSPHRASE")
# Further PEM files trusted when a signed PDF is checked: the CA's certificates,
# and the platform's earlier certificates once one has been renewed (contracts
# signed before still verify).
CONTRACT_SIGNING_TRUST_ROOTS = env_list("CONTRACT_SIGNING_TRUST_ROOTS")
# Development and tests only: with the two paths unset, a self-signed pair is
# made once in this folder. Never set in production.
CONTRACT_SIGNING_SELF_SIGNED_DIR = None

# --- geocoding and maps ---------------------------------------------------
# "offline" uses cpca and our Area table; "nominatim" asks a self-hosted
# Nominatim through geopy for street precision.
# Providers are verified by platform administrators; set this to let agency
# supervisors verify too (some cities delegate it to district bureaus).
AGENCY_SUPERVISORS_VERIFY_PROVIDERS = env_bool("AGENCY_SUPERVISORS_VERIFY_PROVIDERS", False)
PROVIDER_DOCUMENT_MAX_BYTES = env_int("PROVIDER_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)

GEOCODER = env("GEOCODER", "offline")
NOMINATIM_URL = env("NOMINATIM_URL")
MAP_TILE_URL = env("MAP_TILE_URL")
# Addresses naming only a district (普陀区, 宝山区…) resolve inside this city first;
# the platform is run by one city. Empty turns the preference off.
GEOCODER_HOME_CITY = env("GEOCODER_HOME_CITY", "310100")

# Feedback for an area without its own agency goes to this agency (its unified
# social credit code); empty: the city-level agency registered first.
FEEDBACK_LEAD_AGENCY = env("FEEDBACK_LEAD_AGENCY", "")

# Open Referral HSDS 3.0 schemas (a byte-for-byte copy ships in providers/standards).
HSDS_SCHEMA_DIR = Path(
    env("HSDS_SCHEMA_DIR", str(BASE_DIR / "providers" / "standards" / "hsds" / "v3.0"))
)

# OCDS 1.1: every contracting process is identified worldwide by this prefix
# plus the tender's uuid. The default is a placeholder for development: in
# production set OCDS_OCID_PREFIX to the prefix registered for this publisher
# with the Open Contracting Partnership ("ocds-" + 6 characters), as published
# ocids must never change afterwards.
OCDS_OCID_PREFIX = env("OCDS_OCID_PREFIX", "ocds-xxxxxx-sc")
# Name of the publisher in OCDS packages; empty: the site name (WAGTAIL_SITE_NAME).
OCDS_PUBLISHER_NAME = env("OCDS_PUBLISHER_NAME", "")

# Four eyes on awards: an evaluation panel has at least this many members, the
# chair included; the award is approved by someone who neither recommended it
# nor chaired the panel (marketplace.rules.can_approve_award).
PANEL_MIN_MEMBERS = env_int("PANEL_MIN_MEMBERS", 3)

# --- Wagtail --------------------------------------------------------------
WAGTAIL_SITE_NAME = "社会服务联合购买与转介平台"
WAGTAILADMIN_BASE_URL = env("SITE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# No avatars from gravatar.com: the admin works offline, sends nobody's e-mail hash
# elsewhere, and its Content-Security-Policy allows images from this site only.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- REST framework -------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # default deny: every endpoint states who may use it
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: people read the API in the interactive docs (/api/docs/). DRF's
    # browsable HTML renderer builds a form for every action from the viewset's
    # serializer, which fails on actions whose answer is not that resource.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": "10/min", "anon": "120/min"},
}
# API tokens (django-rest-knox): hashed at rest, each expires after this many days;
# their owner lists and revokes them at /app/tokens/, a password change revokes all.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)
KNOX_TOKEN_MODEL = "accounts.APIToken"  # noqa: S105 - a model label, not a secret
# knox's own migrations would still create its replaced knox_authtoken table (they do not
# declare the model swappable); without them Django creates no table for a replaced model.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {"TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS), "AUTH_HEADER_PREFIX": "Token"}
SPECTACULAR_SETTINGS = {
    "TITLE": "Social services commissioning and referral API",
    "DESCRIPTION": "Pooled budgets, tenders, providers, referrals and outcomes. "
    "Authenticate with POST /api/v1/auth/token/ and send 'Authorization: Token <key>'. "
    "Tokens expire; list and revoke yours at /api/v1/auth/tokens/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Only our API is documented; Wagtail's admin API is internal.
    "PREPROCESSING_HOOKS": ["core.api.public_api_endpoints"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set, however many fields use it (the validation fails on clashes).
    "ENUM_NAME_OVERRIDES": {
        "AssistanceStatusEnum": "providers.models.Service.AssistanceStatus",
        "BeneficiaryGenderEnum": "referrals.models.Gender",
        "ServiceGenderEnum": "providers.models.Service.Gender",
        "ReferralStatusEnum": "referrals.models.Referral.Status",
        "DeclineReasonEnum": "referrals.models.Referral.DeclineReason",
        "FailureReasonEnum": "referrals.models.Referral.FailureReason",
        "ShareableFieldEnum": "referrals.models.ShareableField",
        "PersonalFieldEnum": "referrals.selectors.PERSONAL_FIELDS",
        "KindEnum": "accounts.models.Organization.Kind",
        "GradeEnum": "providers.models.Provider.Grade",
        "CriterionKindEnum": "marketplace.models.Criterion.Kind",
        "TenderStatusEnum": "marketplace.models.Tender.Status",
        "ContributionStatusEnum": "marketplace.models.Contribution.Status",
        "BidStatusEnum": "marketplace.models.Bid.Status",
        "AwardStatusEnum": "marketplace.models.Award.Status",
        "ComplaintStatusEnum": "marketplace.models.Complaint.Status",
        "ComplaintOutcomeEnum": "marketplace.api.awards.COMPLAINT_OUTCOMES",
        "OutcomeEnum": "referrals.models.Referral.Outcome",
        "ContractStatusEnum": "contracts.models.contracts.Contract.Status",
        "MilestoneKindEnum": "contracts.models.milestones.Milestone.Kind",
        "MilestoneStatusEnum": "contracts.models.milestones.Milestone.Status",
    },
}

# --- security headers shared by every environment ---------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"

# Content-Security-Policy (django-csp): nothing inline, nothing from elsewhere. Pages
# keep their scripts and styles in static files; the only outside origin is the map's
# tile server. CSP_REPORT_ONLY=true sends the same policy as
# Content-Security-Policy-Report-Only, which browsers report but do not enforce.
_MAP_TILES = urlsplit(MAP_TILE_URL or "")
_CSP_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "data:"]
    + ([f"{_MAP_TILES.scheme}://{_MAP_TILES.netloc.replace('{s}', '*')}"] if MAP_TILE_URL else []),
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY = None
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}
    CONTENT_SECURITY_POLICY_REPORT_ONLY = None
# Pages of libraries that need inline code get a looser policy, by path prefix: each
# directive named here replaces the site's. Wagtail's admin runs inline scripts and
# styles, shows images it makes in the browser, and previews a page in a frame of its
# own; Swagger UI's page has a <style> block. Everything not named stays as strict as on
# the site (the Django admin needs nothing more).
CONTENT_SECURITY_POLICY_RELAXED_PATHS = {
    "/cms-admin/": {
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "frame-ancestors": [SELF],
    },
    "/api/docs/": {"style-src": [SELF, UNSAFE_INLINE]},
}
# Permissions-Policy: the browser features the product never uses, refused to every
# page and to anything a page might embed (core.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY_DENIED = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

DEMO_PASSWORD_DEFAULT = "demo-pass-2026"  # noqa: S105 - documented demo password; seeding is refused in production
ALLOW_DEMO_SEED = True
