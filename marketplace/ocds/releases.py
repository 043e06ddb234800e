"""Open Contracting Data Standard 1.1: our public tenders as OCDS releases, records and packages.

Each public tender is one contracting process (``ocid`` = ``OCDS_OCID_PREFIX``
+ the tender's uuid). It publishes a release at every stage, each with its own
``id`` and ``date``, and each a snapshot of what was public at that date:

=====================  ====================  =====================================
release                tag                   date
=====================  ====================  =====================================
``-planning``          planning              the tender was drafted
``-tender``            tender                it was published
``-funding-<uuid>``    planningUpdate        a contribution approved after publication
``-enquiry-<uuid>``    tenderUpdate          a question was answered
``-document-<uuid>``   tenderUpdate          a document was added after publication
``-amendment-N``       tenderAmendment       amendment N was published
``-<status>-<time>``   tenderUpdate /        a status change (questions closed,
                       tenderCancellation    bids closed, complete, cancelled…)
``-bids-closed``       tenderUpdate          the deadline for bids, when no status
                                             change marks it yet
``-bids-opened``       tenderUpdate          the chair locked moderation: prices open
``-award-<uuid>``      award                 an award notice was published
``-award-<uuid>-       awardUpdate           the award was confirmed after the
confirmed``                                  standstill
=====================  ====================  =====================================

Apps above marketplace add later stages of a process (the contracts app: the
signed contract, its amendments, each payment, its end) by registering a
``ProcessExtension`` (``register_extension``): marketplace names no app above it.

What a release holds, with the extensions it uses:

- ``parties``: the lead agency as ``buyer`` and ``procuringEntity``; every
  agency or fund whose approved contribution may pay for the tender as
  ``funder`` (and ``sourceParty`` of the budget breakdown); once prices are
  open, each bidder as ``tenderer``; each winner as ``supplier``.
- ``planning.budget``: the pooled budget, with one ``budgetBreakdown`` entry
  per contribution that may pay for the tender (budget_breakdown extension).
- ``tender``: lots (lots extension), items per lot and need category,
  documents, amendments, the answered questions as ``enquiries`` (enquiries
  extension) — question and answer only, NEVER who asked.
- ``bids`` (bids extension): nothing while the bids are sealed. After the
  deadline, the number of bids per lot; once the chair has locked moderation,
  each submitted bid's tenderer, lot and price, read only through
  ``selectors.bids.opened_bids`` — never a response or an attachment.
- ``awards``: the published award notices (``selectors.awards.award_notices``) with
  supplier, value and lot.

Releases are rebuilt from the database on each request, so that a release
once published keeps saying the same thing, everything that has a date is
shown as it stood at the release's date: status, deadline for bids, funding,
answers, documents, amendments, bids and awards. Texts and amounts changed by
an amendment show their current value; the amendment says what changed.

Texts are Chinese (``language: zh``) with the English versions as ``_en``
language variants. Amounts are in CNY. Drafts are never published.
"""

import functools
import operator
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.formatting import in_languages
from marketplace.models.awards import Award
from marketplace.models.bids import Bid
from marketplace.models.budgets import Contribution
from marketplace.models.clarifications import Clarification
from marketplace.models.tenders import (
    OPEN_STATES,
    Amendment,
    Criterion,
    Lot,
    Tender,
    TenderDocument,
    TenderEvent,
)
from marketplace.ocds.extensions import extensions
from marketplace.selectors.awards import award_notices
from marketplace.selectors.bids import opened_bids
from marketplace.selectors.budgets import category_scope, earmark_allows
from marketplace.selectors.tenders import public_tenders
from marketplace.services.alerts import tender_url

