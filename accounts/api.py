"""API for the signed-in user and the organizations (public parties, as in OCDS)."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors
from accounts.models import Membership, Organization


class OrganizationSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = Organization
        fields = ["uuid", "kind", "name_zh", "name_en", "credit_code", "area", "parent"]


class MembershipSerializer(serializers.ModelSerializer):
    organization = OrganizationSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["organization", "role"]


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Agencies, providers and assessors; filter with ``?kind=agency``."""

    serializer_class = OrganizationSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "uuid"
    filterset_fields = ["kind"]

    def get_queryset(self):
        return selectors.organizations_visible_to(self.request.user).order_by("name_zh")


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    memberships = MembershipSerializer(many=True)


class MeView(APIView):
    """The signed-in user and their roles."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        data = {
            "username": user.username,
            "display_name": str(user),
            "memberships": list(selectors.memberships_of(user)),
        }
        return Response(MeSerializer(data).data)
