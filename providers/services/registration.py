"""Registration: an NGO signs up (its first user, its organization and its provider
profile in draft), keeps its profile up to date, and learns what it must still
supply before verifiers can look at it.

Signing up is open to anyone: the person is not yet a user of the platform.
Changing the profile is for the provider's administrators
(``providers.rules.can_edit_provider``). The evaluation grade is not part of
the profile: a provider declares it with its certificate and it counts once
verified (``providers.services.grades``).
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services as account_services
from accounts.models import Organization, Role, User
from accounts.validators import normalize_credit_code
from core.audit import record_change
from core.errors import ApplicationError
from providers.models import Provider, ProviderDocument
from providers.rules import can_edit_provider
from providers.services.common import NOT_PROVIDER_ADMINISTRATOR, check_permission, full_clean

# Social organizations registered with civil affairs carry these prefixes
# (5 = civil affairs; 1 social group, 2 social service agency, 3 foundation).
CIVIL_AFFAIRS_PREFIXES = ("51", "52", "53")

NOT_CIVIL_AFFAIRS_NOTE = gettext_lazy(
    "This code does not start with 51, 52 or 53, so the organization is not registered "
    "with civil affairs as a social organization. It can still register; verifiers will "
    "check its legal form."
)

PROFILE_FIELDS = (
    "legal_form",
    "nature",
    "registration_authority",
    "registration_date",
    "certified_social_workers",
    "staff_count",
    "description_zh",
    "description_en",
    "website",
    "public_email",
    "public_phone",
)


def credit_code_note(code: str) -> str:
    """A note to show (not an error) when a code is not a civil-affairs social organization's."""
    code = normalize_credit_code(code)
    if code and not code.startswith(CIVIL_AFFAIRS_PREFIXES):
        return str(NOT_CIVIL_AFFAIRS_NOTE)
    return ""


def _profile_values(values: dict) -> dict:
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown provider profile fields: {sorted(unknown)}")
    return values


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
    full_clean(provider)
    provider.save()
    record_change(
        action="provider.registered",
        actor=user,
        organization=organization,
        target=provider,
        label=organization.name_zh,
    )
    return provider


@transaction.atomic
def update_provider_profile(
    *, provider: Provider, actor: User, name_zh=None, name_en=None, area=None, **profile
) -> Provider:
    """An administrator of the provider changes its names, district or profile."""
    check_permission(can_edit_provider, actor, provider, message=NOT_PROVIDER_ADMINISTRATOR)
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
    full_clean(provider)
    full_clean(organization, exclude=["credit_code"])
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