OCDS_VERSION = "1.1"
CURRENCY = "CNY"
LANGUAGE = "zh"
# The extensions this data uses, as the package lists them (each extension.json
# URL at the version bundled in marketplace/standards/ocds/extensions).
EXTENSIONS = {
    "bids": "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_bid_extension/v1.1.5/extension.json",
    "lots": "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_lots_extension/v1.1.5/extension.json",
    "enquiries": "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_enquiry_extension/v1.1.5/extension.json",
    "budget_breakdown": "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_budget_breakdown_extension/master/extension.json",
}
# The scheme of the 18-character unified social credit code (GB 32100), named as
# the HSDS export of the directory names it.
CREDIT_CODE_SCHEME = "CN-USCC"
NEED_CATEGORY_SCHEME = "socialcommissioning-need-category"

# Our tender statuses in the OCDS tenderStatus codelist.
TENDER_STATUS = {
    Tender.Status.DRAFT: "planning",
    Tender.Status.PUBLISHED: "active",
    Tender.Status.TENDERING: "active",
    Tender.Status.EVALUATION: "active",
    Tender.Status.AWARDED: "active",
    Tender.Status.COMPLETE: "complete",
    Tender.Status.CANCELLED: "cancelled",
    Tender.Status.UNSUCCESSFUL: "unsuccessful",
}
# A status change that is a release of its own, and its tag. Moving to
# "published" is the tender release and to "awarded" goes with the award releases.
EVENT_TAGS = {
    Tender.Status.TENDERING: "tenderUpdate",
    Tender.Status.EVALUATION: "tenderUpdate",
    Tender.Status.COMPLETE: "tenderUpdate",
    Tender.Status.UNSUCCESSFUL: "tenderUpdate",
    Tender.Status.CANCELLED: "tenderCancellation",
}


def ocid(tender: Tender) -> str:
    """The worldwide identifier of the tender's contracting process."""
    return f"{settings.OCDS_OCID_PREFIX}-{tender.uuid}"


def publisher() -> dict:
    return {"name": settings.OCDS_PUBLISHER_NAME or settings.WAGTAIL_SITE_NAME}


def uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def default_base_url() -> str:
    """Where the site is served, for absolute links in exports made outside a request."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


# --- loading ------------------------------------------------------------------------


def public_processes() -> QuerySet[Tender]:
    """Every public tender with all it publishes, in a fixed number of queries.

    Only published answers are loaded (without the asker), only approved
    contributions, and no bid at all: bids come through the sealing selectors
    in ``load``.
    """
    return (
        public_tenders()
        .select_related("panel")
        .prefetch_related(
            "lots__categories",
            Prefetch("criteria", Criterion.objects.order_by("order", "pk")),
            Prefetch("documents", TenderDocument.objects.order_by("uploaded_at", "pk")),
            Prefetch("amendments", Amendment.objects.order_by("number")),
            Prefetch("events", TenderEvent.objects.order_by("at", "pk")),
            Prefetch(
                "clarifications",
                Clarification.objects.filter(published=True).order_by("asked_at", "pk"),
                to_attr="published_clarifications",
            ),
            Prefetch(
                "budget__contributions",
                Contribution.objects.filter(status=Contribution.Status.APPROVED)
                .select_related("funder")
                .prefetch_related("earmarked_categories")
                .order_by("year", "pk"),
                to_attr="approved_contributions",
            ),
        )
        .order_by("created_at", "pk")
    )


@dataclass
class Process:
    """One tender and what it may publish, loaded by ``load``."""

    tender: Tender
    now: datetime
    base_url: str
    opened_bids: list[Bid] = field(default_factory=list)
    # Submitted bids per lot id; None while the bids are sealed.
    bid_counts: dict[int, int] | None = None
    award_notices: list[Award] = field(default_factory=list)
    # What each registered extension loaded for this process, by its name.
    extra: dict = field(default_factory=dict)

    @property
    def ocid(self) -> str:
        return ocid(self.tender)


def _union(querysets: list[QuerySet]) -> list:
    """One query for the union of querysets of one model (each built by a selector)."""
    querysets = [queryset for queryset in querysets if not queryset.query.is_empty()]
    if not querysets:
        return []
    return list(functools.reduce(operator.or_, querysets))


def _submitted_per_lot(tenders: list[Tender], now) -> dict[int, dict[int, int]]:
    """Submitted bids per lot of each tender whose deadline has passed, in one query.

    A count is neither price nor content, but before the deadline even a count
    signals (a lone bidder could raise its price), so — as
    ``selectors.bids.bid_counts`` — it is only told once ``bids_are_sealed`` is over.
    """
    unsealed = [tender.pk for tender in tenders if not tender.bids_are_sealed(now)]
    counts: dict[int, dict[int, int]] = {pk: {} for pk in unsealed}
    if not unsealed:
        return counts
    rows = (
        Lot.objects.filter(tender_id__in=unsealed)
        .annotate(submitted=Count("bids", filter=Q(bids__status=Bid.Status.SUBMITTED)))
        .values_list("tender_id", "pk", "submitted")
    )
    for tender_id, lot_id, submitted in rows:
        counts[tender_id][lot_id] = submitted
    return counts


def load(tenders, *, base_url: str | None = None, now=None) -> list[Process]:
    """The processes of ``tenders`` (from ``public_processes``), bids and awards included.

    Opened bids and award notices come from the selectors that apply the
    sealed-bid rule, all tenders in one query each.
    """
    now = now or timezone.now()
    tenders = list(tenders)
    base_url = (base_url or default_base_url()).rstrip("/")
    opened = defaultdict(list)
    for bid in _union([opened_bids(tender, now) for tender in tenders]):
        opened[bid.tender_id].append(bid)
    notices = defaultdict(list)
    for award in _union([award_notices(tender) for tender in tenders]):
        notices[award.tender_id].append(award)
    counts = _submitted_per_lot(tenders, now)
    processes = [
        Process(
            tender=tender,
            now=now,
            base_url=base_url,
            opened_bids=opened[tender.pk],
            bid_counts=counts.get(tender.pk),
            award_notices=notices[tender.pk],
        )
        for tender in tenders
    ]
    for extension in extensions():
        extension.load(processes)
    return processes


# --- small pieces -------------------------------------------------------------------


def date_time(value) -> str:
    """A date-time in the site's time zone, with its offset (2026-03-01T17:00:00+08:00)."""
    return timezone.localtime(value).isoformat(timespec="seconds")


def _day(day, *, end: bool = False) -> str:
    """A calendar day as the date-time it starts (or ends) in the site's time zone."""
    moment = datetime.combine(day, time.max.replace(microsecond=0) if end else time.min)
    return date_time(timezone.make_aware(moment))


def _value(amount: Decimal) -> dict:
    # JSON has no decimals: a float keeps every fen of a 14-digit amount exact.
    return {"amount": float(amount), "currency": CURRENCY}


def _with_english(data: dict, name: str, chinese: str, english: str) -> dict:
    """``name`` in Chinese, and ``name_en`` when there is an English version."""
    data[name] = chinese
    if english:
        data[f"{name}_en"] = english
    return data


def _party_reference(organization) -> dict:
    return {"id": str(organization.uuid), "name": organization.name_zh}


def _party(organization, roles: list[str]) -> dict:
    party = _with_english(
        {"id": str(organization.uuid)}, "name", organization.name_zh, organization.name_en
    )
    if organization.credit_code:
        party["identifier"] = {
            "scheme": CREDIT_CODE_SCHEME,
            "id": organization.credit_code,
            "legalName": organization.name_zh,
        }
    party["roles"] = roles
    return party


# --- one process at one moment --------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One release of a process: its id suffix, tags and date."""

    key: str
    tags: tuple[str, ...]
    date: datetime


