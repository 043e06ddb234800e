"""Read-only JSON API of the shared vocabulary: ``/api/v1/need-categories/`` and
``/api/v1/service-tiers/``, each also by code (``/api/v1/need-categories/basic-living.dibao/``).

Anyone may read them without signing in: they are the public vocabulary of
the directory, the tenders and the statistics.
"""

from rest_framework import permissions, serializers, viewsets

from taxonomy import selectors
from taxonomy.filters import NeedCategoryFilter
from taxonomy.models import NeedCategory, ServiceTier


class NeedCategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = NeedCategory
        fields = [
            "code",
            "name",
            "name_zh",
            "name_en",
            "description",
            "description_zh",
            "description_en",
            "parent",
            "sort_order",
            "open_eligibility_code",
        ]


class ServiceTierSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)

    class Meta:
        model = ServiceTier
        fields = [
            "code",
            "name",
            "name_zh",
            "name_en",
            "description",
            "description_zh",
            "description_en",
            "sort_order",
        ]


class NeedCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Active need categories in tree order: each group, then its categories.

    Filter with ``?group=basic-living``, ``?top_level=true`` or ``?q=救助``.
    """

    serializer_class = NeedCategorySerializer
    permission_classes = [permissions.AllowAny]  # public by design: shared vocabulary
    filterset_class = NeedCategoryFilter
    lookup_field = "code"
    # Codes contain dots (basic-living.dibao), which the router's default pattern refuses.
    lookup_value_regex = r"[a-z0-9]+(?:[.-][a-z0-9]+)*"

    def get_queryset(self):
        return selectors.active_categories()


class ServiceTierViewSet(viewsets.ReadOnlyModelViewSet):
    """Service tiers: survival, development, opportunity."""

    serializer_class = ServiceTierSerializer
    permission_classes = [permissions.AllowAny]  # public by design: shared vocabulary
    lookup_field = "code"
    lookup_value_regex = "[a-z]+"

    def get_queryset(self):
        return selectors.service_tiers()
