"""E-mails about referrals: to the provider when one arrives, to the caseworker on each answer.

No personal data ever goes into a mail (SPEC §4): a mail names the need
category, the district, the urgency and a link; the person's details are
only on the page behind the sign-in. Like the providers' mails, each carries
the Chinese text first and the English after it. Called from tasks only.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership, Role
from providers.notifications import LANGUAGE_SEPARATOR, MAIL_LANGUAGES, provider_recipients
from referrals.models import AWAITING_ANSWER, Referral

# Who hears about which event.
TO_PROVIDER = {"sent", "reminder_half", "reminder_full", "recalled", "reopened", "expired"}
TO_CASEWORKER = {
    "accepted",
    "declined",
    "waitlisted",
    "completed",
    "failed",
    "expired",
    "reminder_full",
}
# News that is only true while the provider has still to answer: when the
# referral was answered or recalled before the mail went out, it is not sent.
WHILE_AWAITING_ANSWER = {"sent", "reminder_half", "reminder_full"}
# Events that send the referral back to the caseworker: the mail says why.
RETURN_EVENTS = {"declined", "recalled", "expired"}


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _provider_staff(referral: Referral) -> list[str]:
    addresses = provider_recipients(referral.provider)
    staff = (
        Membership.objects.filter(
            organization_id=referral.provider.organization_id,
            role=Role.PROVIDER_STAFF,
            is_active=True,
            user__is_active=True,
        )
        .exclude(user__email="")
        .order_by("pk")
        .values_list("user__email", flat=True)
    )
    seen = {address.lower() for address in addresses}
    return addresses + [a for a in staff if a.lower() not in seen]


def _render(template_name: str, context: dict, *, referral: Referral, event: str):
    """The text in each mail language, Chinese first; why a referral came back
    (``Referral.returned_reason``) is worded in each of them."""
    texts = []
    for language in MAIL_LANGUAGES:
        with translation.override(language):
            reason = referral.returned_reason if event in RETURN_EVENTS else ""
            texts.append(render_to_string(template_name, {**context, "reason": reason}).strip())
    return texts


def send_referral_notification(*, referral_id: int, event: str) -> int:
    """Mail the audiences of ``event`` about the referral; returns how many mails went out."""
    referral = (
        Referral.objects.select_related(
            "provider__organization", "category", "district", "caseworker", "service"
        )
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        return 0
    if event in WHILE_AWAITING_ANSWER and referral.status not in AWAITING_ANSWER:
        return 0
    context = {
        "referral": referral,
        "event": event,
        "awaiting_answer": referral.status in AWAITING_ANSWER,
    }
    audiences = []
    if event in TO_PROVIDER:
        audiences.append(
            (
                _provider_staff(referral),
                _absolute(reverse("referrals:inbox_referral", args=[referral.uuid])),
                "provider",
            )
        )
    if event in TO_CASEWORKER and referral.caseworker and referral.caseworker.email:
        audiences.append(
            (
                [referral.caseworker.email],
                _absolute(reverse("referrals:referral", args=[referral.uuid])),
                "caseworker",
            )
        )
    sent = 0
    for recipients, link, audience in audiences:
        if not recipients:
            continue
        mail_context = {**context, "link": link, "audience": audience}
        render = {"referral": referral, "event": event}
        subjects = _render("referrals/email/referral_subject.txt", mail_context, **render)
        # Mail headers hold one line; keep each language's subject once.
        subject = " / ".join(dict.fromkeys(" ".join(text.split()) for text in subjects))
        bodies = _render("referrals/email/referral.txt", mail_context, **render)
        body = LANGUAGE_SEPARATOR.join(bodies)
        sent += send_mail(subject, body + "\n", None, recipients)
    return sent
