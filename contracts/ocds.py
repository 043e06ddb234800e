"""The contract and implementation stages of OCDS 1.1, joined to marketplace's releases.

Registered with ``marketplace.ocds.releases.register_extension`` at start-up
(``ContractsConfig.ready``): marketplace publishes the process up to the award,
this module adds, for every contract in force or ended (never a draft, never one
still waiting for signatures):

=====================================  ===================  ==========================
release                                tag                  date
=====================================  ===================  ==========================
``-contract-<uuid>``                   contract             both parties signed
``-contract-<uuid>-amendment-N``       contractAmendment    version N was signed
``-contract-<uuid>-payment-<uuid>``    implementation       a milestone was paid
``-contract-<uuid>-<status>-<time>``   contractUpdate /     suspended, resumed,
                                       contractTermination  completed, terminated
=====================================  ===================  ==========================

Each release's ``contracts`` hold what was public at its date: awardID, value,
period, items (the contract's categories), the signed PDF as a ``contractSigned``
document, milestones (met when paid), amendments, and ``implementation``:
one transaction per funder's part of each payment (payer: the funder, payee: the
provider) and the milestones met. Never a claim's evidence, a report or anybody's
personal data.
"""

from datetime import datetime

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from contracts.models.contracts import Contract, ContractEvent, ContractVersion
from contracts.models.documents import ContractDocument
from contracts.models.milestones import Milestone
from contracts.models.payments import Payment, PaymentShare
from marketplace.selectors.ocds import (
    NEED_CATEGORY_SCHEME,
    ProcessExtension,
    Stage,
    date_time,
    day_time,
    party_reference,
    value_of,
    with_english,
)

NAME = "contracts"
PUBLIC_STATES = (
    Contract.Status.ACTIVE,
    Contract.Status.SUSPENDED,
    Contract.Status.COMPLETED,
    Contract.Status.TERMINATED,
)
STATUS = {
    Contract.Status.ACTIVE: "active",
    Contract.Status.SUSPENDED: "active",
    Contract.Status.COMPLETED: "terminated",
    Contract.Status.TERMINATED: "terminated",
}
EVENT_TAGS = {
    Contract.Status.SUSPENDED: "contractUpdate",
    Contract.Status.ACTIVE: "contractUpdate",  # resumed after a suspension
    Contract.Status.COMPLETED: "contractTermination",
    Contract.Status.TERMINATED: "contractTermination",
}


