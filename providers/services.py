"""Every write of the providers app: registration, verification, documents, services,
sites, capacity and confirmation. Views, API, admin, tasks and imports call these.

Each function validates, runs in a transaction, writes an audit entry and
queues e-mails with ``transaction.on_commit`` so nothing is sent for a change
that was rolled back.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services as account_services
from accounts.models import Organization, Role, User
from accounts.validators import normalize_credit_code
from core.audit import record_change
from core.errors import ApplicationError, InvalidTransition
from core.integrations import geocoding
from providers.models import (
    CONFIRMATION_REMINDER_EVERY,
    MAX_PLACES,
    PROVIDER_TRANSITIONS,
    ExternalRecord,
    Provider,
    ProviderDocument,
    Service,
    ServiceAtSite,
    ServiceCoverage,
    ServicePoint,
    Site,
)

# Social organizations registered with civil affairs carry these prefixes
# (5 = civil affairs; 1 social group, 2 social service agency, 3 foundation).
CIVIL_AFFAIRS_PREFIXES = ("51", "52", "53")
DOCUMENT_EXPIRY_NOTICE = timedelta(days=30)

# Content signatures of the document formats we accept (the name proves nothing).
DOCUMENT_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)

NOT_CIVIL_AFFAIRS_NOTE = gettext_lazy(
    "This code does not start with 51, 52 or 53, so the organization is not registered "
    "with civil affairs as a social organization. It can still register; verifiers will "
    "check its legal form."
)


def credit_code_note(code: str) -> str:
    """A note to show (not an error) when a code is not a civil-affairs social organization's."""
    code = normalize_credit_code(code)
    if code and not code.startswith(CIVIL_AFFAIRS_PREFIXES):
        return str(NOT_CIVIL_AFFAIRS_NOTE)
    return ""


# --- registration and profile ------------------------------------------------


PROFILE_FIELDS = (
    "legal_form",
    "nature",
    "registration_authority",
    "registration_date",
    "grade",
    "grade_date",
    "certified_social_workers",
    "staff_count",
    "description_zh",
    "description_en",
    "website",
    "public_email",
    "public_phone",
)


@transaction.atomic
def register_provider(
    *,
    username: str,
    password: str,
    email: str,
    display_name: str,
    name_zh: str,
    name_en: str,
    credit_code: str,
    area=None,
    **profile,
) -> Provider:
    """An NGO signs up: its first user, its organization and its provider profile in draft."""
    errors: dict[str, list[str]] = {}
    code = normalize_credit_code(credit_code)
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is taken; choose another.")]
    if code and Organization.objects.filter(credit_code=code).exists():
        errors["credit_code"] = [
            _(
                "An organization with this unified social credit code is already registered. "
                "If it is yours, ask its administrator to add you."
            )
        ]
    user = User(username=username, email=email, display_name=display_name)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise ApplicationError(_("Some fields need attention."), field_errors=errors)

    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    try:
        organization = account_services.create_organization(
            kind=Organization.Kind.PROVIDER,
            name_zh=name_zh,
            name_en=name_en,
            area=area,
            credit_code=code,
            actor=user,
        )
    except ValidationError as error:
        raise ApplicationError(
            _("Some fields need attention."), field_errors=error.message_dict
        ) from error
    account_services.grant_role(
        user=user, organization=organization, role=Role.PROVIDER_ADMIN, actor=user
    )
    provider = Provider(organization=organization, **_profile_values(profile))
    _full_clean(provider)
    provider.save()
    record_change(
        action="provider.registered",
        actor=user,
        organization=organization,
        target=provider,
        label=organization.name_zh,
    )
    return provider


def _profile_values(values: dict) -> dict:
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown provider profile fields: {sorted(unknown)}")
    return values


