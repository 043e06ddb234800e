"""Template tags for Wagtail pages of the public site."""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag(takes_context=True)
def page_breadcrumbs(context, page) -> list[tuple[str, str]]:
    """(label, url) pairs from the home page down to ``page``, for components/breadcrumbs.html.

    The home page is called "Home" rather than by its title (the platform's long name).
    """
    request = context.get("request")
    ancestors = page.get_ancestors(inclusive=True).filter(depth__gte=2).specific()
    crumbs = []
    for ancestor in ancestors:
        label = gettext("Home") if ancestor.depth == 2 else ancestor.title
        crumbs.append((label, ancestor.get_url(request=request)))
    return crumbs


# --- language switcher on Wagtail pages (guides, news and sections) ------------------


@register.simple_tag(takes_context=True)
def language_switch_targets(context) -> dict[str, str]:
    """Where each language's button of the switcher should land, for a Wagtail page
    whose translation lives at another address (an English slug of its own).

    Returns ``{language code: path}`` for every language once one of them differs
    from the current address, and ``{}`` when all languages share it (the usual
    case: translations keep the slug, and the reader's language picks the page).
    Translations that are not live are left out: the switch then stays on this
    address, which serves the page in the default language.
    """
    from django.conf import settings
    from wagtail.models import Page

    page = context.get("page")
    request = context.get("request")
    if not isinstance(page, Page) or request is None:
        return {}
    translations = page.get_translations(inclusive=True).live().select_related("locale")
    targets = {}
    for translated in translations:
        url = translated.get_url(request=request)
        if url and url != request.path:
            targets[translated.locale.language_code] = url
    if not targets:
        return {}
    current = request.get_full_path()
    return {code: targets.get(code, current) for code, _name in settings.LANGUAGES}


@register.simple_tag
def language_switch_action(targets, language_code) -> str:
    """The switcher's form address for one language button: ``/i18n/setlang/?next=…``."""
    from urllib.parse import urlencode

    from django.urls import reverse

    return f"{reverse('set_language')}?{urlencode({'next': targets[language_code]})}"
