"""Contract versions and their signatures: ``/contracts/{uuid}/versions/`` and
``/contracts/{uuid}/versions/{number}/``.

Each version is what the parties sign; earlier versions stay readable. A signature
shows the party, its organization and when it was signed — never the IP address it
came from, and the signatory's name only to the two parties.

Signing is not offered over the API: a signatory signs on the contract's page, after
entering their password again, the exact PDF they were shown.
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.api.common import PartySerializer, is_party
from contracts.models.contracts import ContractVersion
from contracts.models.documents import ContractDocument, Signature
from contracts.selectors import records

# Said in the schema of every endpoint that shows signatures.
SIGNING_NOT_OFFERED = (
    "Signing is not offered over the API: each party's signatory signs on the contract's "
    "page, after entering their password again."
)


class SignatureSerializer(serializers.ModelSerializer):
    """One party's signature; ``signer_name`` is present for the parties only."""

    organization = PartySerializer(read_only=True)
    signer_name = serializers.CharField(read_only=True, required=False)

    class Meta:
        model = Signature
        fields = ["party", "organization", "signed_at", "signer_name"]
        read_only_fields = fields

    def to_representation(self, signature):
        data = super().to_representation(signature)
        if not self.context.get("is_party"):
            data.pop("signer_name", None)
        return data


class ContractDocumentSerializer(serializers.ModelSerializer):
    """The version's PDF: whether it is ready, and the hash of the file as it stands."""

    class Meta:
        model = ContractDocument
        fields = ["status", "page_count", "sha256", "rendered_at"]
        read_only_fields = fields


class ContractVersionSerializer(serializers.ModelSerializer):
    document = serializers.SerializerMethodField()
    signatures = SignatureSerializer(many=True, read_only=True)

    class Meta:
        model = ContractVersion
        fields = [
            "number",
            "status",
            "status_changed_at",
            "summary",
            "reason",
            "value",
            "end_date",
            "changes",
            "signed_at",
            "created_at",
            "document",
            "signatures",
        ]
        read_only_fields = fields

    @extend_schema_field(ContractDocumentSerializer(allow_null=True))
    def get_document(self, version):
        try:
            document = version.document
        except ContractDocument.DoesNotExist:
            return None
        return ContractDocumentSerializer(document).data


VERSION_NUMBER_PARAMETER = OpenApiParameter(
    "number", OpenApiTypes.INT, OpenApiParameter.PATH, description="The version's number (1, 2…)."
)


def _versions(user, contract):
    return (
        records.versions_visible_to(user)
        .filter(contract=contract)
        .prefetch_related("signatures__organization")
    )


class ContractVersionActions:
    """``/contracts/{uuid}/versions/``: the versions of a contract and who signed each."""

    @extend_schema(
        responses=ContractVersionSerializer(many=True),
        operation_id="contract_versions",
        description=f"Every version of the contract's terms, with its signatures. "
        f"{SIGNING_NOT_OFFERED}",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def versions(self, request, *args, **kwargs):
        contract = self.get_object()
        context = {"request": request, "is_party": is_party(request.user, contract)}
        return Response(
            ContractVersionSerializer(
                _versions(request.user, contract), many=True, context=context
            ).data
        )

    @extend_schema(
        responses=ContractVersionSerializer,
        parameters=[VERSION_NUMBER_PARAMETER],
        operation_id="contract_version",
        description=f"One version of the contract's terms, with its signatures. "
        f"{SIGNING_NOT_OFFERED}",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<number>[0-9]{1,5})",
        url_name="version",
        filter_backends=[],
        pagination_class=None,
    )
    def version(self, request, *args, number=None, **kwargs):
        contract = self.get_object()
        version = _versions(request.user, contract).filter(number=int(number)).first()
        if version is None:
            raise Http404
        context = {"request": request, "is_party": is_party(request.user, contract)}
        return Response(ContractVersionSerializer(version, context=context).data)


ROUTES: list = []  # versions hang off the contract (``ContractViewSet``)
