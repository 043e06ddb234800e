"""Factories for pooled budgets, tenders, bids and the rest of the marketplace.

Factories write rows straight to the tables; the behaviour under test goes
through ``marketplace.services``. ``TenderFactory`` gives a draft tender with
lot 1 and the usual four criteria (price 40, quality 40, past performance 10,
social value 10), deadlines in the future, and a budget of its own agency
with an approved contribution covering its maximum value.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.conf import settings
from django.utils import timezone
from factory.django import DjangoModelFactory

from marketplace.models import (
    Award,
    Bid,
    BidResponse,
    Clarification,
    Complaint,
    Contribution,
    Criterion,
    Lot,
    Panel,
    PanelMember,
    PooledBudget,
    Score,
    Tender,
)
from tests.factories.accounts import AgencyFactory, UserFactory, user_with_role
from tests.factories.places import DistrictFactory
from tests.factories.providers import VerifiedProviderFactory
from tests.factories.taxonomy import need_category

ELDERLY_CARE = "social-services.elderly-care"

# (kind, name_zh, name_en, weight)
STANDARD_CRITERIA = (
    (Criterion.Kind.PRICE, "价格", "Price", 40),
    (Criterion.Kind.QUALITY, "服务方案", "Service plan", 40),
    (Criterion.Kind.PAST_PERFORMANCE, "过往表现", "Past performance", 10),
    (Criterion.Kind.SOCIAL_VALUE, "社会价值", "Social value", 10),
)


def this_year() -> int:
    return timezone.localdate().year


class PooledBudgetFactory(DjangoModelFactory):
    class Meta:
        model = PooledBudget

    lead_agency = factory.SubFactory(AgencyFactory)
    name_zh = factory.Sequence(lambda n: f"社会救助服务联合资金池{n}")
    name_en = factory.Sequence(lambda n: f"Joint social assistance fund {n}")
    first_year = factory.LazyFunction(this_year)
    last_year = factory.LazyAttribute(lambda o: o.first_year + 2)


class ContributionFactory(DjangoModelFactory):
    """An approved contribution of the lead agency unless told otherwise."""

    class Meta:
        model = Contribution
        skip_postgeneration_save = True

    budget = factory.SubFactory(PooledBudgetFactory)
    funder = factory.LazyAttribute(lambda o: o.budget.lead_agency)
    amount = Decimal("1000000.00")
    year = factory.LazyAttribute(lambda o: o.budget.first_year)
    source = Contribution.Source.GENERAL_BUDGET
    status = Contribution.Status.APPROVED
    approved_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Contribution.Status.APPROVED else None
    )

    @factory.post_generation
    def earmarked_categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.earmarked_categories.set(extracted)


class PendingContributionFactory(ContributionFactory):
    status = Contribution.Status.PENDING


class TenderFactory(DjangoModelFactory):
    """A draft tender: questions close in 10 days, bids in 20, the contract starts in 40."""

    class Meta:
        model = Tender
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"TEST-{this_year()}-{n:04d}")
    title_zh = factory.Sequence(lambda n: f"高龄老人居家照护服务项目{n}")
    title_en = factory.Sequence(lambda n: f"Home care for older people {n}")
    description_zh = "为辖区内高龄独居老人提供上门照护、助餐和精神慰藉服务。"
    description_en = "Home care, meals and companionship for older people living alone."
    lead_agency = factory.SubFactory(AgencyFactory)
    budget = factory.SubFactory(
        PooledBudgetFactory, lead_agency=factory.SelfAttribute("..lead_agency")
    )
    max_value = Decimal("500000.00")
    status = Tender.Status.DRAFT
    enquiry_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    submission_deadline = factory.LazyAttribute(lambda o: o.enquiry_deadline + timedelta(days=10))
    contract_start = factory.LazyAttribute(
        lambda o: timezone.localdate(o.submission_deadline) + timedelta(days=20)
    )
    contract_end = factory.LazyAttribute(
        lambda o: o.contract_start.replace(year=o.contract_start.year + 1) - timedelta(days=1)
    )

    @factory.post_generation
    def funded(self, create, extracted, **kwargs):
        """An approved contribution worth the maximum value (none with funded=False)."""
        if create and extracted is not False:
            ContributionFactory(budget=self.budget, amount=self.max_value)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            self.categories.set(extracted or [need_category(ELDERLY_CARE)])

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create:
            self.areas.set(extracted or [DistrictFactory()])

    @factory.post_generation
    def lots(self, create, extracted, **kwargs):
        if create and extracted is None:
            LotFactory(tender=self, number=1, max_value=self.max_value)

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if create and extracted is None:
            for order, (kind, name_zh, name_en, weight) in enumerate(STANDARD_CRITERIA, start=1):
                CriterionFactory(
                    tender=self,
                    kind=kind,
                    name_zh=name_zh,
                    name_en=name_en,
                    weight=weight,
                    order=order,
                )


class PublishedTenderFactory(TenderFactory):
    status = Tender.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    status_changed_at = factory.LazyAttribute(lambda o: o.publish_at)


class TenderingTenderFactory(PublishedTenderFactory):
    """Questions closed yesterday; bids close in 10 days."""

    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    enquiry_deadline = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    status = Tender.Status.TENDERING


class EvaluationTenderFactory(TenderingTenderFactory):
    """Bids closed yesterday and the tender is under evaluation."""

    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    enquiry_deadline = factory.LazyFunction(lambda: timezone.now() - timedelta(days=20))
    submission_deadline = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    status = Tender.Status.EVALUATION


class LotFactory(DjangoModelFactory):
    class Meta:
        model = Lot
        django_get_or_create = ("tender", "number")

    tender = factory.SubFactory(TenderFactory, lots=False)
    number = factory.Sequence(lambda n: n + 1)
    title_zh = factory.LazyAttribute(lambda o: o.tender.title_zh)
    title_en = factory.LazyAttribute(lambda o: o.tender.title_en)
    max_value = factory.LazyAttribute(lambda o: o.tender.max_value)


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = Criterion

    tender = factory.SubFactory(TenderFactory, criteria=False)
    kind = Criterion.Kind.QUALITY
    name_zh = factory.Sequence(lambda n: f"评审标准{n}")
    name_en = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 10
    order = factory.Sequence(lambda n: n)


class BidFactory(DjangoModelFactory):
    """A draft bid on lot 1 of a published tender, by a verified provider."""

    class Meta:
        model = Bid

    tender = factory.SubFactory(PublishedTenderFactory)
    lot = factory.LazyAttribute(lambda o: o.tender.lots.get(number=1))
    provider = factory.SubFactory(VerifiedProviderFactory)
    status = Bid.Status.DRAFT


class SubmittedBidFactory(BidFactory):
    status = Bid.Status.SUBMITTED
    price = Decimal("450000.00")
    submitted_at = factory.LazyFunction(timezone.now)


class BidResponseFactory(DjangoModelFactory):
    class Meta:
        model = BidResponse

    bid = factory.SubFactory(BidFactory)
    criterion = factory.LazyAttribute(
        lambda o: o.bid.tender.criteria.filter(kind=Criterion.Kind.QUALITY).first()
    )
    text = "我们将组建由持证社工带领的上门服务团队，每周探访两次。"


def complete_bid(bid: Bid, text: str = "") -> Bid:
    """Give a bid a response to every criterion the panel scores (rows written directly)."""
    for criterion in bid.tender.criteria.all():
        if criterion.is_scored_by_panel:
            BidResponseFactory(
                bid=bid,
                criterion=criterion,
                text=text or f"{criterion.name_zh}：{bid.provider.organization.name_zh}的方案",
            )
    return bid


class ClarificationFactory(DjangoModelFactory):
    """An unanswered question from a provider organization."""

    class Meta:
        model = Clarification

    tender = factory.SubFactory(PublishedTenderFactory)
    asked_by_organization = factory.LazyAttribute(lambda o: VerifiedProviderFactory().organization)
    question = "服务对象的人数是否包括新增的高龄老人？"


class PanelFactory(DjangoModelFactory):
    class Meta:
        model = Panel

    tender = factory.SubFactory(TenderingTenderFactory)
    chair = factory.SubFactory(UserFactory)


class PanelMemberFactory(DjangoModelFactory):
    class Meta:
        model = PanelMember

    panel = factory.SubFactory(PanelFactory)
    user = factory.SubFactory(UserFactory)


class ScoreFactory(DjangoModelFactory):
    """A submitted score of a bid on its tender's quality criterion."""

    class Meta:
        model = Score

    bid = factory.SubFactory(SubmittedBidFactory)
    criterion = factory.LazyAttribute(
        lambda o: o.bid.tender.criteria.filter(kind=Criterion.Kind.QUALITY).first()
    )
    member = factory.SubFactory(PanelMemberFactory)
    score = Decimal("7.00")
    submitted_at = factory.LazyFunction(timezone.now)


