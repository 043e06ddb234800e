"""Routes of the HSDS 3.0 API, mounted at /api/v1/hsds/ (see ``providers.hsds_api``).

Paths follow the HSDS OpenAPI description (``/services``, ``/services/{id}``…),
with a trailing slash like the rest of our API.
"""

from django.urls import path

from providers import hsds_api

urlpatterns = [
    path("", hsds_api.IndexView.as_view(), name="hsds-index"),
    path("organizations/", hsds_api.OrganizationList.as_view(), name="hsds-organizations"),
    path(
        "organizations/<uuid:id>/",
        hsds_api.OrganizationDetail.as_view(),
        name="hsds-organization",
    ),
    path("services/", hsds_api.ServiceList.as_view(), name="hsds-services"),
    path("services/<uuid:id>/", hsds_api.ServiceDetail.as_view(), name="hsds-service"),
    path("locations/", hsds_api.LocationList.as_view(), name="hsds-locations"),
    path("locations/<uuid:id>/", hsds_api.LocationDetail.as_view(), name="hsds-location"),
    path(
        "service_at_locations/",
        hsds_api.ServiceAtLocationList.as_view(),
        name="hsds-service_at_locations",
    ),
    path("taxonomy_terms/", hsds_api.TaxonomyTermList.as_view(), name="hsds-taxonomy_terms"),
    path(
        "taxonomy_terms/<uuid:id>/",
        hsds_api.TaxonomyTermDetail.as_view(),
        name="hsds-taxonomy_term",
    ),
]
