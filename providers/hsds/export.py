"""Exports of the public directory as HSDS 3.0: one JSON file of compiled objects per
entity, or the standard's tabular data package (``manage.py export_hsds``).

Every object comes from ``providers.hsds.mapping`` through the public HSDS
selectors, in a stable order, so exporting the same data twice gives
identical files.
"""

import csv
import json
from collections import defaultdict
from pathlib import Path

from providers import selectors
from providers.hsds.mapping import (
    location_object,
    organization_object,
    service_at_location_detail,
    service_object,
    taxonomy_term_objects,
)
from providers.hsds.schemas import schema_dir
from providers.hsds.vocabulary import ENTITY_FILES


def export_objects(now=None) -> dict[str, list[dict]]:
    """Every public object, per entity, in a stable order."""
    chunk = 500
    return {
        "organization": [
            organization_object(provider)
            for provider in selectors.hsds_organizations().iterator(chunk_size=chunk)
        ],
        "service": [
            service_object(service)
            for service in selectors.hsds_services(now).iterator(chunk_size=chunk)
        ],
        "location": [
            location_object(site) for site in selectors.hsds_sites().iterator(chunk_size=chunk)
        ],
        "service_at_location": [
            service_at_location_detail(link)
            for link in selectors.hsds_services_at_sites(now).iterator(chunk_size=chunk)
        ],
        "taxonomy_term": taxonomy_term_objects(),
    }


def write_json(objects: dict[str, list[dict]], out_dir: Path) -> dict[str, int]:
    """One file per entity, each a JSON array of compiled objects."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for entity, filename in ENTITY_FILES.items():
        records = objects.get(entity, [])
        with (out_dir / filename).open("w", encoding="utf-8") as handle:
            json.dump(records, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
        counts[filename] = len(records)
    return counts


# Nested arrays and objects of the compiled objects → their table in the data package.
NESTED_TABLES = {
    "organization_identifiers": "organization_identifier",
    "phones": "phone",
    "service_areas": "service_area",
    "languages": "language",
    "cost_options": "cost_option",
    "attributes": "attribute",
    "taxonomy_term": "taxonomy_term",
    "addresses": "address",
    "accessibility": "accessibility",
    "schedules": "schedule",
    "service_at_locations": "service_at_location",
    "location": "location",
    "service": "service",
    "organization": "organization",
}


def _flatten(table: str, record: dict, rows: dict, parent: tuple[str, str] | None = None):
    row = {}
    for key, value in record.items():
        if isinstance(value, list):
            for item in value:
                if key in NESTED_TABLES and isinstance(item, dict):
                    _flatten(NESTED_TABLES[key], item, rows, parent=(table, record["id"]))
        elif isinstance(value, dict):
            if key in NESTED_TABLES:
                _flatten(NESTED_TABLES[key], value, rows)
        else:
            row[key] = value
    if parent is not None:
        row.setdefault(f"{parent[0]}_id", parent[1])
    rows[table].setdefault(row["id"], row)


def data_package_descriptor() -> dict:
    return json.loads((schema_dir() / "datapackage.json").read_text(encoding="utf-8"))


def write_tabular(objects: dict[str, list[dict]], out_dir: Path) -> dict[str, int]:
    """The HSDS tabular data package: the standard's datapackage.json and one CSV per table,
    with the standard's columns in its order (tables we have nothing for keep their header)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict[str, dict]] = defaultdict(dict)
    for entity, records in objects.items():
        for record in records:
            _flatten(entity, record, rows)
    descriptor = data_package_descriptor()
    counts = {}
    for resource in descriptor["resources"]:
        columns = [column["name"] for column in resource["schema"]["fields"]]
        table_rows = list(rows.get(resource["name"], {}).values())
        with (out_dir / resource["path"]).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(table_rows)
        counts[resource["path"]] = len(table_rows)
    with (out_dir / "datapackage.json").open("w", encoding="utf-8") as handle:
        json.dump(descriptor, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return counts
