"""Template tags for the site's frame: its name and language, the primary navigation,
the language switcher, status colours and pagination.

Navigation and page links are offered only for addresses that something actually
serves (a Django view, or a live Wagtail page in the visitor's language or the
default one), so a visitor never follows a link to a page that does not exist yet.
"""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

register = template.Library()

WAGTAIL_SERVE_URL_NAME = "wagtail_serve"

# The public sections, in the order they appear. Each shows up once its app or
# Wagtail page exists; add new sections here.
PRIMARY_NAV = (
    (_("Policies"), "/policies/"),
    (_("Service guides"), "/guides/"),
    (_("Service directory"), "/providers/"),
    (_("Tenders"), "/tenders/"),
    (_("Statistics"), "/stats/"),
    (_("News"), "/news/"),
    (_("Feedback"), "/feedback/"),
)

# Each language is named in itself, so that a reader of either finds their own.
LANGUAGE_LABELS = {"zh-hans": "中文", "en": "English"}

# Status values of every app mapped to the colour family of their badge. The
# badge always shows the status in words too; colour only reinforces it.
STATUS_TONES = {
    "positive": {
        "active",
        "accepted",
        "answered",
        "approved",
        "awarded",
        "closed",
        "complete",
        "completed",
        "in_force",
        "in_service",
        "paid",
        "published",
        "signed",
        "verified",
    },
    "negative": {
        "cancelled",
        "debarred",
        "declined",
        "expired",
        "failed",
        "rejected",
        "repealed",
        "revoked",
        "suspended",
        "terminated",
        "unsuccessful",
    },
    "warning": {
        "amended",
        "awaiting_signatures",
        "escalated",
        "evaluation",
        "overdue",
        "pending",
        "recalled",
        "reopened",
        "standstill",
        "submitted",
        "waitlisted",
    },
    "info": {"enquiries", "sent", "tendering", "viewed", "received", "in_progress"},
}
TONES = (*STATUS_TONES, "neutral")
_TONE_BY_STATUS = {status: tone for tone, statuses in STATUS_TONES.items() for status in statuses}


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class LanguageOption:
    code: str
    label: str
    lang: str
    current: bool


def html_language_tag(language_code: str) -> str:
    """Django's language code as a BCP 47 tag for ``lang`` attributes: zh-hans → zh-Hans."""
    return translation.to_locale(language_code).replace("_", "-")


def served_paths(request, paths) -> set[str]:
    """The paths among ``paths`` that something serves to this visitor.

    Paths routed to a Django view count as served. Paths that fall through to
    Wagtail count only when a live page exists there, in the visitor's language or
    the default one; one query covers all top-level sections.
    """
    served, wagtail_paths = set(), []
    for path in paths:
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.url_name == WAGTAIL_SERVE_URL_NAME:
            wagtail_paths.append(path)
        else:
            served.add(path)
    if wagtail_paths and request is not None:
        served.update(_live_page_paths(request, wagtail_paths))
    return served


def _live_page_paths(request, paths) -> set[str]:
    from wagtail.models import Page, Site

    site = Site.find_for_request(request)
    if site is None:
        return set()
    # The home page in the visitor's language, and the default-language home that
    # serves pages not translated yet (see cms.models.HomePage.route).
    default_home = site.root_page
    home = default_home.localized
    found = {path for path in paths if not path.strip("/")}  # the home page itself
    top_level = {
        path.strip("/"): path for path in paths if path.strip("/") and "/" not in path.strip("/")
    }
    children = Page.objects.child_of(home)
    if home.pk != default_home.pk:
        children = children | Page.objects.child_of(default_home)
    found |= {
        top_level[slug]
        for slug in children.live().filter(slug__in=top_level).values_list("slug", flat=True)
    }
    for path in set(paths) - set(top_level.values()) - found:
        # Deeper paths are rare in navigation: route them the way Wagtail's serve
        # view does, without touching the request's cached route.
        try:
            home.specific.route(request, [part for part in path.split("/") if part])
        except Http404:
            continue
        found.add(path)
    return found


@register.simple_tag
def site_name() -> str:
    """The platform's name in the active language."""
    if (translation.get_language() or settings.LANGUAGE_CODE).startswith("zh"):
        return settings.WAGTAIL_SITE_NAME
    return gettext("Social Services Commissioning & Referral Platform")


@register.simple_tag
def html_lang() -> str:
    return html_language_tag(translation.get_language() or settings.LANGUAGE_CODE)


@register.simple_tag(takes_context=True)
def primary_nav(context) -> list[NavItem]:
    """Home, then each public section that exists; the section being viewed is marked current."""
    request = context.get("request")
    current_path = request.path if request is not None else ""
    available = served_paths(request, [url for _label, url in PRIMARY_NAV])
    items = [NavItem(gettext("Home"), "/", current_path == "/")]
    items += [
        NavItem(str(label), url, current_path.startswith(url))
        for label, url in PRIMARY_NAV
        if url in available
    ]
    return items


@register.simple_tag(takes_context=True)
def available_paths(context, *paths) -> set[str]:
    """``{% available_paths "/search/" "/policies/" as available %}`` then
    ``{% if "/search/" in available %}``: link only to what exists."""
    return served_paths(context.get("request"), paths)


@register.simple_tag
def language_options() -> list[LanguageOption]:
    current = translation.get_language() or settings.LANGUAGE_CODE
    return [
        LanguageOption(
            code=code,
            label=LANGUAGE_LABELS.get(code, str(name)),
            lang=html_language_tag(code),
            current=translation.get_supported_language_variant(current) == code,
        )
        for code, name in settings.LANGUAGES
    ]


@register.filter
def status_tone(status) -> str:
    """The colour family of a status badge: positive, negative, warning, info or neutral."""
    value = str(status or "").lower()
    if value in TONES:
        return value
    return _TONE_BY_STATUS.get(value, "neutral")


@register.simple_tag
def page_numbers(page_obj, on_each_side=1, on_ends=1):
    """Page numbers around the current one, with Paginator.ELLIPSIS for the gaps."""
    return page_obj.paginator.get_elided_page_range(
        page_obj.number, on_each_side=on_each_side, on_ends=on_ends
    )
