"""E-mails to providers about tenders: a new tender matching their services, a deadline
near, and the award of a lot they bid on (with their assessment summary).

We do not know which language the people reading a provider's mailbox
prefer, so each mail carries the Chinese text first and the English text
after it (``core.mail``). Mails go to the organization's address and to its
active administrators and staff. Called from ``marketplace.tasks`` after the
alerts were committed, never from a request.
"""

from django.core.mail import EmailMessage, send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Organization
from core.formatting import moment_text
from core.mail import MAIL_LANGUAGES, absolute, join_bodies, join_subjects, unique_addresses
from marketplace.models.alerts import Alert
from marketplace.models.awards import AWARDED_STATES, Award
from marketplace.models.bids import Bid
from marketplace.models.tenders import Tender
from marketplace.pdf import assessment_summary_filename, render_assessment_summary_pdf
from marketplace.selectors.common import provider_users
from marketplace.services.alerts import tender_url


def recipients_of(organization: Organization) -> list[str]:
    """The organization's e-mail and those of its active people, each once."""
    addresses = [organization.email]
    addresses += [user.email for _org, user in provider_users([organization.pk])]
    return unique_addresses(addresses)


def _texts(tender: Tender, kind: str) -> tuple[str, list[str]]:
    link = absolute(tender_url(tender))
    values = {
        "reference": tender.reference,
        "agency": tender.lead_agency.name,
        "enquiry_deadline": moment_text(tender.enquiry_deadline),
        "submission_deadline": moment_text(tender.submission_deadline),
        "link": link,
    }
    subjects, bodies = [], []
    for language in MAIL_LANGUAGES:
        with translation.override(language):
            values["title"] = tender.title
            if kind == Alert.Kind.TENDER_PUBLISHED:
                subjects.append(_("New tender matching your services: %(reference)s") % values)
                lines = [
                    _("%(agency)s has published a tender that matches your services:") % values,
                    "",
                    f"{values['reference']} {values['title']}",
                    "",
                    _("Questions until: %(enquiry_deadline)s") % values,
                    _("Bids until: %(submission_deadline)s") % values,
                ]
            elif kind == Alert.Kind.ENQUIRY_DEADLINE_SOON:
                subjects.append(_("Questions close soon: %(reference)s") % values)
                lines = [
                    _(
                        "Questions about tender %(reference)s %(title)s close on "
                        "%(enquiry_deadline)s. Your bid is still a draft."
                    )
                    % values
                ]
            else:
                subjects.append(_("Bids close soon: %(reference)s") % values)
                lines = [
                    _(
                        "Bids for tender %(reference)s %(title)s close on "
                        "%(submission_deadline)s. Your bid is not submitted yet, and late "
                        "bids are refused."
                    )
                    % values
                ]
            lines += ["", _("Details: %(link)s") % values]
            bodies.append("\n".join(lines))
    return join_subjects(subjects), bodies


def send_tender_email(*, tender_id: int, organization_id: int, kind: str) -> int:
    """One bilingual mail to a provider organization about a tender; 0 when nobody to send to."""
    tender = Tender.objects.select_related("lead_agency").filter(pk=tender_id).first()
    organization = Organization.objects.filter(pk=organization_id).first()
    if tender is None or organization is None:
        return 0
    recipients = recipients_of(organization)
    if not recipients:
        return 0
    subject, bodies = _texts(tender, kind)
    return send_mail(subject, join_bodies(bodies), None, recipients)


def send_assessment_summary_email(*, award_id: int, bid_id: int) -> int:
    """One bilingual mail to a bidder on an awarded lot, with its assessment summary attached.

    The PDF carries the bidder's own price, so it goes to that provider's
    addresses only. 0 when the award or bid is gone or nobody is to be mailed.
    """
    award = (
        Award.objects.select_related("tender", "lot", "bid__provider__organization")
        .filter(pk=award_id, status__in=AWARDED_STATES)
        .first()
    )
    bid = (
        Bid.objects.select_related("tender", "lot", "provider__organization")
        .filter(pk=bid_id)
        .first()
    )
    if award is None or bid is None or bid.lot_id != award.lot_id:
        return 0
    recipients = recipients_of(bid.provider.organization)
    if not recipients:
        return 0
    values = {
        "reference": award.tender.reference,
        "lot": award.lot.number,
        "winner": award.bid.provider.organization.name_zh,
        "end": moment_text(award.standstill_ends_at),
        "link": absolute(tender_url(award.tender)),
    }
    subjects, bodies = [], []
    for language in MAIL_LANGUAGES:
        with translation.override(language):
            values["winner"] = award.bid.provider.organization.name
            subjects.append(_("Award of tender %(reference)s, lot %(lot)d") % values)
            lines = [
                _("Lot %(lot)d of tender %(reference)s has been awarded to %(winner)s.") % values,
                "",
                _(
                    "Your assessment summary — your scores and the winner's — is attached. "
                    "Complaints may be lodged until %(end)s."
                )
                % values,
                "",
                _("Details: %(link)s") % values,
            ]
            bodies.append("\n".join(lines))
    message = EmailMessage(
        subject=join_subjects(subjects),
        body=join_bodies(bodies),
        to=recipients,
    )
    message.attach(
        assessment_summary_filename(bid), render_assessment_summary_pdf(bid), "application/pdf"
    )
    return message.send()