class Snapshot:
    """What the process published as of one moment (``at``)."""

    def __init__(self, process: Process, at: datetime):
        self.process = process
        self.tender = process.tender
        self.at = at

    # --- the state of the tender at ``at`` ---

    def published_at(self) -> datetime:
        return published_at(self.tender)

    def status(self) -> str:
        events = [event for event in self.tender.events.all() if event.at <= self.at]
        if events:
            return events[-1].to_status
        if self.at < self.published_at():
            return Tender.Status.DRAFT
        later = list(self.tender.events.all())
        # No change recorded yet at ``at``: the status the first later change left.
        return later[0].from_status if later else self.tender.status

    def submission_deadline(self) -> datetime:
        """The deadline for bids as it stood at ``at`` (amendments may have moved it since)."""
        for amendment in self.tender.amendments.all():
            if amendment.created_at > self.at:
                return amendment.previous_submission_deadline
        return self.tender.submission_deadline

    def contributions(self) -> list[Contribution]:
        """Approved contributions that may pay for the tender (their earmarks allow it)."""
        scope = category_scope(self.tender.categories.all())
        return [
            contribution
            for contribution in self.tender.budget.approved_contributions
            if contribution.approved_at <= self.at and earmark_allows(contribution, scope)
        ]

    def bids_counted(self) -> bool:
        return self.process.bid_counts is not None and self.at >= self.tender.submission_deadline

    def bids_opened(self) -> list[Bid]:
        panel = getattr(self.tender, "panel", None)
        if panel is None or panel.quality_locked_at is None or self.at < panel.quality_locked_at:
            return []
        return self.process.opened_bids

    def award_notices(self) -> list[Award]:
        return [award for award in self.process.award_notices if _noticed_at(award) <= self.at]

    # --- sections ---

    def parties(self) -> list[dict]:
        roles: dict[int, list[str]] = defaultdict(list)
        organizations = {}

        def add(organization, *names):
            organizations[organization.pk] = organization
            for name in names:
                if name not in roles[organization.pk]:
                    roles[organization.pk].append(name)

        add(self.tender.lead_agency, "buyer", "procuringEntity")
        for contribution in self.contributions():
            add(contribution.funder, "funder", "sourceParty")
        for bid in self.bids_opened():
            add(bid.provider.organization, "tenderer")
        for award in self.award_notices():
            add(award.bid.provider.organization, "supplier")
        return [_party(organizations[pk], roles[pk]) for pk in organizations]

    def planning(self) -> dict:
        budget = self.tender.budget
        contributions = self.contributions()
        data = _with_english(
            {"id": str(budget.uuid)}, "description", budget.name_zh, budget.name_en
        )
        data["amount"] = _value(sum((c.amount for c in contributions), Decimal("0.00")))
        if contributions:
            data["budgetBreakdown"] = [_breakdown(c) for c in contributions]
        return {"budget": data}

    def tender_section(self) -> dict:
        tender = self.tender
        status = self.status()
        published = self.published_at()
        data = {"id": tender.reference}
        _with_english(data, "title", tender.title_zh, tender.title_en)
        _with_english(data, "description", tender.description_zh, tender.description_en)
        data["status"] = TENDER_STATUS[status]
        data["procuringEntity"] = _party_reference(tender.lead_agency)
        if status == Tender.Status.DRAFT:
            return data
        lots = list(tender.lots.all())
        data["items"] = [item for lot in lots for item in _items(tender, lot)]
        data["value"] = _value(tender.max_value)
        data["procurementMethod"] = tender.procurement_method
        data["mainProcurementCategory"] = "services"
        data["awardCriteria"] = "ratedCriteria"
        details_zh, details_en = _award_criteria(tender)
        _with_english(data, "awardCriteriaDetails", details_zh, details_en)
        data["submissionMethod"] = ["electronicSubmission"]
        data["tenderPeriod"] = {
            "startDate": date_time(published),
            "endDate": date_time(self.submission_deadline()),
        }
        data["enquiryPeriod"] = {
            "startDate": date_time(published),
            "endDate": date_time(tender.enquiry_deadline),
        }
        enquiries = self.enquiries()
        data["hasEnquiries"] = bool(enquiries)
        eligibility_zh, eligibility_en = _eligibility(tender)
        if eligibility_zh:
            _with_english(data, "eligibilityCriteria", eligibility_zh, eligibility_en)
        if tender.award_date_planned:
            data["awardPeriod"] = {
                "startDate": date_time(self.submission_deadline()),
                "endDate": _day(tender.award_date_planned, end=True),
            }
        data["contractPeriod"] = _contract_period(tender)
        opened = self.bids_opened()
        if opened:
            tenderers = {bid.provider.organization.pk: bid.provider.organization for bid in opened}
            data["numberOfTenderers"] = len(tenderers)
            data["tenderers"] = [_party_reference(org) for org in tenderers.values()]
        documents = self.documents()
        if documents:
            data["documents"] = documents
        amendments = [a for a in tender.amendments.all() if a.created_at <= self.at]
        if amendments:
            data["amendments"] = [_amendment(a) for a in amendments]
        data["lots"] = [_lot(tender, lot, status) for lot in lots]
        if enquiries:
            data["enquiries"] = enquiries
        return data

    def documents(self) -> list[dict]:
        tender, base = self.tender, self.process.base_url
        notice_zh, notice_en = in_languages(lambda: _("Tender notice"))
        documents = [
            {
                "id": "notice",
                "documentType": "tenderNotice",
                "title": notice_zh,
                "title_en": notice_en,
                "url": base + tender_url(tender),
                "datePublished": date_time(self.published_at()),
                "format": "text/html",
                "language": LANGUAGE,
            }
        ]
        for document in tender.documents.all():
            if document.uploaded_at > self.at:
                continue
            documents.append(
                {
                    "id": str(document.uuid),
                    "documentType": "biddingDocuments",
                    "title": document.title,
                    "url": _absolute(base, document.file.url),
                    "datePublished": date_time(max(document.uploaded_at, self.published_at())),
                }
            )
        return documents

    def enquiries(self) -> list[dict]:
        """Answered questions published by ``at``: question and answer, never the asker."""
        return [
            {
                "id": str(clarification.uuid),
                "date": date_time(clarification.asked_at),
                "description": clarification.question,
                "answer": clarification.answer,
                "dateAnswered": date_time(clarification.answered_at),
            }
            for clarification in self.tender.published_clarifications
            if clarification.answered_at and clarification.answered_at <= self.at
        ]

    def bids(self) -> dict | None:
        if not self.bids_counted():
            return None
        lots = list(self.tender.lots.all())
        data = {
            "statistics": [
                {
                    "id": f"{lot.number}-bids",
                    "measure": "bids",
                    "date": date_time(self.tender.submission_deadline),
                    "value": self.process.bid_counts.get(lot.pk, 0),
                    "relatedLot": str(lot.uuid),
                }
                for lot in lots
            ]
        }
        opened = self.bids_opened()
        if opened:
            status = self.status()
            decided = status in (Tender.Status.AWARDED, Tender.Status.COMPLETE)
            data["details"] = [
                {
                    "id": str(bid.uuid),
                    "date": date_time(bid.submitted_at),
                    "status": "valid" if decided else "pending",
                    "tenderers": [_party_reference(bid.provider.organization)],
                    "value": _value(bid.price),
                    "relatedLots": [str(bid.lot.uuid)],
                }
                for bid in opened
            ]
        return data

    def awards(self) -> list[dict]:
        opened = {bid.pk for bid in self.bids_opened()}
        awards = []
        for award in self.award_notices():
            data = {
                "id": str(award.uuid),
                "title": award.lot.title_zh,
                "status": (
                    "active" if award.confirmed_at and award.confirmed_at <= self.at else "pending"
                ),
                "date": date_time(_noticed_at(award)),
                "value": _value(award.value),
                "suppliers": [_party_reference(award.bid.provider.organization)],
                "relatedLots": [str(award.lot.uuid)],
                "contractPeriod": _contract_period(self.tender),
            }
            if award.lot.title_en:
                data["title_en"] = award.lot.title_en
            if award.bid_id in opened:
                data["relatedBid"] = str(award.bid.uuid)
            awards.append(data)
        return awards


