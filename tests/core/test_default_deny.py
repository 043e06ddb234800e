"""Default deny: every URL pattern states who may use it.

Walks the whole URL configuration. A Django view must carry a
``permission_policy`` (set by ``core.permissions``); a DRF view must declare
``permission_classes`` on one of its own classes rather than inherit the
framework default silently. Framework views whose access control is their
own (Django admin, Wagtail admin, Wagtail's page serving with its privacy
settings) are listed below with the reason.
"""

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

# Views whose own framework enforces access, or that are public by nature.
FRAMEWORK_OWNED = {
    "django.contrib.admin": "Django admin checks is_staff and model permissions itself",
    "wagtail.admin": "Wagtail admin requires wagtailadmin.access_admin itself",
    "wagtail.views": "Wagtail page serving applies page privacy settings",
    "wagtail.documents": "Wagtail documents apply collection privacy settings",
    "wagtail.images": "Wagtail image serving checks signatures",
    "wagtail.contrib.sitemaps": "the sitemap lists only public live pages",
    "wagtail.contrib.redirects": "Wagtail admin requires access_admin",
    "wagtail.snippets": "Wagtail admin requires access_admin",
    "wagtail.users": "Wagtail admin requires access_admin",
    "wagtail.locales": "Wagtail admin requires access_admin",
    "wagtail.contrib.settings": "Wagtail admin requires access_admin",
    "wagtail.contrib.forms": "Wagtail admin requires access_admin",
    "wagtail.embeds": "Wagtail admin requires access_admin",
    "wagtail.search": "Wagtail admin requires access_admin",
    "wagtail.sites": "Wagtail admin requires access_admin",
    "django.views.i18n": "language switching and translation catalogue are public",
    "django.views.static": "static files are public",
    "django.contrib.staticfiles": "static files are public",
}


# URL prefixes served entirely by a framework that checks access itself.
FRAMEWORK_PREFIXES = {
    "django-admin/": "Django admin wraps every view in admin_view (is_staff + permissions)",
    "cms-admin/": "Wagtail admin requires wagtailadmin.access_admin on every view",
    "_util/": "Wagtail's page-privacy password and login forms",
}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _framework_reason(callback):
    module = getattr(callback, "__module__", "") or ""
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        module = view_class.__module__
    for owner, reason in FRAMEWORK_OWNED.items():
        if module.startswith(owner):
            return reason
    return None


def _drf_declares_permissions(view_class) -> bool:
    for klass in view_class.__mro__:
        if klass.__module__.startswith("rest_framework") or klass.__module__.startswith(
            "drf_spectacular"
        ):
            continue
        if "permission_classes" in vars(klass):
            return True
    return False


def _policy_of(callback):
    view_class = getattr(callback, "view_class", None)
    drf_class = getattr(callback, "cls", None)
    if drf_class is not None and issubclass(drf_class, APIView):
        if drf_class.__module__.startswith("drf_spectacular"):
            return "public: API schema and documentation"
        return "drf" if _drf_declares_permissions(drf_class) else None
    if view_class is not None:
        return getattr(view_class, "permission_policy", None)
    return getattr(callback, "permission_policy", None)


def test_every_url_pattern_has_an_explicit_permission_policy():
    missing = []
    checked = 0
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith(tuple(FRAMEWORK_PREFIXES)) or _framework_reason(callback):
            continue
        checked += 1
        if not _policy_of(callback):
            missing.append(f"{route} -> {callback.__module__}.{callback.__name__}")
    assert checked > 5, "the walk found almost no views: is the URL configuration loaded?"
    assert not missing, "views without an explicit permission policy:\n" + "\n".join(missing)


def test_walk_detects_a_view_without_policy():
    """The walk itself must catch an undeclared view, or the test above proves nothing."""

    def naked_view(request):
        return None

    assert _policy_of(naked_view) is None

    class NakedAPI(APIView):
        pass

    assert not _drf_declares_permissions(NakedAPI)
