"""API routes of the marketplace under /api/v1/ (see ``marketplace.api``)."""

from rest_framework.routers import SimpleRouter

from marketplace.api import alerts, awards, bids, budgets, clarifications, tenders

router = SimpleRouter()
router.register("budgets", budgets.BudgetViewSet, basename="api-budgets")
router.register("contributions", budgets.ContributionViewSet, basename="api-contributions")
router.register("tenders", tenders.TenderViewSet, basename="api-tenders")
router.register(
    "clarifications", clarifications.ClarificationViewSet, basename="api-clarifications"
)
router.register("bids", bids.BidViewSet, basename="api-bids")
router.register("awards", awards.AwardViewSet, basename="api-awards")
router.register("complaints", awards.ComplaintViewSet, basename="api-complaints")
router.register("alerts", alerts.AlertViewSet, basename="api-alerts")

urlpatterns = router.urls
