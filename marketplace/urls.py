"""Marketplace pages: public tender notices under /tenders/, the workspace under /app/.

API routes are in ``marketplace/api_urls.py``, the OCDS API in ``marketplace/ocds/urls.py``.
"""

from django.urls import path

from marketplace import feeds
from marketplace.views import (
    alerts,
    awards,
    bids,
    budgets,
    clarifications,
    panels,
    public,
    tenders,
)

app_name = "marketplace"

urlpatterns = [
    # public notices and feeds
    path("tenders/", public.tender_list, name="tender_list"),
    path("tenders/feed/rss/", feeds.NewTendersFeed(), name="tender_feed_rss"),
    path("tenders/feed/atom/", feeds.NewTendersAtomFeed(), name="tender_feed_atom"),
    path("tenders/<uuid:uuid>/", public.tender_detail, name="tender_detail"),
    path("tenders/<uuid:uuid>/ask/", clarifications.ask_question, name="ask_question"),
    path("tenders/<str:reference>/", public.tender_by_reference, name="tender_by_reference"),
    # pooled budgets and contributions
    path("app/budgets/", budgets.budget_list, name="budget_list"),
    path("app/budgets/new/", budgets.budget_create, name="budget_create"),
    path("app/budgets/<uuid:uuid>/", budgets.budget_detail, name="budget_detail"),
    path(
        "app/budgets/<uuid:uuid>/contributions/",
        budgets.contribution_add,
        name="contribution_add",
    ),
    path("app/contributions/", budgets.approvals, name="approvals"),
    path(
        "app/contributions/<uuid:uuid>/approve/",
        budgets.contribution_approve,
        name="contribution_approve",
    ),
    path(
        "app/contributions/<uuid:uuid>/withdraw/",
        budgets.contribution_withdraw,
        name="contribution_withdraw",
    ),
    # the lead agency's tenders
    path("app/tenders/", tenders.tender_list, name="manage_tenders"),
    path("app/tenders/new/", tenders.tender_create, name="tender_create"),
    path("app/tenders/<uuid:uuid>/", tenders.tender_overview, name="manage_tender"),
    path("app/tenders/<uuid:uuid>/edit/", tenders.tender_edit, name="tender_edit"),
    path("app/tenders/<uuid:uuid>/publish/", tenders.tender_publish, name="tender_publish"),
    path("app/tenders/<uuid:uuid>/documents/", tenders.tender_documents, name="tender_documents"),
    path(
        "app/tenders/<uuid:uuid>/documents/<uuid:document_uuid>/remove/",
        tenders.document_remove,
        name="document_remove",
    ),
    path("app/tenders/<uuid:uuid>/amend/", tenders.tender_amend, name="amend_tender"),
    path("app/tenders/<uuid:uuid>/cancel/", tenders.tender_cancel, name="cancel_tender"),
    path(
        "app/tenders/<uuid:uuid>/unsuccessful/",
        tenders.tender_unsuccessful,
        name="close_unsuccessful",
    ),
    path(
        "app/tenders/<uuid:uuid>/questions/",
        clarifications.tender_questions,
        name="tender_questions",
    ),
    path(
        "app/tenders/<uuid:uuid>/questions/<uuid:clarification_uuid>/answer/",
        clarifications.answer_question,
        name="answer_question",
    ),
    path("app/tenders/<uuid:uuid>/bids/", tenders.tender_bids, name="tender_bids"),
    path("app/tenders/<uuid:uuid>/panel/", panels.panel_setup, name="panel_setup"),
    path("app/tenders/<uuid:uuid>/awards/", awards.tender_awards, name="tender_awards"),
    path("app/awards/<uuid:uuid>/approve/", awards.approve, name="approve_award"),
    path("app/awards/<uuid:uuid>/cancel/", awards.cancel, name="cancel_award"),
    path(
        "app/complaints/<uuid:uuid>/resolve/",
        awards.resolve_complaint,
        name="resolve_complaint",
    ),
    # alerts of the signed-in user (provider people, commissioners)
    path("app/alerts/", alerts.alert_list, name="alerts"),
    path("app/alerts/read/", alerts.alerts_mark_read, name="alerts_mark_read"),
    path("app/alerts/<uuid:uuid>/", alerts.alert_open, name="alert_open"),
    # the provider: alerts, bids, complaints
    path("app/my-tenders/", bids.my_tenders, name="my_tenders"),
    path(
        "app/tenders/<uuid:uuid>/lots/<int:lot_number>/bid/",
        bids.bid_edit,
        name="bid_edit",
    ),
    path("app/bids/<uuid:uuid>/", bids.bid_detail, name="bid_detail"),
    path(
        "app/bids/<uuid:uuid>/attachments/",
        bids.attachment_add,
        name="bid_attachment_add",
    ),
    path(
        "app/bids/<uuid:uuid>/attachments/<uuid:attachment_uuid>/",
        bids.attachment_download,
        name="bid_attachment",
    ),
    path(
        "app/bids/<uuid:uuid>/attachments/<uuid:attachment_uuid>/remove/",
        bids.attachment_remove,
        name="bid_attachment_remove",
    ),
    path(
        "app/bids/<uuid:uuid>/assessment-summary.pdf",
        bids.assessment_summary_pdf,
        name="assessment_summary",
    ),
    path("app/bids/<uuid:uuid>/complaint/", bids.lodge_complaint, name="lodge_complaint"),
    path(
        "app/bids/<uuid:uuid>/complaints/<uuid:complaint_uuid>/withdraw/",
        bids.withdraw_complaint,
        name="withdraw_complaint",
    ),
    path(
        "app/bids/<uuid:uuid>/<str:action>/",
        bids.bid_action,
        name="bid_action",
    ),
    # evaluation panels
    path("app/panels/", panels.my_panels, name="my_panels"),
    path("app/panels/<uuid:uuid>/", panels.evaluation, name="evaluation"),
    path("app/panels/<uuid:uuid>/declare/", panels.declare, name="declare_conflict"),
    path(
        "app/panels/<uuid:uuid>/bids/<uuid:bid_uuid>/",
        panels.score_bid,
        name="score_bid",
    ),
    path("app/panels/<uuid:uuid>/submit/", panels.submit_scores, name="submit_scores"),
    path("app/panels/<uuid:uuid>/moderation/", panels.moderation, name="moderation"),
    path(
        "app/panels/<uuid:uuid>/moderation/<uuid:bid_uuid>/<int:criterion_id>/",
        panels.moderate,
        name="moderate",
    ),
    path("app/panels/<uuid:uuid>/lock/", panels.lock, name="lock_moderation"),
    path("app/panels/<uuid:uuid>/results/", panels.results, name="results"),
    path(
        "app/panels/<uuid:uuid>/lots/<int:lot_number>/recommend/",
        awards.recommend,
        name="recommend_award",
    ),
]
