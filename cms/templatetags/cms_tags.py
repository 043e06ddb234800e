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
