"""Progress reports: one per reporting period, scheduled when both parties have signed;
the figures of KPIs measured from platform data filled in from the platform's own
referrals for the report's period and never typed in; the provider's administrator
writes, attaches files checked by content and size, and submits once the period is
over; the lead agency's commissioner accepts it or returns it with comments, and a
returned report is submitted again."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts.models import ProgressReport
from contracts.models.reports import REPORT_DUE_AFTER_DAYS, KPIActual, ReportAttachment
from contracts.services import reports
from core.errors import ApplicationError, InvalidTransition
from core.models import AuditEvent
from referrals.models.lifecycle import Referral, ReferralEvent
from tests.factories.accounts import AgencyFactory
from tests.factories.contracts import activate, active_contract, awaiting_contract, kpi_input
from tests.factories.marketplace import bidder_of, commissioner_of, finance_of
from tests.factories.providers import ProviderFactory, ServiceFactory
from tests.factories.referrals import ReferralFactory

pytestmark = pytest.mark.django_db

COMMENTS = "请补充第二季度上门服务的签到表。"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
MB = 1024 * 1024


def _at(day, hour=10):
    zone = timezone.get_current_timezone()
    return timezone.make_aware(datetime.combine(day, time(hour)), zone)


def _on(day):
    return time_machine.travel(_at(day), tick=False)


def _satisfaction_kpi():
    return kpi_input(
        name_zh="服务对象满意度",
        name_en="Satisfaction of the people served",
        unit="%",
        target=Decimal("90"),
        measured_by="reported",
        measure="",
    )


def _reporting_contract():
    """KPI 1 counts accepted referrals on the platform; KPI 2 the provider reports."""
    return active_contract(
        kpis=[kpi_input(measure="referrals_accepted", target=Decimal("10")), _satisfaction_kpi()]
    )


def _admin(contract):
    return bidder_of(contract.provider, role="provider_admin")


def _commissioner(contract):
    return commissioner_of(contract.lead_agency)


def _report(contract, number=1):
    return contract.reports.get(number=number)


def _accepted_referral(contract, at, *, provider=None):
    """A referral the provider accepted at ``at``, for the contract's category and area."""
    service = ServiceFactory(provider=provider or contract.provider)
    referral = ReferralFactory(
        service=service,
        need__category=contract.categories.first(),
        district=contract.areas.first(),
        status=Referral.Status.ACCEPTED,
        sent_at=at - timedelta(days=1),
    )
    ReferralEvent.objects.create(
        referral=referral,
        from_status=Referral.Status.SENT,
        to_status=Referral.Status.ACCEPTED,
        at=at,
    )
    return referral


def _figures(report):
    return {
        row.kpi.number: (row.value, row.from_platform)
        for row in KPIActual.objects.filter(report=report).select_related("kpi")
    }


def _submitted(contract, number=1, *, satisfaction="92"):
    report = _report(contract, number)
    with _on(report.period_end + timedelta(days=1)):
        return reports.submit_report(
            report=report,
            actor=_admin(contract),
            outputs="上门照护 320 人次，助餐 1,200 份。",
            narrative="本季度按计划开展服务。",
            actuals={2: satisfaction},
        )


# --- the schedule -------------------------------------------------------------


def test_signing_schedules_one_report_per_period_each_due_two_weeks_after_it():
    contract = awaiting_contract()
    assert not ProgressReport.objects.filter(contract=contract).exists()
    contract = activate(contract)
    scheduled = list(contract.reports.order_by("number"))
    assert contract.report_every_months == 3
    assert [report.number for report in scheduled] == [1, 2, 3, 4]  # a year in quarters
    assert scheduled[0].period_start == contract.start_date
    assert scheduled[-1].period_end == contract.end_date
    for earlier, later in zip(scheduled, scheduled[1:], strict=False):
        assert later.period_start == earlier.period_end + timedelta(days=1)
    for report in scheduled:
        assert report.due_date == report.period_end + timedelta(days=REPORT_DUE_AFTER_DAYS)
        assert report.status == ProgressReport.Status.DUE
    assert reports.schedule_reports(contract=contract) == []  # nothing scheduled twice
    assert contract.reports.count() == 4


