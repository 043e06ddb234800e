"""Consent (SPEC §4, issue #5 point 4): a referral goes to a provider only under the person's
consent in force for that provider, or a supervisor's audited override with a written reason."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role
from core.errors import ApplicationError
from core.models import AuditEvent
from referrals import selectors, services
from referrals.models import Consent, Referral, ShareableField
from tests.factories.accounts import AgencyFactory, UserFactory, user_with_role
from tests.factories.providers import ServiceFactory
from tests.factories.referrals import ConsentFactory, NeedFactory, ReferralFactory

pytestmark = pytest.mark.django_db

NO_CONSENT = (
    "Record the person's consent before sending, or ask a supervisor to send it without "
    "consent with a written reason."
)
OVERRIDE_REASON = "本人突发疾病无法表达意见，家属联系不上，需当天安置。"


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency)


@pytest.fixture
def supervisor(agency):
    return user_with_role(Role.SUPERVISOR, agency)


@pytest.fixture
def draft(agency, caseworker):
    need = NeedFactory(assessment__beneficiary__agency=agency)
    return services.create_referral(need=need, service=ServiceFactory(), user=caseworker)


def consent(referral, user, **kwargs):
    values = {
        "fields": [ShareableField.NAME, ShareableField.PHONE],
        "purpose": "联系本人安排上门服务",
        "method": Consent.Method.SIGNED_FORM,
    }
    return services.record_consent(referral=referral, user=user, **{**values, **kwargs})


def send(referral, user):
    return services.send_referral(referral=referral, user=user)


def assert_refused_for_lack_of_consent(referral, user):
    with pytest.raises(ApplicationError) as caught:
        send(referral, user)
    assert caught.value.code == "consent_required"
    assert caught.value.message == NO_CONSENT
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.DRAFT


def test_a_referral_without_consent_cannot_be_sent(draft, caseworker):
    assert_refused_for_lack_of_consent(draft, caseworker)


def test_a_referral_with_consent_is_sent(draft, caseworker):
    consent(draft, caseworker)

    assert send(draft, caseworker).status == Referral.Status.SENT


def test_an_expired_consent_does_not_count(draft, caseworker):
    consent(draft, caseworker, expires_at=timezone.now() + datetime.timedelta(days=1))

    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert_refused_for_lack_of_consent(draft, caseworker)


def test_a_revoked_consent_does_not_count(draft, caseworker):
    given = consent(draft, caseworker)
    services.revoke_consent(consent=given, user=caseworker, note="本人撤回同意")

    assert_refused_for_lack_of_consent(draft, caseworker)


def test_a_consent_to_share_with_another_provider_does_not_count(draft, caseworker):
    ConsentFactory(referral=draft, provider=ServiceFactory().provider)

    assert_refused_for_lack_of_consent(draft, caseworker)


def test_a_consent_may_share_no_personal_field_at_all(draft, caseworker):
    given = consent(draft, caseworker, fields=[])

    assert given.fields == []
    assert send(draft, caseworker).status == Referral.Status.SENT


def test_the_newest_consent_in_force_is_the_one_that_counts(draft, caseworker):
    consent(draft, caseworker, fields=[ShareableField.NAME, ShareableField.PHONE])
    newer = consent(draft, caseworker, fields=[ShareableField.PHONE])

    assert selectors.current_consent(draft) == newer


def test_revoking_withdraws_the_person_s_consent_not_just_its_newest_version(draft, caseworker):
    broader = consent(draft, caseworker, fields=[ShareableField.NAME, ShareableField.PHONE])
    narrower = consent(draft, caseworker, fields=[ShareableField.PHONE])
    elsewhere = ConsentFactory(referral=ReferralFactory(), fields=[ShareableField.NAME])

    services.revoke_consent(consent=narrower, user=caseworker, note="本人电话撤回")

    assert selectors.current_consent(draft) is None
    broader.refresh_from_db()
    assert broader.revoked_at is not None
    assert broader.revocation_note == "本人电话撤回"
    elsewhere.refresh_from_db()
    assert elsewhere.revoked_at is None
    event = AuditEvent.objects.get(action="referral.consent_revoked")
    assert event.details == {"consents": 2}


def test_consent_says_what_is_shared_for_what_purpose_and_how_it_was_given(draft, caseworker):
    with pytest.raises(ApplicationError) as caught:
        consent(draft, caseworker, fields=["name", "bank_account"], purpose=" ", method="nod")

    assert caught.value.field_errors == {
        "fields": ["Choose the fields to share from the list."],
        "method": ["Choose how the person gave consent."],
        "purpose": ["Say what the provider may use the data for."],
    }
    assert not draft.consents.exists()


def test_consent_cannot_be_given_in_the_future_nor_expire_in_the_past(draft, caseworker):
    now = timezone.now()

    with pytest.raises(ApplicationError) as caught:
        consent(
            draft,
            caseworker,
            given_at=now + datetime.timedelta(hours=1),
            expires_at=now - datetime.timedelta(hours=1),
        )

    assert caught.value.field_errors == {
        "given_at": ["Consent cannot be given in the future."],
        "expires_at": ["The expiry must be in the future."],
    }


def test_a_caseworker_cannot_record_a_supervisor_override_as_a_consent_method(draft, caseworker):
    with pytest.raises(ApplicationError) as caught:
        consent(draft, caseworker, method=Consent.Method.SUPERVISOR_OVERRIDE)

    assert caught.value.field_errors == {"method": ["Choose how the person gave consent."]}


def test_consent_is_recorded_for_the_referrals_provider_and_audited(draft, caseworker):
    given = consent(draft, caseworker, method=Consent.Method.GUARDIAN)

    assert given.provider == draft.provider
    assert given.recorded_by == caseworker
    audit = AuditEvent.objects.get(action="referral.consent_recorded")
    assert audit.actor == caseworker
    assert audit.object_id == str(draft.uuid)
    assert audit.details == {"fields": ["name", "phone"], "method": "guardian"}


def test_revoking_is_audited_and_done_once(draft, caseworker):
    given = consent(draft, caseworker)

    services.revoke_consent(consent=given, user=caseworker, note="本人撤回")
    first_revocation = Consent.objects.get(pk=given.pk).revoked_at
    services.revoke_consent(consent=Consent.objects.get(pk=given.pk), user=caseworker)

    assert Consent.objects.get(pk=given.pk).revoked_at == first_revocation
    assert AuditEvent.objects.filter(action="referral.consent_revoked").count() == 1


# --- supervisor override ------------------------------------------------------------


def override(referral, user, reason=OVERRIDE_REASON):
    return services.override_consent(
        referral=referral,
        user=user,
        reason=reason,
        fields=[ShareableField.NAME],
        purpose="紧急安置",
    )


def test_a_supervisor_override_with_a_written_reason_lets_the_referral_go(
    draft, caseworker, supervisor
):
    given = override(draft, supervisor)

    assert given.method == Consent.Method.SUPERVISOR_OVERRIDE
    assert given.override_reason == OVERRIDE_REASON
    assert given.recorded_by == supervisor
    assert send(draft, caseworker).status == Referral.Status.SENT


def test_an_override_is_audited_with_its_author_and_the_reason_kept_on_the_consent(
    draft, supervisor
):
    given = override(draft, supervisor)

    audit = AuditEvent.objects.get(action="referral.consent_overridden")
    assert audit.actor == supervisor
    assert audit.organization == draft.agency
    assert audit.object_id == str(draft.uuid)
    assert audit.details["fields"] == given.fields
    # The written reason may describe the person: it stays on the consent record,
    # never in the audit log, whose details hold no personal values.
    assert given.override_reason == OVERRIDE_REASON
    assert OVERRIDE_REASON not in str(audit.details)


@pytest.mark.parametrize("reason", ["", "   ", "紧急"], ids=["empty", "blank", "too short"])
def test_an_override_needs_a_written_reason(draft, caseworker, supervisor, reason):
    with pytest.raises(ApplicationError) as caught:
        override(draft, supervisor, reason=reason)

    assert caught.value.field_errors == {
        "reason": ["Write why the referral must go without consent (10 characters or more)."]
    }
    assert not draft.consents.exists()
    assert not AuditEvent.objects.filter(action="referral.consent_overridden").exists()
    assert_refused_for_lack_of_consent(draft, caseworker)


def test_a_caseworker_cannot_override_consent(draft, caseworker):
    with pytest.raises(PermissionDenied):
        override(draft, caseworker)

    assert not draft.consents.exists()


def test_a_supervisor_of_another_agency_cannot_override_consent(draft):
    stranger = user_with_role(Role.SUPERVISOR, AgencyFactory())

    with pytest.raises(PermissionDenied):
        override(draft, stranger)

    assert not draft.consents.exists()


@pytest.mark.parametrize("who", ["platform administrator", "superuser", "provider staff"])
def test_nobody_but_the_agencys_supervisors_overrides_consent(draft, who):
    outsider = {
        "platform administrator": lambda: user_with_role(Role.PLATFORM_ADMIN),
        "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
        "provider staff": lambda: user_with_role(Role.PROVIDER_STAFF, draft.provider.organization),
    }[who]()

    with pytest.raises(PermissionDenied):
        override(draft, outsider)

    assert not draft.consents.exists()


def test_the_database_refuses_an_override_without_a_reason(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentFactory(referral=draft, method=Consent.Method.SUPERVISOR_OVERRIDE)
