"""JSON API of providers, services, sites and capacity under /api/v1/.

Anyone may read what the public directory shows: verified providers, their
sites, and services that are offered and confirmed within 180 days. Writes
come only from the provider's own administrators and staff, and they can
reach only their own provider's objects: the queryset for a write is scoped
to their provider, so another provider's service or site answers 404. Every
write goes through ``providers.services``; its ``ApplicationError`` becomes a
400 with field errors in ``core.api.exception_handler``.
"""

import django_filters
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from places import codes
from places.models import Area
from providers import selectors
from providers.models import MAX_PLACES, Provider, Service, ServiceAtSite, Site
from providers.rules import can_manage_services
from providers.services import capacity as capacity_services
from providers.services import listings as listing_services
from providers.services import sites as site_services
from taxonomy import selectors as taxonomy_selectors

# --- permissions ---------------------------------------------------------------


def provider_of_request(request) -> Provider | None:
    """The provider the requesting user works for, looked up once per request."""
    if not hasattr(request, "_own_provider"):
        user = request.user
        request._own_provider = (
            selectors.provider_of(user) if user and user.is_authenticated else None
        )
    return request._own_provider


class PublicReadProviderWrite(permissions.BasePermission):
    """Anyone reads; only a provider's administrators and staff write (to their own objects)."""

    message = _("Only staff of a provider can change its services and sites.")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if not request.user or not request.user.is_authenticated:
            return False
        provider = provider_of_request(request)
        return provider is not None and can_manage_services.test(request.user, provider)


class ProviderWriteMixin:
    """Reads from the public selector, writes within the user's own provider."""

    def own_provider(self) -> Provider:
        provider = provider_of_request(self.request)
        if provider is None:  # the permission class already refused; defensive
            raise Http404
        return provider

    @property
    def is_write(self) -> bool:
        return self.request.method not in permissions.SAFE_METHODS


# --- providers -------------------------------------------------------------------


def district_code_of(area: Area | None) -> str | None:
    """The 12-digit code of the district holding ``area`` (the area itself if a district)."""
    if area is None or area.level < Area.Level.DISTRICT:
        return None
    return area.code[:6].ljust(codes.FULL_LENGTH, "0")


