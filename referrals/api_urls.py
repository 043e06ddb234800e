"""API routes of the referrals app under /api/v1/: beneficiaries, assessments, consents,
referrals (with an action per lifecycle step), matches and unmet needs."""

from rest_framework.routers import SimpleRouter

from referrals import api

router = SimpleRouter()
router.register("beneficiaries", api.BeneficiaryViewSet, basename="api-beneficiaries")
router.register("assessments", api.AssessmentViewSet, basename="api-assessments")
router.register("consents", api.ConsentViewSet, basename="api-consents")
router.register("referrals", api.ReferralViewSet, basename="api-referrals")
router.register("matches", api.MatchViewSet, basename="api-matches")
router.register("unmet-needs", api.UnmetNeedViewSet, basename="api-unmet-needs")

urlpatterns = router.urls
