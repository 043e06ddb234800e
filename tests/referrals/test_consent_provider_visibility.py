"""What a provider sees of the person (SPEC §4, issue #5 point 7): nothing personal while a
referral is pending; after accepting, exactly the consented fields; nothing again once the
consent is revoked or has expired. Every read that shows something is audited, without values."""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Role
from core.models import AuditEvent
from referrals import services
from referrals.models import Consent, Referral, ShareableField
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.providers import ServiceFactory, provider_staff_of
from tests.factories.referrals import (
    BeneficiaryFactory,
    NeedAssessmentFactory,
    NeedFactory,
    id_number,
)

pytestmark = pytest.mark.django_db

NAME = "李桂兰"
PHONE = "13761234567"
ID_NUMBER = id_number(birth_date=datetime.date(1941, 5, 6), sequence=12, male=False)
ADDRESS = "上海市浦东新区塘桥街道蓝村路88弄2号301室"
MEMBERS = [{"name": "李建国", "relation": "son"}]
REASON = "独居，近期跌倒两次，需要上门照护。"
ASSESSMENT_NOTES = "听力较差，请大声说话。"
NEED_NOTES = "每周两次助浴。"
PURPOSE = "联系本人安排上门服务"
EVERY_FIELD = list(ShareableField.values)


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency)


@pytest.fixture
def service():
    return ServiceFactory(free_slots=3)


@pytest.fixture
def staff(service):
    return provider_staff_of(service.provider)


@pytest.fixture
def beneficiary(agency):
    return BeneficiaryFactory(
        agency=agency,
        name=NAME,
        phone=PHONE,
        id_number=ID_NUMBER,
        address=ADDRESS,
        household_members=MEMBERS,
        household_size=2,
    )


@pytest.fixture
def make_referral(beneficiary, service, caseworker):
    def make_referral(fields, **consent_kwargs) -> tuple[Referral, Consent]:
        need = NeedFactory(
            assessment=NeedAssessmentFactory(beneficiary=beneficiary, notes=ASSESSMENT_NOTES),
            notes=NEED_NOTES,
        )
        referral = services.create_referral(
            need=need, service=service, user=caseworker, reason=REASON
        )
        consent = services.record_consent(
            referral=referral,
            user=caseworker,
            fields=fields,
            purpose=PURPOSE,
            method=Consent.Method.SIGNED_FORM,
            **consent_kwargs,
        )
        services.send_referral(referral=referral, user=caseworker)
        return Referral.objects.get(pk=referral.pk), consent

    return make_referral


def shared(referral, staff, purpose=PURPOSE) -> dict:
    return services.read_shared_fields(
        user=staff, referral=Referral.objects.get(pk=referral.pk), purpose=purpose
    )


def reads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="referral.shared_data_read").order_by("pk"))


# --- pending: nothing ----------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["sent", "viewed", "waitlisted"])
def test_a_pending_referral_shows_no_personal_data(make_referral, staff, answer):
    referral, _consent = make_referral(EVERY_FIELD)
    if answer == "viewed":
        services.mark_viewed(referral=referral, user=staff)
    elif answer == "waitlisted":
        services.waitlist_referral(referral=referral, user=staff)

    assert shared(referral, staff) == {}
    assert reads() == []


def test_a_declined_referral_shows_no_personal_data(make_referral, staff):
    referral, _consent = make_referral(EVERY_FIELD)
    services.decline_referral(referral=referral, user=staff, reason_code="out_of_area")

    assert shared(referral, staff) == {}


# --- accepted: exactly the consented fields -------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        [ShareableField.NAME],
        [ShareableField.NAME, ShareableField.PHONE],
        [ShareableField.ADDRESS, ShareableField.HOUSEHOLD_MEMBERS],
        [ShareableField.ID_NUMBER],
        [ShareableField.SITUATION],
        EVERY_FIELD,
    ],
    ids=lambda fields: "+".join(fields),
)
def test_after_accepting_the_provider_sees_exactly_the_consented_fields(
    make_referral, staff, fields
):
    referral, _consent = make_referral(fields)
    services.accept_referral(referral=referral, user=staff)

    seen = shared(referral, staff)

    assert set(seen) == set(fields)
    expected = {
        "name": NAME,
        "phone": PHONE,
        "id_number": ID_NUMBER,
        "address": ADDRESS,
        "household_members": MEMBERS,
        "situation": {
            "reason": REASON,
            "assessment_notes": ASSESSMENT_NOTES,
            "need_notes": NEED_NOTES,
        },
    }
    assert seen == {field: expected[field] for field in fields}


def test_nothing_consented_means_nothing_shown_even_after_accepting(make_referral, staff):
    referral, _consent = make_referral([])
    services.accept_referral(referral=referral, user=staff)

    assert shared(referral, staff) == {}
    assert reads() == []


