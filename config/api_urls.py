"""Routes of the JSON API under /api/v1/; each app contributes its own router entries."""

from django.urls import include, path

from core import api as core_api

urlpatterns = [
    path("", core_api.APIRootView.as_view(), name="api-root"),
    path("", include("places.api_urls")),
    path("", include("taxonomy.api_urls")),
    path("", include("accounts.api_urls")),
    path("", include("providers.api_urls")),
    path("", include("referrals.api_urls")),
    path("", include("marketplace.api_urls")),
    path("", include("contracts.api_urls")),
    path("", include("evaluation.api_urls")),
    path("hsds/", include("providers.hsds.urls")),
    path("ocds/", include("marketplace.ocds.urls")),
]
