"""Read-only JSON API of administrative areas: ``/api/v1/areas/`` and ``/api/v1/areas/<code>/``.

Areas are public reference data (the state publishes the code list), so
anyone may read them without signing in.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets

from places import selectors
from places.filters import AreaFilter
from places.models import Area


class AreaSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("Name in the requested language"))
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Area
        fields = [
            "code",
            "name",
            "name_zh",
            "name_en",
            "level",
            "level_label",
            "parent",
            "latitude",
            "longitude",
        ]


@extend_schema_view(
    retrieve=extend_schema(
        parameters=[
            OpenApiParameter(
                "code", str, OpenApiParameter.PATH, description=_("GB/T 2260 code, 6-12 digits")
            )
        ]
    )
)
class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    """Provinces, cities, districts and streets of China with their GB/T 2260 codes.

    Filter with ``?level=district``, ``?parent=310100`` and ``?q=浦东``.
    """

    serializer_class = AreaSerializer
    permission_classes = [permissions.AllowAny]  # public by design: official reference data
    filterset_class = AreaFilter
    lookup_field = "code"
    lookup_value_regex = r"\d{6}|\d{9}|\d{12}"

    def get_queryset(self):
        return selectors.areas()

    def get_object(self):
        # Six- and nine-digit codes are accepted too, so look up through the selector.
        area = selectors.area_by_code(self.kwargs[self.lookup_field])
        if area is None:
            raise Http404
        return area