def _full_clean(instance, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ApplicationError(
            _("Some fields need attention."), field_errors=error.message_dict
        ) from error


@transaction.atomic
def update_provider_profile(
    *, provider: Provider, actor: User, name_zh=None, name_en=None, area=None, **profile
) -> Provider:
    if provider.status == Provider.Status.DEBARRED:
        raise ApplicationError(_("A debarred provider's profile can no longer be changed."))
    organization = provider.organization
    changed = []
    for field, value in (("name_zh", name_zh), ("name_en", name_en), ("area", area)):
        if value is not None and getattr(organization, field) != value:
            setattr(organization, field, value)
            changed.append(field)
    for field, value in _profile_values(profile).items():
        if getattr(provider, field) != value:
            setattr(provider, field, value)
            changed.append(field)
    if provider.grade == Provider.Grade.NONE:
        provider.grade_date = None
    _full_clean(provider)
    _full_clean(organization, exclude=["credit_code"])
    organization.save()
    provider.save()
    if changed:
        record_change(
            action="provider.profile_updated",
            actor=actor,
            organization=organization,
            target=provider,
            details={"fields": sorted(changed)},
        )
    return provider


def missing_for_submission(provider: Provider) -> list[str]:
    """What a provider must still supply before verifiers can look at it."""
    missing = []
    if not provider.organization.credit_code:
        missing.append(_("the unified social credit code"))
    if not provider.registration_authority:
        missing.append(_("the registration authority"))
    if not provider.registration_date:
        missing.append(_("the registration date"))
    if not provider.description_zh:
        missing.append(_("a description in Chinese"))
    certificates = [
        document
        for document in provider.documents.all()
        if document.kind == ProviderDocument.Kind.REGISTRATION_CERTIFICATE
    ]
    if not certificates:
        missing.append(_("a registration certificate (PDF or image)"))
    elif all(document.is_expired for document in certificates):
        missing.append(_("a registration certificate that has not expired"))
    return missing


# --- status changes ---------------------------------------------------------

STATUS_ACTIONS = {
    Provider.Status.SUBMITTED: "provider.submitted",
    Provider.Status.VERIFIED: "provider.verified",
    Provider.Status.REJECTED: "provider.rejected",
    Provider.Status.SUSPENDED: "provider.suspended",
    Provider.Status.DEBARRED: "provider.debarred",
}
REASON_REQUIRED = {
    Provider.Status.REJECTED,
    Provider.Status.SUSPENDED,
    Provider.Status.DEBARRED,
}


def _transition(*, provider: Provider, to: str, actor: User, reason: str = "") -> Provider:
    provider = (
        Provider.objects.select_for_update().select_related("organization").get(pk=provider.pk)
    )
    if to not in PROVIDER_TRANSITIONS[provider.status]:
        raise InvalidTransition(
            _("A provider that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": Provider.Status(provider.status).label,
                "target": Provider.Status(to).label,
            }
        )
    reason = (reason or "").strip()
    if to in REASON_REQUIRED and not reason:
        raise ApplicationError(
            _("Give the reason: the provider will read it."),
            field_errors={"reason": [_("This field is required.")]},
        )
    previous = provider.status
    provider.status = to
    provider.status_reason = reason
    now = timezone.now()
    if to == Provider.Status.SUBMITTED:
        provider.submitted_at = now
    if to == Provider.Status.VERIFIED:
        provider.verified_at = now
    provider.save(update_fields=["status", "status_reason", "submitted_at", "verified_at"])
    record_change(
        action=STATUS_ACTIONS[to],
        actor=actor,
        organization=provider.organization,
        target=provider,
        details={"from": previous, "to": to},
        label=provider.organization.name_zh,
    )
    if to != Provider.Status.SUBMITTED:
        from providers import tasks

        transaction.on_commit(lambda: tasks.send_provider_status_email.delay(provider.pk, to))
    return provider


@transaction.atomic
def submit_provider(*, provider: Provider, actor: User) -> Provider:
    missing = missing_for_submission(provider)
    if missing:
        raise ApplicationError(
            _("Before submitting, add: %(missing)s.") % {"missing": "; ".join(missing)},
            code="incomplete",
        )
    return _transition(provider=provider, to=Provider.Status.SUBMITTED, actor=actor)


@transaction.atomic
def verify_provider(*, provider: Provider, actor: User) -> Provider:
    return _transition(provider=provider, to=Provider.Status.VERIFIED, actor=actor)


@transaction.atomic
def reject_provider(*, provider: Provider, actor: User, reason: str) -> Provider:
    return _transition(provider=provider, to=Provider.Status.REJECTED, actor=actor, reason=reason)


@transaction.atomic
def suspend_provider(*, provider: Provider, actor: User, reason: str) -> Provider:
    return _transition(provider=provider, to=Provider.Status.SUSPENDED, actor=actor, reason=reason)


@transaction.atomic
def reinstate_provider(*, provider: Provider, actor: User, reason: str = "") -> Provider:
    return _transition(provider=provider, to=Provider.Status.VERIFIED, actor=actor, reason=reason)


@transaction.atomic
def debar_provider(*, provider: Provider, actor: User, reason: str) -> Provider:
    return _transition(provider=provider, to=Provider.Status.DEBARRED, actor=actor, reason=reason)


# --- documents --------------------------------------------------------------


def sniff_document_type(head: bytes) -> str | None:
    for signature, content_type in DOCUMENT_SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


@transaction.atomic
def upload_document(
    *, provider: Provider, actor: User, kind: str, title: str, uploaded_file, expires_on=None
) -> ProviderDocument:
    limit = settings.PROVIDER_DOCUMENT_MAX_BYTES
    if uploaded_file.size > limit:
        raise ApplicationError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": uploaded_file.size / 1_048_576, "limit": limit / 1_048_576},
            field_errors={"file": [_("Choose a smaller file.")]},
        )
    uploaded_file.seek(0)
    content_type = sniff_document_type(uploaded_file.read(16))
    if content_type is None:
        raise ApplicationError(
            _("Only PDF, PNG or JPEG files are accepted, whatever the file name says."),
            field_errors={"file": [_("This file is not a PDF or an image.")]},
        )
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    document = ProviderDocument(
        provider=provider,
        kind=kind,
        title=title,
        content_type=content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        expires_on=expires_on,
        uploaded_by=actor,
    )
    _full_clean(document, exclude=["file"])
    document.file.save("upload", uploaded_file, save=False)
    document.save()
    record_change(
        action="provider.document_uploaded",
        actor=actor,
        organization=provider.organization,
        target=document,
        details={"kind": kind},
    )
    return document