class AwardFactory(DjangoModelFactory):
    """A recommended award of a submitted bid's lot, worth its price."""

    class Meta:
        model = Award

    bid = factory.SubFactory(SubmittedBidFactory)
    tender = factory.LazyAttribute(lambda o: o.bid.tender)
    lot = factory.LazyAttribute(lambda o: o.bid.lot)
    value = factory.LazyAttribute(lambda o: o.bid.price)


class ComplaintFactory(DjangoModelFactory):
    """An open complaint by a losing bidder on the award's lot."""

    class Meta:
        model = Complaint

    award = factory.SubFactory(AwardFactory)
    bid = factory.LazyAttribute(
        lambda o: SubmittedBidFactory(tender=o.award.tender, lot=o.award.lot)
    )
    provider = factory.LazyAttribute(lambda o: o.bid.provider)
    text = "评分过程未考虑我方的服务经验。"


def bidder_of(provider, role: str = "provider_staff", **kwargs):
    """A person of the provider (staff unless told otherwise)."""
    return user_with_role(role, organization=provider.organization, **kwargs)


def agency_user(agency=None, role: str = "caseworker", **kwargs):
    """Someone working at an agency (any agency user may sit on a panel)."""
    return user_with_role(role, organization=agency or AgencyFactory(), **kwargs)


