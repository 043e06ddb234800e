"""OpenAPI schema building blocks shared by the apps' APIs (drf-spectacular)."""

from drf_spectacular.serializers import PolymorphicProxySerializerExtension
from drf_spectacular.utils import PolymorphicProxySerializer


class OverlappingViewsSerializer(PolymorphicProxySerializer):
    """An answer in one of several views of the same object, where one view may
    extend another (the provider's view of an accepted referral is the pending view
    plus the consented fields). Documented with ``anyOf``: ``oneOf``, which
    drf-spectacular's proxy writes, refuses an answer that matches two views.
    Used like the proxy, without a discriminator (``resource_type_field_name=None``)."""


class OverlappingViewsSerializerExtension(PolymorphicProxySerializerExtension):
    target_class = OverlappingViewsSerializer
    priority = 0  # above the proxy's own extension (-1)

    def map_serializer(self, auto_schema, direction):
        schema = super().map_serializer(auto_schema, direction)
        return {"anyOf": schema.pop("oneOf"), **schema}
