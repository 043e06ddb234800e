"""Beneficiary satisfaction: one survey per completed referral, answered without login.

A ``SurveyInvitation`` is made when a referral is completed. Its link carries a
random token of 256 bits (``secrets.token_urlsafe(32)``); the database keeps its
SHA-256 digest to find it and the token itself encrypted, so that the slip can
be printed again. The link works once and expires (``SURVEY_VALID_FOR``).

A ``SurveyResponse`` holds five answers from 1 to 5 and an optional comment in
which ID and phone numbers were masked before it was stored. Providers only
ever see aggregates of at least ``MIN_AGGREGATE`` answers.
"""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField

SURVEY_VALID_FOR = datetime.timedelta(days=60)
# Fewer answers than this are never shown to anyone outside the platform's
# statistics: a provider could tell who gave them.
MIN_AGGREGATE = 5

# The five questions, in the order asked: field name and the question.
QUESTIONS = (
    ("helped", _("Did the service help with what you needed?")),
    ("respect", _("Were you treated with respect?")),
    ("timely", _("Did the help come in good time?")),
    ("explained", _("Was everything explained clearly to you?")),
    ("recommend", _("Would you recommend this service to someone in your situation?")),
)


class SurveyInvitation(models.Model):
    """The single-use link of one completed referral's survey."""

    referral = models.OneToOneField(
        "referrals.Referral",
        verbose_name=_("referral"),
        on_delete=models.CASCADE,
        related_name="survey_invitation",
    )
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="survey_invitations",
    )
    category = models.ForeignKey(
        "taxonomy.NeedCategory",
        verbose_name=_("need category"),
        on_delete=models.PROTECT,
        related_name="survey_invitations",
    )
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    token = EncryptedTextField(_("token"), editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return str(_("Survey of %(referral)s") % {"referral": self.referral_id})

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and now < self.expires_at


def _answer(label):
    return models.PositiveSmallIntegerField(label)


class SurveyResponse(models.Model):
    """One beneficiary's answers. Never linked to the person, only to the referral's provider."""

    invitation = models.OneToOneField(
        SurveyInvitation,
        verbose_name=_("invitation"),
        on_delete=models.CASCADE,
        related_name="response",
    )
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    category = models.ForeignKey(
        "taxonomy.NeedCategory",
        verbose_name=_("need category"),
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    helped = _answer(_("helped with the need"))
    respect = _answer(_("treated with respect"))
    timely = _answer(_("timely"))
    explained = _answer(_("explained clearly"))
    recommend = _answer(_("would recommend"))
    # Masked of ID and phone numbers before it is stored, and encrypted still.
    comment = EncryptedTextField(_("comment"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["provider", "category", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                name=f"survey_{name}_1_to_5",
            )
            for name, _question in QUESTIONS
        ]

    def __str__(self):
        return str(_("Survey answer %(pk)s") % {"pk": self.pk})

    @property
    def mean(self) -> float:
        return sum(getattr(self, name) for name, _question in QUESTIONS) / len(QUESTIONS)
