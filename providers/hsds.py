"""Open Referral HSDS 3.0: our public directory as HSDS objects, its exports, and imports
of other directories' HSDS data.

Only what the public directory shows is mapped: verified providers, their
public services (``selectors.public_services``: offered and confirmed within
180 days) and their sites. Documents, staff, capacity editors and anything
personal never leave through here.

=====================  ==================================================
HSDS                   ours
=====================  ==================================================
organization           ``Provider`` + its ``Organization`` (id = provider uuid); the
                       unified social credit code as an organization identifier
service                public ``Service`` (id = service uuid); need categories, tier
                       and Open Eligibility concepts as attributes
location               ``Site`` of a verified provider (id = site uuid)
service_at_location    ``ServiceAtSite`` (id derived from service and site)
taxonomy_term          ``NeedCategory`` tree, ``ServiceTier`` and the Open
                       Eligibility concepts our categories cross-walk to
=====================  ==================================================

Objects without a uuid of their own (addresses, phones, terms…) get a uuid5
of a stable name, so exporting the same data twice gives identical files.
Optional fields we know nothing about are left out rather than sent empty:
HSDS types them as strings or numbers, and null is neither.

Free-text fields we compose (eligibility, fees, accessibility, legal status)
follow the active language; names and descriptions are the data as entered,
Chinese first with the English name as ``alternate_name``.
"""

import csv
import functools
import json
import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from places import selectors as place_selectors
from places.models import Area
from providers import selectors, services
from providers.models import Provider, Service, Site
from taxonomy import selectors as taxonomy_selectors
from taxonomy.models import NeedCategory

HSDS_VERSION = "3.0"
HSDS_PROFILE_URL = "https://docs.openreferral.org/en/v3.0/"
# Fixed forever: every derived identifier depends on it.
ID_NAMESPACE = uuid.UUID("0b6f3c9e-5d1a-5f0e-9a57-3c2e8d7b4f61")

NEED_CATEGORY_TAXONOMY = "socialcommissioning-need-category"
SERVICE_TIER_TAXONOMY = "socialcommissioning-service-tier"
OPEN_ELIGIBILITY_TAXONOMY = "Open Eligibility"
CREDIT_CODE_SCHEME = "CN-USCC"
CREDIT_CODE_TYPE = "Unified Social Credit Code"
COUNTRY = "CN"
CURRENCY = "CNY"

# Attribute link types (HSDS leaves the code list open).
LINK_NEED_CATEGORY = "need_category"
LINK_SERVICE_TIER = "service_tier"
LINK_OPEN_ELIGIBILITY = "open_eligibility"
LINK_DELIVERY_MODE = "delivery_mode"
DELIVERY_MODES = ("at_site", "home_visit", "remote")

# The entities we export and import, each in its own file of compiled objects.
ENTITY_FILES = {
    "organization": "organizations.json",
    "service": "services.json",
    "location": "locations.json",
    "service_at_location": "service_at_locations.json",
    "taxonomy_term": "taxonomy_terms.json",
}

# Names of the Open Eligibility concepts our categories cross-walk to
# (taxonomy/migrations/0002); a code missing here is shown as itself.
OPEN_ELIGIBILITY_NAMES = {
    "1101": "Emergency",
    "1107": "Money",
    "1108": "Care",
    "1112": "Disaster Response",
    "1113": "Emergency Payments",
    "1121": "Emergency Shelter",
    "1137": "Help Pay for Housing",
    "1199": "Help Pay for Healthcare",
    "1304": "Counseling",
    "1318": "Help Pay for School",
    "1357": "Help Find Work",
    "1375": "Advocacy & Legal Aid",
}

# City-level rows that are groupings, not cities (municipalities such as Shanghai).
_GROUPING_CITY_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def stable_id(*parts) -> str:
    """A uuid5 that depends only on ``parts``: the same object gets the same id in every export."""
    return str(uuid.uuid5(ID_NAMESPACE, ":".join(str(part) for part in parts)))


def _compact(values: dict, *, keep=()) -> dict:
    return {
        key: value
        for key, value in values.items()
        if key in keep or (value is not None and value != "" and value != [])
    }


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- mapping: our objects → HSDS --------------------------------------------


