"""What every write of the providers app shares: refusing a person who may not act,
and a model's own validation turned into a domain error.

Who may act is asked of the ``providers.rules`` predicates, never of
``user.has_perm`` (it lets every active superuser through). The refusal is
Django's ``PermissionDenied``: pages answer 403 (they answer 404 earlier for
people outside the provider), the API 403.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError

NOT_PROVIDER_ADMINISTRATOR = gettext_lazy(
    "Only an administrator of this provider can change its profile and documents."
)
NOT_PROVIDER_STAFF = gettext_lazy(
    "Only the staff of this provider can change its services, sites and capacity."
)
NOT_VERIFIER = gettext_lazy("Only the people who verify providers can change their status.")


def check_permission(predicate, actor, obj=None, *, message) -> None:
    """Refuse ``actor`` unless the ``rules`` predicate holds for them (on ``obj``)."""
    if not predicate.test(actor, obj):
        raise PermissionDenied(message)


def full_clean(instance, exclude=None) -> None:
    """The model's own checks, as an ``ApplicationError`` with its field errors."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ApplicationError(
            _("Some fields need attention."), field_errors=error.message_dict
        ) from error