# --- the figures ----------------------------------------------------------------


def test_platform_figures_are_counted_from_the_referrals_of_the_reports_own_period():
    contract = _reporting_contract()
    first, second = _report(contract, 1), _report(contract, 2)
    _accepted_referral(contract, _at(first.period_start + timedelta(days=3)))
    _accepted_referral(contract, _at(first.period_end, hour=20))
    _accepted_referral(contract, _at(second.period_start + timedelta(days=1)))
    # Neither another provider's referral nor one from before the contract counts.
    _accepted_referral(
        contract, _at(first.period_start + timedelta(days=3)), provider=ProviderFactory()
    )
    _accepted_referral(contract, _at(contract.start_date - timedelta(days=2)))

    reports.refresh_platform_actuals(first)
    reports.refresh_platform_actuals(second)

    assert _figures(first) == {1: (Decimal("2.00"), True), 2: (None, False)}
    assert _figures(second) == {1: (Decimal("1.00"), True), 2: (None, False)}


def test_a_platform_figure_cannot_be_typed_in():
    contract = _reporting_contract()
    report = _report(contract)
    _accepted_referral(contract, _at(report.period_start + timedelta(days=3)))
    with pytest.raises(ApplicationError) as refused:
        reports.save_report(
            report=report, actor=_admin(contract), outputs="草稿", actuals={1: "50", 2: "80"}
        )
    assert list(refused.value.field_errors) == ["kpi_1"]
    assert str(reports.PLATFORM_KPI) in refused.value.field_errors["kpi_1"]
    report.refresh_from_db()
    assert report.outputs == ""  # nothing of the refused save was kept
    # Leaving the platform's figure as shown is no typing at all.
    reports.save_report(report=report, actor=_admin(contract), actuals={1: "1", 2: "80"})
    assert _figures(report) == {1: (Decimal("1.00"), True), 2: (Decimal("80.00"), False)}


def test_reported_figures_are_kept_as_typed_and_can_be_changed_until_submitted():
    contract = _reporting_contract()
    report = _report(contract)
    admin = _admin(contract)
    reports.save_report(
        report=report, actor=admin, outputs="上门照护", narrative="进展顺利", actuals={2: "87.5"}
    )
    report.refresh_from_db()
    assert (report.outputs, report.narrative) == ("上门照护", "进展顺利")
    assert _figures(report)[2] == (Decimal("87.50"), False)
    reports.save_report(report=report, actor=admin, actuals={"2": "1,088"})
    assert _figures(report)[2] == (Decimal("1088.00"), False)
    for typed in ("-1", "abc", "NaN"):
        with pytest.raises(ApplicationError) as refused:
            reports.save_report(report=report, actor=admin, actuals={2: typed})
        assert refused.value.field_errors == {"kpi_2": [str(reports.NUMBER_NEEDED)]}
    with pytest.raises(ApplicationError) as refused:
        reports.save_report(report=report, actor=admin, actuals={9: "1"})
    assert list(refused.value.field_errors) == ["kpi_9"]
    assert _figures(report)[2] == (Decimal("1088.00"), False)


# --- submitting -----------------------------------------------------------------


def test_a_report_is_submitted_from_the_last_day_of_its_period_not_before():
    contract = _reporting_contract()
    report = _report(contract)
    admin = _admin(contract)
    values = {"outputs": "上门照护 320 人次", "narrative": "按计划开展", "actuals": {2: "91"}}
    with _on(report.period_end - timedelta(days=1)), pytest.raises(ApplicationError) as refused:
        reports.submit_report(report=report, actor=admin, **values)
    assert refused.value.code == "period_not_over"
    assert report.period_end.isoformat() in refused.value.message
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.DUE
    with _on(report.period_end):
        report = reports.submit_report(report=report, actor=admin, **values)
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.SUBMITTED
    assert (report.submitted_by, report.submitted_at) == (admin, _at(report.period_end))
    assert AuditEvent.objects.filter(
        action="progress report.submitted", object_id=str(report.uuid)
    ).exists()


