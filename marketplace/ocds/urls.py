"""Routes of the OCDS 1.1 API, mounted at /api/v1/ocds/ (see ``marketplace.ocds.api``)."""

from django.urls import path

from marketplace.ocds import api as ocds_api

urlpatterns = [
    path("", ocds_api.IndexView.as_view(), name="api-ocds-index"),
    path("releases/", ocds_api.ReleasePackageView.as_view(), name="api-ocds-releases-list"),
    path("records/", ocds_api.RecordPackageView.as_view(), name="api-ocds-records-list"),
]