@transaction.atomic
def delete_document(*, document: ProviderDocument, actor: User) -> None:
    provider = document.provider
    record_change(
        action="provider.document_deleted",
        actor=actor,
        organization=provider.organization,
        target=document,
        details={"kind": document.kind},
    )
    stored_name = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored_name))


def documents_needing_expiry_reminder(today):
    return ProviderDocument.objects.filter(
        expires_on__isnull=False,
        expires_on__lte=today + DOCUMENT_EXPIRY_NOTICE,
        expires_on__gte=today,
        reminder_sent_on__isnull=True,
    ).select_related("provider__organization")


@transaction.atomic
def mark_document_reminded(*, document: ProviderDocument, today) -> bool:
    """Record that the expiry reminder went out; False when another run already did."""
    updated = ProviderDocument.objects.filter(pk=document.pk, reminder_sent_on__isnull=True).update(
        reminder_sent_on=today
    )
    return bool(updated)


# --- sites ------------------------------------------------------------------

SITE_FIELDS = (
    "name_zh",
    "name_en",
    "address",
    "opening_hours_zh",
    "opening_hours_en",
    "wheelchair_accessible",
    "accessible_toilet",
    "hearing_support",
    "accessibility_notes",
    "phone",
)


def _district_of(area):
    while area is not None and area.level > area.Level.DISTRICT:
        area = area.parent
    return area if area is not None and area.level == area.Level.DISTRICT else None


