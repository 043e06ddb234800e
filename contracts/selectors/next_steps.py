"""Who must act next on a contract, in words: the "next steps" box of each contract page.

Read from what the contract page has already loaded (versions with their
document and signatures, milestones, claims, reports, notices), so it adds no
query of its own beyond the notice schedule.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models.contracts import Contract, ContractVersion
from contracts.models.documents import ContractDocument, Signature
from contracts.models.payments import Claim
from contracts.models.reports import ProgressReport


@dataclass(frozen=True)
class Step:
    who: str  # the organization (and role) that acts
    what: str


def _signature_steps(contract: Contract, version: ContractVersion) -> list[Step]:
    document = getattr(version, "document", None)
    if document is None or document.status == ContractDocument.Status.PREPARING:
        return [Step(_("The platform"), _("prepares the PDF to sign; this page shows it soon."))]
    if document.status == ContractDocument.Status.FAILED:
        return [
            Step(
                _("%(agency)s (commissioner)") % {"agency": contract.lead_agency.name},
                _("asks for the PDF again once the cause is fixed: %(error)s")
                % {"error": document.error},
            )
        ]
    signed = {signature.party for signature in version.signatures.all()}
    steps = []
    if Signature.Party.AGENCY not in signed:
        steps.append(
            Step(
                _("%(agency)s (commissioner)") % {"agency": contract.lead_agency.name},
                _("signs version %(number)d.") % {"number": version.number},
            )
        )
    if Signature.Party.PROVIDER not in signed:
        steps.append(
            Step(
                _("%(provider)s (administrator)") % {"provider": contract.provider.name},
                _("signs version %(number)d.") % {"number": version.number},
            )
        )
    return steps


def next_steps(contract: Contract, *, versions, claims, reports, notice_due) -> list[Step]:
    """What waits, and for whom, in the order it should happen."""
    agency = _("%(agency)s (commissioner)") % {"agency": contract.lead_agency.name}
    finance = _("%(agency)s (finance)") % {"agency": contract.lead_agency.name}
    provider = _("%(provider)s (administrator)") % {"provider": contract.provider.name}
    today = timezone.localdate()
    status = contract.status
    if status == Contract.Status.DRAFT:
        return [Step(agency, _("completes the terms and sends the contract for signature."))]
    awaiting = [v for v in versions if v.status == ContractVersion.Status.AWAITING_SIGNATURES]
    steps = []
    for version in awaiting:
        steps += _signature_steps(contract, version)
    if status == Contract.Status.AWAITING_SIGNATURES:
        return steps
    if status == Contract.Status.SUSPENDED:
        steps.append(
            Step(
                agency,
                _("resumes or terminates the suspended contract: %(reason)s")
                % {"reason": contract.status_reason},
            )
        )
    for claim in claims:
        if claim.status == Claim.Status.SUBMITTED:
            steps.append(
                Step(
                    agency,
                    _("checks the evidence of the claim for milestone %(number)d.")
                    % {"number": claim.milestone.number},
                )
            )
        elif claim.status == Claim.Status.CONFIRMED:
            steps.append(
                Step(
                    finance,
                    _(
                        "approves the payment of milestone %(number)d (not the person "
                        "who confirmed it)."
                    )
                    % {"number": claim.milestone.number},
                )
            )
    for report in reports:
        if report.status == ProgressReport.Status.SUBMITTED:
            steps.append(
                Step(
                    agency,
                    _("accepts or returns progress report %(number)d.") % {"number": report.number},
                )
            )
        elif report.status in (ProgressReport.Status.DUE, ProgressReport.Status.RETURNED) and (
            report.period_end <= today
        ):
            steps.append(
                Step(
                    provider,
                    (
                        _("submits progress report %(number)d, late since %(due)s.")
                        if report.due_date < today
                        else _("submits progress report %(number)d by %(due)s.")
                    )
                    % {"number": report.number, "due": report.due_date.isoformat()},
                )
            )
    if notice_due is not None:
        _kind, day = notice_due
        if day <= today + timedelta(days=30):
            steps.append(
                Step(
                    agency,
                    _("publishes a performance notice rating each KPI by %(date)s.")
                    % {"date": day.isoformat()},
                )
            )
    return steps
