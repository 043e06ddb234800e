"""E-mails about contracts: the reminders beat records (``services.reminders``), in
Chinese and then in English (``core.mail``). Called from ``contracts.tasks``, never
from a request. No beneficiary's personal data is ever in them: a contract's
reference, its parties, dates and a link to the page.
"""

from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.models.contracts import Contract
from contracts.models.reminders import Reminder
from contracts.models.reports import ProgressReport
from core.mail import MAIL_LANGUAGES, absolute, join_bodies, join_subjects


def _texts(kind: str, values: dict) -> tuple[str, str]:
    if kind == Reminder.Kind.REPORT_DUE_SOON:
        subject = _("Progress report due on %(due)s: %(reference)s") % values
        body = _(
            "Progress report %(number)s of contract %(reference)s (%(title)s), for "
            "%(start)s – %(end)s, is due on %(due)s. Write and submit it here:"
        )
    elif kind == Reminder.Kind.REPORT_LATE:
        subject = _("Progress report late: %(reference)s") % values
        body = _(
            "Progress report %(number)s of contract %(reference)s (%(title)s), for "
            "%(start)s – %(end)s, was due on %(due)s and has not been submitted. "
            "Submit it here:"
        )
    else:
        subject = _("Performance notice due: %(reference)s") % values
        body = _(
            "Contract %(reference)s (%(title)s) with %(provider)s needs its performance "
            "notice by %(due)s: rate the provider against each KPI and publish it here:"
        )
    return subject, body % values + "\n\n" + values["link"]


def send_reminder(*, kind: str, contract_id: int, key: str, user_id: int) -> int:
    """Mail one reminder to its person; 0 when they or the contract are gone."""
    contract = (
        Contract.objects.select_related("provider__organization").filter(pk=contract_id).first()
    )
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if contract is None or user is None:
        return 0
    values = {
        "reference": contract.reference,
        "provider": contract.provider.name,
        "due": key.split(":", 1)[1],
        "link": absolute(reverse("contracts:detail", args=[contract.uuid])),
    }
    if kind in (Reminder.Kind.REPORT_DUE_SOON, Reminder.Kind.REPORT_LATE):
        report = ProgressReport.objects.filter(uuid=key.split(":", 1)[0]).first()
        if report is None:
            return 0
        values |= {
            "number": report.number,
            "start": report.period_start.isoformat(),
            "end": report.period_end.isoformat(),
            "link": absolute(reverse("contracts:report", args=[report.uuid])),
        }
    subjects, bodies = [], []
    for language in MAIL_LANGUAGES:
        with translation.override(language):
            values["title"] = contract.title
            subject, body = _texts(kind, values)
            subjects.append(subject)
            bodies.append(body)
    return send_mail(join_subjects(subjects), join_bodies(bodies), None, [user.email])
