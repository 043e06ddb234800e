"""Routes of the HSDS 3.0 API, mounted at /api/v1/hsds/ (see ``providers.hsds.api``).

Paths follow the HSDS OpenAPI description (``/services``, ``/services/{id}``…),
with a trailing slash like the rest of our API.
"""

from django.urls import path

from providers.hsds import api

urlpatterns = [
    path("", api.IndexView.as_view(), name="hsds-index"),
    path("organizations/", api.OrganizationList.as_view(), name="hsds-organizations"),
    path(
        "organizations/<uuid:id>/",
        api.OrganizationDetail.as_view(),
        name="hsds-organization",
    ),
    path("services/", api.ServiceList.as_view(), name="hsds-services"),
    path("services/<uuid:id>/", api.ServiceDetail.as_view(), name="hsds-service"),
    path("locations/", api.LocationList.as_view(), name="hsds-locations"),
    path("locations/<uuid:id>/", api.LocationDetail.as_view(), name="hsds-location"),
    path(
        "service_at_locations/",
        api.ServiceAtLocationList.as_view(),
        name="hsds-service_at_locations",
    ),
    path("taxonomy_terms/", api.TaxonomyTermList.as_view(), name="hsds-taxonomy_terms"),
    path(
        "taxonomy_terms/<uuid:id>/",
        api.TaxonomyTermDetail.as_view(),
        name="hsds-taxonomy_term",
    ),
]
