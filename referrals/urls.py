"""Referral pages under /app/: the caseworker's workspace, the provider's inbox, the
supervisors' overdue list."""

from django.urls import path

from referrals.views import (
    assessments,
    beneficiaries,
    consent,
    deadlines,
    inbox,
    lifecycle,
    matching,
    unmet_needs,
)

app_name = "referrals"

urlpatterns = [
    # caseworker: people, assessments, matching
    path("app/people/", beneficiaries.people, name="people"),
    path("app/people/new/", beneficiaries.record_person, name="record_person"),
    path("app/people/<uuid:uuid>/", beneficiaries.person, name="person"),
    path("app/people/<uuid:uuid>/edit/", beneficiaries.edit_person, name="edit_person"),
    path(
        "app/people/<uuid:uuid>/personal-data/", beneficiaries.personal_data, name="personal_data"
    ),
    path("app/people/<uuid:uuid>/assess/", assessments.assess, name="assess"),
    path("app/needs/<uuid:uuid>/matches/", matching.matches, name="matches"),
    path("app/needs/<uuid:uuid>/unmet/", unmet_needs.record_unmet, name="record_unmet"),
    # caseworker: referrals
    path("app/referrals/", lifecycle.referral_list, name="referral_list"),
    path("app/needs/<uuid:uuid>/refer/", lifecycle.create_referral, name="create_referral"),
    path("app/referrals/<uuid:uuid>/", lifecycle.referral, name="referral"),
    path("app/referrals/<uuid:uuid>/consent/", consent.consent, name="consent"),
    path("app/referrals/<uuid:uuid>/override/", consent.override, name="override"),
    path(
        "app/referrals/<uuid:uuid>/consent/<uuid:consent_uuid>/revoke/",
        consent.revoke_consent,
        name="revoke_consent",
    ),
    path("app/referrals/<uuid:uuid>/send/", lifecycle.send, name="send"),
    path("app/referrals/<uuid:uuid>/recall/", lifecycle.recall, name="recall"),
    path("app/referrals/<uuid:uuid>/close/", lifecycle.close, name="close"),
    path("app/referrals/<uuid:uuid>/reopen/", lifecycle.reopen, name="reopen"),
    path("app/unmet-needs/", unmet_needs.unmet_needs, name="unmet_needs"),
    # provider inbox
    path("app/inbox/", inbox.inbox, name="inbox"),
    path("app/inbox/<uuid:uuid>/", inbox.inbox_referral, name="inbox_referral"),
    path("app/inbox/<uuid:uuid>/<str:action>/", inbox.answer, name="answer"),
    # supervisor
    path("app/referrals/overdue/", deadlines.overdue, name="overdue"),
]
