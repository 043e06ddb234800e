"""Tenders: ``/api/v1/tenders/``, public once published, written by the lead agency."""

import django_filters
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import Organization
from marketplace.api.awards import TenderAwardActions
from marketplace.api.bids import TenderBidActions
from marketplace.api.clarifications import TenderClarificationActions
from marketplace.api.common import (
    TENDER_ID_PARAMETER,
    TENDER_LOOKUP_PATTERN,
    UUID_PATTERN,
    CodeField,
    OrganizationReferenceSerializer,
    ReasonInputSerializer,
    areas_field,
    categories_field,
    commissioner_agency,
    uuid_or_none,
)
from marketplace.api.panels import TenderPanelActions
from marketplace.models.budgets import PooledBudget
from marketplace.models.tenders import Amendment, Criterion, Lot, Tender, TenderDocument
from marketplace.selectors import budgets as budget_selectors
from marketplace.selectors import tenders as tender_selectors
from marketplace.services import tenders as tender_services
from places import codes
from providers.selectors import ProviderGrade


class LotSerializer(serializers.ModelSerializer):
    categories = CodeField(many=True, read_only=True)
    areas = CodeField(many=True, read_only=True)

    class Meta:
        model = Lot
        fields = [
            "uuid",
            "number",
            "title_zh",
            "title_en",
            "description_zh",
            "description_en",
            "max_value",
            "categories",
            "areas",
        ]
        read_only_fields = fields


class CriterionSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(
        source="order", read_only=True, help_text=_("Bids and scores refer to it by this number")
    )

    class Meta:
        model = Criterion
        fields = ["number", "kind", "name_zh", "name_en", "description", "weight"]
        read_only_fields = fields


class TenderDocumentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = TenderDocument
        fields = ["uuid", "title", "url", "uploaded_at"]
        read_only_fields = fields

    def get_url(self, document) -> str:
        request = self.context.get("request")
        url = document.file.url
        return request.build_absolute_uri(url) if request else url


class AmendmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Amendment
        fields = [
            "number",
            "summary_zh",
            "summary_en",
            "is_material",
            "changes",
            "previous_submission_deadline",
            "new_submission_deadline",
            "created_at",
        ]
        read_only_fields = fields


class EligibilitySerializer(serializers.ModelSerializer):
    """Who may bid; checked automatically when a bid is submitted."""

    class Meta:
        model = Tender
        fields = [
            "require_verified",
            "min_grade",
            "require_area_presence",
            "min_certified_social_workers",
            "require_valid_documents",
        ]
        read_only_fields = fields


class TenderSerializer(serializers.ModelSerializer):
    """A tender as the public notice shows it (drafts only to their agency)."""

    lead_agency = OrganizationReferenceSerializer(read_only=True)
    budget = serializers.UUIDField(source="budget.uuid", read_only=True)
    categories = CodeField(many=True, read_only=True)
    areas = CodeField(many=True, read_only=True)
    eligibility = EligibilitySerializer(source="*", read_only=True)
    lots = LotSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)
    bids_sealed = serializers.SerializerMethodField(
        help_text=_("True until the deadline for bids has passed: until then bids are sealed")
    )

    class Meta:
        model = Tender
        fields = [
            "uuid",
            "reference",
            "title_zh",
            "title_en",
            "description_zh",
            "description_en",
            "status",
            "status_changed_at",
            "lead_agency",
            "budget",
            "max_value",
            "procurement_method",
            "categories",
            "areas",
            "eligibility",
            "publish_at",
            "enquiry_deadline",
            "submission_deadline",
            "award_date_planned",
            "contract_start",
            "contract_end",
            "standstill_days",
            "standstill_ends_at",
            "cancellation_reason",
            "bids_sealed",
            "lots",
            "criteria",
        ]
        read_only_fields = fields

    def get_bids_sealed(self, tender) -> bool:
        return tender.bids_are_sealed(self.context.get("now"))


class TenderDetailSerializer(TenderSerializer):
    """A tender with its documents and amendments."""

    documents = TenderDocumentSerializer(many=True, read_only=True)
    amendments = AmendmentSerializer(many=True, read_only=True)

    class Meta(TenderSerializer.Meta):
        fields = [*TenderSerializer.Meta.fields, "documents", "amendments"]
        read_only_fields = fields


class CriterionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Criterion.Kind.choices)
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=250, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    weight = serializers.IntegerField(help_text=_("Weight in %; the weights add up to 100"))


class LotInputSerializer(serializers.Serializer):
    title_zh = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=250, required=False, allow_blank=True)
    description_zh = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    max_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    categories = categories_field(required=False)
    areas = areas_field(required=False)


