"""The audit log records who did what, to what, from where — and nobody can change it afterwards."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from core import request_context
from core.audit import record_change, record_read, record_security
from core.middleware import RequestContextMiddleware
from core.models import AuditEvent, AuditLogIsAppendOnly
from tests.factories.accounts import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return record_security(action="auth.login_failed", details={"username": "someone"})


def test_change_made_during_a_request_records_actor_object_and_client_address():
    user, agency = UserFactory(), AgencyFactory()
    recorded = []

    def view(request):
        recorded.append(
            record_change(action="organization.updated", organization=agency, target=agency)
        )
        return HttpResponse()

    request = RequestFactory().post("/", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.1")
    request.user = user
    RequestContextMiddleware(view)(request)

    stored = AuditEvent.objects.get(pk=recorded[0].pk)
    assert stored.kind == AuditEvent.Kind.CHANGE
    assert stored.actor == user
    assert stored.organization == agency
    assert stored.action == "organization.updated"
    assert (stored.object_type, stored.object_id) == ("accounts.organization", str(agency.uuid))
    assert stored.ip_address == "203.0.113.7"
    assert len(stored.request_id) == 32


def test_request_context_is_cleared_after_the_request():
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4")
    request.user = UserFactory()
    RequestContextMiddleware(lambda request: HttpResponse())(request)

    event = record_security(action="keys.rotated")

    assert (event.actor_id, event.ip_address, event.request_id) == (None, None, "")


def test_read_of_personal_data_records_fields_and_purpose_but_no_values():
    caseworker, agency = UserFactory(), AgencyFactory()
    token = request_context.set_current(
        request_context.RequestContext(ip_address="192.0.2.10", request_id="r1")
    )
    try:
        event = record_read(
            action="beneficiary.viewed",
            actor=caseworker,
            organization=agency,
            target=agency,
            purpose="referral follow-up",
            fields={"phone", "name"},
        )
    finally:
        request_context.reset(token)

    assert event.kind == AuditEvent.Kind.READ
    assert event.actor == caseworker
    assert event.ip_address == "192.0.2.10"
    assert event.purpose == "referral follow-up"
    assert event.details == {"fields": ["name", "phone"]}


def test_saving_an_existing_event_again_is_refused(event):
    event.action = "auth.login"

    with pytest.raises(AuditLogIsAppendOnly):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).action == "auth.login_failed"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_database_refuses_an_update_that_bypasses_the_model(event):
    # Bulk updates and raw SQL skip Model.save(); the trigger still holds.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="auth.login")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'tampered' WHERE id = %s", [event.pk])

    assert AuditEvent.objects.get(pk=event.pk).action == "auth.login_failed"


def test_postgresql_refuses_a_delete_that_bypasses_the_model(on_postgres, event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()
