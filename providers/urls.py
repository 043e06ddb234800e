"""Provider pages: the public directory, registration and documents, the provider's own
services, capacity and sites, and the verification queue. API routes are in
``providers/api_urls.py``, the HSDS API's in ``providers/hsds/urls.py``."""

from django.urls import path

from providers.views import (
    capacity,
    directory,
    documents,
    grades,
    listings,
    registration,
    sites,
    verification,
)

app_name = "providers"

urlpatterns = [
    # public
    path("providers/", directory.directory, name="directory"),
    path("providers/register/", registration.register, name="register"),
    path("providers/<uuid:uuid>/", directory.profile, name="profile"),
    # the provider's own workspace
    path("app/provider/", registration.my_profile, name="my_profile"),
    path("app/provider/edit/", registration.edit_profile, name="edit_profile"),
    path("app/provider/submit/", registration.submit, name="submit"),
    path("app/provider/grade/", grades.declare_grade, name="declare_grade"),
    path("app/provider/documents/", documents.documents, name="documents"),
    path(
        "app/provider/documents/<uuid:uuid>/",
        documents.download_document,
        name="download_document",
    ),
    path(
        "app/provider/documents/<uuid:uuid>/delete/",
        documents.delete_document,
        name="delete_document",
    ),
    path("app/provider/services/", listings.service_list, name="service_list"),
    path("app/provider/services/new/", listings.service_create, name="service_create"),
    path("app/provider/services/<uuid:uuid>/edit/", listings.service_edit, name="service_edit"),
    path(
        "app/provider/services/<uuid:uuid>/capacity/",
        capacity.update_capacity,
        name="update_capacity",
    ),
    path(
        "app/provider/services/<uuid:uuid>/confirm/",
        listings.confirm_service,
        name="confirm_service",
    ),
    path("app/provider/sites/", sites.site_list, name="site_list"),
    path("app/provider/sites/new/", sites.site_create, name="site_create"),
    path("app/provider/sites/<uuid:uuid>/edit/", sites.site_edit, name="site_edit"),
    # verification (platform administrators; agency supervisors where configured)
    path("app/verification/", verification.queue, name="verification_queue"),
    path("app/verification/<uuid:uuid>/", verification.detail, name="verification_detail"),
    path(
        "app/verification/<uuid:uuid>/grade/decision/",
        verification.decide_grade,
        name="decide_grade",
    ),
    path(
        "app/verification/<uuid:uuid>/<str:action>/",
        verification.change_status,
        name="change_status",
    ),
]