def published_at(tender: Tender) -> datetime:
    """When the tender was published: its publication event, else its publication time."""
    for event in tender.events.all():
        if event.to_status == Tender.Status.PUBLISHED:
            return event.at
    return tender.publish_at or tender.status_changed_at or tender.created_at


def _absolute(base: str, url: str) -> str:
    return url if url.startswith(("http://", "https://")) else base + url


def _noticed_at(award: Award) -> datetime:
    return award.notice_published_at or award.approved_at or award.recommended_at


def _breakdown(contribution: Contribution) -> dict:
    source = Contribution.Source(contribution.source)
    description_zh, description_en = in_languages(
        lambda: (
            _("%(source)s, fiscal year %(year)d")
            % {"source": source.label, "year": contribution.year}
        )
    )
    return {
        "id": str(contribution.uuid),
        "description": description_zh,
        "description_en": description_en,
        "amount": _value(contribution.amount),
        "period": {
            "startDate": _day(date(contribution.year, 1, 1)),
            "endDate": _day(date(contribution.year, 12, 31), end=True),
        },
        "sourceParty": _party_reference(contribution.funder),
    }


def _items(tender: Tender, lot: Lot) -> list[dict]:
    categories = list(lot.categories.all()) or list(tender.categories.all())
    items = []
    for category in categories:
        item = _with_english(
            {"id": f"{lot.number}-{category.code}"},
            "description",
            category.name_zh,
            category.name_en,
        )
        item["classification"] = {
            "scheme": NEED_CATEGORY_SCHEME,
            "id": category.code,
            "description": category.name_zh,
        }
        item["relatedLot"] = str(lot.uuid)
        items.append(item)
    return items


