"""The public HSDS 3.0 API under ``/api/v1/hsds/``: the directory as Open Referral objects.

Anyone may read it without signing in: it shows exactly what the public
directory shows (verified providers, their public services and sites), built
by ``providers.hsds.mapping``. Lists answer with the HSDS ``Page`` object
(``total_items``, ``total_pages``, ``page_number``, ``size``, ``first_page``,
``last_page``, ``empty``, ``contents``) and take ``page`` and ``per_page``.
Anything not public answers 404, like an id that never existed.
"""

import uuid

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from providers import selectors
from providers.hsds import mapping
from providers.hsds.vocabulary import HSDS_PROFILE_URL, HSDS_VERSION


class HSDSPagination(PageNumberPagination):
    """HSDS pages: ``?page=2&per_page=50`` in, the standard's ``Page`` object out."""

    page_size = 50
    page_size_query_param = "per_page"
    max_page_size = 200

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "total_items": paginator.count,
                "total_pages": paginator.num_pages if paginator.count else 0,
                "page_number": self.page.number,
                "size": len(data),
                "first_page": not self.page.has_previous(),
                "last_page": not self.page.has_next(),
                "empty": paginator.count == 0,
                "contents": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "properties": {
                "total_items": {"type": "integer"},
                "total_pages": {"type": "integer"},
                "page_number": {"type": "integer"},
                "size": {"type": "integer"},
                "first_page": {"type": "boolean"},
                "last_page": {"type": "boolean"},
                "empty": {"type": "boolean"},
                "contents": schema,
            },
        }


PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number, from 1."),
    OpenApiParameter("per_page", int, description="Results per page (at most 200)."),
]
PAGE_RESPONSE = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="An HSDS Page: total_items, total_pages, page_number, size, first_page, "
    "last_page, empty and contents (the HSDS objects).",
)
OBJECT_RESPONSE = OpenApiResponse(response=OpenApiTypes.OBJECT, description="An HSDS object.")


class HSDSView(APIView):
    # Public by design: the HSDS API publishes the public directory, nothing more.
    permission_classes = [permissions.AllowAny]


class HSDSListView(HSDSView):
    """A paginated list of HSDS objects.

    Each list defines ``get_queryset()`` (a public selector) and ``to_hsds(item)``
    (the mapping in ``providers.hsds``).
    """

    def list(self, request):
        paginator = HSDSPagination()
        page = paginator.paginate_queryset(self.get_queryset(), request, view=self)
        return paginator.get_paginated_response([self.to_hsds(item) for item in page])


class HSDSDetailView(HSDSView):
    """One HSDS object by id; defines ``get_queryset()`` and ``to_hsds(item)`` like the lists."""

    def detail(self, id):  # noqa: A002
        item = self.get_queryset().filter(uuid=id).first()
        if item is None:
            raise Http404
        return Response(self.to_hsds(item))


def _uuid_filter(request, name: str):
    """The uuid in query parameter ``name``, or None; a malformed one is a 400 on that field."""
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise exceptions.ValidationError(
            {name: [_("Enter an identifier in UUID form (32 hexadecimal digits).")]}
        ) from error


class IndexView(HSDSView):
    """What this API is: HSDS 3.0, with links to its documentation and its lists."""

    @extend_schema(operation_id="hsds_index", responses={200: OBJECT_RESPONSE})
    def get(self, request):
        lists = {
            name: reverse(f"hsds-{name}", request=request)
            for name in (
                "organizations",
                "services",
                "locations",
                "service_at_locations",
                "taxonomy_terms",
            )
        }
        return Response(
            {
                "version": HSDS_VERSION,
                "profile": HSDS_PROFILE_URL,
                "openapi_url": reverse("api-schema", request=request),
                **lists,
            }
        )


class OrganizationList(HSDSListView):
    def get_queryset(self):
        return selectors.hsds_organizations()

    def to_hsds(self, item):
        return mapping.organization_object(item)

    @extend_schema(
        operation_id="hsds_organizations_list",
        parameters=PAGE_PARAMETERS,
        responses={200: PAGE_RESPONSE},
    )
    def get(self, request):
        return self.list(request)


