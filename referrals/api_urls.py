"""API routes of the referrals app under /api/v1/: beneficiaries, assessments, consents,
referrals (with an action per lifecycle step), matches and unmet needs."""

from rest_framework.routers import SimpleRouter

from referrals.api import assessments, beneficiaries, consent, lifecycle, matching, unmet_needs

router = SimpleRouter()
router.register("beneficiaries", beneficiaries.BeneficiaryViewSet, basename="api-beneficiaries")
router.register("assessments", assessments.AssessmentViewSet, basename="api-assessments")
router.register("consents", consent.ConsentViewSet, basename="api-consents")
router.register("referrals", lifecycle.ReferralViewSet, basename="api-referrals")
router.register("matches", matching.MatchViewSet, basename="api-matches")
router.register("unmet-needs", unmet_needs.UnmetNeedViewSet, basename="api-unmet-needs")

urlpatterns = router.urls