def _stamp(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y%m%dT%H%M%S")


class ContractsExtension(ProcessExtension):
    name = NAME

    def load(self, processes) -> None:
        by_tender = {process.tender.pk: process for process in processes}
        for process in processes:
            process.extra[NAME] = []
        if not by_tender:
            return
        contracts = (
            Contract.objects.filter(
                award__tender_id__in=list(by_tender),
                status__in=PUBLIC_STATES,
                activated_at__isnull=False,
            )
            .select_related("award", "provider__organization", "lot")
            .prefetch_related(
                "categories",
                Prefetch(
                    "versions",
                    queryset=ContractVersion.objects.filter(status=ContractVersion.Status.SIGNED)
                    .select_related("document")
                    .order_by("number"),
                    to_attr="signed_versions",
                ),
                Prefetch("milestones", queryset=Milestone.objects.order_by("number")),
                Prefetch(
                    "payments",
                    queryset=Payment.objects.select_related("milestone").prefetch_related(
                        Prefetch(
                            "shares",
                            queryset=PaymentShare.objects.select_related("funder").order_by("pk"),
                        )
                    ),
                ),
                Prefetch("events", queryset=ContractEvent.objects.order_by("at", "pk")),
            )
            .order_by("activated_at", "pk")
        )
        for contract in contracts:
            by_tender[contract.award.tender_id].extra[NAME].append(contract)

    def stages(self, process) -> list[Stage]:
        found = []
        for contract in process.extra.get(NAME, []):
            key = f"contract-{contract.uuid}"
            found.append(Stage(key, ("contract",), contract.activated_at))
            for version in contract.signed_versions:
                if version.number > 1 and version.signed_at:
                    found.append(
                        Stage(
                            f"{key}-amendment-{version.number}",
                            ("contractAmendment",),
                            version.signed_at,
                        )
                    )
            for payment in contract.payments.all():
                found.append(
                    Stage(f"{key}-payment-{payment.uuid}", ("implementation",), payment.paid_at)
                )
            for event in contract.events.all():
                tag = EVENT_TAGS.get(event.to_status)
                if tag and event.at > contract.activated_at:
                    found.append(
                        Stage(f"{key}-{event.to_status}-{_stamp(event.at)}", (tag,), event.at)
                    )
        return found

    def sections(self, process, at: datetime) -> tuple[dict, list[tuple]]:
        contracts = [c for c in process.extra.get(NAME, []) if c.activated_at <= at]
        if not contracts:
            return {}, []
        roles = []
        data = []
        for contract in contracts:
            roles.append((contract.provider.organization, "supplier"))
            roles.append((contract.provider.organization, "payee"))
            section = _contract(process, contract, at)
            for share in _shares(contract, at):
                roles.append((share.funder, "payer"))
            data.append(section)
        return {"contracts": data}, roles


def _status(contract: Contract, at: datetime) -> str:
    status = contract.status
    for event in contract.events.all():
        if event.at <= at:
            status = event.to_status
    # Before its first recorded move after activation, it was in force.
    return STATUS.get(status, "active")


def _payments(contract: Contract, at: datetime) -> list[Payment]:
    return [payment for payment in contract.payments.all() if payment.paid_at <= at]


def _shares(contract: Contract, at: datetime) -> list[PaymentShare]:
    return [share for payment in _payments(contract, at) for share in payment.shares.all()]


def _contract(process, contract: Contract, at: datetime) -> dict:
    versions = [v for v in contract.signed_versions if v.signed_at and v.signed_at <= at]
    latest = versions[-1] if versions else None
    value = latest.value if latest and latest.value is not None else contract.value
    end = latest.end_date if latest and latest.end_date else contract.end_date
    data = {"id": str(contract.uuid), "awardID": str(contract.award.uuid)}
    with_english(data, "title", contract.title_zh, contract.title_en)
    with_english(data, "description", contract.scope_zh, contract.scope_en)
    data["status"] = _status(contract, at)
    data["period"] = {
        "startDate": day_time(contract.start_date),
        "endDate": day_time(end, end=True),
    }
    data["value"] = value_of(value)
    data["dateSigned"] = date_time(contract.activated_at)
    data["items"] = [
        {
            "id": category.code,
            "description": category.name_zh,
            "classification": {
                "scheme": NEED_CATEGORY_SCHEME,
                "id": category.code,
                "description": category.name_zh,
            },
        }
        for category in contract.categories.all()
    ]
    documents = []
    for version in versions:
        document = getattr(version, "document", None)
        if document is None or document.status != ContractDocument.Status.READY:
            continue
        documents.append(
            {
                "id": f"{contract.uuid}-v{version.number}",
                "documentType": "contractSigned",
                "title": f"{contract.reference} v{version.number}",
                "url": process.base_url
                + reverse("contracts:public_pdf", args=[contract.uuid, version.number]),
                "datePublished": date_time(version.signed_at),
                "format": "application/pdf",
                "language": "zh",
            }
        )
    if documents:
        data["documents"] = documents
    paid = {payment.milestone_id: payment for payment in _payments(contract, at)}
    milestones = []
    for milestone in contract.milestones.all():
        entry = {"id": f"{contract.uuid}-{milestone.number}", "type": "financing"}
        with_english(entry, "title", milestone.title_zh, milestone.title_en)
        if milestone.due_date:
            entry["dueDate"] = day_time(milestone.due_date, end=True)
        payment = paid.get(milestone.pk)
        if payment is not None:
            entry["status"] = "met"
            entry["dateMet"] = date_time(payment.paid_at)
        else:
            entry["status"] = "scheduled"
        milestones.append(entry)
    if milestones:
        data["milestones"] = milestones
    amendments = [
        {
            "id": str(version.number),
            "date": date_time(version.signed_at),
            "rationale": version.reason,
            "description": version.summary,
        }
        for version in versions
        if version.number > 1
    ]
    if amendments:
        data["amendments"] = amendments
    transactions = [
        {
            "id": f"{payment.uuid}-{share.pk}",
            "source": process.base_url + reverse("contracts:public_detail", args=[contract.uuid]),
            "date": date_time(payment.paid_at),
            "value": value_of(share.amount),
            "payer": party_reference(share.funder),
            "payee": party_reference(contract.provider.organization),
        }
        for payment in _payments(contract, at)
        for share in payment.shares.all()
    ]
    if transactions:
        data["implementation"] = {"transactions": transactions}
    return data
