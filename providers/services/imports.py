"""Imports from other directories (HSDS, see ``providers.hsds.imports``): organizations,
their sites and services created or updated from another directory's records.

Another directory's records carry that directory's identifiers. Each import
function remembers (source, entity, external id) → our object in an
``ExternalRecord``, so importing the same file again updates the object
instead of duplicating it, and a record whose values we already hold writes
nothing at all. Nobody at the provider made these changes: they are the
system's (the actor is None), run by an operator's management command.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import Organization
from accounts.validators import normalize_credit_code
from core.audit import record_change
from core.errors import ApplicationError
from providers.models import ExternalRecord, Provider, Service, Site
from providers.selectors import imported_object
from providers.services.common import full_clean
from providers.services.listings import save_service
from providers.services.sites import save_site

IMPORT_CREATED = "created"
IMPORT_UPDATED = "updated"
IMPORT_UNCHANGED = "unchanged"
IMPORTED_PROFILE_FIELDS = (
    "legal_form",
    "nature",
    "description_zh",
    "description_en",
    "website",
    "public_email",
    "public_phone",
)


def _remember_import(*, source: str, entity: str, external_id: str, obj) -> None:
    ExternalRecord.objects.update_or_create(
        source=source,
        entity=entity,
        external_id=external_id,
        defaults={"object_uuid": obj.uuid},
    )


@transaction.atomic
def import_provider(
    *,
    source: str,
    external_id: str,
    name_zh: str,
    name_en: str = "",
    credit_code: str = "",
    verify: bool = False,
    **profile,
) -> tuple[Provider, str]:
    """Create or update an organization and its provider from another directory's record.

    A new provider awaits verification by a platform admin, unless the source
    is a partner directory trusted to have verified it (``verify``). A provider
    imported before keeps its status: a re-import never undoes a suspension.
    """
    unknown = set(profile) - set(IMPORTED_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown imported profile fields: {sorted(unknown)}")
    provider = imported_object(
        Provider, source=source, entity="organization", external_id=external_id
    )
    if provider is not None:
        return _update_imported_provider(
            provider, source=source, external_id=external_id, names=(name_zh, name_en), **profile
        )
    code = normalize_credit_code(credit_code)
    if code and Organization.objects.filter(credit_code=code).exists():
        raise ApplicationError(
            _("An organization with this unified social credit code is already registered."),
            field_errors={"credit_code": [_("This code is already registered.")]},
        )
    try:
        organization = account_services.create_organization(
            kind=Organization.Kind.PROVIDER, name_zh=name_zh, name_en=name_en, credit_code=code
        )
    except ValidationError as error:
        raise ApplicationError(
            _("Some fields need attention."), field_errors=error.message_dict
        ) from error
    now = timezone.now()
    status = Provider.Status.VERIFIED if verify else Provider.Status.SUBMITTED
    provider = Provider(
        organization=organization,
        status=status,
        submitted_at=now,
        verified_at=now if verify else None,
        **profile,
    )
    # Directories do not publish who registered an organization: the
    # registration authority stays empty for the verifiers to fill in.
    full_clean(provider, exclude=["registration_authority"])
    provider.save()
    _remember_import(source=source, entity="organization", external_id=external_id, obj=provider)
    record_change(
        action="provider.imported",
        organization=organization,
        target=provider,
        details={"source": source, "status": status},
        label=organization.name_zh,
    )
    return provider, IMPORT_CREATED


def _update_imported_provider(
    provider: Provider, *, source: str, external_id: str, names: tuple[str, str], **profile
) -> tuple[Provider, str]:
    if provider.status == Provider.Status.DEBARRED:
        raise ApplicationError(_("A debarred provider's profile can no longer be changed."))
    organization = provider.organization
    changed = []
    for field, value in zip(("name_zh", "name_en"), names, strict=True):
        if getattr(organization, field) != value:
            setattr(organization, field, value)
            changed.append(field)
    for field, value in profile.items():
        if getattr(provider, field) != value:
            setattr(provider, field, value)
            changed.append(field)
    if not changed:
        return provider, IMPORT_UNCHANGED
    full_clean(organization, exclude=["credit_code"])
    full_clean(provider, exclude=["registration_authority"])
    organization.save()
    provider.save()
    _remember_import(source=source, entity="organization", external_id=external_id, obj=provider)
    record_change(
        action="provider.import_updated",
        organization=organization,
        target=provider,
        details={"source": source, "fields": sorted(changed)},
    )
    return provider, IMPORT_UPDATED


@transaction.atomic
def import_site(
    *,
    source: str,
    external_id: str,
    provider: Provider,
    latitude=None,
    longitude=None,
    **fields,
) -> tuple[Site, str]:
    """Create or update a site from another directory's location; the address is geocoded."""
    site = imported_object(Site, source=source, entity="location", external_id=external_id)
    if site is not None:
        if site.provider_id != provider.pk:
            raise ApplicationError(_("This location belonged to another organization before."))
        same_point = latitude is None or (latitude, longitude) == (site.latitude, site.longitude)
        if same_point and all(getattr(site, field) == value for field, value in fields.items()):
            return site, IMPORT_UNCHANGED
    outcome = IMPORT_CREATED if site is None else IMPORT_UPDATED
    site = save_site(
        provider=provider, actor=None, site=site, latitude=latitude, longitude=longitude, **fields
    )
    _remember_import(source=source, entity="location", external_id=external_id, obj=site)
    return site, outcome


@transaction.atomic
def import_service(
    *,
    source: str,
    external_id: str,
    provider: Provider,
    last_confirmed_at=None,
    categories=(),
    areas_covered=(),
    sites=(),
    **fields,
) -> tuple[Service, str]:
    """Create or update a service from another directory's record.

    ``last_confirmed_at`` is when the source last checked the listing; the
    freshness rule then applies as to our own services. Unknown (None), a new
    service counts as confirmed now and an existing one keeps its date.
    """
    service = imported_object(Service, source=source, entity="service", external_id=external_id)
    if service is not None and service.provider_id != provider.pk:
        raise ApplicationError(_("This service belonged to another organization before."))
    now = timezone.now()
    if last_confirmed_at is not None:
        last_confirmed_at = min(last_confirmed_at, now)
    categories, areas_covered, sites = list(categories), list(areas_covered), list(sites)
    if service is not None and _service_matches(
        service, last_confirmed_at, categories, areas_covered, sites, fields
    ):
        return service, IMPORT_UNCHANGED
    outcome = IMPORT_CREATED if service is None else IMPORT_UPDATED
    service = save_service(
        provider=provider,
        actor=None,
        service=service,
        categories=categories,
        areas_covered=areas_covered,
        sites=sites,
        **fields,
    )
    if last_confirmed_at is not None:
        Service.objects.filter(pk=service.pk).update(last_confirmed_at=last_confirmed_at)
        service.last_confirmed_at = last_confirmed_at
    _remember_import(source=source, entity="service", external_id=external_id, obj=service)
    return service, outcome


def _service_matches(service, last_confirmed_at, categories, areas_covered, sites, fields) -> bool:
    if last_confirmed_at is not None and service.last_confirmed_at != last_confirmed_at:
        return False
    if any(getattr(service, field) != value for field, value in fields.items()):
        return False
    return (
        {c.pk for c in service.categories.all()} == {c.pk for c in categories}
        and {a.pk for a in service.areas_covered.all()} == {a.pk for a in areas_covered}
        and {s.pk for s in service.sites.all()} == {s.pk for s in sites}
    )