def commissioner_of(agency, **kwargs):
    return user_with_role("commissioner", organization=agency, **kwargs)


def finance_of(agency, **kwargs):
    return user_with_role("finance", organization=agency, **kwargs)


def award_approver(tender, role: str = "commissioner", **kwargs):
    """Someone of the lead agency who may approve its awards: a new commissioner (or, with
    ``role="supervisor"``, a supervisor), so neither the recommender nor the panel chair."""
    return user_with_role(role, organization=tender.lead_agency, **kwargs)


def criteria_input(weights=(40, 40, 10, 10)) -> list[dict]:
    """Criteria as ``create_tender`` takes them: the standard four with ``weights``."""
    return [
        {"kind": kind, "name_zh": name_zh, "name_en": name_en, "weight": weight}
        for (kind, name_zh, name_en, _weight), weight in zip(
            STANDARD_CRITERIA, weights, strict=True
        )
    ]


def submitted_bids(tender, prices, lot=None) -> list[Bid]:
    """A complete submitted bid per price, each by a new verified provider, on lot 1 by default."""
    lot = lot or tender.lots.get(number=1)
    submitted_at = min(timezone.now(), tender.submission_deadline) - timedelta(hours=1)
    return [
        complete_bid(
            SubmittedBidFactory(
                tender=tender, lot=lot, price=Decimal(str(price)), submitted_at=submitted_at
            )
        )
        for price in prices
    ]


def locked_panel(tender, chair=None) -> Panel:
    """A panel whose chair (a commissioner of the lead agency) has locked moderation.

    Of ``PANEL_MIN_MEMBERS`` people, all declared free of conflicts: the chair and
    caseworkers of the lead agency.
    """
    chair = chair or commissioner_of(tender.lead_agency)
    now = timezone.now()
    panel = PanelFactory(tender=tender, chair=chair, quality_locked_at=now)
    others = [agency_user(tender.lead_agency) for _ in range(settings.PANEL_MIN_MEMBERS - 1)]
    for user in [chair, *others]:
        PanelMemberFactory(panel=panel, user=user, conflict_declared_at=now, has_conflict=False)
    return panel
