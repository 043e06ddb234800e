"""API routes of the accounts app."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import api

router = SimpleRouter()
router.register("organizations", api.OrganizationViewSet, basename="api-organizations")
router.register("auth/tokens", api.APITokenViewSet, basename="api-tokens")

urlpatterns = [
    path("auth/token/", api.ObtainTokenView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me-list"),
    *router.urls,
]
