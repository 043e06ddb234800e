"""Reminders about contracts, as beat sends them: a progress report due within 7 days
and a late one go to the provider's administrators, a performance notice due within
14 days to the lead agency's commissioners; each person gets each reminder once,
however often beat runs, by a mail in Chinese then English that names the contract
and nobody it serves."""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from accounts.models import Membership
from contracts import services
from contracts.models import Reminder
from contracts.services import reports
from contracts.services.reminders import send_due_reminders
from core.mail import LANGUAGE_SEPARATOR
from referrals.models.lifecycle import Referral
from tests.factories.contracts import active_contract
from tests.factories.marketplace import bidder_of, commissioner_of, finance_of
from tests.factories.providers import ServiceFactory
from tests.factories.referrals import ReferralFactory

pytestmark = pytest.mark.django_db

REASON = "服务机构连续两个季度未达标，经协商终止合同。"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _at(day, hour=9):
    zone = timezone.get_current_timezone()
    return timezone.make_aware(datetime.combine(day, time(hour)), zone)


def _on(day):
    return time_machine.travel(_at(day), tick=False)


def _members(organization, role):
    return {
        membership.user
        for membership in Membership.objects.filter(organization=organization, role=role)
    }


def _reminded(contract, kind):
    return {(r.key, r.recipient) for r in Reminder.objects.filter(contract=contract, kind=kind)}


def _run(capture):
    """Beat's run, its mails sent as after the commit."""
    with capture(execute=True):
        return send_due_reminders()


@pytest.fixture
def contract():
    contract = active_contract()
    bidder_of(contract.provider, role="provider_admin")  # a second administrator
    bidder_of(contract.provider, role="provider_staff")
    finance_of(contract.lead_agency)
    commissioner_of(contract.lead_agency)
    return contract


# --- progress reports -----------------------------------------------------------


def test_each_provider_admin_is_reminded_once_seven_days_before_a_report_is_due(
    contract, django_capture_on_commit_callbacks, mailoutbox
):
    report = contract.reports.get(number=1)
    admins = _members(contract.provider.organization, "provider_admin")
    assert len(admins) >= 2
    with _on(report.due_date - timedelta(days=8)):
        assert _run(django_capture_on_commit_callbacks) == 0
    assert not mailoutbox

    with _on(report.due_date - timedelta(days=7)):
        assert _run(django_capture_on_commit_callbacks) == len(admins)
        key = f"{report.uuid}:{report.due_date.isoformat()}"
        assert _reminded(contract, Reminder.Kind.REPORT_DUE_SOON) == {(key, u) for u in admins}
        assert sorted(mail.to[0] for mail in mailoutbox) == sorted(u.email for u in admins)
        # Beat runs again the same day: nobody is reminded twice.
        assert _run(django_capture_on_commit_callbacks) == 0
    with _on(report.due_date - timedelta(days=3)):
        assert _run(django_capture_on_commit_callbacks) == 0
    assert len(mailoutbox) == len(admins)
    assert Reminder.objects.count() == len(admins)


def test_a_late_report_is_reminded_once_and_a_submitted_one_not_at_all(
    contract, django_capture_on_commit_callbacks, mailoutbox
):
    first, second = contract.reports.get(number=1), contract.reports.get(number=2)
    admins = _members(contract.provider.organization, "provider_admin")
    with _on(first.due_date + timedelta(days=1)):
        assert _run(django_capture_on_commit_callbacks) == len(admins)
    key = f"{first.uuid}:{first.due_date.isoformat()}"
    assert _reminded(contract, Reminder.Kind.REPORT_LATE) == {(key, u) for u in admins}
    assert all("late" in mail.subject for mail in mailoutbox)
    with _on(first.due_date + timedelta(days=2)):
        assert _run(django_capture_on_commit_callbacks) == 0

    with _on(second.period_end + timedelta(days=1)):
        reports.submit_report(
            report=second,
            actor=min(admins, key=lambda user: user.pk),
            outputs="上门照护",
            narrative="按计划开展",
        )
    mailoutbox.clear()
    with _on(second.due_date + timedelta(days=1)):
        assert _run(django_capture_on_commit_callbacks) == 0
    assert not mailoutbox
    assert not Reminder.objects.filter(key__startswith=str(second.uuid)).exists()


