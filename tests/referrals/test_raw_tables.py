"""Personal data is encrypted at rest (SPEC §4): read the raw rows of the referrals tables as
anyone with a copy of the database would, and find no name, ID number, phone, address,
reason or note in any column — on SQLite and on PostgreSQL alike."""

import base64
import datetime

import pytest
from django.db import connection

from accounts.models import Role
from referrals import selectors, services
from referrals.models import Consent, Referral, ShareableField
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.providers import ServiceFactory, provider_staff_of
from tests.factories.referrals import id_number
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

NAME = "欧阳秀珍"
ID_NUMBER = id_number(birth_date=datetime.date(1952, 11, 3), sequence=21, male=False)
PHONE = "13698765432"
ADDRESS = "上海市浦东新区花木街道锦绣路1500弄12号"
MEMBER = "欧阳建军"
ASSESSMENT_NOTES = "患阿尔茨海默症早期，女儿在外地。"
NEED_NOTES = "需要每日送餐和用药提醒。"
REASON = "独居高龄老人，上月走失一次。"
EVENT_NOTE = "已电话联系其女儿欧阳丽。"
OUTCOME_NOTE = "已安排每日送餐，用药提醒由社工跟进。"
OVERRIDE_REASON = "本人认知障碍无法签字，女儿在外地暂时联系不上。"
REVOCATION_NOTE = "女儿回沪后代为撤回同意。"

SECRETS = {
    "name": NAME,
    "ID number": ID_NUMBER,
    "ID number digits": ID_NUMBER[:17],
    "phone": PHONE,
    "address": ADDRESS,
    "household member": MEMBER,
    "assessment notes": ASSESSMENT_NOTES,
    "need notes": NEED_NOTES,
    "reason": REASON,
    "event note": EVENT_NOTE,
    "outcome note": OUTCOME_NOTE,
    "override reason": OVERRIDE_REASON,
    "revocation note": REVOCATION_NOTE,
}
TABLES = [
    "referrals_beneficiary",
    "referrals_needassessment",
    "referrals_need",
    "referrals_referral",
    "referrals_referralevent",
    "referrals_consent",
]


@pytest.fixture
def case():
    """One person taken through the whole loop by the services, with every free text filled."""
    agency = AgencyFactory()
    caseworker = user_with_role(Role.CASEWORKER, agency)
    service = ServiceFactory()
    staff = provider_staff_of(service.provider)
    beneficiary = services.record_beneficiary(
        agency=agency,
        user=caseworker,
        name=NAME,
        id_number=ID_NUMBER,
        phone=PHONE,
        address=ADDRESS,
        household_members=[{"name": MEMBER, "relation": "son"}],
    ).beneficiary
    assessment = services.record_assessment(
        beneficiary=beneficiary,
        user=caseworker,
        notes=ASSESSMENT_NOTES,
        needs=[{"category": need_category("social-services.elderly-care"), "notes": NEED_NOTES}],
    )
    referral = services.create_referral(
        need=assessment.needs.get(), service=service, user=caseworker, reason=REASON
    )
    services.override_consent(
        referral=referral,
        user=user_with_role(Role.SUPERVISOR, agency),
        fields=[ShareableField.NAME],
        purpose="安排送餐服务",
        reason=OVERRIDE_REASON,
    )
    services.record_consent(
        referral=referral,
        user=caseworker,
        fields=list(ShareableField.values),
        purpose="安排送餐服务",
        method=Consent.Method.SIGNED_FORM,
    )
    services.send_referral(referral=referral, user=caseworker)
    services.accept_referral(referral=referral, user=staff, note=EVENT_NOTE)
    services.start_service(referral=referral, user=staff, note=EVENT_NOTE)
    services.complete_referral(referral=referral, user=staff, outcome="achieved", note=OUTCOME_NOTE)
    services.close_referral(referral=referral, user=caseworker, note=EVENT_NOTE)
    services.revoke_consent(
        consent=selectors.current_consent(referral), user=caseworker, note=REVOCATION_NOTE
    )
    return Referral.objects.get(pk=referral.pk)


def raw_rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchall()


def as_text(value) -> str:
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).decode("latin-1")
    return str(value)


def disguises(secret: str) -> list[str]:
    """The secret as written, and as a lazy 'encryption' would hide it."""
    raw = secret.encode()
    return [
        secret,
        secret.lower(),
        raw.hex(),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
    ]


def test_the_case_left_rows_in_every_table(case):
    for table in TABLES:
        assert raw_rows(table), f"{table} is empty: the test would prove nothing"


@pytest.mark.parametrize("table", TABLES)
def test_no_personal_data_in_plain_in_any_column(case, table):
    cells = [as_text(value) for row in raw_rows(table) for value in row]

    for label, secret in SECRETS.items():
        for disguise in disguises(secret):
            leaking = [cell for cell in cells if disguise in cell]
            assert not leaking, f"{label} readable in {table}"


def test_the_services_still_read_back_what_was_written(case):
    """The check above is not passed by losing the data: decrypted, it is all there."""
    beneficiary = case.beneficiary
    assert (beneficiary.name, beneficiary.id_number, beneficiary.phone) == (NAME, ID_NUMBER, PHONE)
    assert beneficiary.address == ADDRESS
    assert case.reason == REASON
    assert case.need.notes == NEED_NOTES
    assert case.need.assessment.notes == ASSESSMENT_NOTES
    consents = {c.method: c for c in case.consents.all()}
    assert consents[Consent.Method.SUPERVISOR_OVERRIDE].override_reason == OVERRIDE_REASON
    assert consents[Consent.Method.SIGNED_FORM].revocation_note == REVOCATION_NOTE
    assert case.outcome_note == OUTCOME_NOTE
    assert set(case.events.values_list("note", flat=True)) >= {EVENT_NOTE, OUTCOME_NOTE}


def test_the_id_number_is_found_through_its_blind_index_only(case):
    caseworker = case.caseworker

    assert selectors.find_by_id_number(user=caseworker, id_number=ID_NUMBER.lower()) == (
        case.beneficiary
    )
