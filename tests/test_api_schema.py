"""The OpenAPI schema tells the truth about what read-only fields answer.

drf-spectacular documents a serializer field from the field, not from the model
behind it, and DRF builds read-only fields without ``allow_blank``, and leaves
``allow_null`` to whoever declares a field by hand. So a field over a nullable
foreign key answers ``null`` that the schema does not allow, and a blank choice
answers ``""`` outside the schema's enum (or its ``uri`` format). These tests read
every model serializer of the API and name each such field; `make api-fuzz`
(tests_api/) checks the real answers against the schema.
"""

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import get_resolver
from rest_framework import serializers

PROJECT_APPS = frozenset(
    {"core", "accounts", "places", "taxonomy", "providers", "marketplace", "contracts"}
    | {"referrals", "evaluation", "cms"}
)
# Fields whose schema has an enum, a format or a pattern: "" is outside it.
CONSTRAINED_STRINGS = (
    serializers.ChoiceField,
    serializers.URLField,
    serializers.EmailField,
    serializers.SlugField,
    serializers.RegexField,
)
# Fields that are lists: a nullable relation behind them answers [] rather than null.
LISTS = (serializers.ListSerializer, serializers.ManyRelatedField, serializers.ListField)


def api_model_serializers() -> list[type[serializers.ModelSerializer]]:
    """Every ModelSerializer of the project that the URLconf loads (so every API module)."""
    get_resolver().url_patterns  # noqa: B018 (imports every module the routes name)
    found, stack = set(), list(serializers.ModelSerializer.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_APPS:
            found.add(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def read_only_fields(cls):
    """(name, field, model) of the read-only fields the serializer answers with."""
    model = cls.Meta.model
    for name, field in cls().fields.items():
        if field.read_only and not isinstance(field, serializers.SerializerMethodField):
            yield name, field, model


def model_fields_along(model, source: str) -> list[models.Field] | None:
    """The model fields a dotted ``source`` passes through; None if it leaves the models
    (a property, a method) or follows a list (a reverse or many-to-many relation)."""
    path = []
    for part in source.split("."):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if field.one_to_many or field.many_to_many or field.auto_created:
            return None
        path.append(field)
        model = field.related_model
        if model is None:
            break
    return path


def label(cls, name: str) -> str:
    return f"{cls.__module__}.{cls.__qualname__}.{name}"


def test_the_model_serializers_are_found():
    names = {cls.__qualname__ for cls in api_model_serializers()}

    assert {"AreaSerializer", "ProviderSerializer", "ReferralSerializer"} <= names
    assert {"MilestoneSerializer", "ClaimableMilestoneSerializer", "AwardSerializer"} <= names


@pytest.mark.parametrize("cls", api_model_serializers(), ids=lambda cls: cls.__qualname__)
def test_a_read_only_field_over_a_nullable_model_field_is_declared_nullable(cls):
    undeclared = []
    for name, field, model in read_only_fields(cls):
        if field.source == "*" or isinstance(field, LISTS):
            continue
        path = model_fields_along(model, field.source)
        if path and any(step.null for step in path) and not field.allow_null:
            undeclared.append(label(cls, name))

    assert undeclared == [], (
        "These read-only fields answer null (a nullable model field is behind them) but "
        "their schema does not allow it: declare them with allow_null=True."
    )


@pytest.mark.parametrize("cls", api_model_serializers(), ids=lambda cls: cls.__qualname__)
def test_a_read_only_field_over_a_blank_model_field_admits_blank(cls):
    undeclared = []
    for name, field, model in read_only_fields(cls):
        if not isinstance(field, CONSTRAINED_STRINGS) or getattr(field, "allow_blank", True):
            continue
        path = model_fields_along(model, field.source)
        if path and isinstance(path[-1], models.CharField | models.TextField) and path[-1].blank:
            undeclared.append(label(cls, name))

    assert undeclared == [], (
        'These read-only fields answer "" (a blank model field is behind them) outside '
        "their schema's enum or format: DRF drops allow_blank from read-only fields, so "
        "give it back in Meta.extra_kwargs ({name: {'allow_blank': True}})."
    )
