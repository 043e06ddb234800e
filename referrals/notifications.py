"""E-mails about referrals: to the provider when one arrives, to the caseworker on each answer.

No personal data ever goes into a mail (SPEC §4): a mail names the need
category, the district, the urgency and a link; the person's details are
only on the page behind the sign-in. Like every mail of the platform, each
carries the Chinese text first and the English after it (``core.mail``).
Called from tasks only.
"""

from django.urls import reverse

from core.mail import absolute, send_bilingual
from providers import selectors as provider_selectors
from referrals.models.lifecycle import AWAITING_ANSWER, Referral

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
# Events that send the referral back to the caseworker: the mail says why, in
# each mail language (``Referral.returned_reason`` is worded in the active one).
RETURN_EVENTS = {"declined", "recalled", "expired"}


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
        "show_reason": event in RETURN_EVENTS,
    }
    audiences = []
    if event in TO_PROVIDER:
        # Everyone who answers referrals for the provider, not only its administrators.
        audiences.append(
            (
                provider_selectors.provider_mail_recipients(referral.provider, staff=True),
                absolute(reverse("referrals:inbox_referral", args=[referral.uuid])),
                "provider",
            )
        )
    if event in TO_CASEWORKER and referral.caseworker and referral.caseworker.email:
        audiences.append(
            (
                [referral.caseworker.email],
                absolute(reverse("referrals:referral", args=[referral.uuid])),
                "caseworker",
            )
        )
    return sum(
        send_bilingual(
            recipients=recipients,
            subject_template="referrals/email/referral_subject.txt",
            body_template="referrals/email/referral.txt",
            context={**context, "link": link, "audience": audience},
        )
        for recipients, link, audience in audiences
    )
