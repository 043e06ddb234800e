"""API routes of the accounts app."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import api

router = SimpleRouter()
router.register("organizations", api.OrganizationViewSet, basename="api-organizations")

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me-list"),
    *router.urls,
]
