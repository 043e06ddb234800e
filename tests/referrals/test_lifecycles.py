"""The referral lifecycle (SPEC §5), walked from its table: every move the table allows
happens through its public service and leaves its history (a ReferralEvent and an audit
entry); every move it does not allow raises ``InvalidTransition``, through the services
and through ``core.lifecycle.move`` itself; and who may make each move."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from accounts.models import Organization, Role
from core.errors import ApplicationError, InvalidTransition
from core.lifecycle import move as lifecycle_move
from core.models import AuditEvent
from referrals import services
from referrals.models import (
    ACTIVE_STATUSES,
    AWAITING_ANSWER,
    REFERRAL_LIFECYCLE,
    REFERRAL_TRANSITIONS,
    Consent,
    Referral,
    ReferralEvent,
    ShareableField,
)
from tests.factories.accounts import (
    AgencyFactory,
    OrganizationFactory,
    UserFactory,
    user_with_role,
)
from tests.factories.providers import ServiceFactory, provider_admin_of, provider_staff_of
from tests.factories.referrals import NeedFactory

pytestmark = pytest.mark.django_db

S = Referral.Status


@dataclass
class Cast:
    """The people around one referral: its agency's caseworker, the provider's staff."""

    agency: Organization
    caseworker: object
    service: object
    staff: object


@pytest.fixture
def cast():
    agency = AgencyFactory()
    service = ServiceFactory(free_slots=5)
    return Cast(
        agency=agency,
        caseworker=user_with_role(Role.CASEWORKER, agency),
        service=service,
        staff=provider_staff_of(service.provider),
    )


def new_draft(cast: Cast) -> Referral:
    need = NeedFactory(assessment__beneficiary__agency=cast.agency)
    return services.create_referral(need=need, service=cast.service, user=cast.caseworker)


def fresh(referral: Referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


# Who makes each move: the caseworker (C), the provider (P) or the clock (None).
CASEWORKER_MOVES = {S.SENT, S.RECALLED, S.CLOSED, S.REOPENED}


def actor_of(to: str, cast: Cast):
    if to == S.EXPIRED:
        return None
    return cast.caseworker if to in CASEWORKER_MOVES else cast.staff


def move(referral: Referral, to: str, cast: Cast) -> Referral:
    """Move ``referral`` to ``to`` through the service the product calls for that move."""
    if to == S.SENT:
        if not referral.consents.exists():
            services.record_consent(
                referral=referral,
                user=cast.caseworker,
                fields=[ShareableField.NAME, ShareableField.PHONE],
                purpose="联系本人安排上门服务",
                method=Consent.Method.SIGNED_FORM,
            )
        services.send_referral(referral=referral, user=cast.caseworker)
    elif to == S.VIEWED:
        services.mark_viewed(referral=referral, user=cast.staff)
    elif to == S.ACCEPTED:
        services.accept_referral(referral=referral, user=cast.staff)
    elif to == S.DECLINED:
        services.decline_referral(
            referral=referral, user=cast.staff, reason_code=Referral.DeclineReason.OUT_OF_AREA
        )
    elif to == S.WAITLISTED:
        services.waitlist_referral(referral=referral, user=cast.staff)
    elif to == S.IN_SERVICE:
        services.start_service(referral=referral, user=cast.staff)
    elif to == S.COMPLETED:
        services.complete_referral(
            referral=referral, user=cast.staff, outcome=Referral.Outcome.ACHIEVED
        )
    elif to == S.FAILED:
        services.fail_referral(
            referral=referral, user=cast.staff, reason_code=Referral.FailureReason.WITHDREW
        )
    elif to == S.RECALLED:
        services.recall_referral(referral=referral, user=cast.caseworker, note="已另行安排")
    elif to == S.CLOSED:
        services.close_referral(referral=referral, user=cast.caseworker)
    elif to == S.REOPENED:
        services.reopen_referral(referral=referral, user=cast.caseworker, note="需求再次出现")
    elif to == S.EXPIRED:
        # The clock, not a person: the beat task runs once the expiry time has come.
        services.process_referral_deadlines(now=fresh(referral).expires_at)
    else:  # pragma: no cover - the table test below keeps this list complete
        raise AssertionError(f"no move to {to}")
    return fresh(referral)


# The shortest way to reach each status from a new draft.
PATH_TO = {
    S.DRAFT: [],
    S.SENT: [S.SENT],
    S.VIEWED: [S.SENT, S.VIEWED],
    S.WAITLISTED: [S.SENT, S.WAITLISTED],
    S.ACCEPTED: [S.SENT, S.ACCEPTED],
    S.IN_SERVICE: [S.SENT, S.ACCEPTED, S.IN_SERVICE],
    S.COMPLETED: [S.SENT, S.ACCEPTED, S.IN_SERVICE, S.COMPLETED],
    S.FAILED: [S.SENT, S.ACCEPTED, S.FAILED],
    S.CLOSED: [S.SENT, S.ACCEPTED, S.IN_SERVICE, S.COMPLETED, S.CLOSED],
    S.REOPENED: [S.SENT, S.ACCEPTED, S.IN_SERVICE, S.COMPLETED, S.CLOSED, S.REOPENED],
    S.DECLINED: [S.SENT, S.DECLINED],
    S.RECALLED: [S.SENT, S.RECALLED],
    S.EXPIRED: [S.SENT, S.EXPIRED],
}


def referral_in(status: str, cast: Cast) -> Referral:
    referral = new_draft(cast)
    for step in PATH_TO[status]:
        referral = move(referral, step, cast)
    assert referral.status == status
    return referral


ALLOWED = list(REFERRAL_LIFECYCLE.moves())
# No service turns a referral back into a draft; every other pair outside the table is refused.
REFUSED = [(current, to) for current, to in REFERRAL_LIFECYCLE.refusals() if to != S.DRAFT]
PROVIDER_MOVES = {S.VIEWED, S.ACCEPTED, S.DECLINED, S.WAITLISTED, S.IN_SERVICE}
PROVIDER_MOVES |= {S.COMPLETED, S.FAILED}


def pair_ids(pairs) -> list[str]:
    return [f"{current}->{to}" for current, to in pairs]


def test_the_table_and_the_paths_name_every_status():
    assert set(REFERRAL_TRANSITIONS) == set(S.values)
    assert set(PATH_TO) == set(S.values)


def test_the_lifecycle_is_the_models_table():
    assert REFERRAL_LIFECYCLE.transitions is REFERRAL_TRANSITIONS
    assert set(REFERRAL_LIFECYCLE.states.values) == set(S.values)
    assert set(ALLOWED) == {
        (current, to) for current, targets in REFERRAL_TRANSITIONS.items() for to in targets
    }


@pytest.mark.parametrize(("current", "to"), ALLOWED, ids=pair_ids(ALLOWED))
def test_every_move_in_the_table_works_through_its_service(cast, current, to):
    referral = referral_in(current, cast)

    moved = move(referral, to, cast)

    assert moved.status == to
    assert moved.status_changed_at is not None


@pytest.mark.parametrize(("current", "to"), ALLOWED, ids=pair_ids(ALLOWED))
def test_every_move_writes_a_history_event_and_an_audit_entry(cast, current, to):
    referral = referral_in(current, cast)
    audits = AuditEvent.objects.filter(
        action=f"referral.{to}", object_id=str(referral.uuid), kind=AuditEvent.Kind.CHANGE
    )
    audits_before = audits.count()

    move(referral, to, cast)

    event = ReferralEvent.objects.filter(referral=referral).last()
    assert (event.from_status, event.to_status) == (current, to)
    assert event.actor == actor_of(to, cast)
    assert audits.count() == audits_before + 1
    audit = audits.latest("occurred_at")
    assert audit.details["from"] == current
    assert audit.details["to"] == to
    assert audit.actor_id == getattr(actor_of(to, cast), "pk", None)
    assert audit.organization_id == cast.agency.pk


def test_a_new_referral_starts_its_history_as_a_draft(cast):
    referral = new_draft(cast)

    event = referral.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", S.DRAFT, cast.caseworker)
    assert AuditEvent.objects.filter(
        action="referral.created", object_id=str(referral.uuid), actor=cast.caseworker
    ).exists()


def _refused_by_transition(current, to) -> bool:
    if to == S.VIEWED or to == S.EXPIRED:
        return False  # idempotent open and the clock: nothing happens (tests below)
    if to == S.SENT and current in ACTIVE_STATUSES:
        return False  # sending again is idempotent (test below)
    # A draft is not the provider's yet (test below).
    return not (current == S.DRAFT and to in PROVIDER_MOVES)


REFUSED_BY_TABLE = [pair for pair in REFUSED if _refused_by_transition(*pair)]


@pytest.mark.parametrize(("current", "to"), REFUSED_BY_TABLE, ids=pair_ids(REFUSED_BY_TABLE))
def test_a_move_outside_the_table_is_refused_with_a_readable_message(cast, current, to):
    referral = referral_in(current, cast)
    events_before = referral.events.count()

    with pytest.raises(InvalidTransition) as caught:
        move(referral, to, cast)

    message = str(caught.value.message)
    assert str(S(current).label) in message
    if to != S.SENT:
        assert message == f"A referral that is {S(current).label} cannot become {S(to).label}."
    else:
        assert "make a new referral" in message
    assert caught.value.code == "invalid_transition"
    assert fresh(referral).status == current
    assert referral.events.count() == events_before


REFUSALS = list(REFERRAL_LIFECYCLE.refusals())


@pytest.mark.parametrize(("current", "to"), REFUSALS, ids=pair_ids(REFUSALS))
def test_the_mechanism_refuses_every_move_the_table_does_not_allow(current, to):
    """``core.lifecycle.move`` itself, on a referral in each state: whatever a service
    may check first, no move outside the table gets through, nor does staying put."""
    referral = Referral(status=current)  # refused before anything is saved

    with pytest.raises(InvalidTransition) as caught:
        lifecycle_move(referral, to, lifecycle=REFERRAL_LIFECYCLE, actor=None)

    assert str(caught.value.message) == (
        f"A referral that is {S(current).label} cannot become {S(to).label}."
    )
    assert referral.status == current
    assert referral.status_changed_at is None


def test_a_refused_move_leaves_no_history_and_no_audit_entry(cast):
    referral = referral_in(S.COMPLETED, cast)
    events_before = referral.events.count()
    audits_before = AuditEvent.objects.filter(object_id=str(referral.uuid)).count()

    with pytest.raises(InvalidTransition):
        lifecycle_move(referral, S.ACCEPTED, lifecycle=REFERRAL_LIFECYCLE, actor=cast.staff)

    assert fresh(referral).status == S.COMPLETED
    assert referral.events.count() == events_before
    assert AuditEvent.objects.filter(object_id=str(referral.uuid)).count() == audits_before


@pytest.mark.parametrize("current", sorted(set(S.values) - {S.DRAFT, S.SENT}))
def test_opening_a_referral_that_is_not_newly_sent_changes_nothing(cast, current):
    referral = referral_in(current, cast)
    events_before = referral.events.count()

    move(referral, S.VIEWED, cast)

    assert fresh(referral).status == current
    assert referral.events.count() == events_before


@pytest.mark.parametrize("current", sorted(ACTIVE_STATUSES - {S.DRAFT}))
def test_sending_an_open_referral_again_changes_nothing(cast, current):
    referral = referral_in(current, cast)
    events_before = referral.events.count()

    services.send_referral(referral=referral, user=cast.caseworker)

    assert fresh(referral).status == current
    assert referral.events.count() == events_before


@pytest.mark.parametrize(
    "current", sorted(set(S.values) - AWAITING_ANSWER - {S.WAITLISTED}), ids=str
)
def test_the_clock_only_expires_referrals_waiting_for_an_answer(cast, current):
    referral = referral_in(current, cast)
    past = referral.status_changed_at
    Referral.objects.filter(pk=referral.pk).update(expires_at=past, due_at=past)

    services.process_referral_deadlines(now=past)

    assert fresh(referral).status == current


@pytest.mark.parametrize("to", sorted(PROVIDER_MOVES))
def test_a_provider_cannot_answer_a_draft_it_has_not_been_sent(cast, to):
    referral = new_draft(cast)

    with pytest.raises(PermissionDenied):
        move(referral, to, cast)

    assert fresh(referral).status == S.DRAFT


# --- who may make which move ----------------------------------------------------


def other_agency_caseworker(cast):
    return user_with_role(Role.CASEWORKER, AgencyFactory())


def other_provider_staff(cast):
    return provider_staff_of(ServiceFactory().provider)


def agency_supervisor(cast):
    return user_with_role(Role.SUPERVISOR, cast.agency)


def platform_admin(cast):
    return user_with_role(Role.PLATFORM_ADMIN, OrganizationFactory(kind=Organization.Kind.PLATFORM))


def superuser(cast):
    return UserFactory(is_superuser=True, is_staff=True)


def the_providers_staff(cast):
    return cast.staff


def the_agencys_caseworker(cast):
    return cast.caseworker


OUTSIDERS = [
    other_agency_caseworker,
    other_provider_staff,
    agency_supervisor,
    platform_admin,
    superuser,
]


def _record_consent(referral, user):
    services.record_consent(
        referral=referral,
        user=user,
        fields=[ShareableField.NAME],
        purpose="安排服务",
        method=Consent.Method.VERBAL_WITNESSED,
    )


def _revoke_consent(referral, user):
    services.revoke_consent(consent=referral.consents.get(), user=user)


# (status the referral is in, the call) for each move the caseworker's side makes.
CASEWORKER_ACTIONS = {
    "record consent": (S.DRAFT, _record_consent),
    "send": (S.SENT, lambda r, u: services.send_referral(referral=r, user=u)),
    "revoke consent": (S.ACCEPTED, _revoke_consent),
    "recall": (S.SENT, lambda r, u: services.recall_referral(referral=r, user=u)),
    "close": (S.COMPLETED, lambda r, u: services.close_referral(referral=r, user=u)),
    "reopen": (S.CLOSED, lambda r, u: services.reopen_referral(referral=r, user=u, note="再次")),
}
PROVIDER_ACTIONS = {
    "open": (S.SENT, lambda r, u: services.mark_viewed(referral=r, user=u)),
    "accept": (S.SENT, lambda r, u: services.accept_referral(referral=r, user=u)),
    "decline": (
        S.VIEWED,
        lambda r, u: services.decline_referral(referral=r, user=u, reason_code="no_capacity"),
    ),
    "waitlist": (S.SENT, lambda r, u: services.waitlist_referral(referral=r, user=u)),
    "start": (S.ACCEPTED, lambda r, u: services.start_service(referral=r, user=u)),
    "complete": (
        S.IN_SERVICE,
        lambda r, u: services.complete_referral(referral=r, user=u, outcome="achieved"),
    ),
    "fail": (
        S.ACCEPTED,
        lambda r, u: services.fail_referral(referral=r, user=u, reason_code="could_not_contact"),
    ),
    "read shared fields": (
        S.ACCEPTED,
        lambda r, u: services.read_shared_fields(referral=r, user=u, purpose="安排服务"),
    ),
}


def _prepared(cast, name, status):
    if name == "send":
        referral = referral_in(S.DRAFT, cast)
        _record_consent(referral, cast.caseworker)
        return referral
    return referral_in(status, cast)


@pytest.mark.parametrize("who", [*OUTSIDERS, the_providers_staff], ids=lambda f: f.__name__)
@pytest.mark.parametrize("action", sorted(CASEWORKER_ACTIONS))
def test_only_the_agencys_caseworkers_make_the_caseworkers_moves(cast, action, who):
    status, call = CASEWORKER_ACTIONS[action]
    referral = _prepared(cast, action, status)
    status_before, events_before = fresh(referral).status, referral.events.count()
    consents_before = list(referral.consents.values_list("pk", "revoked_at"))

    with pytest.raises(PermissionDenied):
        call(fresh(referral), who(cast))

    assert fresh(referral).status == status_before
    assert referral.events.count() == events_before
    assert list(referral.consents.values_list("pk", "revoked_at")) == consents_before


@pytest.mark.parametrize("who", [*OUTSIDERS, the_agencys_caseworker], ids=lambda f: f.__name__)
@pytest.mark.parametrize("action", sorted(PROVIDER_ACTIONS))
def test_only_the_providers_staff_make_the_providers_moves(cast, action, who):
    status, call = PROVIDER_ACTIONS[action]
    referral = referral_in(status, cast)
    events_before = referral.events.count()
    reads_before = AuditEvent.objects.filter(kind=AuditEvent.Kind.READ).count()

    with pytest.raises(PermissionDenied):
        call(fresh(referral), who(cast))

    assert fresh(referral).status == status
    assert referral.events.count() == events_before
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.READ).count() == reads_before


def test_an_outsider_cannot_refer_another_agencys_person(cast):
    need = NeedFactory(assessment__beneficiary__agency=cast.agency)

    for outsider in [*OUTSIDERS, the_providers_staff]:
        with pytest.raises(PermissionDenied):
            services.create_referral(need=need, service=cast.service, user=outsider(cast))

    assert not Referral.objects.filter(need=need).exists()


def test_a_supervisor_may_override_consent_but_not_send(cast):
    supervisor = agency_supervisor(cast)
    referral = new_draft(cast)
    services.override_consent(
        referral=referral,
        user=supervisor,
        fields=[],
        purpose="紧急安置",
        reason="本人昏迷无法表达意见，需紧急安置。",
    )

    with pytest.raises(PermissionDenied):
        services.send_referral(referral=referral, user=supervisor)
    assert fresh(referral).status == S.DRAFT


def test_any_caseworker_of_the_agency_may_follow_up_a_colleagues_referral(cast):
    referral = referral_in(S.COMPLETED, cast)
    colleague = user_with_role(Role.CASEWORKER, cast.agency)

    services.close_referral(referral=referral, user=colleague, note="结果已核实")

    assert fresh(referral).status == S.CLOSED
    assert referral.events.last().actor == colleague


def test_who_may_move_is_judged_on_the_referral_as_it_is_now(cast):
    copy_from_before_sending = new_draft(cast)
    move(copy_from_before_sending, S.SENT, cast)

    services.accept_referral(referral=copy_from_before_sending, user=cast.staff)

    assert fresh(copy_from_before_sending).status == S.ACCEPTED


def test_a_provider_administrator_answers_like_the_staff(cast):
    referral = referral_in(S.SENT, cast)
    admin = provider_admin_of(cast.service.provider)

    services.accept_referral(referral=referral, user=admin)

    assert fresh(referral).status == S.ACCEPTED


# --- what each answer records -------------------------------------------------------


def test_a_decline_needs_a_reason_code_and_returns_the_referral_with_it(cast):
    referral = referral_in(S.SENT, cast)

    with pytest.raises(ApplicationError) as caught:
        services.decline_referral(referral=referral, user=cast.staff, reason_code="")
    assert caught.value.field_errors == {"reason_code": ["Choose why you decline the referral."]}
    with pytest.raises(ApplicationError) as caught:
        services.decline_referral(referral=referral, user=cast.staff, reason_code="other")
    assert caught.value.field_errors == {"note": ["Explain the reason in a note."]}
    assert fresh(referral).status == S.SENT

    services.decline_referral(referral=referral, user=cast.staff, reason_code="not_eligible")

    declined = fresh(referral)
    assert declined.status == S.DECLINED
    assert declined.decline_reason == "not_eligible"
    assert declined.returned_reason == "Person not eligible for this service"
    assert declined.events.last().reason_code == "not_eligible"


def test_why_a_referral_came_back_is_written_in_the_readers_language(cast):
    """A provider declining in English, a caseworker reading in Chinese: a code is kept,
    not the mover's words."""
    referral = referral_in(S.SENT, cast)
    with translation.override("en"):
        services.decline_referral(referral=referral, user=cast.staff, reason_code="out_of_area")

    declined = fresh(referral)
    assert declined.return_code == Referral.ReturnCode.DECLINED
    with translation.override("zh-hans"):
        assert declined.returned_reason == "不在本机构服务区域内"
    with translation.override("en"):
        assert declined.returned_reason == "Outside the area we serve"


