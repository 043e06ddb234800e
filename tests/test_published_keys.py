"""Keys this repository publishes never protect a deployment (issue #14).

``config/published_keys.py`` is the one list of them: the development and test
defaults (the settings read them from there) and the README's examples. These
tests check that the list covers what the repository shows, and that a value
from it is recognised in every variable that holds a key, password or
passphrase, while a fresh random key is not. ``tests/test_settings.py`` and
``tests/test_deploy_check.py`` start production and ``check --deploy`` with them.
"""

import base64
import re
import secrets

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from config import published_keys
from core.checks import check_published_keys
from tests.test_settings import BASE_DIR, clean_environment, read_json


def fresh_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


PUBLISHED_KEYS = [
    published_keys.DEV_BLIND_INDEX_KEY,
    published_keys.TEST_BLIND_INDEX_KEY,
    published_keys.DEV_FIELD_ENCRYPTION_KEYS.partition(":")[2],
    published_keys.TEST_FIELD_ENCRYPTION_KEYS.partition(":")[2],
]

# Each variable with a published value in the shape the variable takes.
PUBLISHED_SETTINGS = {
    "SECRET_KEY": published_keys.DEV_SECRET_KEY,
    "FIELD_ENCRYPTION_KEYS": published_keys.DEV_FIELD_ENCRYPTION_KEYS,
    "BLIND_INDEX_KEY": published_keys.TEST_BLIND_INDEX_KEY,
    "DATABASE_URL": "postgres://socialservices_app:secret@db:5432/socialservices",
    "REDIS_URL": "redis://:pass@redis:6379/0",
    "EMAIL_HOST_PASSWORD": "demo-pass-2026",
    "CONTRACT_SIGNING_KEY_PASSPHRASE": published_keys.TEST_SECRET_KEY,
}
FRESH_SETTINGS = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEYS": f"k1:{fresh_key()},k0:{fresh_key()}",
    "BLIND_INDEX_KEY": fresh_key(),
    "DATABASE_URL": f"postgres://socialservices_app:{secrets.token_urlsafe(16)}@db/s",
    "REDIS_URL": "redis://redis:6379/0",
    "EMAIL_HOST_PASSWORD": secrets.token_urlsafe(16),
    "CONTRACT_SIGNING_KEY_PASSPHRASE": secrets.token_urlsafe(16),
}


@pytest.mark.parametrize("name", PUBLISHED_SETTINGS)
def test_a_published_value_is_refused_naming_its_variable(name):
    values = FRESH_SETTINGS | {name: PUBLISHED_SETTINGS[name]}

    with pytest.raises(ImproperlyConfigured) as caught:
        published_keys.refuse_published(values)

    assert published_keys.published_variables(values) == [name]
    assert name in re.findall(r"[A-Z][A-Z_]+", str(caught.value))


def test_fresh_random_keys_pass():
    assert published_keys.published_variables(FRESH_SETTINGS) == []
    published_keys.refuse_published(FRESH_SETTINGS)


def test_every_published_value_is_refused_as_a_secret_key():
    for value in published_keys.PUBLISHED:
        assert published_keys.published_variables({"SECRET_KEY": value}) == ["SECRET_KEY"]


@pytest.mark.parametrize("key", PUBLISHED_KEYS)
def test_a_published_key_is_found_in_any_entry_of_the_keyring_under_any_id(key):
    keyring = f"k2:{fresh_key()},renamed:{key}"

    assert published_keys.published_variables({"FIELD_ENCRYPTION_KEYS": keyring}) == [
        "FIELD_ENCRYPTION_KEYS"
    ]


@pytest.mark.parametrize("key", PUBLISHED_KEYS)
def test_a_published_key_is_refused_in_another_variable_or_with_spaces_around_it(key):
    assert published_keys.published_variables({"SECRET_KEY": key}) == ["SECRET_KEY"]
    assert published_keys.is_published(f" {key}\n")


def test_keys_are_compared_by_their_bytes():
    # The last base64 character carries two unused bits: "ISE=" and "ISF=" are the
    # same bytes, so the same key, though not the same text.
    text = published_keys.DEV_FIELD_ENCRYPTION_KEYS.partition(":")[2]
    same_key = text[:-2] + "F="

    assert same_key != text
    assert base64.b64decode(same_key) == base64.b64decode(text)
    assert published_keys.is_published(same_key)


def test_several_published_values_are_all_named():
    values = FRESH_SETTINGS | {
        "SECRET_KEY": published_keys.DEV_SECRET_KEY,
        "BLIND_INDEX_KEY": published_keys.DEV_BLIND_INDEX_KEY,
    }

    with pytest.raises(ImproperlyConfigured) as caught:
        published_keys.refuse_published(values)

    assert {"SECRET_KEY", "BLIND_INDEX_KEY"} <= set(re.findall(r"[A-Z][A-Z_]+", str(caught.value)))


def test_the_message_never_repeats_the_value():
    with pytest.raises(ImproperlyConfigured) as caught:
        published_keys.refuse_published({"BLIND_INDEX_KEY": published_keys.DEV_BLIND_INDEX_KEY})

    assert published_keys.DEV_BLIND_INDEX_KEY not in str(caught.value)


# --- the list covers what the repository shows ------------------------------------

READ_DEFAULT_KEYS = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in
    ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "DEMO_PASSWORD_DEFAULT")}))