def organization_object(provider: Provider) -> dict:
    organization = provider.organization
    provider_id = str(provider.uuid)
    identifiers = []
    if organization.credit_code:
        identifiers.append(
            {
                "id": stable_id("organization-identifier", provider_id, CREDIT_CODE_SCHEME),
                "organization_id": provider_id,
                "identifier_scheme": CREDIT_CODE_SCHEME,
                "identifier_type": CREDIT_CODE_TYPE,
                "identifier": organization.credit_code,
            }
        )
    phones = []
    if provider.public_phone:
        phones.append(
            {
                "id": stable_id("organization-phone", provider_id),
                "organization_id": provider_id,
                "number": provider.public_phone,
            }
        )
    return _compact(
        {
            "id": provider_id,
            "name": organization.name_zh,
            "alternate_name": organization.name_en,
            "description": provider.description_zh or provider.description_en,
            "email": provider.public_email,
            "website": provider.website,
            "legal_status": str(Provider.LegalForm(provider.legal_form).label)
            if provider.legal_form
            else "",
            "tax_status": str(Provider.Nature(provider.nature).label),
            "year_incorporated": provider.registration_date.year
            if provider.registration_date
            else None,
            "phones": phones,
            "organization_identifiers": identifiers,
        },
        keep=("description",),
    )


def need_category_term(category: NeedCategory) -> dict:
    return _compact(
        {
            "id": stable_id(NEED_CATEGORY_TAXONOMY, category.code),
            "code": category.code,
            "name": category.name_zh,
            "description": category.description_zh or category.name_en,
            "parent_id": stable_id(NEED_CATEGORY_TAXONOMY, category.parent.code)
            if category.parent_id
            else None,
            "taxonomy": NEED_CATEGORY_TAXONOMY,
            "language": "zh",
        },
        keep=("description",),
    )


def service_tier_term(tier) -> dict:
    return {
        "id": stable_id(SERVICE_TIER_TAXONOMY, tier.code),
        "code": tier.code,
        "name": tier.name_zh,
        "description": tier.description_zh or tier.name_en,
        "taxonomy": SERVICE_TIER_TAXONOMY,
        "language": "zh",
    }


def open_eligibility_term(code: str) -> dict:
    name = OPEN_ELIGIBILITY_NAMES.get(code, code)
    return {
        "id": stable_id(OPEN_ELIGIBILITY_TAXONOMY, code),
        "code": code,
        "name": name,
        "description": f"Open Eligibility concept {code} ({name})",
        "taxonomy": OPEN_ELIGIBILITY_TAXONOMY,
        "language": "en",
    }


def taxonomy_term_objects() -> list[dict]:
    """Our need categories (tree order), service tiers, then the Open Eligibility crosswalk."""
    categories = list(taxonomy_selectors.in_tree_order(NeedCategory.objects.all()))
    terms = [need_category_term(category) for category in categories]
    terms += [service_tier_term(tier) for tier in taxonomy_selectors.service_tiers()]
    codes = sorted({c.open_eligibility_code for c in categories if c.open_eligibility_code})
    terms += [open_eligibility_term(code) for code in codes]
    return terms


def _attribute(service_id: str, link_type: str, *, term=None, value=None) -> dict:
    key = term["id"] if term else value
    return _compact(
        {
            "id": stable_id("attribute", service_id, link_type, key),
            "link_id": service_id,
            "link_entity": "service",
            "link_type": link_type,
            "taxonomy_term_id": term["id"] if term else None,
            "taxonomy_term": term,
            "value": value,
        }
    )


def eligibility_description(service: Service) -> str:
    parts = []
    if service.min_age is not None and service.max_age is not None:
        parts.append(
            _("Ages %(min)d to %(max)d") % {"min": service.min_age, "max": service.max_age}
        )
    elif service.min_age is not None:
        parts.append(_("Aged %(min)d or over") % {"min": service.min_age})
    elif service.max_age is not None:
        parts.append(_("Aged %(max)d or under") % {"max": service.max_age})
    if service.gender != Service.Gender.ANY:
        parts.append(str(Service.Gender(service.gender).label))
    if service.hukou != Service.Hukou.ANY:
        parts.append(str(Service.Hukou(service.hukou).label))
    statuses = [
        str(Service.AssistanceStatus(code).label)
        for code in service.required_statuses or []
        if code in Service.AssistanceStatus.values
    ]
    if statuses:
        parts.append(_("One of: %(statuses)s") % {"statuses": ", ".join(statuses)})
    return "; ".join(parts) if parts else _("Open to everyone")


