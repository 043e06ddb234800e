"""Explicit permission policies for views (default deny).

Every non-Wagtail view states who may use it: ``@public`` for pages anyone may
read, or a login/permission requirement. ``tests/core/test_default_deny.py``
walks every URL pattern and fails when a view states nothing.
"""

from functools import wraps

import rules
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def public(view):
    """Mark a view as deliberately open to anonymous visitors."""
    view.permission_policy = "public"
    return view


def login_required(view):
    """Require a signed-in user; anonymous visitors go to the login page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.permission_policy = "login"
    return wrapped


def rule_required(predicate_name: str):
    """Require a signed-in user for whom the ``rules`` permission holds; others get 404,
    so that the existence of things outside their scope cannot be probed.

    The rule itself is asked (``rules.has_perm``), never ``user.has_perm``: Django
    lets an active superuser pass every ``has_perm``, and a superuser holds no
    role by being one."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not rules.has_perm(predicate_name, request.user):
                raise Http404
            return view(request, *args, **kwargs)

        wrapped.permission_policy = f"rule:{predicate_name}"
        return wrapped

    return decorator


class PublicMixin:
    """Class-based view open to anonymous visitors by design."""

    permission_policy = "public"


class SignedInMixin(LoginRequiredMixin):
    permission_policy = "login"


class RuleRequiredMixin(LoginRequiredMixin):
    """Require the ``rules`` permission ``permission_required``; otherwise answer 404."""

    permission_required: str = ""

    @property
    def permission_policy(self):
        return f"rule:{self.permission_required}"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not rules.has_perm(self.permission_required, request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)
