"""The evaluation panel of a tender (``Panel``, ``PanelMember``), the members' scores
(``Score``), the chair's moderated scores (``ModeratedScore``) and each bid's result
(``BidResult``)."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models.bids import Bid
from marketplace.models.common import person_field
from marketplace.models.tenders import TOTAL_WEIGHT, Criterion, Tender

# Panel members score each criterion on a 0–10 scale.
SCORE_MIN = Decimal("0")
SCORE_MAX = Decimal("10")
# Members' scores for one bid and criterion more than this many points apart
# are flagged for the chair's moderation.
DISAGREEMENT_THRESHOLD = Decimal("3")


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
    created_by = person_field(_("created by"))
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
    moderated_by = person_field(_("moderated by"))
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
    # What the past-performance points rest on, as it stood when they were computed: the
    # bidder's rating in the lot's categories (``evaluation.selectors.ratings``), so that the
    # panel and the bidders read why, even after the ratings have moved on.
    past_performance_basis = models.JSONField(_("past performance basis"), default=dict, blank=True)
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