def fees_description(service: Service) -> str:
    text = str(Service.FeeKind(service.fee_kind).label)
    if service.fee_amount is not None:
        text += " " + _("%(amount)s yuan") % {"amount": service.fee_amount}
    if service.fee_note:
        text += f" ({service.fee_note})"
    return text


def _service_area(service_id: str, area: Area) -> dict:
    return _compact(
        {
            "id": stable_id("service-area", service_id, area.code),
            "service_id": service_id,
            "name": area.name_zh,
            "description": f"{area.name_en or area.name_zh} (GB/T 2260 {area.code})",
            "extent": area.code,
            "extent_type": "text",
        }
    )


def service_object(service: Service, *, nested: bool = False) -> dict:
    """A service; ``nested`` adds its organization and its locations (the API's detail view)."""
    service_id = str(service.uuid)
    categories = sorted(service.categories.all(), key=lambda category: category.code)
    attributes = [
        _attribute(service_id, LINK_NEED_CATEGORY, term=need_category_term(category))
        for category in categories
    ]
    attributes.append(
        _attribute(service_id, LINK_SERVICE_TIER, term=service_tier_term(service.tier))
    )
    for code in sorted({c.open_eligibility_code for c in categories if c.open_eligibility_code}):
        attributes.append(
            _attribute(service_id, LINK_OPEN_ELIGIBILITY, term=open_eligibility_term(code))
        )
    for mode in DELIVERY_MODES:
        if getattr(service, mode):
            attributes.append(_attribute(service_id, LINK_DELIVERY_MODE, value=mode))
    cost_options = []
    if service.fee_amount is not None:
        cost_options.append(
            _compact(
                {
                    "id": stable_id("cost-option", service_id),
                    "service_id": service_id,
                    "option": str(Service.FeeKind(service.fee_kind).label),
                    "currency": CURRENCY,
                    "amount": float(service.fee_amount),
                    "amount_description": service.fee_note,
                }
            )
        )
    links = list(service.site_links.all())
    values = {
        "id": service_id,
        "organization_id": str(service.provider.uuid),
        "name": service.name_zh,
        "alternate_name": service.name_en,
        "description": service.description_zh or service.description_en,
        "status": "active" if service.is_active else "inactive",
        "fees_description": fees_description(service),
        "eligibility_description": eligibility_description(service),
        "minimum_age": service.min_age,
        "maximum_age": service.max_age,
        # The date a person at the provider last confirmed the listing (freshness rule).
        "assured_date": timezone.localdate(service.last_confirmed_at).isoformat(),
        "last_modified": _timestamp(max(service.updated_at, service.last_confirmed_at)),
        "service_areas": [
            _service_area(service_id, area)
            for area in sorted(service.areas_covered.all(), key=lambda area: area.code)
        ],
        "languages": [
            {
                "id": stable_id("language", service_id, code),
                "service_id": service_id,
                "name": str(Service.Language(code).label),
                "code": code,
            }
            for code in service.languages or []
            if code in Service.Language.values
        ],
        "cost_options": cost_options,
        "attributes": attributes,
        "service_at_locations": [
            service_at_location_object(link, service=service, nested=nested) for link in links
        ],
    }
    if nested:
        values["organization"] = organization_object(service.provider)
    return _compact(values)


def _province_city_district(site: Site) -> tuple[str, str, str]:
    district = site.district
    area = district or site.area
    names = {}
    while area is not None:
        names[area.level] = area.name_zh
        area = area.parent if area.parent_id else None
    province = names.get(Area.Level.PROVINCE, "")
    city = names.get(Area.Level.CITY, "")
    if not city or city in _GROUPING_CITY_NAMES:
        city = province  # Shanghai, Beijing…: the municipality is the city
    return province, city, district.name_zh if district else ""


def accessibility_description(site: Site) -> str:
    features = []
    if site.wheelchair_accessible:
        features.append(_("Step-free / wheelchair access"))
    if site.accessible_toilet:
        features.append(_("Accessible toilet"))
    if site.hearing_support:
        features.append(_("Hearing loop or sign language"))
    return "; ".join(features)


