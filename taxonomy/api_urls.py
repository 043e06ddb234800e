"""API routes of the taxonomy app."""

from rest_framework.routers import DefaultRouter

from taxonomy import api

router = DefaultRouter()
# core.api.APIRootView is the one root of /api/v1/; this router only adds its resources.
router.include_root_view = False
router.register("need-categories", api.NeedCategoryViewSet, basename="api-need-categories")
router.register("service-tiers", api.ServiceTierViewSet, basename="api-service-tiers")

urlpatterns = router.urls