class OrganizationDetail(HSDSDetailView):
    def get_queryset(self):
        return selectors.hsds_organizations()

    def to_hsds(self, item):
        values = mapping.organization_object(item)
        values["services"] = [
            mapping.service_object(service)
            for service in selectors.hsds_services().filter(provider=item)
        ]
        return values

    @extend_schema(operation_id="hsds_organizations_retrieve", responses={200: OBJECT_RESPONSE})
    def get(self, request, id):  # noqa: A002
        return self.detail(id)


class ServiceList(HSDSListView):
    def get_queryset(self):
        queryset = selectors.hsds_services()
        organization_id = _uuid_filter(self.request, "organization_id")
        if organization_id is not None:
            queryset = queryset.filter(provider__uuid=organization_id)
        term_id = _uuid_filter(self.request, "taxonomy_term_id")
        if term_id is not None:
            codes = [
                term["code"]
                for term in mapping.taxonomy_term_objects()
                if term["id"] == str(term_id)
            ]
            queryset = queryset.filter(categories__code__in=codes).distinct()
        return queryset

    def to_hsds(self, item):
        return mapping.service_object(item)

    @extend_schema(
        operation_id="hsds_services_list",
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("organization_id", OpenApiTypes.UUID, description="Its provider."),
            OpenApiParameter(
                "taxonomy_term_id", OpenApiTypes.UUID, description="A need category term."
            ),
        ],
        responses={200: PAGE_RESPONSE},
    )
    def get(self, request):
        return self.list(request)


class ServiceDetail(HSDSDetailView):
    def get_queryset(self):
        return selectors.hsds_services()

    def to_hsds(self, item):
        return mapping.service_object(item, nested=True)

    @extend_schema(operation_id="hsds_services_retrieve", responses={200: OBJECT_RESPONSE})
    def get(self, request, id):  # noqa: A002
        return self.detail(id)


class LocationList(HSDSListView):
    def get_queryset(self):
        return selectors.hsds_sites()

    def to_hsds(self, item):
        return mapping.location_object(item)

    @extend_schema(
        operation_id="hsds_locations_list",
        parameters=PAGE_PARAMETERS,
        responses={200: PAGE_RESPONSE},
    )
    def get(self, request):
        return self.list(request)


class LocationDetail(HSDSDetailView):
    def get_queryset(self):
        return selectors.hsds_sites()

    def to_hsds(self, item):
        return mapping.location_object(item)

    @extend_schema(operation_id="hsds_locations_retrieve", responses={200: OBJECT_RESPONSE})
    def get(self, request, id):  # noqa: A002
        return self.detail(id)


class ServiceAtLocationList(HSDSListView):
    def get_queryset(self):
        return selectors.hsds_services_at_sites()

    def to_hsds(self, item):
        return mapping.service_at_location_detail(item)

    @extend_schema(
        operation_id="hsds_service_at_locations_list",
        parameters=PAGE_PARAMETERS,
        responses={200: PAGE_RESPONSE},
    )
    def get(self, request):
        return self.list(request)


class TaxonomyTermList(HSDSListView):
    def get_queryset(self):
        # A few dozen terms, built in two queries; paginated like every other list.
        return mapping.taxonomy_term_objects()

    def to_hsds(self, item):
        return item

    @extend_schema(
        operation_id="hsds_taxonomy_terms_list",
        parameters=PAGE_PARAMETERS,
        responses={200: PAGE_RESPONSE},
    )
    def get(self, request):
        return self.list(request)


class TaxonomyTermDetail(HSDSView):
    @extend_schema(operation_id="hsds_taxonomy_terms_retrieve", responses={200: OBJECT_RESPONSE})
    def get(self, request, id):  # noqa: A002
        for term in mapping.taxonomy_term_objects():
            if term["id"] == str(id):
                return Response(term)
        raise Http404