def location_object(site: Site) -> dict:
    location_id = str(site.uuid)
    province, city, district = _province_city_district(site)
    address = _compact(
        {
            "id": stable_id("address", location_id),
            "location_id": location_id,
            "address_1": site.address,
            "city": city,
            "region": district,
            "state_province": province,
            # Required by HSDS; our sites have no postal code, and guessing one would mislead.
            "postal_code": "",
            "country": COUNTRY,
            "address_type": "physical",
        },
        keep=("city", "state_province", "postal_code"),
    )
    accessibility = []
    if accessibility_description(site) or site.accessibility_notes:
        accessibility.append(
            _compact(
                {
                    "id": stable_id("accessibility", location_id),
                    "location_id": location_id,
                    "description": accessibility_description(site),
                    "details": site.accessibility_notes,
                }
            )
        )
    schedules = []
    if site.opening_hours_zh or site.opening_hours_en:
        # Our hours are free text; HSDS schedules can carry that as a description
        # without pretending to a recurrence rule we do not have.
        schedules.append(
            _compact(
                {
                    "id": stable_id("schedule", location_id),
                    "location_id": location_id,
                    "description": site.opening_hours_zh or site.opening_hours_en,
                    "notes": site.opening_hours_en if site.opening_hours_zh else "",
                }
            )
        )
    phones = []
    if site.phone:
        phones.append(
            {
                "id": stable_id("location-phone", location_id),
                "location_id": location_id,
                "number": site.phone,
            }
        )
    return _compact(
        {
            "id": location_id,
            "location_type": "physical",
            "organization_id": str(site.provider.uuid),
            "name": site.name_zh,
            "alternate_name": site.name_en,
            "latitude": float(site.latitude) if site.latitude is not None else None,
            "longitude": float(site.longitude) if site.longitude is not None else None,
            "addresses": [address],
            "accessibility": accessibility,
            "schedules": schedules,
            "phones": phones,
        }
    )


def service_at_location_object(link, *, service=None, nested: bool = False) -> dict:
    """The link between a service and a site; ``nested`` adds the location (and the service
    when not called from inside that service)."""
    service = service or link.service
    values = {
        "id": stable_id("service-at-location", service.uuid, link.site.uuid),
        "service_id": str(service.uuid),
        "location_id": str(link.site.uuid),
    }
    if nested:
        values["location"] = location_object(link.site)
    return values


def service_at_location_detail(link) -> dict:
    """A link with both ends in full, as service_at_locations.json and the API give it."""
    values = service_at_location_object(link, nested=True)
    values["service"] = service_object(link.service)
    return values


# --- export -----------------------------------------------------------------


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


# --- schemas ----------------------------------------------------------------

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


# --- import -----------------------------------------------------------------

# Nested parts validated as records of their own, not as part of their parent:
# a bad service must not reject the organization that contains it.
DETACHED = {
    "organization": ("services", "locations"),
    "service": ("service_at_locations", "organization"),
    "service_at_location": ("location", "service"),
    "location": (),
    "taxonomy_term": (),
}


