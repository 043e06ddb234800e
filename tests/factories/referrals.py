"""Factories for beneficiaries, with valid (fictional) GB 11643 ID numbers.

``id_number()`` builds a number with the right check character, so tests say
what they mean ("a woman born 1985-03-02") instead of copying real-looking numbers.
"""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from core.blind_index import blind_index
from referrals.models import Beneficiary, Consent, Need, NeedAssessment, Referral, ShareableField
from referrals.validators import check_character, parse_id_number
from tests.factories.accounts import AgencyFactory
from tests.factories.providers import ServiceFactory
from tests.factories.taxonomy import need_category


def id_number(
    *,
    area_code: str = "310115",
    birth_date: datetime.date = datetime.date(1980, 1, 1),
    sequence: int = 1,
    male: bool = True,
) -> str:
    """A valid 18-character ID number; ``sequence`` (0–49) tells people apart."""
    order = sequence * 2 + (1 if male else 0)
    first_17 = f"{area_code}{birth_date:%Y%m%d}{order:03d}"
    return first_17 + check_character(first_17)


class BeneficiaryFactory(DjangoModelFactory):
    """A beneficiary written straight to the table; services are tested through their API."""

    class Meta:
        model = Beneficiary

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"测试人{n}")
    id_number = factory.Sequence(
        lambda n: id_number(birth_date=datetime.date(1950, 1, 1) + datetime.timedelta(days=n))
    )
    id_number_index = factory.LazyAttribute(lambda o: blind_index(o.id_number))
    gender = factory.LazyAttribute(lambda o: parse_id_number(o.id_number).gender)
    birth_date = factory.LazyAttribute(lambda o: parse_id_number(o.id_number).birth_date)
    phone = "13800138000"
    address = "上海市浦东新区测试路1号"


class NeedAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = NeedAssessment

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    assessed_on = factory.LazyFunction(datetime.date.today)
    notes = "独居，行动不便。"


class NeedFactory(DjangoModelFactory):
    class Meta:
        model = Need

    assessment = factory.SubFactory(NeedAssessmentFactory)
    category = factory.LazyFunction(lambda: need_category("social-services.elderly-care"))
    severity = Need.Severity.MODERATE
    notes = "需要上门照护。"


class ReferralFactory(DjangoModelFactory):
    """A draft referral of a need to a service; the denormalised fields follow them."""

    class Meta:
        model = Referral

    need = factory.SubFactory(NeedFactory)
    beneficiary = factory.LazyAttribute(lambda o: o.need.assessment.beneficiary)
    agency = factory.LazyAttribute(lambda o: o.beneficiary.agency)
    service = factory.SubFactory(ServiceFactory)
    provider = factory.LazyAttribute(lambda o: o.service.provider)
    category = factory.LazyAttribute(lambda o: o.need.category)
    reason = "需要每周两次上门照护。"
    status = Referral.Status.DRAFT


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent

    referral = factory.SubFactory(ReferralFactory)
    provider = factory.LazyAttribute(lambda o: o.referral.provider)
    fields = factory.LazyFunction(lambda: [ShareableField.NAME, ShareableField.PHONE])
    purpose = "联系本人安排服务"
    method = Consent.Method.SIGNED_FORM
    given_at = factory.LazyFunction(timezone.now)
