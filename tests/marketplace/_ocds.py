"""The OCDS 1.1 schema check of the tests, built offline from the bundled standard.

Built here from the standard's files, independently of ``marketplace.ocds``,
so that a mistake in the code under test cannot also hide in the check: the
core release schema with the bids, lots, enquiries and budget_breakdown
extensions applied (each extension's release-schema.json is a JSON Merge
Patch, RFC 7386), the package schemas referring to it by its URL, which the
registry maps to the patched local copy. Nothing is fetched.

``jsonschema`` checks the formats it knows only with optional packages, so
date-times (with their offset) and URIs are checked by the two small
functions below.
"""

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT4

STANDARD_DIR = Path(settings.BASE_DIR) / "marketplace" / "standards" / "ocds"
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
VERSIONED_SCHEMA_URL = (
    "https://standard.open-contracting.org/schema/1__1__5/versioned-release-validation-schema.json"
)
EXTENSIONS = ("bids", "lots", "enquiries", "budget_breakdown")


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def merge_patch(target, patch):
    """RFC 7386: objects merge key by key, null removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@cache
def release_schema() -> dict:
    schema = _read(STANDARD_DIR / "release-schema.json")
    for name in EXTENSIONS:
        schema = merge_patch(
            schema, _read(STANDARD_DIR / "extensions" / name / "release-schema.json")
        )
    return schema


format_checker = FormatChecker(formats=())


@format_checker.checks("date-time", raises=ValueError)
def _is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    return "T" in value and datetime.fromisoformat(value).tzinfo is not None


@format_checker.checks("uri")
def _is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme in ("http", "https") and parts.netloc)


@cache
def validator(package: str) -> Draft4Validator:
    """A validator of a ``release`` or ``record`` package."""
    registry = Registry().with_resources(
        [
            (RELEASE_SCHEMA_URL, DRAFT4.create_resource(release_schema())),
            (
                VERSIONED_SCHEMA_URL,
                DRAFT4.create_resource(
                    _read(STANDARD_DIR / "versioned-release-validation-schema.json")
                ),
            ),
        ]
    )
    schema = _read(STANDARD_DIR / f"{package}-package-schema.json")
    return Draft4Validator(schema, registry=registry, format_checker=format_checker)


def problems(package: str, data: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator(package).iter_errors(data)
    ]


def assert_valid(package: str, data: dict) -> None:
    found = problems(package, data)
    assert not found, f"not a valid OCDS {package} package:\n" + "\n".join(found)