"""


@pytest.mark.parametrize("module", ["config.settings.dev", "config.settings.test"])
def test_the_development_and_test_defaults_are_on_the_list(module):
    # Read as the settings module gives them with nothing set in the environment.
    defaults = read_json(READ_DEFAULT_KEYS, clean_environment(DJANGO_SETTINGS_MODULE=module))

    assert published_keys.published_variables(defaults) == list(defaults)


README = (BASE_DIR / "README.md").read_text(encoding="utf-8")
# `NAME=value` in code blocks and prose, `scheme://user:password@host`, SQL's
# PASSWORD '…', and the default column of the configuration table.
ASSIGNMENT = re.compile(r"\b([A-Z][A-Z0-9_]*)=([^\s`]+)")
URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@`]*:([^\s@/`]+)@")
SQL_PASSWORD = re.compile(r"\bPASSWORD\s+'([^']*)'", re.IGNORECASE)
TABLE_DEFAULT = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \| `([^`]+)` \|", re.MULTILINE)
SECRET_NAME = re.compile(r"(KEY|KEYS|PASSWORD|PASSPHRASE|SECRET)$")


def is_placeholder(value: str) -> bool:
    return "…" in value or "..." in value or value[:1] in {"$", "<", "{"}


def readme_examples() -> set[str]:
    found = set(URL_PASSWORD.findall(README))
    found |= set(SQL_PASSWORD.findall(README))
    for pattern in (ASSIGNMENT, TABLE_DEFAULT):
        for name, value in pattern.findall(README):
            if SECRET_NAME.search(name):
                found.update(published_keys.secrets_of(name, value))
    return {value for value in found if not is_placeholder(value)}


def test_every_key_and_password_the_readme_shows_is_on_the_list():
    examples = readme_examples()

    # The scan finds what is there (an example URL password, the demo password).
    assert {"pass", "demo-pass-2026"} <= examples
    assert [value for value in examples if not published_keys.is_published(value)] == []


def test_the_readme_placeholders_are_not_taken_for_examples():
    # The deployment section writes keys as `SECRET_KEY=…`: nothing to publish.
    assert "SECRET_KEY=…" in README
    assert "…" not in readme_examples()


# A 32-byte key in base64: 43 or 44 characters, upper and lower case mixed.
KEY_LITERAL = re.compile(
    r"(?<![\w+/=])(?=[\w+/]*[A-Z])(?=[\w+/]*[a-z])[A-Za-z0-9+/]{43,44}=?(?![\w+/=])"
)
SCANNED = ["README.md", "Makefile", "pyproject.toml", ".ci", "config", "docs", "scripts"]


def key_literals() -> dict[str, str]:
    found = {}
    for name in SCANNED:
        path = BASE_DIR / name
        for file in [path] if path.is_file() else sorted(path.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                for literal in KEY_LITERAL.findall(file.read_text(encoding="utf-8")):
                    if len(base64.b64decode(literal + "=" * (-len(literal) % 4))) >= 32:
                        found[literal] = str(file.relative_to(BASE_DIR))
    return found


def test_every_key_written_in_the_docs_scripts_or_settings_is_on_the_list():
    literals = key_literals()

    assert published_keys.DEV_BLIND_INDEX_KEY in literals  # the scan reads config/
    assert {
        literal: where
        for literal, where in literals.items()
        if not published_keys.is_published(literal)
    } == {}


# --- `check --deploy` -------------------------------------------------------------


@pytest.fixture
def fresh_keys(settings):
    """Settings with keys of their own, whatever the test settings publish."""
    for name, value in FRESH_SETTINGS.items():
        if name not in published_keys.URL_SETTINGS:
            setattr(settings, name, value)
    settings.REDIS_URL = None
    return settings


DEPLOY_CHECKED = [
    ("SECRET_KEY", published_keys.DEV_SECRET_KEY),
    ("FIELD_ENCRYPTION_KEYS", f"k9:{fresh_key()},old:{PUBLISHED_KEYS[2]}"),
    ("BLIND_INDEX_KEY", published_keys.DEV_BLIND_INDEX_KEY),
    ("EMAIL_HOST_PASSWORD", "demo-pass-2026"),
    ("CONTRACT_SIGNING_KEY_PASSPHRASE", "secret"),
    ("REDIS_URL", "redis://:secret@127.0.0.1:6379/0"),
    ("SECRET_KEY_FALLBACKS", [published_keys.TEST_SECRET_KEY]),
]


# Ids without the values: one is partly random, and pytest-xdist workers must
# collect the same tests.
@pytest.mark.parametrize("name, value", DEPLOY_CHECKED, ids=[name for name, _ in DEPLOY_CHECKED])
def test_the_deploy_check_reports_a_published_value_naming_its_variable(fresh_keys, name, value):
    setattr(fresh_keys, name, value)

    errors = check_published_keys()

    assert [error.id for error in errors] == ["core.E004"]
    assert re.findall(r"[A-Z][A-Z_]+", errors[0].msg).count(name) == 1


def test_the_deploy_check_reports_a_published_database_password(fresh_keys, monkeypatch):
    # In place: replacing DATABASES would reconfigure the test database connections.
    monkeypatch.setitem(django_settings.DATABASES["default"], "PASSWORD", "pass")

    errors = check_published_keys()

    assert [error.id for error in errors] == ["core.E004"]
    assert "DATABASE_URL" in errors[0].msg


def test_the_deploy_check_passes_fresh_keys(fresh_keys):
    assert check_published_keys() == []
