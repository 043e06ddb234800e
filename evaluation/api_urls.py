"""API routes of evaluation under /api/v1/ (see ``evaluation.api``): each topic module
lists its viewsets in ``ROUTES`` as (prefix, viewset, basename)."""

from rest_framework.routers import SimpleRouter

from evaluation.api import assessments, outcomes, ratings, surveys

router = SimpleRouter()
for module in (outcomes, surveys, assessments, ratings):
    for prefix, viewset, basename in module.ROUTES:
        router.register(prefix, viewset, basename=basename)

urlpatterns = router.urls
