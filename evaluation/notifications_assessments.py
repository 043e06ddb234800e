"""E-mails about third-party assessments, in Chinese and then in English (``core.mail``).

The assessor organization's assessors hear when an assessment is assigned to it,
returned to it, accepted or cancelled; the commissioning agency's commissioners
when it is submitted for their decision. A mail names the reference, the
provider, the framework and the due date, with a link to the page behind the
sign-in; never a score or an evidence note. Called from ``evaluation.tasks``,
never from a request.
"""

from django.urls import reverse

from core.mail import absolute, send_bilingual
from evaluation.models.assessments import Assessment
from evaluation.selectors import assessments as selectors

TO_ASSESSORS = frozenset({"assigned", "returned", "accepted", "cancelled"})
TO_COMMISSIONERS = frozenset({"submitted"})


def send_assessment_notification(*, assessment_id: int, event: str) -> int:
    """Mail the audience of ``event``; returns how many mails went out (0 if it is gone)."""
    assessment = (
        Assessment.objects.select_related(
            "provider__organization", "framework", "agency", "assessor"
        )
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        return 0
    if event in TO_ASSESSORS:
        recipients = selectors.assessor_recipients(assessment)
    elif event in TO_COMMISSIONERS:
        recipients = selectors.commissioner_recipients(assessment)
    else:
        return 0
    return send_bilingual(
        recipients=recipients,
        subject_template="evaluation/email/assessment_subject.txt",
        body_template="evaluation/email/assessment.txt",
        context={
            "assessment": assessment,
            "event": event,
            "link": absolute(reverse("evaluation:assessment", args=[assessment.uuid])),
        },
    )