class TenderFieldsSerializer(serializers.Serializer):
    """The tender's own fields, as drafting and amending take them."""

    title_zh = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=250, required=False, allow_blank=True)
    description_zh = serializers.CharField()
    description_en = serializers.CharField(required=False, allow_blank=True)
    max_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    require_verified = serializers.BooleanField(required=False)
    min_grade = serializers.ChoiceField(
        choices=ProviderGrade.choices, required=False, allow_null=True
    )
    require_area_presence = serializers.BooleanField(required=False)
    min_certified_social_workers = serializers.IntegerField(
        min_value=0, max_value=1000, required=False
    )
    require_valid_documents = serializers.BooleanField(required=False)
    enquiry_deadline = serializers.DateTimeField()
    submission_deadline = serializers.DateTimeField()
    award_date_planned = serializers.DateField(required=False, allow_null=True)
    contract_start = serializers.DateField()
    contract_end = serializers.DateField()
    standstill_days = serializers.IntegerField(min_value=0, max_value=60, required=False)
    categories = categories_field()
    areas = areas_field()


class TenderInputSerializer(TenderFieldsSerializer):
    """A new tender, or (with PATCH) changes to a draft."""

    lead_agency = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=Organization.objects.filter(kind=Organization.Kind.AGENCY),
        required=False,
        help_text=_("UUID of the agency buying; default: your only agency"),
    )
    budget = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=PooledBudget.objects.none(),
        help_text=_("UUID of the pooled budget paying for it"),
    )
    reference = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text=_("Leave out to number it automatically, e.g. 310115-2026-0007"),
    )
    procurement_method = serializers.ChoiceField(
        choices=Tender.ProcurementMethod.choices, required=False
    )
    publish_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text=_("Leave empty to publish when you press publish"),
    )
    criteria = CriterionInputSerializer(many=True)
    lots = LotInputSerializer(
        many=True, required=False, help_text=_("Leave out for one lot covering the whole tender")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["budget"].queryset = budget_selectors.budgets_visible_to(user)


class TenderChangesSerializer(TenderInputSerializer):
    """Changes to a draft: any of the fields of a new tender except agency, budget, reference."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lead_agency", "budget", "reference"):
            self.fields.pop(name)


class AmendedValuesSerializer(TenderFieldsSerializer):
    """The fields an amendment may change (only those sent change)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class AmendmentInputSerializer(serializers.Serializer):
    summary = serializers.CharField(
        allow_blank=True, help_text=_("What changes, in Chinese: bidders read it")
    )
    summary_en = serializers.CharField(required=False, allow_blank=True)
    is_material = serializers.BooleanField(
        help_text=_(
            "A change that could change what bidders offer or who may bid; close to the "
            "deadline it extends the deadline and submitted bids must be reconfirmed"
        )
    )
    new_values = AmendedValuesSerializer()


class DocumentInputSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    file = serializers.FileField(help_text=_("PDF, PNG or JPEG"))


DOCUMENT_PARAMETER = OpenApiParameter(
    "document", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The document's UUID."
)


class TenderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Tender.Status.choices)
    category = django_filters.CharFilter(
        method="filter_category",
        label=_("Need category code; a group's code includes its categories"),
    )
    area = django_filters.CharFilter(
        method="filter_area",
        label=_("Area code (2 to 12 digits): tenders in the area, inside it or covering it"),
    )
    agency = django_filters.UUIDFilter(field_name="lead_agency__uuid", label=_("Lead agency UUID"))

    class Meta:
        model = Tender
        fields = ["status", "category", "area", "agency"]

    def filter_category(self, queryset, name, value):
        links = Tender.categories.through.objects.filter(
            Q(needcategory__code=value) | Q(needcategory__parent__code=value)
        )
        return queryset.filter(pk__in=links.values("tender_id"))

    def filter_area(self, queryset, name, value):
        code = codes.normalize(value)
        if code is None:
            return queryset.none()
        # A tender for the whole city covers each of its districts, and a tender
        # for a street is inside its district.
        links = Tender.areas.through.objects.filter(
            Q(area__code__startswith=codes.significant_prefix(code))
            | Q(area__code__in=codes.parent_candidates(code))
        )
        return queryset.filter(pk__in=links.values("tender_id"))


