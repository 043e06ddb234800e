"""Who may open the providers' pages, asked of the ``providers.rules`` predicates.

A provider's own pages are for its staff, the verification pages for the
people who verify providers; everyone else gets 404 (SPEC §4), so that the
existence of what lies outside their scope cannot be probed. The predicates
are asked directly, never through ``user.has_perm``, which lets every active
superuser through: a superuser without the role is refused like anyone else,
as the services refuse them.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from providers import selectors
from providers.models import Provider
from providers.rules import can_edit_provider, can_manage_services, can_verify_providers


def own_provider(request) -> Provider:
    """The provider the signed-in user works for; 404 for everybody else."""
    provider = selectors.provider_of(request.user)
    if provider is None:
        raise Http404
    return provider


def administered_provider(request) -> Provider:
    """The provider the signed-in user administers; 404 for its staff and everybody else."""
    provider = own_provider(request)
    if not can_edit_provider.test(request.user, provider):
        raise Http404
    return provider


def provider_member_required(view):
    """Administrators and staff of a provider only; the view receives their provider.

    Anyone else gets 404, anonymous visitors the sign-in page.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        provider = selectors.provider_of(request.user)
        if provider is None or not can_manage_services.test(request.user, provider):
            raise Http404
        return view(request, provider, *args, **kwargs)

    wrapped.permission_policy = "rule:providers.manage_services"
    return wrapped


def verifier_required(view):
    """The people who verify providers only; anyone else gets 404."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_verify_providers.test(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.permission_policy = "rule:providers.verify_provider"
    return wrapped
