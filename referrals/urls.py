"""Referral pages under /app/: caseworker workspace, provider inbox, supervisor views."""

from django.urls import path

from referrals.views import caseworker, inbox, supervision

app_name = "referrals"

urlpatterns = [
    # caseworker: people, assessments, matching
    path("app/people/", caseworker.people, name="people"),
    path("app/people/new/", caseworker.record_person, name="record_person"),
    path("app/people/<uuid:uuid>/", caseworker.person, name="person"),
    path("app/people/<uuid:uuid>/edit/", caseworker.edit_person, name="edit_person"),
    path("app/people/<uuid:uuid>/personal-data/", caseworker.personal_data, name="personal_data"),
    path("app/people/<uuid:uuid>/assess/", caseworker.assess, name="assess"),
    path("app/needs/<uuid:uuid>/matches/", caseworker.matches, name="matches"),
    path("app/needs/<uuid:uuid>/unmet/", caseworker.record_unmet, name="record_unmet"),
    # caseworker: referrals
    path("app/referrals/", caseworker.referral_list, name="referral_list"),
    path("app/needs/<uuid:uuid>/refer/", caseworker.create_referral, name="create_referral"),
    path("app/referrals/<uuid:uuid>/", caseworker.referral, name="referral"),
    path("app/referrals/<uuid:uuid>/consent/", caseworker.consent, name="consent"),
    path("app/referrals/<uuid:uuid>/override/", caseworker.override, name="override"),
    path(
        "app/referrals/<uuid:uuid>/consent/<uuid:consent_uuid>/revoke/",
        caseworker.revoke_consent,
        name="revoke_consent",
    ),
    path("app/referrals/<uuid:uuid>/send/", caseworker.send, name="send"),
    path("app/referrals/<uuid:uuid>/recall/", caseworker.recall, name="recall"),
    path("app/referrals/<uuid:uuid>/close/", caseworker.close, name="close"),
    path("app/referrals/<uuid:uuid>/reopen/", caseworker.reopen, name="reopen"),
    path("app/unmet-needs/", caseworker.unmet_needs, name="unmet_needs"),
    # provider inbox
    path("app/inbox/", inbox.inbox, name="inbox"),
    path("app/inbox/<uuid:uuid>/", inbox.inbox_referral, name="inbox_referral"),
    path("app/inbox/<uuid:uuid>/<str:action>/", inbox.answer, name="answer"),
    # supervisor
    path("app/referrals/overdue/", supervision.overdue, name="overdue"),
]
