"""API routes of the places app."""

from rest_framework.routers import DefaultRouter

from places import api

router = DefaultRouter()
# core.api.APIRootView is the one root of /api/v1/; this router only adds its resource.
router.include_root_view = False
router.register("areas", api.AreaViewSet, basename="api-areas")

urlpatterns = router.urls