@pytest.mark.parametrize("stage", ["in_service", "completed", "failed"])
def test_the_consented_fields_stay_visible_while_the_provider_works_with_the_person(
    make_referral, staff, stage
):
    referral, _consent = make_referral([ShareableField.PHONE])
    services.accept_referral(referral=referral, user=staff)
    if stage in {"in_service", "completed"}:
        services.start_service(referral=referral, user=staff)
    if stage == "completed":
        services.complete_referral(referral=referral, user=staff, outcome="achieved")
    if stage == "failed":
        services.fail_referral(referral=referral, user=staff, reason_code="could_not_contact")

    assert shared(referral, staff) == {"phone": PHONE}


# --- consent withdrawn or run out: nothing again ------------------------------------------


def test_a_revoked_consent_hides_the_fields_again(make_referral, staff, caseworker):
    referral, consent = make_referral([ShareableField.NAME, ShareableField.PHONE])
    services.accept_referral(referral=referral, user=staff)
    assert shared(referral, staff) == {"name": NAME, "phone": PHONE}

    services.revoke_consent(consent=consent, user=caseworker, note="本人撤回同意")

    assert shared(referral, staff) == {}


def test_an_expired_consent_hides_the_fields_again(make_referral, staff):
    expiry = timezone.now() + datetime.timedelta(days=7)
    referral, _consent = make_referral([ShareableField.PHONE], expires_at=expiry)
    services.accept_referral(referral=referral, user=staff)
    assert shared(referral, staff) == {"phone": PHONE}

    with time_machine.travel(expiry + datetime.timedelta(minutes=1)):
        assert shared(referral, staff) == {}


def test_a_new_consent_after_a_revocation_shows_only_its_own_fields(
    make_referral, staff, caseworker
):
    referral, consent = make_referral(EVERY_FIELD)
    services.accept_referral(referral=referral, user=staff)
    services.revoke_consent(consent=consent, user=caseworker)

    services.record_consent(
        referral=referral,
        user=caseworker,
        fields=[ShareableField.PHONE],
        purpose="仅电话联系",
        method=Consent.Method.VERBAL_WITNESSED,
    )

    assert shared(referral, staff) == {"phone": PHONE}


def test_a_consent_for_another_provider_shows_nothing(make_referral, staff, caseworker):
    referral, consent = make_referral([ShareableField.NAME])
    services.accept_referral(referral=referral, user=staff)
    Consent.objects.filter(pk=consent.pk).update(provider=ServiceFactory().provider)

    assert shared(referral, staff) == {}


def test_a_copy_of_the_referral_loaded_before_a_recall_shows_nothing(
    make_referral, staff, caseworker
):
    referral, _consent = make_referral([ShareableField.PHONE])
    services.accept_referral(referral=referral, user=staff)
    loaded_earlier = Referral.objects.get(pk=referral.pk)

    services.recall_referral(referral=referral, user=caseworker)

    assert services.read_shared_fields(user=staff, referral=loaded_earlier, purpose=PURPOSE) == {}


# --- the audit trail of what was shown ------------------------------------------------------


def test_each_read_that_shows_data_is_audited_with_purpose_and_field_names(make_referral, staff):
    referral, _consent = make_referral([ShareableField.NAME, ShareableField.PHONE])
    services.accept_referral(referral=referral, user=staff)

    shared(referral, staff, purpose="电话预约首次上门")
    shared(referral, staff, purpose="")

    first, second = reads()
    assert first.kind == AuditEvent.Kind.READ
    assert first.actor == staff
    # Filed under the agency holding the case, naming the provider whose staff read it.
    assert first.organization == referral.agency
    assert first.object_id == str(referral.beneficiary.uuid)
    assert first.purpose == "电话预约首次上门"
    assert first.details == {"fields": ["name", "phone"], "provider": str(referral.provider.uuid)}
    # Without a purpose of its own, the read is recorded under the consent's purpose.
    assert second.purpose == PURPOSE


def test_the_agency_s_supervisors_see_what_the_provider_read(make_referral, staff):
    from accounts.selectors import audit_events_visible_to

    referral, _consent = make_referral([ShareableField.NAME])
    services.accept_referral(referral=referral, user=staff)
    shared(referral, staff)
    supervisor = user_with_role(Role.SUPERVISOR, referral.agency)
    elsewhere = user_with_role(Role.SUPERVISOR, AgencyFactory())

    assert reads()[0] in audit_events_visible_to(supervisor)
    assert reads()[0] not in audit_events_visible_to(elsewhere)


def test_the_audit_trail_never_holds_the_values_shown(make_referral, staff, caseworker):
    referral, consent = make_referral(EVERY_FIELD)
    services.accept_referral(referral=referral, user=staff)
    shared(referral, staff)
    services.revoke_consent(consent=consent, user=caseworker)
    shared(referral, staff)

    everything = json.dumps(
        list(
            AuditEvent.objects.values("action", "object_id", "object_label", "purpose", "details")
        ),
        ensure_ascii=False,
    )
    for secret in (NAME, PHONE, ID_NUMBER, ADDRESS, "李建国", REASON, ASSESSMENT_NOTES, NEED_NOTES):
        assert secret not in everything


def test_a_read_that_shows_nothing_is_not_audited_as_a_read(make_referral, staff):
    referral, _consent = make_referral(EVERY_FIELD)

    shared(referral, staff)

    assert reads() == []