@transaction.atomic
def save_site(
    *,
    provider: Provider,
    actor: User,
    site: Site | None = None,
    latitude=None,
    longitude=None,
    **fields,
) -> Site:
    """Create or update a site. The address is geocoded offline; a point given by hand wins."""
    unknown = set(fields) - set(SITE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown site fields: {sorted(unknown)}")
    creating = site is None
    site = site or Site(provider=provider)
    if site.provider_id != provider.pk:
        raise ApplicationError(_("This site belongs to another provider."))
    address_changed = creating or fields.get("address", site.address) != site.address
    for field, value in fields.items():
        setattr(site, field, value)
    if address_changed:
        result = geocoding.geocode(site.address)
        if not result.found:
            raise ApplicationError(
                str(result.message), field_errors={"address": [str(result.message)]}
            )
        site.area = result.area
        site.district = _district_of(result.area)
        site.latitude, site.longitude = result.latitude, result.longitude
        site.geocode_precision = str(result.precision)
    manual_point = latitude is not None and longitude is not None
    if manual_point and (latitude, longitude) != (site.latitude, site.longitude):
        site.latitude, site.longitude = latitude, longitude
        site.geocode_precision = Site.Precision.MANUAL
    _full_clean(site)
    site.save()
    if not creating:
        # Its services are found near its (possibly new) point.
        refresh_service_points(site_ids=[site.pk])
    record_change(
        action="provider.site_created" if creating else "provider.site_updated",
        actor=actor,
        organization=provider.organization,
        target=site,
    )
    return site


# --- services ---------------------------------------------------------------

SERVICE_FIELDS = (
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "tier",
    "min_age",
    "max_age",
    "gender",
    "hukou",
    "required_statuses",
    "fee_kind",
    "fee_amount",
    "fee_note",
    "languages",
    "at_site",
    "home_visit",
    "remote",
    "is_active",
    "accepting_referrals",
)


def _check_service(service: Service, categories, sites) -> None:
    errors: dict[str, list[str]] = {}
    if not (service.at_site or service.home_visit or service.remote):
        errors["at_site"] = [_("Choose at least one way the service is delivered.")]
    if (
        service.min_age is not None
        and service.max_age is not None
        and service.min_age > service.max_age
    ):
        errors["max_age"] = [_("The maximum age must not be below the minimum age.")]
    if service.fee_kind == Service.FeeKind.FREE:
        service.fee_amount = None
    elif service.fee_amount is None:
        errors["fee_amount"] = [_("Give the fee in yuan, or mark the service as free.")]
    bad_statuses = set(service.required_statuses or []) - set(Service.AssistanceStatus.values)
    if bad_statuses:
        errors["required_statuses"] = [
            _("Unknown assistance status: %(codes)s") % {"codes": ", ".join(sorted(bad_statuses))}
        ]
    bad_languages = set(service.languages or []) - set(Service.Language.values)
    if bad_languages:
        errors["languages"] = [
            _("Unknown language: %(codes)s") % {"codes": ", ".join(sorted(bad_languages))}
        ]
    if categories is not None and not list(categories):
        errors["categories"] = [_("Choose at least one need category.")]
    if sites is not None and any(site.provider_id != service.provider_id for site in sites):
        errors["sites"] = [_("Choose sites of your own organization.")]
    if errors:
        raise ApplicationError(_("Some fields need attention."), field_errors=errors)


@transaction.atomic
def save_service(
    *,
    provider: Provider,
    actor: User,
    service: Service | None = None,
    categories=None,
    areas_covered=None,
    sites=None,
    **fields,
) -> Service:
    """Create or update a service; a new one counts as confirmed today."""
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown service fields: {sorted(unknown)}")
    if provider.status == Provider.Status.DEBARRED:
        raise ApplicationError(_("A debarred provider cannot offer services."))
    creating = service is None
    if creating:
        service = Service(provider=provider, last_confirmed_at=timezone.now())
        if categories is None:
            categories = []
    elif service.provider_id != provider.pk:
        raise ApplicationError(_("This service belongs to another provider."))
    for field, value in fields.items():
        setattr(service, field, value)
    categories = list(categories) if categories is not None else None
    sites = list(sites) if sites is not None else None
    _check_service(service, categories, sites)
    _full_clean(service)
    service.save()
    if categories is not None:
        service.categories.set(categories)
    if areas_covered is not None:
        service.areas_covered.set(areas_covered)
    if sites is not None:
        ServiceAtSite.objects.filter(service=service).exclude(site__in=sites).delete()
        for site in sites:
            ServiceAtSite.objects.get_or_create(service=service, site=site)
    if categories is not None or sites is not None or areas_covered is not None:
        refresh_service_points(service_ids=[service.pk])
    record_change(
        action="provider.service_created" if creating else "provider.service_updated",
        actor=actor,
        organization=provider.organization,
        target=service,
        details={"fields": sorted(fields)},
    )
    return service


def refresh_service_points(*, service_ids=(), site_ids=()) -> int:
    """Rebuild the matching index (``ServicePoint``, ``ServiceCoverage``) of these
    services and of every service at these sites, from their categories, their
    sites' points and the areas they cover.

    Called wherever one of those changes; returns the number of rows written.
    ``refresh_all_service_points`` rebuilds everything (after a bulk load).
    """
    ids = set(service_ids)
    if site_ids:
        ids |= set(
            ServiceAtSite.objects.filter(site_id__in=list(site_ids)).values_list(
                "service_id", flat=True
            )
        )
    if not ids:
        return 0
    with transaction.atomic():
        ServicePoint.objects.filter(service_id__in=ids).delete()
        ServiceCoverage.objects.filter(service_id__in=ids).delete()
        return _write_matching_index(service_ids=ids)


def refresh_all_service_points() -> int:
    """Rebuild the whole matching index, e.g. after rows were bulk-created."""
    with transaction.atomic():
        ServicePoint.objects.all().delete()
        ServiceCoverage.objects.all().delete()
        return _write_matching_index(service_ids=None)


def _write_matching_index(*, service_ids, batch_size: int = 5000) -> int:
    def of_services(queryset):
        return queryset if service_ids is None else queryset.filter(service_id__in=service_ids)

    categories_of: dict[int, list[int]] = {}
    category_links = of_services(Service.categories.through.objects.all())
    for service_id, category_id in category_links.values_list(
        "service_id", "needcategory_id"
    ).iterator():
        categories_of.setdefault(service_id, []).append(category_id)
    sites = of_services(
        ServiceAtSite.objects.filter(site__latitude__isnull=False, site__longitude__isnull=False)
    ).values_list("service_id", "site_id", "site__latitude", "site__longitude")
    points = ServicePoint.objects.bulk_create(
        (
            ServicePoint(
                service_id=service_id,
                site_id=site_id,
                category_id=category_id,
                latitude=float(latitude),
                longitude=float(longitude),
            )
            for service_id, site_id, latitude, longitude in sites.iterator()
            for category_id in categories_of.get(service_id, ())
        ),
        batch_size=batch_size,
    )
    areas = of_services(Service.areas_covered.through.objects.all()).values_list(
        "service_id", "area_id"
    )
    coverage = ServiceCoverage.objects.bulk_create(
        (
            ServiceCoverage(service_id=service_id, area_id=area_id, category_id=category_id)
            for service_id, area_id in areas.iterator()
            for category_id in categories_of.get(service_id, ())
        ),
        batch_size=batch_size,
    )
    return len(points) + len(coverage)


@transaction.atomic
def update_capacity(
    *, service: Service, actor: User, free_slots: int, waitlist_length: int
) -> Service:
    """Free places and waiting list in one action, stamped with the time.

    Updating capacity also confirms the listing: someone at the provider has
    just looked at it.
    """
    errors = {}
    for field, value in (("free_slots", free_slots), ("waitlist_length", waitlist_length)):
        if value is None or not 0 <= int(value) <= MAX_PLACES:
            errors[field] = [
                _("Enter a whole number from 0 to %(max)s.") % {"max": f"{MAX_PLACES:,}"}
            ]
    if errors:
        raise ApplicationError(_("Some fields need attention."), field_errors=errors)
    now = timezone.now()
    Service.objects.filter(pk=service.pk).update(
        free_slots=int(free_slots),
        waitlist_length=int(waitlist_length),
        capacity_updated_at=now,
        capacity_updated_by=actor,
        last_confirmed_at=now,
    )
    service.refresh_from_db()
    record_change(
        action="provider.capacity_updated",
        actor=actor,
        organization=service.provider.organization,
        target=service,
        details={"free_slots": int(free_slots), "waitlist_length": int(waitlist_length)},
    )
    return service


# --- capacity accounting ----------------------------------------------------
# The one place where places are taken and given back. Referrals call these
# when a provider accepts, waitlists, or ends a service; contracts will draw
# on the same numbers. Each locks the service row, so two staff accepting at
# once cannot both take the last place.


def _no_free_place():
    return _("This service has no free place left. Put the person on the waiting list instead.")


def take_place(*, service_id: int) -> Service:
    """Take one free place of the service, or refuse when none is left."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service_id)
        if service.free_slots < 1:
            raise ApplicationError(_no_free_place(), code="no_free_place")
        service.free_slots -= 1
        service.save(update_fields=["free_slots", "updated_at"])
    return service


def release_place(*, service_id: int) -> Service:
    """Give a place back when the person leaves the service."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service_id)
        service.free_slots += 1
        service.save(update_fields=["free_slots", "updated_at"])
    return service


def join_waiting_list(*, service_id: int) -> int:
    """Add one person to the service's waiting list; returns their position."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service_id)
        service.waitlist_length += 1
        service.save(update_fields=["waitlist_length", "updated_at"])
    return service.waitlist_length


def leave_waiting_list(*, service_id: int) -> None:
    """One person leaves the waiting list (taken in, declined or gone)."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service_id)
        if service.waitlist_length > 0:
            service.waitlist_length -= 1
            service.save(update_fields=["waitlist_length", "updated_at"])


@transaction.atomic
def confirm_service(*, service: Service, actor: User) -> Service:
    """The provider confirms the listing is still right (freshness rule)."""
    service.last_confirmed_at = timezone.now()
    service.save(update_fields=["last_confirmed_at", "updated_at"])
    record_change(
        action="provider.service_confirmed",
        actor=actor,
        organization=service.provider.organization,
        target=service,
    )
    return service


def _reminder_due(now) -> Q:
    # Providers are reminded every 90 days while a service stays unconfirmed:
    # at 90 days, again at 180 (when it leaves the directory), and so on.
    return (
        Q(confirmation_reminded_at__isnull=True)
        | Q(confirmation_reminded_at__lt=F("last_confirmed_at"))
        | Q(confirmation_reminded_at__lte=now - CONFIRMATION_REMINDER_EVERY)
    )


def services_needing_confirmation_reminder(now):
    """Services unconfirmed for 90 days whose provider has not been reminded for 90 days."""
    due = now - CONFIRMATION_REMINDER_EVERY
    return (
        Service.objects.filter(is_active=True, last_confirmed_at__lte=due)
        .filter(_reminder_due(now))
        .select_related("provider__organization")
    )


@transaction.atomic
def mark_confirmation_reminded(*, service: Service, now) -> bool:
    updated = (
        Service.objects.filter(pk=service.pk)
        .filter(_reminder_due(now))
        .update(confirmation_reminded_at=now)
    )
    return bool(updated)


# --- imports from other directories (HSDS) ----------------------------------
#
# Another directory's records carry that directory's identifiers. Each import
# function remembers (source, entity, external id) → our object in an
# ``ExternalRecord``, so importing the same file again updates the object
# instead of duplicating it, and a record whose values we already hold writes
# nothing at all. Nobody at the provider did these changes: the actor is None.

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


def _imported_object(model, *, source: str, entity: str, external_id: str):
    record = ExternalRecord.objects.filter(
        source=source, entity=entity, external_id=external_id
    ).first()
    if record is None:
        return None
    return model.objects.filter(uuid=record.object_uuid).first()


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
    provider = _imported_object(
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
    _full_clean(provider, exclude=["registration_authority"])
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
    _full_clean(organization, exclude=["credit_code"])
    _full_clean(provider, exclude=["registration_authority"])
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
    site = _imported_object(Site, source=source, entity="location", external_id=external_id)
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
    service = _imported_object(Service, source=source, entity="service", external_id=external_id)
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
