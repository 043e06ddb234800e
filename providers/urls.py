"""Provider pages: the public directory, registration, the provider's own workspace
and the verification queue. API routes are in ``providers/api_urls.py``."""

from django.urls import path

from providers.views import directory, manage, registration, verification

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
    path("app/provider/documents/", registration.documents, name="documents"),
    path(
        "app/provider/documents/<uuid:uuid>/",
        registration.download_document,
        name="download_document",
    ),
    path(
        "app/provider/documents/<uuid:uuid>/delete/",
        registration.delete_document,
        name="delete_document",
    ),
    path("app/provider/services/", manage.service_list, name="service_list"),
    path("app/provider/services/new/", manage.service_create, name="service_create"),
    path("app/provider/services/<uuid:uuid>/edit/", manage.service_edit, name="service_edit"),
    path(
        "app/provider/services/<uuid:uuid>/capacity/",
        manage.update_capacity,
        name="update_capacity",
    ),
    path(
        "app/provider/services/<uuid:uuid>/confirm/", manage.confirm_service, name="confirm_service"
    ),
    path("app/provider/sites/", manage.site_list, name="site_list"),
    path("app/provider/sites/new/", manage.site_create, name="site_create"),
    path("app/provider/sites/<uuid:uuid>/edit/", manage.site_edit, name="site_edit"),
    # verification (platform administrators; agency supervisors where configured)
    path("app/verification/", verification.queue, name="verification_queue"),
    path("app/verification/<uuid:uuid>/", verification.detail, name="verification_detail"),
    path(
        "app/verification/<uuid:uuid>/<str:action>/",
        verification.change_status,
        name="change_status",
    ),
]
