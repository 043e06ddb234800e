"""The provider lifecycle, walked from its table: every move the table allows happens
through its public service (with its audit entry), and every move it does not
allow raises ``InvalidTransition``, through the services and through
``core.lifecycle.move`` itself."""

import pytest

from accounts.models import Role
from core.errors import InvalidTransition
from core.lifecycle import move
from core.models import AuditEvent
from providers.models import PROVIDER_LIFECYCLE, PROVIDER_TRANSITIONS, Provider
from providers.services import verification
from tests.factories.accounts import user_with_role
from tests.factories.providers import ProviderDocumentFactory, ProviderFactory, provider_admin_of
from tests.providers._registration_factories import private_files  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]

Status = Provider.Status
REASON = "请补充年度报告。 / Please add the annual report."


def by_the_administrator(service):
    def call(provider):
        return service(provider=provider, actor=provider_admin_of(provider))

    return call


def by_a_verifier(service, *, reason=None):
    def call(provider):
        arguments = {"provider": provider, "actor": user_with_role(Role.PLATFORM_ADMIN)}
        if reason is not None:
            arguments["reason"] = reason
        return service(**arguments)

    return call


# The public service that makes each move of the table.
SERVICE_OF_MOVE = {
    (Status.DRAFT, Status.SUBMITTED): by_the_administrator(verification.submit_provider),
    (Status.REJECTED, Status.SUBMITTED): by_the_administrator(verification.submit_provider),
    (Status.SUBMITTED, Status.VERIFIED): by_a_verifier(verification.verify_provider),
    (Status.SUBMITTED, Status.REJECTED): by_a_verifier(verification.reject_provider, reason=REASON),
    (Status.VERIFIED, Status.SUSPENDED): by_a_verifier(
        verification.suspend_provider, reason=REASON
    ),
    (Status.VERIFIED, Status.DEBARRED): by_a_verifier(verification.debar_provider, reason=REASON),
    (Status.SUSPENDED, Status.VERIFIED): by_a_verifier(verification.reinstate_provider),
    (Status.SUSPENDED, Status.DEBARRED): by_a_verifier(verification.debar_provider, reason=REASON),
}

# Each service by the status it reaches, to try it from every other status.
SERVICES = {
    "submit_provider": (Status.SUBMITTED, by_the_administrator(verification.submit_provider)),
    "verify_provider": (Status.VERIFIED, by_a_verifier(verification.verify_provider)),
    "reject_provider": (
        Status.REJECTED,
        by_a_verifier(verification.reject_provider, reason=REASON),
    ),
    "suspend_provider": (
        Status.SUSPENDED,
        by_a_verifier(verification.suspend_provider, reason=REASON),
    ),
    "reinstate_provider": (Status.VERIFIED, by_a_verifier(verification.reinstate_provider)),
    "debar_provider": (Status.DEBARRED, by_a_verifier(verification.debar_provider, reason=REASON)),
}


def provider_in(status: str) -> Provider:
    """A provider complete enough to be submitted, in ``status``."""
    provider = ProviderFactory(status=status)
    ProviderDocumentFactory(provider=provider)
    return provider


def test_the_lifecycle_is_the_models_table():
    assert PROVIDER_LIFECYCLE.transitions is PROVIDER_TRANSITIONS
    assert set(PROVIDER_LIFECYCLE.states.values) == set(Status.values)


def test_every_move_of_the_table_has_a_service():
    assert set(SERVICE_OF_MOVE) == set(PROVIDER_LIFECYCLE.moves())


@pytest.mark.parametrize(("source", "target"), list(PROVIDER_LIFECYCLE.moves()))
def test_each_allowed_move_happens_through_its_service(source, target):
    provider = provider_in(source)

    moved = SERVICE_OF_MOVE[(source, target)](provider)

    assert moved.status == target
    assert Provider.objects.get(pk=provider.pk).status == target
    entry = AuditEvent.objects.filter(object_id=str(provider.uuid)).latest("pk")
    assert entry.action == verification.STATUS_ACTIONS[target]
    assert entry.details == {"from": source, "to": target}
    assert entry.object_label == provider.organization.name_zh
    assert entry.organization_id == provider.organization_id


@pytest.mark.parametrize(
    ("service", "source"),
    [
        (service, source)
        for service, (target, _call) in SERVICES.items()
        for source in Status.values
        if not PROVIDER_LIFECYCLE.allows(source, target)
    ],
)
def test_each_service_refuses_the_moves_the_table_does_not_allow(service, source):
    target, call = SERVICES[service]
    provider = provider_in(source)

    with pytest.raises(InvalidTransition):
        call(provider)

    assert Provider.objects.get(pk=provider.pk).status == source


@pytest.mark.parametrize(("source", "target"), list(PROVIDER_LIFECYCLE.refusals()))
def test_every_move_the_table_does_not_allow_is_refused(source, target):
    provider = ProviderFactory(status=source)

    with pytest.raises(InvalidTransition) as refusal:
        move(provider, target, lifecycle=PROVIDER_LIFECYCLE, actor=None)

    assert str(refusal.value.message) == (
        f"A provider that is “{Status(source).label}” cannot become “{Status(target).label}”."
    )
    assert Provider.objects.get(pk=provider.pk).status == source
    assert not AuditEvent.objects.filter(object_id=str(provider.uuid)).exists()
