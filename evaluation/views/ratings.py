"""The public page that explains how provider ratings are worked out."""

from django.shortcuts import render
from django.urls import path

from core.permissions import public
from evaluation import rating_method as method


@public
def method_page(request):
    """How a rating is made: the parts, their shares and prior weights, decay, the band."""
    return render(
        request,
        "evaluation/ratings/method.html",
        {
            "components": method.COMPONENTS,
            "half_life": method.HALF_LIFE_MONTHS,
            "history_months": method.HISTORY_MONTHS,
            "shares": [(c, round(c.share * 100)) for c in method.COMPONENTS],
        },
    )


urlpatterns = [
    path("ratings/method/", method_page, name="rating_method"),
]
