"""Our public directory as Open Referral HSDS 3.0 objects.

Only what the public directory shows is mapped: verified providers, their
public services (``providers.selectors.public_services``: offered and
confirmed within 180 days) and their sites. Documents, staff, capacity
editors and anything personal never leave through here.

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

Optional fields we know nothing about are left out rather than sent empty:
HSDS types them as strings or numbers, and null is neither. Free-text fields
we compose (eligibility, fees, accessibility, legal status) follow the active
language; names and descriptions are the data as entered, Chinese first with
the English name as ``alternate_name``.
"""

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from places.models import Area
from providers.hsds.vocabulary import (
    COUNTRY,
    CREDIT_CODE_SCHEME,
    CREDIT_CODE_TYPE,
    CURRENCY,
    DELIVERY_MODES,
    LINK_DELIVERY_MODE,
    LINK_NEED_CATEGORY,
    LINK_OPEN_ELIGIBILITY,
    LINK_SERVICE_TIER,
    NEED_CATEGORY_TAXONOMY,
    OPEN_ELIGIBILITY_NAMES,
    OPEN_ELIGIBILITY_TAXONOMY,
    SERVICE_TIER_TAXONOMY,
    stable_id,
)
from providers.models import Provider, Service, Site
from taxonomy import selectors as taxonomy_selectors
from taxonomy.models import NeedCategory

# City-level rows that are groupings, not cities (municipalities such as Shanghai).
_GROUPING_CITY_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def _compact(values: dict, *, keep=()) -> dict:
    return {
        key: value
        for key, value in values.items()
        if key in keep or (value is not None and value != "" and value != [])
    }


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
    if service.household_registration != Service.HouseholdRegistration.ANY:
        parts.append(str(Service.HouseholdRegistration(service.household_registration).label))
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
