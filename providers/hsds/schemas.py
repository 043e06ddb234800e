"""The HSDS 3.0 standard's files shipped with the app: JSON Schemas to validate
imported records, and the tabular data package's descriptor.

Read from ``settings.HSDS_SCHEMA_DIR`` and resolved from the local files only,
never from the network.
"""

import functools
import json
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

# What each entity is validated against: the compiled (nested) schemas where
# the standard publishes one, else the entity's own schema with its references.
SCHEMA_FILES = {
    "organization": "compiled/organization.json",
    "service": "compiled/service.json",
    "service_at_location": "compiled/service_at_location.json",
    "location": "schema/location.json",
    "taxonomy_term": "schema/taxonomy_term.json",
}


def schema_dir() -> Path:
    """The HSDS 3.0 standard files (``settings.HSDS_SCHEMA_DIR``: a copy ships with the app)."""
    return Path(settings.HSDS_SCHEMA_DIR)


def standard_missing() -> str:
    """Why the standard's files cannot be used here, or "" when they can."""
    directory = schema_dir()
    if not (directory / "datapackage.json").is_file() or not (directory / "compiled").is_dir():
        return _(
            "The HSDS 3.0 standard files were not found in %(path)s. Set HSDS_SCHEMA_DIR to "
            "the folder holding datapackage.json, compiled/ and schema/."
        ) % {"path": directory}
    return ""


@functools.cache
def _schema_registry():
    # The schemas refer to each other by file name ("address.json"); the
    # registry answers those from the local files, never from the network.
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    resources = []
    for path in sorted((schema_dir() / "schema").glob("*.json")):
        if path.name == "openapi.json":
            continue
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, DRAFT202012.create_resource(contents)))
    return Registry().with_resources(resources)


@functools.cache
def schema_validator(entity: str):
    """A JSON Schema validator (formats checked) for one HSDS entity."""
    from jsonschema import Draft202012Validator

    path = schema_dir() / SCHEMA_FILES[entity]
    schema = json.loads(path.read_text(encoding="utf-8"))
    return Draft202012Validator(
        schema,
        registry=_schema_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def schema_errors(entity: str, record) -> list[str]:
    """Why ``record`` is not a valid HSDS ``entity``, one message per problem (empty: valid)."""
    errors = sorted(
        schema_validator(entity).iter_errors(record), key=lambda error: list(error.absolute_path)
    )
    messages = []
    for error in errors:
        where = "/".join(str(part) for part in error.absolute_path)
        messages.append(f"{where}: {error.message}" if where else error.message)
    return messages
