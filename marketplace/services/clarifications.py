"""Questions providers ask about a tender, and the lead agency's published answers.

Who asked is never shown to other bidders: an answer is published for every
bidder without the asker's name, and the alert of the answer names nobody.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import record_change
from core.errors import ApplicationError
from core.formatting import moment_text
from marketplace.models.alerts import Alert
from marketplace.models.clarifications import Clarification
from marketplace.models.tenders import BIDDING_STATES, Tender
from marketplace.selectors.clarifications import interested_organizations
from marketplace.selectors.common import provider_users
from marketplace.services.alerts import alert_users
from marketplace.services.common import require_commissioner
from providers.selectors import ProviderStatus, provider_of

MAX_QUESTION_LENGTH = 4000


@transaction.atomic
def ask_question(*, tender: Tender, question: str, actor: User, now=None) -> Clarification:
    """A provider asks about a tender while its question period is open.

    Who asked stays hidden from other bidders (``selectors.clarifications.clarifications_for``).
    """
    now = now or timezone.now()
    provider = provider_of(actor)
    if provider is None:
        raise PermissionDenied(_("Only people of a registered provider can ask questions."))
    if provider.status == ProviderStatus.DEBARRED:
        raise ApplicationError(
            _("A debarred provider cannot take part in tenders."), code="debarred"
        )
    tender = Tender.objects.get(pk=tender.pk)
    if tender.status not in BIDDING_STATES:
        raise ApplicationError(_("This tender is not open for questions."), code="enquiries_closed")
    if not tender.enquiries_open(now):
        raise ApplicationError(
            _("Questions about this tender closed on %(deadline)s.")
            % {"deadline": moment_text(tender.enquiry_deadline)},
            code="enquiries_closed",
        )
    question = (question or "").strip()
    if not question:
        raise ApplicationError(
            _("Some fields need attention."), field_errors={"question": [_("Write your question.")]}
        )
    if len(question) > MAX_QUESTION_LENGTH:
        raise ApplicationError(
            _("Some fields need attention."),
            field_errors={
                "question": [
                    _("Keep the question under %(limit)d characters.")
                    % {"limit": MAX_QUESTION_LENGTH}
                ]
            },
        )
    clarification = Clarification.objects.create(
        tender=tender,
        asked_by_organization=provider.organization,
        asked_by=actor,
        question=question,
        asked_at=now,
    )
    record_change(
        action="tender.question_asked",
        actor=actor,
        organization=provider.organization,
        target=clarification,
        details={"tender": tender.reference},
    )
    return clarification


@transaction.atomic
def answer_question(*, clarification: Clarification, answer: str, actor: User, now=None):
    """The lead agency answers a question; the answer is published at once.

    Every provider that bid on the tender or asked about it is alerted. The
    asker is not named in the answer or the alert.
    """
    now = now or timezone.now()
    clarification = (
        Clarification.objects.select_for_update().select_related("tender").get(pk=clarification.pk)
    )
    tender = clarification.tender
    require_commissioner(actor, tender)
    if tender.status not in BIDDING_STATES:
        raise ApplicationError(
            _("Questions can be answered only while the tender is open."), code="closed"
        )
    if clarification.is_answered:
        raise ApplicationError(
            _("This question is already answered. Publish a correction as an amendment."),
            code="answered",
        )
    answer = (answer or "").strip()
    if not answer:
        raise ApplicationError(
            _("Some fields need attention."), field_errors={"answer": [_("Write the answer.")]}
        )
    clarification.answer = answer
    clarification.answered_by = actor
    clarification.answered_at = now
    clarification.published = True
    clarification.save(update_fields=["answer", "answered_by", "answered_at", "published"])
    record_change(
        action="tender.question_answered",
        actor=actor,
        organization=tender.lead_agency,
        target=clarification,
        details={"tender": tender.reference},
    )
    organizations = interested_organizations(tender)
    alert_users(
        users=[user for _org, user in provider_users(organizations)],
        tender=tender,
        kind=Alert.Kind.CLARIFICATION_ANSWERED,
        key=clarification.uuid.hex,
        render=lambda: (
            _("A question about tender %(reference)s has been answered.")
            % {"reference": tender.reference}
        ),
    )
    return clarification
