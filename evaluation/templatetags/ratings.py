"""Provider ratings on other apps' pages: the profile's rating panel with its breakdown,
per-category ratings and monthly history (chart and table), and a short rating for
lists. The directory does not know about evaluation (apps depend downward only), so
its templates ask here. Each tag reads a fixed number of queries.
"""

from django import template
from django.utils.translation import gettext as _

from evaluation import charts
from evaluation import rating_method as method
from evaluation.selectors import ratings as rating_selectors

register = template.Library()


def _percent(value) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


def _hours(value) -> str:
    if value is None:
        return "—"
    if value < 1:
        return _("under an hour")
    if value < 48:
        return _("about %(hours)d hours") % {"hours": round(value)}
    return _("about %(days)d days") % {"days": round(value / 24)}


@register.inclusion_tag("evaluation/ratings/_panel.html")
def rating_panel(provider):
    """The rating of a provider's public profile (four queries)."""
    rating = rating_selectors.rating_of(provider)
    history = rating_selectors.history_of(provider) if rating else []
    return {
        "rating": rating,
        "words": rating_selectors.in_words(rating),
        "band": rating_selectors.uncertainty_in_words(rating) if rating else "",
        "breakdown": rating_selectors.breakdown_rows(rating) if rating else [],
        "categories": rating_selectors.category_ratings_of(provider) if rating else [],
        "history": history,
        "chart": charts.history_chart(
            rows=history,
            title=_("Rating of %(provider)s month by month") % {"provider": provider.name},
            ident=f"rating-history-{provider.pk}",
        ),
        "acceptance_rate": _percent(rating.acceptance_rate) if rating else "—",
        "completion_rate": _percent(rating.completion_rate) if rating else "—",
        "success_rate": _percent(rating.success_rate) if rating else "—",
        "median_accept": _hours(rating.median_accept_hours) if rating else "—",
        "half_life": method.HALF_LIFE_MONTHS,
    }


@register.simple_tag
def rating_in_words(rating):
    """ "4.3 ★ from 58 outcomes", or "No rating yet"."""
    return rating_selectors.in_words(rating)


@register.filter
def as_percent(value):
    return _percent(value)


@register.filter
def as_hours(value):
    return _hours(value)
