"""API for the signed-in user, their API tokens and the organizations (public parties,
as in OCDS)."""

from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import selectors
from accounts.models import APIToken, Membership, Organization
from accounts.services import tokens as token_services


class OrganizationSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    parent = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)

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


class TokenRequestSerializer(AuthTokenSerializer):
    """Username and password (DRF's checks and messages), and a name for the new token."""

    token = None  # the key comes back in TokenResponse, never in a request
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=token_services.NAME_MAX_LENGTH,
        help_text=_("What the token is for, to recognise it in the list of your tokens."),
    )


@method_decorator(never_cache, name="post")  # the answer holds a key: no cache keeps it
class ObtainTokenView(APIView):
    """Exchange a username and password for a new API token (``Authorization: Token <key>``).

    Every call issues another token; each expires after ``API_TOKEN_TTL_DAYS`` days
    (``expiry``) and the key is shown only in this answer.
    """

    authentication_classes = []
    permission_classes = [permissions.AllowAny]  # public by design: this is the login
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer(
            "TokenResponse",
            {"token": serializers.CharField(), "expiry": serializers.DateTimeField()},
        ),
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, key = token_services.issue_api_token(
            user=serializer.validated_data["user"], name=serializer.validated_data.get("name", "")
        )
        return Response(
            {"token": key, "expiry": serializers.DateTimeField().to_representation(token.expiry)}
        )


class APITokenSerializer(serializers.ModelSerializer):
    key_start = serializers.CharField(
        read_only=True,
        help_text=_("The first characters of the key; the key itself is never shown."),
    )
    current = serializers.SerializerMethodField(
        help_text=_("Whether this is the token that authenticates this request.")
    )

    class Meta:
        model = APIToken
        fields = ["uuid", "name", "key_start", "created", "expiry", "current"]
        read_only_fields = fields

    def get_current(self, token) -> bool:
        request = self.context.get("request")
        return isinstance(getattr(request, "auth", None), APIToken) and (
            request.auth.pk == token.pk
        )


class APITokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your API tokens that still work, newest first. ``DELETE`` revokes one: from then
    on it gets 401. Nobody else's tokens are listed or found (404)."""

    serializer_class = APITokenSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "uuid"

    def get_queryset(self):
        return selectors.api_tokens_of(self.request.user)

    def perform_destroy(self, instance):
        token_services.revoke_api_token(token=instance, actor=self.request.user)
