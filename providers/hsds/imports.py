"""Imports of another directory's HSDS 3.0 JSON files (``manage.py import_hsds``).

Files are shaped like our own export (organizations.json, services.json…;
organizations may nest their services and locations). Each record is
validated against the HSDS schema first, then translated into our fields and
saved in its own transaction through ``providers.services.imports``: a bad
record is reported with its id and reason and the others still load.
Taxonomy terms are resolved to our need categories and tiers, never created.
"""

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime

from core.errors import ApplicationError
from places import selectors as place_selectors
from places.models import Area
from providers import selectors
from providers.hsds.schemas import schema_errors
from providers.hsds.vocabulary import (
    CREDIT_CODE_SCHEME,
    DELIVERY_MODES,
    ENTITY_FILES,
    LINK_DELIVERY_MODE,
    SERVICE_TIER_TAXONOMY,
)
from providers.models import Provider, Service, Site
from providers.services import imports as import_services
from taxonomy import selectors as taxonomy_selectors
from taxonomy.models import NeedCategory

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
        if outcome == import_services.IMPORT_UNCHANGED:
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


class _TaxonomyTerms:
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
    its own transaction through ``providers.services.imports``: a bad record is
    reported with its id and reason and the others still load. Importing the
    same files again updates what changed and creates nothing.
    """
    report = ImportReport()
    path = Path(path)
    records = _read_directory(path, report)
    valid = {entity: _validated(records[entity], report) for entity in ENTITY_FILES}
    vocabulary = _TaxonomyTerms(valid["taxonomy_term"], report)
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
            provider, outcome = import_services.import_provider(
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
            site, outcome = import_services.import_site(
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
            _service, outcome = import_services.import_service(
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
