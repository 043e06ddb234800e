"""The commissioning marketplace: pooled budgets, tenders and everything a tender gathers.

One lead agency buys services with money that several agencies and funds
pool (``PooledBudget`` + ``Contribution``), through a ``Tender`` split into
``Lot``\\s and judged on weighted ``Criterion``\\s. Providers ask questions
(``Clarification``) and bid (``Bid`` with a ``BidResponse`` per criterion and
``BidAttachment``\\s); a ``Panel`` scores the bids (``Score``, moderated into
``ModeratedScore``, summed into ``BidResult``); the winning bid of a lot
becomes an ``Award``, against which losing bidders may lodge a ``Complaint``
during the standstill. Money drawn on a budget is written to the
``Commitment`` ledger, split across the contributions that pay for it.

This module declares fields, invariants and the transition tables only. Every
state change goes through ``marketplace.services`` and every read a person sees
through ``marketplace.selectors``, which apply the sealed-bid rule: before the
submission deadline a bid's price and content belong to its provider alone.
"""

import calendar
import datetime
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import in_active_language
from core.storage import private_storage
from providers.models import Provider

# Money in CNY with fen: large enough for a province's multi-year pooled budget.
MONEY = {"max_digits": 14, "decimal_places": 2}
# A contract period of "several years" (SPEC §5) is capped at five.
MAX_CONTRACT_YEARS = 5
# A material amendment this close to the submission deadline pushes the
# deadline out to at least this long from the amendment, so bidders have time
# to react (issue #4).
MATERIAL_AMENDMENT_WINDOW = timedelta(days=4)
DEFAULT_STANDSTILL_DAYS = 10
# Panel members score each criterion on a 0–10 scale.
SCORE_MIN = Decimal("0")
SCORE_MAX = Decimal("10")
# Members' scores for one bid and criterion more than this many points apart
# are flagged for the chair's moderation.
DISAGREEMENT_THRESHOLD = Decimal("3")
# Criterion weights of a tender add up to this.
TOTAL_WEIGHT = 100


