"""Progress reports of a contract in force: one per reporting period (``ProgressReport``,
with its lifecycle: due → submitted → accepted | returned → submitted), its KPI
figures (``KPIActual``) and its attachments (``ReportAttachment``)."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.models.common import person_field
from contracts.models.contracts import Contract
from contracts.models.kpis import KPI
from core.lifecycle import Lifecycle
from core.storage import private_storage

# A report is due this many days after the end of its period.
REPORT_DUE_AFTER_DAYS = 14


class ProgressReport(models.Model):
    """The provider's report on one period of the contract (every ``report_every_months``).

    Made for every period when the contract becomes active, so reminders know
    what is due. The KPI figures measured from platform data are filled in
    from the platform's own referrals for this contract's provider,
    categories and areas; those measured by report are the provider's to give.
    """

    class Status(models.TextChoices):
        DUE = "due", pgettext_lazy("progress report status", "Not yet submitted")
        SUBMITTED = "submitted", pgettext_lazy("progress report status", "Submitted")
        ACCEPTED = "accepted", pgettext_lazy("progress report status", "Accepted")
        RETURNED = "returned", pgettext_lazy("progress report status", "Returned for changes")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="reports"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_date = models.DateField(_("due on"))
    outputs = models.TextField(_("outputs delivered"), blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DUE, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    submitted_by = person_field(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = person_field(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comments = models.TextField(_("comments from the agency"), blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="report_number_unique"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_period_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="returned") | ~models.Q(review_comments=""),
                name="report_return_has_comments",
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} · report {self.number}"

    def is_late(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status in (self.Status.DUE, self.Status.RETURNED) and self.due_date < today


REPORT_TRANSITIONS: dict[str, set[str]] = {
    ProgressReport.Status.DUE: {ProgressReport.Status.SUBMITTED},
    ProgressReport.Status.SUBMITTED: {
        ProgressReport.Status.ACCEPTED,
        ProgressReport.Status.RETURNED,
    },
    ProgressReport.Status.RETURNED: {ProgressReport.Status.SUBMITTED},
    ProgressReport.Status.ACCEPTED: set(),
}

# Reports the provider still has to send.
OUTSTANDING_REPORT_STATES = frozenset({ProgressReport.Status.DUE, ProgressReport.Status.RETURNED})

REPORT_LIFECYCLE = Lifecycle(
    name="progress report",
    states=ProgressReport.Status,
    transitions=REPORT_TRANSITIONS,
    refusal=_("A progress report that is “%(current)s” cannot become “%(target)s”."),
    organization=lambda report: report.contract.lead_agency_id,
    label=lambda report: f"{report.contract.reference} · {report.number}",
    changed_at="status_changed_at",
)


class KPIActual(models.Model):
    """One KPI's figure for a report's period, from platform data or as the provider reported it."""

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        on_delete=models.CASCADE,
        related_name="actuals",
    )
    kpi = models.ForeignKey(
        KPI, verbose_name=_("KPI"), on_delete=models.CASCADE, related_name="actuals"
    )
    value = models.DecimalField(_("actual"), max_digits=12, decimal_places=2, null=True)
    from_platform = models.BooleanField(_("from platform data"), default=False)

    class Meta:
        verbose_name = _("KPI actual")
        verbose_name_plural = _("KPI actuals")
        ordering = ["report", "kpi__number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "kpi"], name="kpi_actual_one_per_report"),
        ]

    def __str__(self):
        return f"{self.report} · {self.kpi.number}: {self.value}"


def attachment_upload_path(attachment, filename: str) -> str:
    # Never the uploaded name in the path: it may carry a person's name.
    report = attachment.report
    return f"contract-reports/{report.contract.uuid}/{report.number}/{uuid.uuid4().hex}"


class ReportAttachment(models.Model):
    """A file sent with a progress report, checked by its content (type and size)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=attachment_upload_path, max_length=255
    )
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=80)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = person_field(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["report", "uploaded_at", "pk"]

    def __str__(self):
        return self.name
