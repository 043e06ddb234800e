"""Settings come from the environment (SPEC §2).

Production refuses to start when a secret is missing, or is a value the repository
publishes (config/published_keys.py), and says which one; REDIS_URL
turns Celery and the cache from in-process into Redis. Settings are read once per
process, so each case starts a fresh interpreter with an environment made for it.
"""

import base64
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config import published_keys

BASE_DIR = Path(__file__).resolve().parent.parent

REQUIRED_IN_PRODUCTION = [
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "BLIND_INDEX_KEY",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "CONTRACT_SIGNING_CERT",
    "CONTRACT_SIGNING_KEY",
]

# Only what a Python process needs: nothing from the machine running the tests
# (DATABASE_URL, REDIS_URL, DJANGO_SETTINGS_MODULE in CI) may leak into a case.
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def clean_environment(**variables: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(variables)
    return env


def production_environment(tmp_path: Path) -> dict[str, str]:
    """Every variable production requires, with values shaped like real ones."""
    return clean_environment(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS="k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        BLIND_INDEX_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        ALLOWED_HOSTS="example.gov.cn",
        # Paths are enough to start; /healthz reports whether the files are usable.
        CONTRACT_SIGNING_CERT=str(tmp_path / "signing" / "certificate.pem"),
        CONTRACT_SIGNING_KEY=str(tmp_path / "signing" / "private-key.pem"),
    )


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


START_DJANGO = "import django; django.setup(); print('started')"


def test_production_starts_with_every_required_variable(tmp_path):
    result = run_python(START_DJANGO, production_environment(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("started")


@pytest.mark.parametrize("how", ["unset", "empty"])
@pytest.mark.parametrize("name", REQUIRED_IN_PRODUCTION)
def test_production_refuses_to_start_naming_the_missing_variable(name, how, tmp_path):
    env = production_environment(tmp_path)
    if how == "unset":
        del env[name]
    else:
        env[name] = ""

    result = run_python(START_DJANGO, env)

    assert result.returncode != 0
    assert "started" not in result.stdout
    # The last line is the exception itself; the traceback above it quotes the
    # settings source, which names every variable whatever the message says.
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("django.core.exceptions.ImproperlyConfigured:"), result.stderr
    assert name in error.split(), error


# Values this repository publishes (config/published_keys.py), one per variable
# that holds a key, password or passphrase; the keys from both defaults.
PUBLISHED_IN_PRODUCTION = [
    ("SECRET_KEY", published_keys.DEV_SECRET_KEY),
    ("SECRET_KEY", published_keys.TEST_SECRET_KEY),
    ("FIELD_ENCRYPTION_KEYS", published_keys.DEV_FIELD_ENCRYPTION_KEYS),
    (
        "FIELD_ENCRYPTION_KEYS",
        "k2:"
        + base64.b64encode(secrets.token_bytes(32)).decode()
        + ",old:"
        + published_keys.TEST_FIELD_ENCRYPTION_KEYS.partition(":")[2],
    ),
    ("BLIND_INDEX_KEY", published_keys.DEV_BLIND_INDEX_KEY),
    ("BLIND_INDEX_KEY", published_keys.TEST_BLIND_INDEX_KEY),
    ("DATABASE_URL", "postgres://socialservices_app:secret@db:5432/socialservices"),
    ("REDIS_URL", "redis://:pass@127.0.0.1:6379/0"),
    ("EMAIL_HOST_PASSWORD", "demo-pass-2026"),
    ("CONTRACT_SIGNING_KEY_PASSPHRASE", "secret"),
]


# Ids without the values: one is partly random, and pytest-xdist workers must
# collect the same tests.
@pytest.mark.parametrize(
    "name, value",
    PUBLISHED_IN_PRODUCTION,
    ids=[f"{name}-{number}" for number, (name, _) in enumerate(PUBLISHED_IN_PRODUCTION)],
)
def test_production_refuses_to_start_with_a_published_key_naming_it(name, value, tmp_path):
    env = production_environment(tmp_path) | {name: value}

    result = run_python(START_DJANGO, env)

    assert result.returncode != 0
    assert "started" not in result.stdout
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("django.core.exceptions.ImproperlyConfigured:"), result.stderr
    assert "Published keys refused" in error
    assert re.findall(r"[A-Z][A-Z_]+", error).count(name) == 1, error
    assert value not in error


READ_BASE_SETTINGS = """
import json
from config.settings import base
print(json.dumps({
    "cache": base.CACHES["default"]["BACKEND"],
    "cache_location": base.CACHES["default"].get("LOCATION"),
    "broker": base.CELERY_BROKER_URL,
    "eager": base.CELERY_TASK_ALWAYS_EAGER,
}))
"""

# What a running worker and web process actually get, through Django's settings.
READ_CONFIGURED_APP = """
import json
import django
django.setup()
from django.core.cache import caches
from config.celery import app
print(json.dumps({
    "cache": type(caches["default"]).__name__,
    "broker": app.conf.broker_url,
    "eager": app.conf.task_always_eager,
}))
"""

REDIS_URL = "redis://127.0.0.1:6379/5"


def read_json(code: str, env: dict[str, str]) -> dict:
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_redis_url_the_broker_and_cache_are_redis():
    values = read_json(READ_BASE_SETTINGS, clean_environment(REDIS_URL=REDIS_URL))

    assert values == {
        "cache": "django.core.cache.backends.redis.RedisCache",
        "cache_location": REDIS_URL,
        "broker": REDIS_URL,
        "eager": False,
    }


def test_without_redis_url_tasks_run_eagerly_and_the_cache_is_local_memory():
    values = read_json(READ_BASE_SETTINGS, clean_environment())

    assert values == {
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "cache_location": None,
        "broker": "memory://",
        "eager": True,
    }


def test_a_production_worker_uses_redis_from_redis_url(tmp_path):
    env = production_environment(tmp_path) | {"REDIS_URL": REDIS_URL}

    values = read_json(READ_CONFIGURED_APP, env)

    assert values == {"cache": "RedisCache", "broker": REDIS_URL, "eager": False}


def test_a_first_run_needs_no_redis():
    env = clean_environment(DJANGO_SETTINGS_MODULE="config.settings.dev")

    values = read_json(READ_CONFIGURED_APP, env)

    assert values == {"cache": "LocMemCache", "broker": "memory://", "eager": True}
