"""API routes of contracts under /api/v1/ (see ``contracts.api``): each topic module lists
its viewsets in ``ROUTES`` as (prefix, viewset, basename)."""

from rest_framework.routers import SimpleRouter

from contracts.api import contracts, documents, notices, payments, reports

router = SimpleRouter()
for module in (contracts, documents, payments, reports, notices):
    for prefix, viewset, basename in module.ROUTES:
        router.register(prefix, viewset, basename=basename)

urlpatterns = router.urls