@dataclass
class ImportReport:
    """What an import did, per entity, and each problem with the record it concerns."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, entity: str, outcome: str) -> None:
        # A record we already hold as it is has nothing to write: it is skipped.
        if outcome == services.IMPORT_UNCHANGED:
            outcome = "skipped"
        self.counts[entity][outcome] += 1

    def error(self, entity: str, label: str, record_id, reason: str) -> None:
        self.counts[entity]["errors"] += 1
        self.errors.append(f"{label} id={record_id}: {reason}")

    def warn(self, label: str, record_id, reason: str) -> None:
        self.warnings.append(f"{label} id={record_id}: {reason}")

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.counts.values())


@dataclass
class _Record:
    entity: str
    label: str
    values: dict

    @property
    def id(self):
        return self.values.get("id")


def _reason(error: Exception) -> str:
    if isinstance(error, ApplicationError):
        details = [
            f"{field_name}: {' '.join(str(message) for message in messages)}"
            for field_name, messages in (error.field_errors or {}).items()
        ]
        return "; ".join(details) if details else str(error.message)
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
            )
        return " ".join(error.messages)
    return str(error)


def _read_directory(path: Path, report: ImportReport) -> dict[str, list[_Record]]:
    """The records of each entity, nested ones detached, the first of each id kept."""
    top: dict[str, list[_Record]] = {entity: [] for entity in ENTITY_FILES}
    nested: dict[str, list[_Record]] = {entity: [] for entity in ENTITY_FILES}
    for entity, filename in ENTITY_FILES.items():
        file_path = path / filename
        if not file_path.exists():
            continue
        try:
            data = json.loads(file_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            report.errors.append(f"{filename}: not readable JSON ({error})")
            continue
        if not isinstance(data, list):
            report.errors.append(f"{filename}: expected a JSON array of {entity} objects")
            continue
        stem = filename.removesuffix(".json")
        for index, values in enumerate(data):
            label = f"{stem}[{index}]"
            if not isinstance(values, dict):
                report.error(entity, label, None, "not a JSON object")
                continue
            top[entity].append(_Record(entity, label, values))
            _detach(entity, label, values, nested)
    records = {}
    for entity in ENTITY_FILES:
        records[entity] = []
        seen = set()
        for record in top[entity]:
            if record.id in seen and record.id is not None:
                report.error(entity, record.label, record.id, "the same id appears earlier")
                continue
            seen.add(record.id)
            records[entity].append(record)
        for record in nested[entity]:
            # Nested copies of records given at the top level (our own export
            # nests locations in links) are the same record: the first wins.
            if record.id not in seen:
                seen.add(record.id)
                records[entity].append(record)
    return records


def _detach(entity: str, label: str, values: dict, nested: dict) -> None:
    for key in DETACHED[entity]:
        child = values.get(key)
        if child is None:
            continue
        child_entity = {
            "services": "service",
            "locations": "location",
            "service_at_locations": "service_at_location",
            "organization": "organization",
            "location": "location",
            "service": "service",
        }[key]
        children = child if isinstance(child, list) else [child]
        for index, item in enumerate(children):
            if not isinstance(item, dict):
                continue
            item = dict(item)
            child_label = f"{label}.{key}" + (f"[{index}]" if isinstance(child, list) else "")
            # A child inherits its parent's id where HSDS lets the nesting imply it.
            if entity == "organization" and child_entity in ("service", "location"):
                item.setdefault("organization_id", values.get("id"))
            if entity == "service" and child_entity == "service_at_location":
                item.setdefault("service_id", values.get("id"))
            if entity == "service_at_location" and child_entity == "location":
                values.setdefault("location_id", item.get("id"))
            nested[child_entity].append(_Record(child_entity, child_label, item))
            _detach(child_entity, child_label, item, nested)


def _validated(records: list[_Record], report: ImportReport) -> list[_Record]:
    valid = []
    for record in records:
        values = {k: v for k, v in record.values.items() if k not in DETACHED[record.entity]}
        problems = schema_errors(record.entity, values)
        if problems:
            report.error(record.entity, record.label, record.id, "; ".join(problems[:3]))
        else:
            valid.append(record)
    return valid


def _choice_matching(choices, text: str) -> str | None:
    """The choice whose code or label (in either language) is ``text``."""
    wanted = (text or "").strip().casefold()
    if not wanted:
        return None
    for value, label in choices.choices:
        candidates = {str(value).casefold()}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                candidates.add(str(label).casefold())
        if wanted in candidates:
            return value
    return None


# Registration authority 5 (civil affairs) and its categories 1/2/3.
_LEGAL_FORM_BY_CODE_PREFIX = {
    "51": Provider.LegalForm.SOCIAL_GROUP,
    "52": Provider.LegalForm.SOCIAL_SERVICE_AGENCY,
    "53": Provider.LegalForm.FOUNDATION,
    "91": Provider.LegalForm.ENTERPRISE,
    "12": Provider.LegalForm.PUBLIC_INSTITUTION,
}


def _credit_code_of(values: dict) -> str:
    for identifier in values.get("organization_identifiers") or []:
        scheme = (identifier.get("identifier_scheme") or "").upper()
        kind = (identifier.get("identifier_type") or "").casefold()
        if (
            scheme == CREDIT_CODE_SCHEME
            or "unified social credit" in kind
            or "统一社会信用" in kind
        ):
            return identifier.get("identifier") or ""
    return ""


def _provider_fields(values: dict) -> dict:
    code = _credit_code_of(values)
    legal_form = _choice_matching(Provider.LegalForm, values.get("legal_status"))
    if legal_form is None:
        legal_form = _LEGAL_FORM_BY_CODE_PREFIX.get(
            code.strip().upper()[:2], Provider.LegalForm.SOCIAL_SERVICE_AGENCY
        )
    phones = [phone.get("number") for phone in values.get("phones") or [] if phone.get("number")]
    return {
        "name_zh": values["name"],
        "name_en": values.get("alternate_name") or "",
        "credit_code": code,
        "legal_form": legal_form,
        "nature": _choice_matching(Provider.Nature, values.get("tax_status"))
        or Provider.Nature.NON_PROFIT,
        "description_zh": values.get("description") or "",
        "website": values.get("website") or "",
        "public_email": values.get("email") or "",
        "public_phone": phones[0] if phones else "",
    }


def _clip(text, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _address_text(address: dict) -> str:
    """One Chinese address line: the parts above the street first, unless it already names them."""
    line = (address.get("address_1") or "").strip()
    if address.get("address_2"):
        line += address["address_2"].strip()
    prefix = ""
    for part in ("state_province", "city", "region"):
        name = (address.get(part) or "").strip()
        if name and name not in line and name not in prefix:
            prefix += name
    return prefix + line


def _coordinate(value) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(round(float(value), 6)))
    except (TypeError, ValueError, InvalidOperation):
        return None


def _site_fields(values: dict) -> dict:
    addresses = values.get("addresses") or []
    physical = [a for a in addresses if a.get("address_type") == "physical"] or addresses
    address = _address_text(physical[0]) if physical else ""
    schedules = values.get("schedules") or []
    accessibility = values.get("accessibility") or []
    phones = [phone.get("number") for phone in values.get("phones") or [] if phone.get("number")]
    return {
        "name_zh": _clip(values.get("name") or address, 200),
        "name_en": _clip(values.get("alternate_name"), 250),
        "address": address,
        "opening_hours_zh": _clip(schedules[0].get("description") if schedules else "", 300),
        "opening_hours_en": _clip(schedules[0].get("notes") if schedules else "", 300),
        "accessibility_notes": _clip(
            accessibility[0].get("details") or accessibility[0].get("description")
            if accessibility
            else "",
            300,
        ),
        "phone": phones[0] if phones else "",
    }


_LANGUAGE_ALIASES = {"zho": "zh", "chi": "zh", "cmn": "zh", "eng": "en"}


def _languages(values: dict) -> list[str]:
    codes = []
    for language in values.get("languages") or []:
        code = (language.get("code") or "").strip().lower()
        code = _LANGUAGE_ALIASES.get(code, code)
        if code in Service.Language.values and code not in codes:
            codes.append(code)
    return codes


def _fee_fields(values: dict) -> dict:
    for option in values.get("cost_options") or []:
        try:
            amount = Decimal(str(option.get("amount")))
        except (InvalidOperation, ValueError):
            continue
        if amount > 0:
            subsidised = _choice_matching(Service.FeeKind, option.get("option"))
            return {
                "fee_kind": Service.FeeKind.SUBSIDISED
                if subsidised == Service.FeeKind.SUBSIDISED
                else Service.FeeKind.PAID,
                "fee_amount": amount.quantize(Decimal("0.01")),
                "fee_note": _clip(option.get("amount_description"), 300),
            }
    return {"fee_kind": Service.FeeKind.FREE, "fee_amount": None, "fee_note": ""}


def _age(value) -> int | None:
    return None if value is None else int(value)


def _confirmed_at(values: dict):
    """When the source last checked the listing: assured_date, else last_modified."""
    assured = parse_date(values.get("assured_date") or "") if values.get("assured_date") else None
    if assured is not None:
        return timezone.make_aware(datetime.combine(assured, time.min))
    modified = values.get("last_modified")
    moment = parse_datetime(modified) if isinstance(modified, str) else None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


_AREA_CODE = re.compile(r"\b(\d{12}|\d{6})\b")


def _areas(values: dict) -> list[Area]:
    areas = []
    for service_area in values.get("service_areas") or []:
        for text in (service_area.get("extent"), service_area.get("uri")):
            match = _AREA_CODE.search(text or "")
            area = place_selectors.area_by_code(match.group(1)) if match else None
            if area is not None and area not in areas:
                areas.append(area)
                break
    return areas


class _Vocabulary:
    """Taxonomy terms of the import resolved to our need categories and tiers (never created)."""

    def __init__(self, term_records: list[_Record], report: ImportReport):
        self.report = report
        self.terms: dict[str, dict] = {}
        self.labels: dict[str, str] = {}
        self.reported: set[str] = set()
        for record in term_records:
            self.terms[record.id] = record.values
            self.labels[record.id] = record.label
        self.categories = {c.code: c for c in NeedCategory.objects.all()}
        self.by_open_eligibility: dict[str, NeedCategory] = {}
        for category in sorted(self.categories.values(), key=lambda c: c.parent_id is not None):
            # Several categories share an Open Eligibility concept: the group wins.
            if category.open_eligibility_code:
                self.by_open_eligibility.setdefault(category.open_eligibility_code, category)
        self.tiers = {tier.code: tier for tier in taxonomy_selectors.service_tiers()}

    def resolve(self, term: dict, label: str):
        """("category" | "open_eligibility" | "tier", our object) or None, reported once."""
        taxonomy = (term.get("taxonomy") or "").casefold()
        code = (term.get("code") or "").strip()
        if taxonomy == SERVICE_TIER_TAXONOMY and code in self.tiers:
            return "tier", self.tiers[code]
        if "open eligibility" in taxonomy or "openeligibility" in taxonomy:
            if code in self.by_open_eligibility:
                return "open_eligibility", self.by_open_eligibility[code]
        elif code in self.categories:
            return "category", self.categories[code]
        term_id = term.get("id")
        if term_id not in self.reported:
            self.reported.add(term_id)
            self.report.warn(
                self.labels.get(term_id, label),
                term_id,
                f"unknown taxonomy term {code or term.get('name')!r} "
                f"({term.get('taxonomy') or 'no taxonomy'}); not created",
            )
        return None

    def check_all(self) -> None:
        for term_id, term in self.terms.items():
            self.resolve(term, self.labels[term_id])

    def for_service(self, values: dict, label: str) -> tuple[list, object | None]:
        categories, crosswalked, tier = [], [], None
        for attribute in values.get("attributes") or []:
            term = attribute.get("taxonomy_term") or self.terms.get(
                attribute.get("taxonomy_term_id")
            )
            if not term:
                continue
            found = self.resolve(term, f"{label}.attributes")
            if found is None:
                continue
            kind, value = found
            if kind == "tier":
                tier = value
            elif kind == "category":
                categories.append(value)
            else:
                crosswalked.append(value)
        # Our own terms are precise; Open Eligibility concepts only where we have none.
        chosen = categories or crosswalked
        return list(dict.fromkeys(chosen)), tier


def _delivery_modes(values: dict) -> dict:
    modes = {
        attribute.get("value")
        for attribute in values.get("attributes") or []
        if attribute.get("link_type") == LINK_DELIVERY_MODE
    }
    modes &= set(DELIVERY_MODES)
    return {mode: mode in modes for mode in DELIVERY_MODES} if modes else {}


def import_directory(path, *, source: str, verify: bool = False) -> ImportReport:
    """Load another directory's HSDS JSON files (our export's shape) from ``path``.

    Each record is validated against the HSDS schema first and then saved in
    its own transaction through ``providers.services``: a bad record is
    reported with its id and reason and the others still load. Importing the
    same files again updates what changed and creates nothing.
    """
    report = ImportReport()
    path = Path(path)
    records = _read_directory(path, report)
    valid = {entity: _validated(records[entity], report) for entity in ENTITY_FILES}
    vocabulary = _Vocabulary(valid["taxonomy_term"], report)
    vocabulary.check_all()
    report.counts["taxonomy_term"]["skipped"] += len(valid["taxonomy_term"])

    providers = _import_organizations(valid["organization"], source, verify, report)
    links = [
        record
        for record in valid["service_at_location"]
        if record.values.get("service_id") and record.values.get("location_id")
    ]
    # A location may name its organization, or be reached through a service's link.
    organization_of_service = {
        record.id: record.values.get("organization_id") for record in valid["service"]
    }
    organization_of_location = {
        link.values["location_id"]: organization_of_service.get(link.values["service_id"])
        for link in links
    }
    sites = _import_locations(
        valid["location"], source, providers, organization_of_location, report
    )
    _import_services(valid["service"], source, providers, sites, links, vocabulary, report)
    return report


def _provider_for(organization_id, source, providers: dict):
    if organization_id in providers:
        return providers[organization_id]
    if organization_id is None:
        return None
    provider = selectors.imported_object(
        Provider, source=source, entity="organization", external_id=organization_id
    )
    providers[organization_id] = provider
    return provider


def _import_organizations(records, source, verify, report) -> dict:
    providers = {}
    for record in records:
        try:
            provider, outcome = services.import_provider(
                source=source,
                external_id=record.id,
                verify=verify,
                **_provider_fields(record.values),
            )
        except (ApplicationError, ValidationError) as error:
            report.error("organization", record.label, record.id, _reason(error))
            providers[record.id] = None
            continue
        providers[record.id] = provider
        report.count("organization", outcome)
    return providers


def _import_locations(records, source, providers, organization_of_location, report) -> dict:
    sites = {}
    for record in records:
        organization_id = record.values.get("organization_id") or organization_of_location.get(
            record.id
        )
        provider = _provider_for(organization_id, source, providers)
        if provider is None:
            report.error(
                "location",
                record.label,
                record.id,
                f"organization {organization_id!r} was not imported, so this location has "
                "no provider",
            )
            sites[record.id] = None
            continue
        fields = _site_fields(record.values)
        try:
            site, outcome = services.import_site(
                source=source,
                external_id=record.id,
                provider=provider,
                latitude=_coordinate(record.values.get("latitude")),
                longitude=_coordinate(record.values.get("longitude")),
                **fields,
            )
        except (ApplicationError, ValidationError) as error:
            report.error("location", record.label, record.id, _reason(error))
            sites[record.id] = None
            continue
        sites[record.id] = site
        report.count("location", outcome)
    return sites


def _site_for(location_id, source, sites: dict):
    if location_id not in sites:
        sites[location_id] = selectors.imported_object(
            Site, source=source, entity="location", external_id=location_id
        )
    return sites[location_id]


def _import_services(records, source, providers, sites, links, vocabulary, report) -> None:
    links_of = defaultdict(list)
    for link in links:
        links_of[link.values["service_id"]].append(link)
    known_services = {record.id for record in records}
    for link in links:
        if link.values["service_id"] not in known_services:
            report.error(
                "service_at_location",
                link.label,
                link.id,
                f"service {link.values['service_id']!r} is not among the valid services",
            )
    default_tier = taxonomy_selectors.service_tiers().first()
    for record in records:
        values = record.values
        provider = _provider_for(values.get("organization_id"), source, providers)
        if provider is None:
            report.error(
                "service",
                record.label,
                record.id,
                f"organization {values.get('organization_id')!r} was not imported",
            )
            for link in links_of[record.id]:
                report.error("service_at_location", link.label, link.id, "its service failed")
            continue
        service_sites, usable_links = [], []
        for link in links_of[record.id]:
            site = _site_for(link.values["location_id"], source, sites)
            if site is None:
                report.error(
                    "service_at_location",
                    link.label,
                    link.id,
                    f"location {link.values['location_id']!r} was not imported",
                )
                continue
            service_sites.append(site)
            usable_links.append((link, site))
        categories, tier = vocabulary.for_service(values, record.label)
        previous = selectors.imported_object(
            Service, source=source, entity="service", external_id=record.id
        )
        linked_before = {site.pk for site in previous.sites.all()} if previous else set()
        try:
            fields = {
                "name_zh": values["name"],
                "name_en": values.get("alternate_name") or "",
                "description_zh": values.get("description") or "",
                "is_active": values.get("status") == "active",
                "min_age": _age(values.get("minimum_age")),
                "max_age": _age(values.get("maximum_age")),
                "languages": _languages(values),
                **_fee_fields(values),
                **_delivery_modes(values),
            }
            if tier is not None or previous is None:
                fields["tier"] = tier or default_tier
            _service, outcome = services.import_service(
                source=source,
                external_id=record.id,
                provider=provider,
                last_confirmed_at=_confirmed_at(values),
                categories=categories,
                areas_covered=_areas(values),
                sites=service_sites,
                **fields,
            )
        except (ApplicationError, ValidationError, ValueError) as error:
            report.error("service", record.label, record.id, _reason(error))
            continue
        report.count("service", outcome)
        for _link, site in usable_links:
            outcome = "skipped" if site.pk in linked_before else "created"
            report.count("service_at_location", outcome)