def _lot(tender: Tender, lot: Lot, status: str) -> dict:
    data = _with_english({"id": str(lot.uuid)}, "title", lot.title_zh, lot.title_en)
    if lot.description_zh:
        _with_english(data, "description", lot.description_zh, lot.description_en)
    data["status"] = TENDER_STATUS[status]
    data["value"] = _value(lot.max_value)
    data["contractPeriod"] = _contract_period(tender)
    return data


def _contract_period(tender: Tender) -> dict:
    return {
        "startDate": _day(tender.contract_start),
        "endDate": _day(tender.contract_end, end=True),
    }


def _award_criteria(tender: Tender) -> tuple[str, str]:
    criteria = list(tender.criteria.all())
    chinese = "；".join(f"{c.name_zh} {c.weight}%" for c in criteria)
    english = "; ".join(f"{c.name_en or c.name_zh} {c.weight}%" for c in criteria)
    return chinese, english


def _eligibility(tender: Tender) -> tuple[str, str]:
    def render():
        rules = []
        if tender.require_verified:
            rules.append(_("Only providers verified on the platform may bid."))
        if tender.min_grade:
            rules.append(
                _("Evaluation grade %(grade)s or better.")
                % {"grade": tender.get_min_grade_display()}
            )
        if tender.require_area_presence:
            rules.append(_("A site or a service in the tender's areas."))
        if tender.min_certified_social_workers:
            rules.append(
                _("At least %(count)d certified social workers.")
                % {"count": tender.min_certified_social_workers}
            )
        if tender.require_valid_documents:
            rules.append(_("Registration documents that have not expired."))
        return " ".join(rules)

    return in_languages(render)


def _amendment(amendment: Amendment) -> dict:
    data = {"id": str(amendment.number), "date": date_time(amendment.created_at)}
    _with_english(data, "rationale", amendment.summary_zh, amendment.summary_en)
    if amendment.changes:
        data["description"] = ", ".join(sorted(amendment.changes))
    return data


# --- releases -----------------------------------------------------------------------


