"""E-mails to providers: status changes (with reason and link, in Chinese then English)
and reminders of documents about to expire, sent once."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import Membership, Role
from providers import notifications
from providers.models import Provider, ProviderDocument
from providers.services import registration, verification
from providers.tasks import send_document_expiry_reminders
from tests.factories.accounts import user_with_role
from tests.factories.providers import (
    ProviderDocumentFactory,
    ProviderFactory,
    VerifiedProviderFactory,
    provider_admin_of,
    provider_staff_of,
)
from tests.providers._registration_factories import private_files  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]

PROFILE_LINK = "http://testserver" + reverse("providers:my_profile")


@pytest.fixture
def verifier():
    return user_with_role(Role.PLATFORM_ADMIN)


def provider_with_contacts(factory=ProviderFactory, **kwargs):
    provider = factory(organization__email="office@ngo.example.org", **kwargs)
    admin = provider_admin_of(provider, email="admin@ngo.example.org")
    provider_staff_of(provider, email="staff@ngo.example.org")
    former = provider_admin_of(provider, email="former@ngo.example.org")
    Membership.objects.filter(user=former).update(is_active=False)
    return provider, admin


def test_status_mail_goes_to_the_organization_and_its_active_admins():
    provider, _admin = provider_with_contacts()
    assert notifications.provider_recipients(provider) == [
        "office@ngo.example.org",
        "admin@ngo.example.org",
    ]


def test_recipients_are_listed_once_and_blank_addresses_skipped():
    provider = ProviderFactory(organization__email="")
    provider_admin_of(provider, email="Same@ngo.example.org")
    provider_admin_of(provider, email="same@ngo.example.org")
    provider_admin_of(provider, email="")
    assert notifications.provider_recipients(provider) == ["Same@ngo.example.org"]


def test_verification_is_mailed_with_a_link_in_chinese_then_english(
    verifier, django_capture_on_commit_callbacks
):
    provider, _admin = provider_with_contacts(
        status=Provider.Status.SUBMITTED, organization__name_zh="阳光社工服务社"
    )
    with django_capture_on_commit_callbacks(execute=True):
        verification.verify_provider(provider=provider, actor=verifier)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["office@ngo.example.org", "admin@ngo.example.org"]
    assert "staff@ngo.example.org" not in message.to
    assert "已审核通过" in message.subject  # "Verified" in Chinese
    assert "Verified" in message.subject
    assert "\n" not in message.subject
    body = message.body
    assert body.count(PROFILE_LINK) == 2
    # Chinese first, then English
    assert body.index("阳光社工服务社") < body.index("public service directory")
    assert "Reason" not in body


@pytest.mark.parametrize(
    ("start", "decide", "status"),
    [
        (Provider.Status.SUBMITTED, verification.reject_provider, Provider.Status.REJECTED),
        (Provider.Status.VERIFIED, verification.suspend_provider, Provider.Status.SUSPENDED),
        (Provider.Status.VERIFIED, verification.debar_provider, Provider.Status.DEBARRED),
    ],
)
def test_decisions_with_a_reason_mail_the_reason(
    verifier, django_capture_on_commit_callbacks, start, decide, status
):
    provider, _admin = provider_with_contacts(status=start)
    with django_capture_on_commit_callbacks(execute=True):
        decide(provider=provider, actor=verifier, reason="登记证书已过期 / certificate expired")
    (message,) = mail.outbox
    assert message.body.count("登记证书已过期 / certificate expired") == 2
    assert "Reason:" in message.body
    assert str(Provider.Status(status).label) in message.subject
    assert PROFILE_LINK in message.body


def test_reinstatement_is_mailed(verifier, django_capture_on_commit_callbacks):
    provider, _admin = provider_with_contacts(status=Provider.Status.SUSPENDED)
    with django_capture_on_commit_callbacks(execute=True):
        verification.reinstate_provider(provider=provider, actor=verifier)
    assert len(mail.outbox) == 1
    assert "Verified" in mail.outbox[0].subject


def test_submission_sends_no_status_mail(django_capture_on_commit_callbacks):
    provider, admin = provider_with_contacts()
    ProviderDocumentFactory(provider=provider)
    with django_capture_on_commit_callbacks(execute=True):
        verification.submit_provider(provider=provider, actor=admin)
    assert mail.outbox == []


def test_no_mail_before_the_change_is_committed(verifier, django_capture_on_commit_callbacks):
    provider, _admin = provider_with_contacts(status=Provider.Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        verification.verify_provider(provider=provider, actor=verifier)
        assert mail.outbox == []
    assert len(callbacks) == 1


def test_verifier_decision_through_the_page_mails_the_provider(
    client, verifier, django_capture_on_commit_callbacks
):
    provider, _admin = provider_with_contacts(status=Provider.Status.SUBMITTED)
    client.force_login(verifier)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("providers:change_status", args=[provider.uuid, "reject"]),
            {"reject-reason": "请补充年度报告"},
        )
    (message,) = mail.outbox
    assert "请补充年度报告" in message.body


def test_provider_without_any_address_gets_no_mail():
    provider = VerifiedProviderFactory(organization__email="")
    assert notifications.send_status_email(provider_id=provider.pk, status="verified") == 0
    assert mail.outbox == []


def test_mail_for_a_provider_that_no_longer_exists_is_skipped():
    assert notifications.send_status_email(provider_id=0, status="verified") == 0


# --- document expiry reminders -------------------------------------------------------------


@time_machine.travel("2026-03-01 10:00 +0800")
def test_document_expiring_within_30_days_gets_one_reminder():
    provider, _admin = provider_with_contacts()
    expiring = ProviderDocumentFactory(
        provider=provider, title="登记证书", expires_on=date(2026, 3, 25)
    )
    ProviderDocumentFactory(provider=provider, title="later", expires_on=date(2026, 6, 1))
    ProviderDocumentFactory(provider=provider, title="no expiry", expires_on=None)
    ProviderDocumentFactory(provider=provider, title="already expired", expires_on=date(2026, 2, 1))

    assert send_document_expiry_reminders() == 1

    (message,) = mail.outbox
    assert message.to == ["office@ngo.example.org", "admin@ngo.example.org"]
    assert "2026-03-25" in message.subject
    assert "登记证书" in message.body
    assert "http://testserver" + reverse("providers:documents") in message.body
    expiring.refresh_from_db()
    assert expiring.reminder_sent_on == date(2026, 3, 1)

    # a second run (beat runs several times a day) sends nothing
    assert send_document_expiry_reminders() == 0
    assert len(mail.outbox) == 1


@time_machine.travel("2026-03-01 10:00 +0800")
def test_document_expiring_on_the_notice_boundary_is_reminded():
    provider, _admin = provider_with_contacts()
    ProviderDocumentFactory(provider=provider, expires_on=date(2026, 3, 31))
    ProviderDocumentFactory(provider=provider, expires_on=date(2026, 4, 1))
    assert send_document_expiry_reminders() == 1


def test_reminder_is_not_recorded_when_the_mail_fails(monkeypatch):
    provider, _admin = provider_with_contacts()
    with time_machine.travel("2026-03-01 10:00 +0800"):
        document = ProviderDocumentFactory(provider=provider, expires_on=date(2026, 3, 10))

        def unreachable(**kwargs):
            raise ConnectionRefusedError("mail server down")

        monkeypatch.setattr(notifications, "send_document_expiry_email", unreachable)
        assert send_document_expiry_reminders() == 0
        document.refresh_from_db()
        assert document.reminder_sent_on is None

        monkeypatch.undo()
        assert send_document_expiry_reminders() == 1


@time_machine.travel("2026-03-01 10:00 +0800")
def test_expired_certificate_makes_submission_fail():
    provider, admin = provider_with_contacts()
    ProviderDocumentFactory(
        provider=provider,
        kind=ProviderDocument.Kind.REGISTRATION_CERTIFICATE,
        expires_on=date(2026, 2, 28),
    )
    assert registration.missing_for_submission(provider) == [
        "a registration certificate that has not expired"
    ]
    from core.errors import ApplicationError

    with pytest.raises(ApplicationError, match="a registration certificate that has not expired"):
        verification.submit_provider(provider=provider, actor=admin)
    provider.refresh_from_db()
    assert provider.status == Provider.Status.DRAFT
