"""The public OCDS 1.1 API under ``/api/v1/ocds/``: release and record packages.

Anyone may read it without signing in: it publishes what the public tender
pages show, built by ``marketplace.ocds.releases`` (drafts never, bids only once
opened, askers of questions never). A page holds every release (or the
record) of up to ``page_size`` contracting processes, oldest tender first;
``links.next`` and ``links.prev`` lead to the neighbouring pages. Filter with
``?tender=`` (a tender's uuid or reference) or ``?ocid=``.
"""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from marketplace.ocds import packages
from marketplace.ocds import releases as ocds


class ProcessPagination(PageNumberPagination):
    """Pages of contracting processes: ``?page=2&page_size=50``."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


PARAMETERS = [
    OpenApiParameter("page", int, description="Page number, from 1."),
    OpenApiParameter("page_size", int, description="Contracting processes per page (at most 100)."),
    OpenApiParameter("tender", str, description="Only this tender: its UUID or its reference."),
    OpenApiParameter("ocid", str, description="Only this contracting process."),
]


def _only(tenders, request):
    """The processes the query string names (none when it names no public tender)."""
    tender = request.query_params.get("tender")
    if tender:
        as_uuid = ocds.uuid_or_none(tender)
        tenders = tenders.filter(uuid=as_uuid) if as_uuid else tenders.filter(reference=tender)
    ocid = request.query_params.get("ocid")
    if ocid:
        prefix = f"{settings.OCDS_OCID_PREFIX}-"
        as_uuid = ocds.uuid_or_none(ocid[len(prefix) :]) if ocid.startswith(prefix) else None
        tenders = tenders.filter(uuid=as_uuid) if as_uuid else tenders.none()
    return tenders


class PackageView(APIView):
    # Public by design: OCDS publishes the public record of every tender.
    permission_classes = [permissions.AllowAny]

    def page(self, request):
        paginator = ProcessPagination()
        tenders = paginator.paginate_queryset(
            _only(ocds.public_processes(), request), request, view=self
        )
        processes = ocds.load(tenders, base_url=request.build_absolute_uri("/"))
        links = {
            name: link
            for name, link in (
                ("next", paginator.get_next_link()),
                ("prev", paginator.get_previous_link()),
            )
            if link
        }
        return processes, links


class IndexView(PackageView):
    """What this API is: OCDS 1.1 with the extensions used, and links to its packages."""

    @extend_schema(
        operation_id="ocds_index",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="Links.")},
    )
    def get(self, request):
        return Response(
            {
                "version": ocds.OCDS_VERSION,
                "extensions": list(ocds.EXTENSIONS.values()),
                "releases": reverse("api-ocds-releases-list", request=request),
                "records": reverse("api-ocds-records-list", request=request),
            }
        )


class ReleasePackageView(PackageView):
    """An OCDS 1.1 release package: every release of the contracting processes of the page."""

    @extend_schema(
        operation_id="ocds_releases",
        parameters=PARAMETERS,
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="An OCDS 1.1 release package, with links.next and links.prev.",
            )
        },
    )
    def get(self, request):
        processes, links = self.page(request)
        package = packages.release_package(processes, uri=request.build_absolute_uri())
        return Response({**package, "links": links} if links else package)


class RecordPackageView(PackageView):
    """An OCDS 1.1 record package: per contracting process, its releases and compiled release."""

    @extend_schema(
        operation_id="ocds_records",
        parameters=PARAMETERS,
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="An OCDS 1.1 record package, with links.next and links.prev.",
            )
        },
    )
    def get(self, request):
        processes, links = self.page(request)
        package = packages.record_package(processes, uri=request.build_absolute_uri())
        return Response({**package, "links": links} if links else package)