@extend_schema_view(
    list=extend_schema(responses=TenderSerializer(many=True)),
    retrieve=extend_schema(responses=TenderDetailSerializer, parameters=[TENDER_ID_PARAMETER]),
    create=extend_schema(request=TenderInputSerializer, responses={201: TenderDetailSerializer}),
    partial_update=extend_schema(
        request=TenderChangesSerializer,
        responses=TenderDetailSerializer,
        parameters=[TENDER_ID_PARAMETER],
    ),
)
class TenderViewSet(
    TenderClarificationActions,
    TenderBidActions,
    TenderPanelActions,
    TenderAwardActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Published tenders for everyone, drafts for their own agency.

    Filter with ``?status=tendering``, ``?category=social-services.elderly-care``,
    ``?area=310115`` and ``?agency=<uuid>``. Address one by UUID or reference.
    Commissioners of the lead agency create (POST), change a draft (PATCH),
    publish, amend, cancel or close unsuccessful.
    """

    serializer_class = TenderSerializer
    # Public by design for reads (published notices); every write is checked again
    # by the service against the lead agency's commissioners.
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filterset_class = TenderFilter
    lookup_field = "reference"
    lookup_url_kwarg = "id"
    lookup_value_regex = TENDER_LOOKUP_PATTERN
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Tender.objects.none()
        return self._tenders(detail=self.action != "list")

    def _tenders(self, *, detail: bool):
        tenders = tender_selectors.tenders_visible_to(self.request.user).prefetch_related(
            "lots__categories", "lots__areas", "criteria"
        )
        if detail:
            tenders = tenders.prefetch_related(
                "documents", Prefetch("amendments", Amendment.objects.order_by("number"))
            )
        return tenders

    def get_object(self):
        value = self.kwargs[self.lookup_url_kwarg]
        as_uuid = uuid_or_none(value)
        lookup = Q(uuid=as_uuid) if as_uuid else Q(reference=value)
        tender = self.get_queryset().filter(lookup).first()
        if tender is None:
            raise Http404
        self.check_object_permissions(self.request, tender)
        return tender

    def filter_queryset(self, queryset):
        # Filters narrow the list; one tender is found by its identifier alone.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_class(self):
        return TenderSerializer if self.action == "list" else TenderDetailSerializer

    def _output(self, tender: Tender, status_code=status.HTTP_200_OK) -> Response:
        fresh = self._tenders(detail=True).get(pk=tender.pk)
        return Response(
            TenderDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=status_code,
        )

    def create(self, request, *args, **kwargs):
        serializer = TenderInputSerializer(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lead_agency = commissioner_agency(request.user, data.pop("lead_agency", None))
        tender = tender_services.create_tender(
            lead_agency=lead_agency,
            actor=request.user,
            criteria=[dict(criterion) for criterion in data.pop("criteria")],
            lots=[dict(lot) for lot in data.pop("lots")] if "lots" in data else None,
            **data,
        )
        return self._output(tender, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        tender = self.get_object()
        serializer = TenderChangesSerializer(data=request.data, partial=True, user=request.user)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "criteria" in data:
            data["criteria"] = [dict(criterion) for criterion in data["criteria"]]
        if "lots" in data:
            data["lots"] = [dict(lot) for lot in data["lots"]]
        tender = tender_services.update_tender(tender=tender, actor=request.user, **data)
        return self._output(tender)

    @extend_schema(request=None, responses=TenderDetailSerializer, parameters=[TENDER_ID_PARAMETER])
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        """Publish a draft now, or schedule it when its publication time is in the future."""
        tender = tender_services.publish_tender(tender=self.get_object(), actor=request.user)
        return self._output(tender)

    @extend_schema(
        request=AmendmentInputSerializer,
        responses=TenderDetailSerializer,
        parameters=[TENDER_ID_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def amend(self, request, *args, **kwargs):
        """Publish a numbered change to an open tender; bidders see what changed."""
        tender = self.get_object()
        serializer = AmendmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tender_services.amend_tender(
            tender=tender,
            summary=data["summary"],
            summary_en=data.get("summary_en", ""),
            is_material=data["is_material"],
            new_values=dict(data["new_values"]),
            actor=request.user,
        )
        return self._output(tender)

    @extend_schema(
        request=ReasonInputSerializer,
        responses=TenderDetailSerializer,
        parameters=[TENDER_ID_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        """Cancel a draft or open tender, with a reason that is published."""
        tender = self.get_object()
        serializer = ReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tender_services.cancel_tender(
            tender=tender, reason=serializer.validated_data["reason"], actor=request.user
        )
        return self._output(tender)

    @extend_schema(
        request=ReasonInputSerializer,
        responses=TenderDetailSerializer,
        parameters=[TENDER_ID_PARAMETER],
    )
    @action(detail=True, methods=["post"])
    def unsuccessful(self, request, *args, **kwargs):
        """Close an open tender without an award, with a reason that is published."""
        tender = self.get_object()
        serializer = ReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tender_services.mark_unsuccessful(
            tender=tender, reason=serializer.validated_data["reason"], actor=request.user
        )
        return self._output(tender)

    @extend_schema(
        request={"multipart/form-data": DocumentInputSerializer},
        responses={201: TenderDetailSerializer},
        parameters=[TENDER_ID_PARAMETER],
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request, *args, **kwargs):
        """Add a document (PDF or image) to a draft or open tender; public once published."""
        tender = self.get_object()
        serializer = DocumentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tender_services.add_tender_document(
            tender=tender,
            title=serializer.validated_data["title"],
            uploaded_file=serializer.validated_data["file"],
            actor=request.user,
        )
        return self._output(tender, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[TENDER_ID_PARAMETER, DOCUMENT_PARAMETER],
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=rf"documents/(?P<document>{UUID_PATTERN})",
    )
    def remove_document(self, request, *args, document=None, **kwargs):
        """Remove a document from a draft (a published tender's documents stay on record)."""
        tender = self.get_object()
        found = next((d for d in tender.documents.all() if str(d.uuid) == document.lower()), None)
        if found is None:
            raise Http404
        tender_services.remove_tender_document(document=found, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