def test_submitting_needs_outputs_a_narrative_and_every_reported_figure():
    contract = _reporting_contract()
    report = _report(contract)
    with _on(report.period_end + timedelta(days=1)), pytest.raises(ApplicationError) as refused:
        reports.submit_report(report=report, actor=_admin(contract))
    # The platform's figure is the platform's: never asked of the provider.
    assert set(refused.value.field_errors) == {"outputs", "narrative", "kpi_2"}
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.DUE


def test_once_submitted_the_report_and_its_platform_figures_are_fixed():
    contract = _reporting_contract()
    report = _report(contract)
    _accepted_referral(contract, _at(report.period_start + timedelta(days=3)))
    report = _submitted(contract)
    # A referral recorded late inside the period does not change what was submitted.
    _accepted_referral(contract, _at(report.period_start + timedelta(days=4)))
    reports.refresh_platform_actuals(report)
    assert _figures(report) == {1: (Decimal("1.00"), True), 2: (Decimal("92.00"), False)}
    with pytest.raises(ApplicationError) as refused:
        reports.save_report(report=report, actor=_admin(contract), outputs="改写")
    assert refused.value.code == "not_editable"
    with pytest.raises(ApplicationError) as refused:
        reports.add_attachment(
            report=report,
            actor=_admin(contract),
            uploaded_file=SimpleUploadedFile("签到表.pdf", PDF),
        )
    assert refused.value.code == "not_editable"


@pytest.mark.parametrize("who", ["provider staff", "other provider's admin", "commissioner"])
def test_only_the_providers_administrator_writes_its_reports(who):
    contract = _reporting_contract()
    actor = {
        "provider staff": lambda: bidder_of(contract.provider, role="provider_staff"),
        "other provider's admin": lambda: bidder_of(ProviderFactory(), role="provider_admin"),
        "commissioner": lambda: _commissioner(contract),
    }[who]()
    report = _report(contract)
    with _on(report.period_end + timedelta(days=1)):
        with pytest.raises(PermissionDenied):
            reports.save_report(report=report, actor=actor, outputs="越权")
        with pytest.raises(PermissionDenied):
            reports.submit_report(
                report=report, actor=actor, outputs="越权", narrative="越权", actuals={2: "90"}
            )
        with pytest.raises(PermissionDenied):
            reports.add_attachment(
                report=report, actor=actor, uploaded_file=SimpleUploadedFile("a.pdf", PDF)
            )
    report.refresh_from_db()
    assert (report.status, report.outputs) == (ProgressReport.Status.DUE, "")
    assert not ReportAttachment.objects.exists()


# --- attachments ----------------------------------------------------------------


def test_pdfs_and_images_are_attached_under_a_name_that_is_not_the_uploaded_one():
    contract = _reporting_contract()
    report = _report(contract)
    admin = _admin(contract)
    attached = [
        reports.add_attachment(
            report=report, actor=admin, uploaded_file=SimpleUploadedFile(name, content)
        )
        for name, content in (("张三签到表.pdf", PDF), ("照片.png", PNG), ("现场.jpg", JPEG))
    ]
    assert [a.content_type for a in attached] == ["application/pdf", "image/png", "image/jpeg"]
    pdf = attached[0]
    assert (pdf.name, pdf.size, pdf.uploaded_by) == ("张三签到表.pdf", len(PDF), admin)
    assert "张三" not in pdf.file.name  # the uploaded name may carry a person's name
    with pdf.file.open("rb") as stored:
        assert stored.read() == PDF
    assert (
        AuditEvent.objects.filter(
            action="progress report.attachment_added", object_id=str(report.uuid)
        ).count()
        == 3
    )

    stored_name, storage = pdf.file.name, pdf.file.storage
    reports.remove_attachment(attachment=pdf, actor=admin)
    assert not ReportAttachment.objects.filter(pk=pdf.pk).exists()
    assert not storage.exists(stored_name)
    assert AuditEvent.objects.filter(
        action="progress report.attachment_removed", object_id=str(report.uuid)
    ).exists()
    for attachment in attached[1:]:
        reports.remove_attachment(attachment=attachment, actor=admin)


