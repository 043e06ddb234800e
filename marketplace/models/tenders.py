"""Tenders: the call for bids (``Tender``, with its lifecycle and public history
``TenderEvent``), its ``Lot``\\s and weighted ``Criterion``\\s, its documents and the
``Amendment``\\s published after it."""

import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import in_active_language
from core.lifecycle import Lifecycle
from marketplace.models.budgets import PooledBudget
from marketplace.models.common import add_years, money_field, person_field
from providers.selectors import ProviderGrade

# A contract period of "several years" (SPEC §5) is capped at five.
MAX_CONTRACT_YEARS = 5
# A material amendment this close to the submission deadline pushes the
# deadline out to at least this long from the amendment, so bidders have time
# to react (issue #4).
MATERIAL_AMENDMENT_WINDOW = timedelta(days=4)
DEFAULT_STANDSTILL_DAYS = 10
# Criterion weights of a tender add up to this.
TOTAL_WEIGHT = 100


class Tender(models.Model):
    """A call for bids to deliver services, funded from one pooled budget.

    States follow OCDS: ``draft → published (enquiries open) → tendering →
    evaluation → awarded (standstill) → complete``, and ``cancelled`` or
    ``unsuccessful`` from any open state (``TENDER_TRANSITIONS``). The timed
    moves (publication, enquiry and submission deadlines, end of the
    standstill) are made by beat through ``marketplace.services.timetable``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published — enquiries open")
        TENDERING = "tendering", _("Open for bids")
        EVALUATION = "evaluation", _("Under evaluation")
        AWARDED = "awarded", _("Awarded — standstill")
        COMPLETE = "complete", _("Complete")
        CANCELLED = "cancelled", _("Cancelled")
        UNSUCCESSFUL = "unsuccessful", _("Unsuccessful")

    class ProcurementMethod(models.TextChoices):
        # OCDS procurementMethod codelist
        OPEN = "open", _("Open")
        SELECTIVE = "selective", _("Selective")
        LIMITED = "limited", _("Limited")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        _("reference"),
        max_length=40,
        unique=True,
        help_text=_("The code bidders quote, e.g. SH-MCA-2026-0007."),
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=250, blank=True)
    description_zh = models.TextField(_("description (Chinese)"))
    description_en = models.TextField(_("description (English)"), blank=True)
    lead_agency = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("lead agency"),
        on_delete=models.PROTECT,
        related_name="tenders",
        limit_choices_to={"kind": "agency"},
    )
    budget = models.ForeignKey(
        PooledBudget,
        verbose_name=_("pooled budget"),
        on_delete=models.PROTECT,
        related_name="tenders",
    )
    max_value = money_field(_("maximum value (CNY)"))
    categories = models.ManyToManyField(
        "taxonomy.NeedCategory", verbose_name=_("need categories"), related_name="tenders"
    )
    areas = models.ManyToManyField("places.Area", verbose_name=_("areas"), related_name="tenders")
    procurement_method = models.CharField(
        _("procurement method"),
        max_length=10,
        choices=ProcurementMethod.choices,
        default=ProcurementMethod.OPEN,
    )
    # eligibility, checked automatically when a bid is submitted
    require_verified = models.BooleanField(_("only verified providers"), default=True)
    min_grade = models.PositiveSmallIntegerField(
        _("minimum evaluation grade"),
        choices=ProviderGrade.choices,
        null=True,
        blank=True,
        help_text=_("Leave empty when any grade, or none, may bid."),
    )
    require_area_presence = models.BooleanField(
        _("must be present in the area"),
        default=False,
        help_text=_("The provider needs a site, or a service covering one of the tender's areas."),
    )
    min_certified_social_workers = models.PositiveSmallIntegerField(
        _("minimum certified social workers"), default=0
    )
    require_valid_documents = models.BooleanField(
        _("documents must not have expired"), default=True
    )
    # timeline: moments are stored in UTC and always shown with their time zone
    publish_at = models.DateTimeField(
        _("publication"),
        null=True,
        blank=True,
        help_text=_("Leave empty to publish when you press publish."),
    )
    publish_scheduled = models.BooleanField(
        _("publication scheduled"),
        default=False,
        help_text=_("Set by “publish” with a future publication time: beat publishes it then."),
    )
    enquiry_deadline = models.DateTimeField(_("deadline for questions"))
    submission_deadline = models.DateTimeField(_("deadline for bids"), db_index=True)
    award_date_planned = models.DateField(_("planned award date"), null=True, blank=True)
    contract_start = models.DateField(_("contract start"))
    contract_end = models.DateField(_("contract end"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    cancellation_reason = models.TextField(
        _("reason for cancellation or failure"),
        blank=True,
        help_text=_("Published with the notice when a tender is cancelled or unsuccessful."),
    )
    standstill_days = models.PositiveSmallIntegerField(
        _("standstill period (days)"), default=DEFAULT_STANDSTILL_DAYS
    )
    standstill_ends_at = models.DateTimeField(_("standstill ends at"), null=True, blank=True)
    created_by = person_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        ordering = ["-submission_deadline", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_value__gt=0), name="tender_max_value_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(enquiry_deadline__lt=models.F("submission_deadline")),
                name="tender_enquiries_close_before_bids",
            ),
            models.CheckConstraint(
                condition=models.Q(publish_at__isnull=True)
                | models.Q(publish_at__lt=models.F("enquiry_deadline")),
                name="tender_published_before_enquiries_close",
            ),
            models.CheckConstraint(
                condition=models.Q(contract_start__lte=models.F("contract_end")),
                name="tender_contract_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(min_grade__isnull=True)
                | models.Q(min_grade__gte=0, min_grade__lte=5),
                name="tender_min_grade_range",
            ),
        ]
        indexes = [models.Index(fields=["status", "enquiry_deadline"])]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def title(self) -> str:
        return in_active_language(self.title_zh, self.title_en)

    @property
    def description(self) -> str:
        return in_active_language(self.description_zh, self.description_en)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    def enquiries_open(self, now=None) -> bool:
        """Providers may ask questions while the tender is published and before the deadline."""
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and now < self.enquiry_deadline

    def accepts_bids(self, now=None) -> bool:
        """Bids may be submitted until the deadline, by server time, once published."""
        now = now or timezone.now()
        return self.status in BIDDING_STATES and now < self.submission_deadline

    def bids_are_sealed(self, now=None) -> bool:
        """True until the submission deadline has passed.

        While sealed, a bid's price and content are visible to its own provider
        only. This holds for everyone else without exception — the lead
        agency, panel members, platform administrators and superusers — so no
        selector, view, export or admin page may check a role before it.
        """
        return (now or timezone.now()) < self.submission_deadline

    def clean(self):
        """The timeline in order, and a contract period of at most five years."""
        errors = {}
        enquiry, submission = self.enquiry_deadline, self.submission_deadline
        start, end = self.contract_start, self.contract_end
        if enquiry and submission and enquiry >= submission:
            errors["enquiry_deadline"] = _(
                "Questions must close before the deadline for bids, so that bidders can "
                "use the answers."
            )
        if self.publish_at and enquiry and self.publish_at >= enquiry:
            errors["publish_at"] = _("Publish the tender before the deadline for questions.")
        if submission and start and timezone.localdate(submission) >= start:
            errors["contract_start"] = _("The contract must start after the deadline for bids.")
        if start and end and end < start:
            errors["contract_end"] = _("The contract cannot end before it starts.")
        elif start and end and end >= add_years(start, MAX_CONTRACT_YEARS):
            errors["contract_end"] = _(
                "A contract may last at most %(years)d years: end it by %(last)s."
            ) % {
                "years": MAX_CONTRACT_YEARS,
                "last": (add_years(start, MAX_CONTRACT_YEARS) - timedelta(days=1)).isoformat(),
            }
        planned = self.award_date_planned
        if (
            planned
            and submission
            and start
            and not (timezone.localdate(submission) <= planned <= start)
        ):
            errors["award_date_planned"] = _(
                "Plan the award between the deadline for bids and the contract start."
            )
        if errors:
            raise ValidationError(errors)


# Allowed status changes (SPEC §5, OCDS tender status). Cancelled and
# unsuccessful end any open tender; a draft can only be abandoned (cancelled).
# awarded → evaluation: an upheld complaint sends the lot back to evaluation.
TENDER_TRANSITIONS: dict[str, set[str]] = {
    Tender.Status.DRAFT: {Tender.Status.PUBLISHED, Tender.Status.CANCELLED},
    Tender.Status.PUBLISHED: {
        Tender.Status.TENDERING,
        Tender.Status.CANCELLED,
        Tender.Status.UNSUCCESSFUL,
    },
    Tender.Status.TENDERING: {
        Tender.Status.EVALUATION,
        Tender.Status.CANCELLED,
        Tender.Status.UNSUCCESSFUL,
    },
    Tender.Status.EVALUATION: {
        Tender.Status.AWARDED,
        Tender.Status.CANCELLED,
        Tender.Status.UNSUCCESSFUL,
    },
    Tender.Status.AWARDED: {
        Tender.Status.COMPLETE,
        Tender.Status.EVALUATION,
        Tender.Status.CANCELLED,
        Tender.Status.UNSUCCESSFUL,
    },
    Tender.Status.COMPLETE: set(),
    Tender.Status.CANCELLED: set(),
    Tender.Status.UNSUCCESSFUL: set(),
}

# Published and not yet finished: what the public lists as open tenders.
OPEN_STATES = frozenset(
    {
        Tender.Status.PUBLISHED,
        Tender.Status.TENDERING,
        Tender.Status.EVALUATION,
        Tender.Status.AWARDED,
    }
)
# Once published, a tender is public: its notice, documents and answers.
PUBLIC_STATES = OPEN_STATES | {
    Tender.Status.COMPLETE,
    Tender.Status.CANCELLED,
    Tender.Status.UNSUCCESSFUL,
}


# The call is open: providers ask questions (until the deadline for questions)
# and bid (until the deadline for bids), and the lead agency may amend it.
BIDDING_STATES = frozenset({Tender.Status.PUBLISHED, Tender.Status.TENDERING})
# Documents are added while the tender is a draft or its call is open.
DOCUMENT_STATES = frozenset({Tender.Status.DRAFT, *BIDDING_STATES})
# A panel is named once the tender is public and until the evaluation ends.
PANEL_STATES = frozenset({*BIDDING_STATES, Tender.Status.EVALUATION})


class Lot(models.Model):
    """A part of a tender bid for and awarded separately (e.g. one district each).

    Every tender has at least one lot; categories and areas left empty mean
    the tender's own.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.CASCADE, related_name="lots"
    )
    number = models.PositiveSmallIntegerField(_("lot number"))
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=250, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    max_value = money_field(_("maximum value (CNY)"))
    categories = models.ManyToManyField(
        "taxonomy.NeedCategory", verbose_name=_("need categories"), blank=True, related_name="+"
    )
    areas = models.ManyToManyField(
        "places.Area", verbose_name=_("areas"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["tender", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="lot_number_unique"),
            models.CheckConstraint(
                condition=models.Q(max_value__gt=0), name="lot_max_value_positive"
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="lot_number_from_one"),
        ]

    def __str__(self):
        return _("Lot %(number)d: %(title)s") % {"number": self.number, "title": self.title}

    @property
    def title(self) -> str:
        return in_active_language(self.title_zh, self.title_en)

    @property
    def description(self) -> str:
        return in_active_language(self.description_zh, self.description_en)


class Criterion(models.Model):
    """An evaluation criterion with its weight; a tender's weights add up to 100.

    Price is computed from the prices (lowest ÷ bid × weight) and past
    performance from provider ratings, so each appears at most once; quality
    may be split into several sub-criteria, each scored by the panel like
    social value.
    """

    class Kind(models.TextChoices):
        PRICE = "price", _("Price")
        QUALITY = "quality", _("Quality")
        PAST_PERFORMANCE = "past_performance", _("Past performance")
        SOCIAL_VALUE = "social_value", _("Social value")

    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.CASCADE, related_name="criteria"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    description = models.TextField(_("what the panel looks for"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["tender", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=TOTAL_WEIGHT),
                name="criterion_weight_range",
            ),
            models.UniqueConstraint(
                fields=["tender"],
                condition=models.Q(kind="price"),
                name="criterion_one_price_per_tender",
                violation_error_message=_("A tender has at most one price criterion."),
            ),
            models.UniqueConstraint(
                fields=["tender"],
                condition=models.Q(kind="past_performance"),
                name="criterion_one_past_performance_per_tender",
                violation_error_message=_("A tender has at most one past-performance criterion."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.weight}%)"

    @property
    def name(self) -> str:
        return in_active_language(self.name_zh, self.name_en)

    @property
    def is_scored_by_panel(self) -> bool:
        """Quality and social value are judged by people; price and past performance computed."""
        return self.kind in (self.Kind.QUALITY, self.Kind.SOCIAL_VALUE)


def tender_document_path(instance, filename):
    # Tender documents are public once the tender is published, but the stored
    # name is still ours: an uploader's file name can be anything.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    if not extension.isalnum() or len(extension) > 5:
        extension = "bin"
    return f"tenders/{instance.tender.uuid}/{uuid.uuid4().hex}.{extension}"


class TenderDocument(models.Model):
    """A document of the tender (specification, contract terms, forms).

    Public once the tender is published, so it uses the default (public)
    storage — unlike bid attachments, which stay in private storage.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=tender_document_path, max_length=255)
    uploaded_by = person_field(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tender document")
        verbose_name_plural = _("tender documents")
        ordering = ["tender", "uploaded_at", "pk"]

    def __str__(self):
        return self.title


class Amendment(models.Model):
    """A published change to a tender after publication (OCDS amendment).

    A material amendment within ``MATERIAL_AMENDMENT_WINDOW`` of the deadline
    extends it and sends every submitted bid back for reconfirmation.
    """

    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.CASCADE, related_name="amendments"
    )
    number = models.PositiveSmallIntegerField(_("amendment number"))
    summary_zh = models.TextField(_("summary (Chinese)"))
    summary_en = models.TextField(_("summary (English)"), blank=True)
    is_material = models.BooleanField(
        _("material"),
        default=False,
        help_text=_("A change that could change what bidders offer or who may bid."),
    )
    changes = models.JSONField(
        _("changed fields"),
        default=dict,
        blank=True,
        help_text=_("Field name → [old value, new value], as text."),
    )
    previous_submission_deadline = models.DateTimeField(_("deadline for bids before"))
    new_submission_deadline = models.DateTimeField(_("deadline for bids after"))
    created_by = person_field(_("made by"))
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["tender", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="amendment_number_unique"),
        ]

    def __str__(self):
        return _("Amendment %(number)d") % {"number": self.number}

    @property
    def summary(self) -> str:
        return in_active_language(self.summary_zh, self.summary_en)

    @property
    def extended_deadline(self) -> bool:
        return self.new_submission_deadline != self.previous_submission_deadline


class TenderEvent(models.Model):
    """One status change of a tender: the public history (OCDS releases read it)."""

    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("from"), max_length=12, choices=Tender.Status.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=Tender.Status.choices)
    actor = person_field(_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("tender event")
        verbose_name_plural = _("tender events")
        ordering = ["tender", "at", "pk"]

    def __str__(self):
        return f"{self.tender.reference}: {self.from_status} → {self.to_status}"


def _record_event(tender, previous, to, actor, at, note, extra):
    TenderEvent.objects.create(
        tender=tender, from_status=previous, to_status=to, actor=actor, at=at, note=note, **extra
    )


TENDER_LIFECYCLE = Lifecycle(
    name="tender",
    states=Tender.Status,
    transitions=TENDER_TRANSITIONS,
    refusal=_("A tender that is “%(current)s” cannot become “%(target)s”."),
    organization=lambda tender: tender.lead_agency_id,
    label=lambda tender: tender.reference,
    changed_at="status_changed_at",
    history=_record_event,
)