def _user_fk(verbose_name, *, related_name="+", null=True):
    """A reference to the person who did something; the record outlives their account."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=null,
        blank=null,
        on_delete=models.SET_NULL if null else models.PROTECT,
        related_name=related_name,
    )


def _money(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, **MONEY, **kwargs)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` later (28 February when 29 February does not exist)."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


# --- pooled budgets ----------------------------------------------------------


class PooledBudget(models.Model):
    """Money several agencies and funds pool for one lead agency to commission with.

    How much is contributed, committed, spent and still available is never
    stored here: it is summed from ``Contribution`` and ``Commitment`` rows by
    ``marketplace.selectors.budget_ledger``, so it cannot drift from the ledger.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lead_agency = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("lead agency"),
        on_delete=models.PROTECT,
        related_name="led_budgets",
        limit_choices_to={"kind": "agency"},
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    first_year = models.PositiveSmallIntegerField(_("first fiscal year"))
    last_year = models.PositiveSmallIntegerField(_("last fiscal year"))
    created_by = _user_fk(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("pooled budget")
        verbose_name_plural = _("pooled budgets")
        ordering = ["-first_year", "name_zh", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_year__lte=models.F("last_year")),
                name="pooled_budget_years_ordered",
                violation_error_message=_("The last fiscal year cannot be before the first."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return in_active_language(self.name_zh, self.name_en)

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


class Contribution(models.Model):
    """One funder's share of a pooled budget for one fiscal year.

    A contribution counts only once a finance officer of the funder itself has
    approved it: an agency's money is never pledged by someone else. Earmarked
    money pays only for tenders in (one of) its categories.
    """

    class Source(models.TextChoices):
        GENERAL_BUDGET = "general_budget", _("General public budget (一般公共预算)")
        CENTRAL_SUBSIDY = "central_subsidy", _("Central government subsidy (中央补助)")
        WELFARE_LOTTERY = (
            "welfare_lottery",
            _("Welfare lottery public-welfare fund (福利彩票公益金)"),
        )
        CHARITY_DONATION = "charity_donation", _("Charitable donation (慈善捐赠)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the funder's approval")
        APPROVED = "approved", _("Approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    budget = models.ForeignKey(
        PooledBudget,
        verbose_name=_("pooled budget"),
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    # A charity or foundation that funds a budget is an Organization of kind
    # agency too: it holds finance users who approve its own contributions.
    funder = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("funder"),
        on_delete=models.PROTECT,
        related_name="contributions",
        limit_choices_to={"kind": "agency"},
    )
    amount = _money(_("amount (CNY)"))
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    source = models.CharField(_("source of funds"), max_length=20, choices=Source.choices)
    earmarked_categories = models.ManyToManyField(
        "taxonomy.NeedCategory",
        verbose_name=_("earmarked for"),
        blank=True,
        related_name="earmarked_contributions",
        help_text=_("Leave empty when the money may pay for any service of the budget."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    note = models.TextField(_("note"), blank=True)
    approved_by = _user_fk(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_by = _user_fk(_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["budget", "year", "funder__name_zh", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="contribution_amount_positive",
                violation_error_message=_("A contribution must be more than zero."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(approved_at__isnull=False),
                name="contribution_approval_dated",
            ),
        ]

    def __str__(self):
        return f"{self.funder} · {self.year} · ¥{self.amount}"

    def clean(self):
        if self.budget_id and self.year is not None and self.year not in self.budget.years:
            raise ValidationError(
                {
                    "year": _("Choose a fiscal year of the budget, %(first)s to %(last)s.")
                    % {"first": self.budget.first_year, "last": self.budget.last_year}
                }
            )


# Allowed contribution status changes: the funder approves a pledge, or it is
# withdrawn (before or after approval, as long as nothing is committed from it).
CONTRIBUTION_TRANSITIONS: dict[str, set[str]] = {
    Contribution.Status.PENDING: {Contribution.Status.APPROVED, Contribution.Status.WITHDRAWN},
    Contribution.Status.APPROVED: {Contribution.Status.WITHDRAWN},
    Contribution.Status.WITHDRAWN: set(),
}


class Commitment(models.Model):
    """One line of the ledger of money drawn on a pooled budget, from one contribution.

    ``committed`` lines reserve money for an award; ``released`` lines give it
    back (a cancelled award); ``spent`` lines record payments made out of
    money already committed, so they do not reduce what is available a second
    time. Per contribution: committed = Σ committed − Σ released, spent = Σ
    spent, available = amount − committed. Rows are only ever added, never
    changed, so "where my share went" can always be traced.
    """

    class Kind(models.TextChoices):
        COMMITTED = "committed", _("Committed")
        SPENT = "spent", _("Spent")
        RELEASED = "released", _("Released")

    budget = models.ForeignKey(
        PooledBudget,
        verbose_name=_("pooled budget"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    contribution = models.ForeignKey(
        Contribution,
        verbose_name=_("contribution"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    tender = models.ForeignKey(
        "Tender",
        verbose_name=_("tender"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    lot = models.ForeignKey(
        "Lot",
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    award = models.ForeignKey(
        "Award",
        verbose_name=_("award"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    amount = _money(_("amount (CNY)"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_by = _user_fk(_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["budget", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="commitment_amount_positive"
            ),
        ]
        indexes = [models.Index(fields=["contribution", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} ¥{self.amount} · {self.contribution}"


# --- tenders ----------------------------------------------------------------


class Tender(models.Model):
    """A call for bids to deliver services, funded from one pooled budget.

    States follow OCDS: ``draft → published (enquiries open) → tendering →
    evaluation → awarded (standstill) → complete``, and ``cancelled`` or
    ``unsuccessful`` from any open state (``TENDER_TRANSITIONS``). The timed
    moves (publication, enquiry and submission deadlines) are made by beat
    through ``marketplace.services.advance_tenders``.
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
    max_value = _money(_("maximum value (CNY)"))
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
        choices=Provider.Grade.choices,
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
    created_by = _user_fk(_("created by"))
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
        return (
            self.status in (self.Status.PUBLISHED, self.Status.TENDERING)
            and now < self.submission_deadline
        )

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
    max_value = _money(_("maximum value (CNY)"))
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
    uploaded_by = _user_fk(_("uploaded by"))
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
    created_by = _user_fk(_("made by"))
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


class Clarification(models.Model):
    """A provider's question about a tender and the lead agency's published answer.

    Who asked is NEVER shown to other bidders (it would tell competitors who is
    bidding): ``marketplace.selectors.clarifications_for`` shows the asking
    organization and user only to the asking provider and to the lead agency.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.CASCADE, related_name="clarifications"
    )
    asked_by_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("asked by (organization)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    asked_by = _user_fk(_("asked by"))
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = _user_fk(_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")
        ordering = ["tender", "asked_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(published=False)
                | (models.Q(answered_at__isnull=False) & ~models.Q(answer="")),
                name="clarification_published_with_answer",
            ),
        ]

    def __str__(self):
        return self.question[:60]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


# --- bids -------------------------------------------------------------------


class Bid(models.Model):
    """A provider's offer for one lot: a price, a response per criterion, attachments.

    SEALED: until the tender's submission deadline has passed, the price,
    responses and attachments are visible to the bidding provider only
    (``Tender.bids_are_sealed``). That is why bids are not in the Django admin
    and why audit entries about bids never carry their price or text.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        NEEDS_RECONFIRMATION = "needs_reconfirmation", _("Needs reconfirmation after an amendment")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.PROTECT, related_name="bids"
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="bids"
    )
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="bids",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    price = _money(_("price (CNY)"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    reconfirmed_at = models.DateTimeField(_("reconfirmed at"), null=True, blank=True)
    eligibility_report = models.JSONField(
        _("eligibility check"),
        default=list,
        blank=True,
        help_text=_("The reasons found when the bid was last submitted; empty when eligible."),
    )
    created_by = _user_fk(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["tender", "lot", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "provider"], name="bid_one_per_lot_and_provider"
            ),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gt=0),
                name="bid_price_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="submitted")
                | models.Q(price__isnull=False, submitted_at__isnull=False),
                name="bid_submitted_has_price_and_time",
            ),
        ]

    def __str__(self):
        # No price here: __str__ ends up in logs, admin lists and audit labels.
        return f"{self.tender.reference} · {self.lot.number} · {self.provider}"

    def clean(self):
        if self.lot_id and self.tender_id and self.lot.tender_id != self.tender_id:
            raise ValidationError({"lot": _("Choose a lot of this tender.")})


# Allowed bid status changes. Before the deadline a bidder may reopen a
# submitted bid to edit it (→ draft) and submit it again, withdraw it, and
# revive a withdrawn bid as a draft. A material amendment moves submitted bids
# to needs_reconfirmation; the bidder reconfirms (→ submitted), edits or withdraws.
BID_TRANSITIONS: dict[str, set[str]] = {
    Bid.Status.DRAFT: {Bid.Status.SUBMITTED, Bid.Status.WITHDRAWN},
    Bid.Status.SUBMITTED: {
        Bid.Status.DRAFT,
        Bid.Status.WITHDRAWN,
        Bid.Status.NEEDS_RECONFIRMATION,
    },
    Bid.Status.NEEDS_RECONFIRMATION: {
        Bid.Status.SUBMITTED,
        Bid.Status.DRAFT,
        Bid.Status.WITHDRAWN,
    },
    Bid.Status.WITHDRAWN: {Bid.Status.DRAFT},
}


class BidResponse(models.Model):
    """The bidder's proposal for one criterion scored by the panel (sealed with the bid)."""

    bid = models.ForeignKey(
        Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="responses"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="responses"
    )
    text = models.TextField(_("response"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("bid response")
        verbose_name_plural = _("bid responses")
        ordering = ["bid", "criterion__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion"], name="bid_response_unique"),
        ]

    def __str__(self):
        return f"{self.bid_id} · {self.criterion_id}"


def bid_attachment_path(instance, filename):
    # The stored name never contains the uploader's file name and cannot be
    # guessed; the file itself lives in private storage (sealed with the bid).
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.content_type, "bin"
    )
    return f"bids/{instance.bid.uuid}/{uuid.uuid4().hex}.{extension}"


class BidAttachment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bid = models.ForeignKey(
        Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=bid_attachment_path, max_length=255
    )
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = _user_fk(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bid attachment")
        verbose_name_plural = _("bid attachments")
        ordering = ["bid", "uploaded_at", "pk"]

    def __str__(self):
        return self.title


# --- evaluation -------------------------------------------------------------


class Panel(models.Model):
    """The evaluation panel of a tender: agency users led by a chair.

    Two envelopes: members score quality (and social value) first; when the
    chair locks moderation (``quality_locked_at``) prices are revealed and
    price scores computed.
    """

    tender = models.OneToOneField(
        Tender, verbose_name=_("tender"), on_delete=models.CASCADE, related_name="panel"
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        on_delete=models.PROTECT,
        related_name="chaired_panels",
    )
    quality_locked_at = models.DateTimeField(
        _("quality moderation locked at"),
        null=True,
        blank=True,
        help_text=_("Prices are revealed to the panel only after this."),
    )
    created_by = _user_fk(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation panel")
        verbose_name_plural = _("evaluation panels")
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return _("Panel of %(reference)s") % {"reference": self.tender.reference}

    @property
    def prices_revealed(self) -> bool:
        return self.quality_locked_at is not None


class PanelMember(models.Model):
    """A person on a panel. Before seeing any bid they declare whether they have a
    conflict of interest; a member with a conflict never scores."""

    panel = models.ForeignKey(
        Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="panel_memberships",
    )
    conflict_declared_at = models.DateTimeField(
        _("conflict declaration made at"), null=True, blank=True
    )
    has_conflict = models.BooleanField(_("has a conflict of interest"), default=False)
    conflict_note = models.TextField(_("conflict of interest details"), blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        ordering = ["panel", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "user"], name="panel_member_unique"),
        ]

    def __str__(self):
        return str(self.user)

    @property
    def may_score(self) -> bool:
        """Declared, and declared free of conflicts."""
        return self.conflict_declared_at is not None and not self.has_conflict


_SCORE_RANGE = models.Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX)


class Score(models.Model):
    """One member's score of one bid on one criterion, 0–10.

    Draft until the member submits (``submitted_at``); members do not see each
    other's scores before they have submitted their own. Kept unchanged after
    moderation: the chair's decision is a separate ``ModeratedScore``.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bid = models.ForeignKey(
        Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="scores"
    )
    member = models.ForeignKey(
        PanelMember, verbose_name=_("panel member"), on_delete=models.CASCADE, related_name="scores"
    )
    score = models.DecimalField(_("score (0–10)"), max_digits=4, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["bid", "criterion__order", "member", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion", "member"], name="score_unique"),
            models.CheckConstraint(condition=_SCORE_RANGE, name="score_range"),
        ]

    def __str__(self):
        return f"{self.member} · {self.criterion} · {self.score}"


class ModeratedScore(models.Model):
    """The chair's agreed score of a bid on a criterion after moderation.

    ``flagged_disagreement`` records that members' scores were more than
    ``DISAGREEMENT_THRESHOLD`` points apart; the members' own scores stay in
    ``Score``.
    """

    bid = models.ForeignKey(
        Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="moderated_scores"
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion"),
        on_delete=models.CASCADE,
        related_name="moderated_scores",
    )
    score = models.DecimalField(_("moderated score (0–10)"), max_digits=4, decimal_places=2)
    note = models.TextField(_("moderation note"), blank=True)
    flagged_disagreement = models.BooleanField(_("members disagreed widely"), default=False)
    moderated_by = _user_fk(_("moderated by"))
    moderated_at = models.DateTimeField(_("moderated at"), default=timezone.now)

    class Meta:
        verbose_name = _("moderated score")
        verbose_name_plural = _("moderated scores")
        ordering = ["bid", "criterion__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion"], name="moderated_score_unique"),
            models.CheckConstraint(condition=_SCORE_RANGE, name="moderated_score_range"),
        ]

    def __str__(self):
        return f"{self.criterion} · {self.score}"


class BidResult(models.Model):
    """A bid's weighted points per kind of criterion and its rank within the lot.

    Each part is in points out of its criteria's weights (a 40 % price
    criterion gives 0–40 points), so ``total`` is out of 100. Rank 1 is best.
    """

    bid = models.OneToOneField(
        Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="result"
    )
    quality_score = models.DecimalField(_("quality"), max_digits=6, decimal_places=2, default=0)
    price_score = models.DecimalField(_("price"), max_digits=6, decimal_places=2, default=0)
    past_performance_score = models.DecimalField(
        _("past performance"), max_digits=6, decimal_places=2, default=0
    )
    social_value_score = models.DecimalField(
        _("social value"), max_digits=6, decimal_places=2, default=0
    )
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("rank in the lot"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")
        ordering = ["bid__lot", "rank", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total__gte=0, total__lte=TOTAL_WEIGHT),
                name="bid_result_total_range",
            ),
            models.CheckConstraint(
                condition=models.Q(rank__gte=1), name="bid_result_rank_from_one"
            ),
        ]

    def __str__(self):
        return f"#{self.rank} · {self.total}"


# --- awards and complaints --------------------------------------------------


class Award(models.Model):
    """The decision to give a lot to a bid.

    recommended (by the panel) → approved (by a commissioner; the standstill
    starts and every bidder gets its assessment summary) → confirmed (after the
    standstill, with no open complaint), or cancelled. Approving commits the
    award's value on the pooled budget; cancelling releases it.
    """

    class Status(models.TextChoices):
        RECOMMENDED = "recommended", _("Recommended")
        APPROVED = "approved", _("Approved — standstill")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.PROTECT, related_name="awards"
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="awards"
    )
    bid = models.ForeignKey(
        Bid, verbose_name=_("winning bid"), on_delete=models.PROTECT, related_name="awards"
    )
    value = _money(_("value (CNY)"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.RECOMMENDED,
        db_index=True,
    )
    recommended_by = _user_fk(_("recommended by"))
    recommended_at = models.DateTimeField(_("recommended at"), default=timezone.now)
    approved_by = _user_fk(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    standstill_ends_at = models.DateTimeField(_("standstill ends at"), null=True, blank=True)
    notice_published_at = models.DateTimeField(
        _("award notice published at"), null=True, blank=True
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["tender", "lot__number", "-recommended_at", "pk"]
        constraints = [
            # One live award per lot; cancelled ones stay as history.
            models.UniqueConstraint(
                fields=["lot"],
                condition=~models.Q(status="cancelled"),
                name="award_one_live_per_lot",
            ),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="award_value_positive"),
        ]

    def __str__(self):
        return f"{self.tender.reference} · {self.lot.number} · {self.get_status_display()}"

    def standstill_over(self, now=None) -> bool:
        return self.standstill_ends_at is not None and (
            (now or timezone.now()) >= self.standstill_ends_at
        )


AWARD_TRANSITIONS: dict[str, set[str]] = {
    Award.Status.RECOMMENDED: {Award.Status.APPROVED, Award.Status.CANCELLED},
    Award.Status.APPROVED: {Award.Status.CONFIRMED, Award.Status.CANCELLED},
    Award.Status.CONFIRMED: set(),
    Award.Status.CANCELLED: set(),
}


class Complaint(models.Model):
    """A bidder's challenge of an award during the standstill; an open one blocks confirmation."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    award = models.ForeignKey(
        Award, verbose_name=_("award"), on_delete=models.PROTECT, related_name="complaints"
    )
    bid = models.ForeignKey(
        Bid,
        verbose_name=_("complaining bid"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    text = models.TextField(_("complaint"))
    lodged_by = _user_fk(_("lodged by"))
    lodged_at = models.DateTimeField(_("lodged at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    response = models.TextField(_("response"), blank=True)
    resolved_by = _user_fk(_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["award", "lodged_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(resolved_at__isnull=False),
                name="complaint_resolution_dated",
            ),
        ]

    def __str__(self):
        return f"{self.provider} · {self.get_status_display()}"


# --- alerts and history -----------------------------------------------------


class Alert(models.Model):
    """An in-app notification for one person, usually about a tender.

    ``(recipient, tender, kind, key)`` is unique, so a task that runs twice —
    a retry, two beat runs, catching up after downtime — creates each alert
    once; ``key`` tells apart alerts of the same kind about different things on
    one tender (the clarification answered, the amendment that needs
    reconfirmation, the deadline reminded of) and is empty when the kind
    happens once per tender. Alerts about no tender are not made unique by the
    database (NULLs differ): their senders must check before creating one.
    """

    class Kind(models.TextChoices):
        TENDER_PUBLISHED = "tender_published", _("New tender matching your services")
        ENQUIRY_DEADLINE_SOON = "enquiry_deadline_soon", _("Questions close soon")
        SUBMISSION_DEADLINE_SOON = "submission_deadline_soon", _("Bids close soon")
        CLARIFICATION_ANSWERED = "clarification_answered", _("A question was answered")
        UNANSWERED_QUESTIONS = "unanswered_questions", _("Questions await an answer")
        AWARD_NOTICE = "award_notice", _("Award notice")
        BID_RECONFIRMATION = "bid_reconfirmation", _("Reconfirm your bid")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="marketplace_alerts",
    )
    tender = models.ForeignKey(
        Tender,
        verbose_name=_("tender"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("about"), max_length=64, blank=True, default="")
    message_zh = models.TextField(_("message (Chinese)"))
    message_en = models.TextField(_("message (English)"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "tender", "kind", "key"], name="alert_once_per_subject"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return f"{self.recipient} · {self.get_kind_display()}"

    @property
    def message(self) -> str:
        return in_active_language(self.message_zh, self.message_en)


class TenderEvent(models.Model):
    """One status change of a tender: the public history (OCDS releases read it)."""

    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("from"), max_length=12, choices=Tender.Status.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=Tender.Status.choices)
    actor = _user_fk(_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("tender event")
        verbose_name_plural = _("tender events")
        ordering = ["tender", "at", "pk"]

    def __str__(self):
        return f"{self.tender.reference}: {self.from_status} → {self.to_status}"