def test_a_file_is_judged_by_its_content_and_may_be_at_most_10_mb():
    contract = _reporting_contract()
    report = _report(contract)
    admin = _admin(contract)
    with pytest.raises(ApplicationError) as refused:
        reports.add_attachment(
            report=report,
            actor=admin,
            uploaded_file=SimpleUploadedFile(
                "报告.pdf", b"PK\x03\x04 a zip file", content_type="application/pdf"
            ),
        )
    assert refused.value.field_errors == {"file": [str(reports.FILE_TYPE)]}
    with pytest.raises(ApplicationError) as refused:
        reports.add_attachment(
            report=report,
            actor=admin,
            uploaded_file=SimpleUploadedFile("大.pdf", PDF + b"0" * (10 * MB + 1 - len(PDF))),
        )
    assert "10 MB" in refused.value.field_errors["file"][0]
    assert not ReportAttachment.objects.exists()
    largest = reports.add_attachment(
        report=report,
        actor=admin,
        uploaded_file=SimpleUploadedFile("刚好.pdf", PDF + b"0" * (10 * MB - len(PDF))),
    )
    assert largest.size == 10 * MB
    reports.remove_attachment(attachment=largest, actor=admin)


# --- the agency's review --------------------------------------------------------


def test_the_commissioner_accepts_a_submitted_report_and_it_stays_accepted():
    contract = _reporting_contract()
    commissioner = _commissioner(contract)
    with pytest.raises(InvalidTransition):
        reports.accept_report(report=_report(contract), actor=commissioner)  # not submitted yet
    report = reports.accept_report(report=_submitted(contract), actor=commissioner)
    report.refresh_from_db()
    assert (report.status, report.reviewed_by) == (ProgressReport.Status.ACCEPTED, commissioner)
    assert report.reviewed_at is not None and report.review_comments == ""
    with pytest.raises(InvalidTransition):
        reports.return_report(report=report, actor=commissioner, comments=COMMENTS)
    with pytest.raises(ApplicationError) as refused:
        reports.save_report(report=report, actor=_admin(contract), outputs="改写")
    assert refused.value.code == "not_editable"


def test_a_report_is_returned_only_with_comments_and_then_submitted_again():
    contract = _reporting_contract()
    commissioner = _commissioner(contract)
    report = _submitted(contract)
    with pytest.raises(ApplicationError) as refused:
        reports.return_report(report=report, actor=commissioner, comments="  ")
    assert list(refused.value.field_errors) == ["comments"]
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.SUBMITTED

    report = reports.return_report(report=report, actor=commissioner, comments=COMMENTS)
    report.refresh_from_db()
    assert (report.status, report.review_comments) == (ProgressReport.Status.RETURNED, COMMENTS)
    assert AuditEvent.objects.filter(
        action="progress report.returned", object_id=str(report.uuid)
    ).exists()

    report = _submitted(contract, satisfaction="93")
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.SUBMITTED
    assert _figures(report)[2] == (Decimal("93.00"), False)
    reports.accept_report(report=report, actor=commissioner)
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.ACCEPTED


def test_only_the_lead_agencys_commissioner_reviews_a_report():
    contract = _reporting_contract()
    report = _submitted(contract)
    for outsider in (
        _admin(contract),
        finance_of(contract.lead_agency),
        commissioner_of(AgencyFactory()),
    ):
        with pytest.raises(PermissionDenied):
            reports.accept_report(report=report, actor=outsider)
        with pytest.raises(PermissionDenied):
            reports.return_report(report=report, actor=outsider, comments=COMMENTS)
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.SUBMITTED and report.reviewed_by is None
