"""API routes of the providers app: /api/v1/providers/, /api/v1/services/ and /api/v1/sites/."""

from rest_framework.routers import SimpleRouter

from providers import api

router = SimpleRouter()
router.register("providers", api.ProviderViewSet, basename="api-providers")
router.register("services", api.ServiceViewSet, basename="api-services")
router.register("sites", api.SiteViewSet, basename="api-sites")

urlpatterns = router.urls