def _counted_referral(contract):
    return ReferralFactory(
        service=ServiceFactory(provider=contract.provider),
        need__category=contract.categories.first(),
        district=contract.areas.first(),
        status=Referral.Status.ACCEPTED,
        sent_at=_at(contract.start_date + timedelta(days=2)),
    )


def _due_soon_mail(contract, capture, mailoutbox):
    report = contract.reports.get(number=1)
    with _on(report.due_date - timedelta(days=7)):
        _run(capture)
    return report, mailoutbox[0]


def test_a_reminder_names_the_contract_and_the_report_and_nobody_it_serves(
    contract, django_capture_on_commit_callbacks, mailoutbox
):
    referral = _counted_referral(contract)
    report, mail = _due_soon_mail(contract, django_capture_on_commit_callbacks, mailoutbox)
    assert contract.reference in mail.subject
    assert contract.reference in mail.body
    assert report.due_date.isoformat() in mail.body
    assert f"http://testserver/app/contracts/reports/{report.uuid}/" in mail.body
    beneficiary = referral.beneficiary
    for personal in (beneficiary.name, beneficiary.id_number, beneficiary.phone, referral.reason):
        assert not personal or personal not in mail.subject + mail.body


def test_a_reminder_is_in_chinese_then_in_english(
    contract, django_capture_on_commit_callbacks, mailoutbox
):
    _report, mail = _due_soon_mail(contract, django_capture_on_commit_callbacks, mailoutbox)
    chinese, english = mail.body.split(LANGUAGE_SEPARATOR)
    subject_zh, subject_en = mail.subject.split(" / ")
    # The contract's own Chinese title does not make a text Chinese.
    assert CHINESE.search(chinese.replace(contract.title_zh, ""))
    assert CHINESE.search(subject_zh)
    assert "Progress report" in english and "Progress report" in subject_en
    assert not CHINESE.search(english.replace(contract.title_zh, ""))


# --- performance notices --------------------------------------------------------


def _notice_reminders(contract):
    return _reminded(contract, Reminder.Kind.NOTICE_DUE)


def test_the_lead_agencys_commissioners_are_reminded_once_of_a_notice_due_in_fourteen_days(
    contract, django_capture_on_commit_callbacks, mailoutbox
):
    due = timezone.localdate(contract.activated_at) + relativedelta(months=12)
    commissioners = _members(contract.lead_agency, "commissioner")
    assert len(commissioners) >= 2
    with _on(due - timedelta(days=15)):
        _run(django_capture_on_commit_callbacks)
    assert not _notice_reminders(contract)

    mailoutbox.clear()
    with _on(due - timedelta(days=14)):
        _run(django_capture_on_commit_callbacks)
        key = f"periodic:{due.isoformat()}"
        assert _notice_reminders(contract) == {(key, u) for u in commissioners}
        notice_mails = [mail for mail in mailoutbox if "Performance notice" in mail.subject]
        assert sorted(mail.to[0] for mail in notice_mails) == sorted(u.email for u in commissioners)
        assert all(contract.reference in mail.body for mail in notice_mails)
        mailoutbox.clear()
        assert _run(django_capture_on_commit_callbacks) == 0
    with _on(due + timedelta(days=3)):  # overdue: still the same occasion
        assert _run(django_capture_on_commit_callbacks) == 0
    assert not mailoutbox
    assert len(_notice_reminders(contract)) == len(commissioners)


def test_an_ended_contract_reminds_its_commissioners_of_the_final_notice(
    contract, django_capture_on_commit_callbacks, mailoutbox
):
    ended = contract.start_date + timedelta(days=40)
    with _on(ended):
        services.terminate_contract(
            contract=contract, actor=commissioner_of(contract.lead_agency), reason=REASON
        )
    with _on(ended + timedelta(days=1)):
        _run(django_capture_on_commit_callbacks)
    commissioners = _members(contract.lead_agency, "commissioner")
    key = f"final:{ended.isoformat()}"
    assert _notice_reminders(contract) == {(key, u) for u in commissioners}
    assert {mail.to[0] for mail in mailoutbox} == {u.email for u in commissioners}