def test_a_failure_needs_a_reason_code(cast):
    referral = referral_in(S.IN_SERVICE, cast)

    with pytest.raises(ApplicationError) as caught:
        services.fail_referral(referral=referral, user=cast.staff, reason_code="bored")
    assert caught.value.field_errors == {
        "reason_code": ["Choose why the service did not go ahead."]
    }

    services.fail_referral(referral=referral, user=cast.staff, reason_code="could_not_contact")
    assert fresh(referral).failure_reason == "could_not_contact"


def test_completing_needs_an_outcome_and_closing_keeps_it(cast):
    referral = referral_in(S.IN_SERVICE, cast)

    with pytest.raises(ApplicationError) as caught:
        services.complete_referral(referral=referral, user=cast.staff, outcome="")
    assert caught.value.field_errors == {"outcome": ["Choose the outcome."]}

    services.complete_referral(
        referral=referral, user=cast.staff, outcome="partly", note="已安排每周两次上门"
    )
    services.close_referral(referral=fresh(referral), user=cast.caseworker)

    closed = fresh(referral)
    assert (closed.status, closed.outcome) == (S.CLOSED, "partly")
    assert closed.outcome_note == "已安排每周两次上门"
    assert closed.closed_at is not None


def test_reopening_needs_a_note_saying_why(cast):
    referral = referral_in(S.CLOSED, cast)

    with pytest.raises(ApplicationError) as caught:
        services.reopen_referral(referral=referral, user=cast.caseworker, note="  ")
    assert caught.value.field_errors == {"note": ["Say why the referral is reopened."]}

    services.reopen_referral(referral=referral, user=cast.caseworker, note="老人再次跌倒")

    reopened = fresh(referral)
    assert (reopened.status, reopened.closed_at) == (S.REOPENED, None)
    assert reopened.events.last().note == "老人再次跌倒"


def test_a_recalled_referral_comes_back_to_the_caseworker_with_the_reason(cast):
    referral = referral_in(S.VIEWED, cast)

    services.recall_referral(referral=referral, user=cast.caseworker)

    recalled = fresh(referral)
    assert recalled.returned_reason == "Recalled by the caseworker"
    assert (recalled.due_at, recalled.expires_at) == (None, None)
