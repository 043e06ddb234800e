"""Factories of evaluation: referrals taken through their lifecycle by the real services,
outcomes, survey answers, frameworks and assessments."""

import datetime
import secrets

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Organization, Role
from evaluation.models import (
    Assessment,
    Dimension,
    Indicator,
    Outcome,
    StandardsFramework,
    SurveyInvitation,
    SurveyResponse,
)
from referrals import services as referral_services
from referrals.models import Consent, Referral, ShareableField
from tests.factories.accounts import AgencyFactory, OrganizationFactory, user_with_role
from tests.factories.providers import ServiceFactory, provider_staff_of
from tests.factories.referrals import NeedFactory


def sent_referral(*, service=None, agency=None, caseworker=None) -> Referral:
    """A referral made, consented to and sent by a caseworker, through the services."""
    service = service or ServiceFactory(free_slots=5)
    agency = agency or (
        caseworker.memberships.get().organization if caseworker else AgencyFactory()
    )
    caseworker = caseworker or user_with_role(Role.CASEWORKER, agency)
    need = NeedFactory(assessment__beneficiary__agency=agency, category=service.categories.first())
    referral = referral_services.create_referral(need=need, service=service, user=caseworker)
    referral_services.record_consent(
        referral=referral,
        user=caseworker,
        fields=[ShareableField.NAME],
        purpose="安排服务",
        method=Consent.Method.SIGNED_FORM,
    )
    return referral_services.send_referral(referral=referral, user=caseworker)


def in_service_referral(*, staff=None, **kwargs) -> Referral:
    """A sent referral the provider's staff accepted and started."""
    referral = sent_referral(**kwargs)
    staff = staff or provider_staff_of(referral.provider)
    referral_services.accept_referral(referral=referral, user=staff)
    return referral_services.start_service(referral=referral, user=staff)


class AssessorOrganizationFactory(OrganizationFactory):
    kind = Organization.Kind.ASSESSOR


class OutcomeFactory(DjangoModelFactory):
    """An outcome row written directly: for ratings and lists, not for the outcome flow."""

    class Meta:
        model = Outcome

    referral = factory.LazyFunction(lambda: in_service_referral())
    provider = factory.LazyAttribute(lambda o: o.referral.provider)
    agency = factory.LazyAttribute(lambda o: o.referral.agency)
    category = factory.LazyAttribute(lambda o: o.referral.category)
    district = factory.LazyAttribute(lambda o: o.referral.district)
    result = Outcome.Result.COMPLETED
    t_score = factory.LazyAttribute(lambda o: None if o.result == "failed" else 50)
    failure_reason = factory.LazyAttribute(
        lambda o: "could_not_contact" if o.result == "failed" else ""
    )
    status = Outcome.Status.CONFIRMED
    confirmed_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Outcome.Status.CONFIRMED else None
    )


class SurveyInvitationFactory(DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    referral = factory.LazyFunction(lambda: in_service_referral())
    provider = factory.LazyAttribute(lambda o: o.referral.provider)
    category = factory.LazyAttribute(lambda o: o.referral.category)
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    token_digest = factory.LazyAttribute(
        lambda o: __import__("hashlib").sha256(o.token.encode()).hexdigest()
    )
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=60))


class SurveyResponseFactory(DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    invitation = factory.SubFactory(SurveyInvitationFactory)
    provider = factory.LazyAttribute(lambda o: o.invitation.provider)
    category = factory.LazyAttribute(lambda o: o.invitation.category)
    helped = 4
    respect = 5
    timely = 4
    explained = 4
    recommend = 5


class StandardsFrameworkFactory(DjangoModelFactory):
    class Meta:
        model = StandardsFramework
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"framework-{n}")
    name_zh = factory.Sequence(lambda n: f"服务标准{n}")
    name_en = factory.Sequence(lambda n: f"Service standards {n}")

    @factory.post_generation
    def dimensions(self, create, extracted, **kwargs):
        """Two dimensions of two indicators each, unless told otherwise."""
        if not create or extracted is False:
            return
        for d, (civil, weight) in enumerate(
            [("work_performance", 60), ("internal_governance", 40)], start=1
        ):
            dimension = Dimension.objects.create(
                framework=self,
                code=f"d{d}",
                name_zh=f"维度{d}",
                name_en=f"Dimension {d}",
                weight=weight,
                civil_affairs=civil,
                order=d,
            )
            for i in (1, 2):
                Indicator.objects.create(
                    dimension=dimension,
                    code=f"d{d}-i{i}",
                    text_zh=f"指标{d}.{i}",
                    text_en=f"Indicator {d}.{i}",
                    order=i,
                )


class AssessmentFactory(DjangoModelFactory):
    """An assessment row written directly; the flow itself goes through the services."""

    class Meta:
        model = Assessment

    reference = factory.Sequence(lambda n: f"ASM-2026-{n:04d}")
    framework = factory.SubFactory(StandardsFrameworkFactory)
    provider = factory.SubFactory("tests.factories.providers.VerifiedProviderFactory")
    agency = factory.SubFactory(AgencyFactory)
    assessor = factory.SubFactory(AssessorOrganizationFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