class ProviderSerializer(serializers.ModelSerializer):
    name_zh = serializers.CharField(source="organization.name_zh", read_only=True)
    name_en = serializers.CharField(source="organization.name_en", read_only=True)
    credit_code = serializers.CharField(
        source="organization.credit_code", read_only=True, allow_null=True
    )
    district = serializers.SerializerMethodField(
        help_text=_("12-digit GB/T 2260 code of the provider's district")
    )

    class Meta:
        model = Provider
        fields = [
            "uuid",
            "name_zh",
            "name_en",
            "credit_code",
            "legal_form",
            "nature",
            # The grade with its standing: only a "verified" grade counts anywhere;
            # a "declared" one is the provider's claim, its certificate not yet checked.
            "grade",
            "grade_status",
            "grade_source",
            "certified_social_workers",
            "staff_count",
            "description_zh",
            "description_en",
            "website",
            "public_email",
            "public_phone",
            "district",
            "verified_at",
        ]
        read_only_fields = fields
        # DRF drops ``allow_blank`` from read-only fields; these answer "" until filled
        # in, and the schema must say so (an enum or a format does not allow "").
        extra_kwargs = {
            name: {"allow_blank": True} for name in ("grade_source", "website", "public_email")
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_district(self, provider) -> str | None:
        return district_code_of(provider.organization.area)


class ProviderViewSet(viewsets.ReadOnlyModelViewSet):
    """Verified providers of the public directory; any other provider answers 404."""

    serializer_class = ProviderSerializer
    permission_classes = [permissions.AllowAny]  # public by design: the directory's providers
    lookup_field = "uuid"

    def get_queryset(self):
        return selectors.public_providers().order_by("organization__name_zh", "pk")


# --- services --------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class TierCodeField(serializers.SlugRelatedField):
    """A service tier by its code (survival, development, opportunity); see /service-tiers/."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)


class CapacitySerializer(serializers.Serializer):
    """Free places and waiting list, with when they were last updated."""

    free_slots = serializers.IntegerField(read_only=True)
    waitlist_length = serializers.IntegerField(read_only=True)
    capacity_updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    capacity_stale = serializers.SerializerMethodField(
        help_text=_("True when capacity has not been updated for more than 7 days")
    )

    def get_capacity_stale(self, service) -> bool:
        return service.capacity_is_stale(self.context.get("now"))


class ServiceSerializer(serializers.ModelSerializer):
    """A service as the directory shows it (output)."""

    provider = serializers.UUIDField(source="provider.uuid", read_only=True)
    categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    tier = TierCodeField(read_only=True)
    areas_covered = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    sites = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    required_statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.AssistanceStatus.choices), read_only=True
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.Language.choices), read_only=True
    )
    capacity = CapacitySerializer(source="*", read_only=True)

    class Meta:
        model = Service
        fields = [
            "uuid",
            "provider",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "categories",
            "tier",
            "min_age",
            "max_age",
            "gender",
            "household_registration",
            "required_statuses",
            "fee_kind",
            "fee_amount",
            "fee_note",
            "languages",
            "at_site",
            "home_visit",
            "remote",
            "areas_covered",
            "sites",
            "is_active",
            "accepting_referrals",
            "capacity",
            "last_confirmed_at",
        ]
        read_only_fields = fields


class ServiceInputSerializer(serializers.Serializer):
    """What a provider sends to create or change a service; unsent fields stay as they are."""

    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=250, required=False, allow_blank=True)
    description_zh = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    categories = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        # Services name categories, not whole groups (a group has categories of its own).
        queryset=taxonomy_selectors.active_categories().filter(
            Q(parent__isnull=False) | Q(children__isnull=True)
        ),
        help_text=_("Need category codes, e.g. social-services.elderly-care"),
    )
    tier = TierCodeField(queryset=taxonomy_selectors.service_tiers())
    min_age = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    max_age = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    gender = serializers.ChoiceField(choices=Service.Gender.choices, required=False)
    household_registration = serializers.ChoiceField(
        choices=Service.HouseholdRegistration.choices, required=False
    )
    required_statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.AssistanceStatus.choices), required=False
    )
    fee_kind = serializers.ChoiceField(choices=Service.FeeKind.choices, required=False)
    fee_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    fee_note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.Language.choices), required=False
    )
    at_site = serializers.BooleanField(required=False)
    home_visit = serializers.BooleanField(required=False)
    remote = serializers.BooleanField(required=False)
    areas_covered = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        queryset=Area.objects.all(),
        required=False,
        help_text=_("12-digit GB/T 2260 codes of the districts or streets covered"),
    )
    sites = serializers.SlugRelatedField(
        slug_field="uuid",
        many=True,
        queryset=Site.objects.none(),
        required=False,
        help_text=_("UUIDs of your own organization's sites"),
    )
    is_active = serializers.BooleanField(required=False)
    accepting_referrals = serializers.BooleanField(required=False)

    def __init__(self, *args, provider: Provider | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the provider's own sites can be named; another's answers "does not exist".
        self.fields["sites"].child_relation.queryset = (
            Site.objects.filter(provider=provider) if provider else Site.objects.none()
        )


class CapacityInputSerializer(serializers.Serializer):
    free_slots = serializers.IntegerField(min_value=0, max_value=MAX_PLACES)
    waitlist_length = serializers.IntegerField(min_value=0, max_value=MAX_PLACES)


class ServiceFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(
        method="filter_category",
        label=_("Need category code; a group's code includes its categories"),
    )
    district = django_filters.CharFilter(
        method="filter_district",
        label=_("District code (6 or 12 digits): services covering it or with a site there"),
    )
    accepting_referrals = django_filters.BooleanFilter(label=_("Accepting referrals"))
    has_capacity = django_filters.BooleanFilter(
        method="filter_has_capacity", label=_("Has free places")
    )

    class Meta:
        model = Service
        fields = ["category", "district", "accepting_referrals", "has_capacity"]

    def filter_category(self, queryset, name, value):
        links = Service.categories.through.objects.filter(
            Q(needcategory__code=value) | Q(needcategory__parent__code=value)
        )
        return queryset.filter(pk__in=links.values("service_id"))

    def filter_district(self, queryset, name, value):
        code = codes.normalize(value)
        if code is None:
            return queryset.none()
        prefix = codes.significant_prefix(code)
        covered = Service.areas_covered.through.objects.filter(area__code__startswith=prefix)
        at_sites = ServiceAtSite.objects.filter(site__district__code__startswith=prefix)
        return queryset.filter(
            Q(pk__in=covered.values("service_id")) | Q(pk__in=at_sites.values("service_id"))
        )

    def filter_has_capacity(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(free_slots__gt=0) if value else queryset.filter(free_slots=0)


@extend_schema_view(
    create=extend_schema(request=ServiceInputSerializer, responses={201: ServiceSerializer}),
    partial_update=extend_schema(request=ServiceInputSerializer, responses=ServiceSerializer),
)
class ServiceViewSet(
    ProviderWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Services of the public directory (offered, confirmed within 180 days, verified provider).

    Filter with ``?category=social-services.elderly-care``, ``?district=310115``,
    ``?accepting_referrals=true`` and ``?has_capacity=true``. A provider's own
    staff create services (POST) and change them (PATCH), update capacity and
    confirm a listing.
    """

    serializer_class = ServiceSerializer
    permission_classes = [PublicReadProviderWrite]
    filterset_class = ServiceFilter
    lookup_field = "uuid"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Service.objects.none()
        if self.is_write:
            return selectors.services_of(self.own_provider()).select_related("provider")
        return selectors.public_service_details().order_by("name_zh", "pk")

    def filter_queryset(self, queryset):
        # Filters narrow the public list; a write addresses one of the provider's own.
        if self.is_write:
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def _output(self, service: Service, status_code=status.HTTP_200_OK) -> Response:
        fresh = (
            selectors.services_of(service.provider).select_related("provider").get(pk=service.pk)
        )
        return Response(
            ServiceSerializer(fresh, context=self.get_serializer_context()).data,
            status=status_code,
        )

    def create(self, request, *args, **kwargs):
        provider = self.own_provider()
        serializer = ServiceInputSerializer(data=request.data, provider=provider)
        serializer.is_valid(raise_exception=True)
        service = listing_services.save_service(
            provider=provider, actor=request.user, **serializer.validated_data
        )
        return self._output(service, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        service = self.get_object()
        serializer = ServiceInputSerializer(
            data=request.data, partial=True, provider=service.provider
        )
        serializer.is_valid(raise_exception=True)
        service = listing_services.save_service(
            provider=service.provider,
            actor=request.user,
            service=service,
            **serializer.validated_data,
        )
        return self._output(service)

    @extend_schema(request=CapacityInputSerializer, responses=ServiceSerializer)
    @action(detail=True, methods=["post"])
    def capacity(self, request, *args, **kwargs):
        """Set free places and waiting list in one action (this also confirms the listing)."""
        service = self.get_object()
        serializer = CapacityInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service = capacity_services.update_capacity(
            service=service, actor=request.user, **serializer.validated_data
        )
        return self._output(service)

    @extend_schema(request=None, responses=ServiceSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, *args, **kwargs):
        """Confirm the listing is still correct (it stays in the directory 180 more days)."""
        service = listing_services.confirm_service(service=self.get_object(), actor=request.user)
        return self._output(service)


# --- sites -----------------------------------------------------------------------


class SiteSerializer(serializers.ModelSerializer):
    provider = serializers.UUIDField(source="provider.uuid", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Site
        fields = [
            "uuid",
            "provider",
            "name_zh",
            "name_en",
            "address",
            "area",
            "district",
            "latitude",
            "longitude",
            "geocode_precision",
            "opening_hours_zh",
            "opening_hours_en",
            "wheelchair_accessible",
            "accessible_toilet",
            "hearing_support",
            "accessibility_notes",
            "phone",
        ]
        read_only_fields = fields


class SiteInputSerializer(serializers.Serializer):
    """A site's details; the address is geocoded, a latitude and longitude given together win."""

    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=250, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300)
    latitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
        allow_null=True,
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        allow_null=True,
    )
    opening_hours_zh = serializers.CharField(max_length=300, required=False, allow_blank=True)
    opening_hours_en = serializers.CharField(max_length=300, required=False, allow_blank=True)
    wheelchair_accessible = serializers.BooleanField(required=False)
    accessible_toilet = serializers.BooleanField(required=False)
    hearing_support = serializers.BooleanField(required=False)
    accessibility_notes = serializers.CharField(max_length=300, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)

    def validate(self, attrs):
        latitude, longitude = attrs.get("latitude"), attrs.get("longitude")
        if (latitude is None) != (longitude is None):
            missing = "latitude" if latitude is None else "longitude"
            raise serializers.ValidationError(
                {missing: [_("Give both latitude and longitude, or neither.")]}
            )
        return attrs


@extend_schema_view(
    create=extend_schema(request=SiteInputSerializer, responses={201: SiteSerializer}),
    partial_update=extend_schema(request=SiteInputSerializer, responses=SiteSerializer),
)
class SiteViewSet(
    ProviderWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Sites of verified providers; a provider's own staff add (POST) and change (PATCH) theirs."""

    serializer_class = SiteSerializer
    permission_classes = [PublicReadProviderWrite]
    lookup_field = "uuid"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Site.objects.none()
        if self.is_write:
            return selectors.sites_of(self.own_provider()).select_related("provider")
        return selectors.public_sites()

    def _output(self, site: Site, status_code=status.HTTP_200_OK) -> Response:
        fresh = selectors.sites_of(site.provider).select_related("provider").get(pk=site.pk)
        return Response(SiteSerializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        provider = self.own_provider()
        serializer = SiteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        site = site_services.save_site(
            provider=provider, actor=request.user, **serializer.validated_data
        )
        return self._output(site, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        site = self.get_object()
        serializer = SiteInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        site = site_services.save_site(
            provider=site.provider, actor=request.user, site=site, **serializer.validated_data
        )
        return self._output(site)