def stages(process: Process) -> list[Stage]:
    """The releases of a process, oldest first."""
    tender = process.tender
    published = published_at(tender)
    found = [
        Stage("planning", ("planning",), min(tender.created_at, published)),
        Stage("tender", ("tender",), published),
    ]
    for contribution in Snapshot(process, process.now).contributions():
        if contribution.approved_at > published:
            # Money pledged after publication: the budget breakdown grows.
            found.append(
                Stage(f"funding-{contribution.uuid}", ("planningUpdate",), contribution.approved_at)
            )
    for clarification in tender.published_clarifications:
        if clarification.answered_at and clarification.answered_at > published:
            found.append(
                Stage(f"enquiry-{clarification.uuid}", ("tenderUpdate",), clarification.answered_at)
            )
    for document in tender.documents.all():
        if document.uploaded_at > published:
            found.append(
                Stage(f"document-{document.uuid}", ("tenderUpdate",), document.uploaded_at)
            )
    for amendment in tender.amendments.all():
        found.append(
            Stage(f"amendment-{amendment.number}", ("tenderAmendment",), amendment.created_at)
        )
    for event in tender.events.all():
        tag = EVENT_TAGS.get(event.to_status)
        if tag and event.at >= published:
            stamp = timezone.localtime(event.at).strftime("%Y%m%dT%H%M%S")
            found.append(Stage(f"{event.to_status}-{stamp}", (tag,), event.at))
    deadline = tender.submission_deadline
    if (
        process.bid_counts is not None
        and Snapshot(process, deadline).status() in OPEN_STATES
        and not any(stage.date >= deadline for stage in found)
    ):
        # Bids closed, but no status change says so yet (beat has not run).
        found.append(Stage("bids-closed", ("tenderUpdate",), deadline))
    panel = getattr(tender, "panel", None)
    if process.opened_bids and panel is not None and panel.quality_locked_at:
        found.append(Stage("bids-opened", ("tenderUpdate",), panel.quality_locked_at))
    for award in process.award_notices:
        found.append(Stage(f"award-{award.uuid}", ("award",), _noticed_at(award)))
        if award.confirmed_at:
            found.append(
                Stage(f"award-{award.uuid}-confirmed", ("awardUpdate",), award.confirmed_at)
            )
    for extension in extensions():
        found += extension.stages(process)
    found = [stage for stage in found if stage.date <= process.now]
    return sorted(found, key=lambda stage: stage.date)


def release(process: Process, stage: Stage) -> dict:
    """The release of one stage: everything public about the process at its date."""
    snapshot = Snapshot(process, stage.date)
    data = {
        "ocid": process.ocid,
        "id": f"{process.ocid}-{stage.key}",
        "date": date_time(stage.date),
        "tag": list(stage.tags),
        "initiationType": "tender",
        "language": LANGUAGE,
        "parties": snapshot.parties(),
        "buyer": _party_reference(process.tender.lead_agency),
        "planning": snapshot.planning(),
        "tender": snapshot.tender_section(),
    }
    bids = snapshot.bids()
    if bids:
        data["bids"] = bids
    awards = snapshot.awards()
    if awards:
        data["awards"] = awards
    for extension in extensions():
        sections, roles = extension.sections(process, stage.date)
        data.update(sections)
        _add_roles(data["parties"], roles)
    return data


def _add_roles(parties: list[dict], roles: list[tuple]) -> None:
    """Give parties the roles an extension names, adding the organizations not there yet."""
    by_id = {party["id"]: party for party in parties}
    for organization, role in roles:
        party = by_id.get(str(organization.uuid))
        if party is None:
            party = _party(organization, [role])
            parties.append(party)
            by_id[party["id"]] = party
        elif role not in party["roles"]:
            party["roles"].append(role)


def releases(process: Process) -> list[dict]:
    return [release(process, stage) for stage in stages(process)]


# The small pieces an extension writes its sections with, the same way as here.
value_of = _value
with_english = _with_english
party_reference = _party_reference
day_time = _day
