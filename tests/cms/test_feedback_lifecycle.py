"""The feedback lifecycle, walked from its table: every move the table allows happens
through ``cms.services.change_feedback_status`` (a step the person sees, an audit
entry), every other move raises ``InvalidTransition``, and only the agency the
feedback was sent to may move it."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Role
from cms import services
from cms.forms import FeedbackStatusChangeForm
from cms.models import Feedback
from cms.models.feedback import FEEDBACK_LIFECYCLE, FEEDBACK_TRANSITIONS
from core.errors import InvalidTransition
from core.lifecycle import move
from core.models import AuditEvent
from places.models import Area
from tests.factories.accounts import AgencyFactory, UserFactory, user_with_role
from tests.factories.places import shanghai_district

pytestmark = pytest.mark.django_db

Status = Feedback.Status
REPLY = "已转街道办上门核实。"

# How feedback reaches each status through the service, from "received".
PATHS = {
    Status.RECEIVED: [],
    Status.IN_PROGRESS: [Status.IN_PROGRESS],
    Status.ANSWERED: [Status.ANSWERED],
    Status.CLOSED: [Status.ANSWERED, Status.CLOSED],
}


@pytest.fixture
def city_bureau():
    shanghai_district("310115", "浦东新区", "Pudong New Area")
    return AgencyFactory(
        name_zh="上海市民政局", area=Area.objects.get(code="310000000000"), parent=None
    )


@pytest.fixture
def caseworker(city_bureau):
    return user_with_role(Role.CASEWORKER, organization=city_bureau)


def feedback_in(status: str, worker) -> Feedback:
    feedback = services.submit_feedback(
        category=Feedback.Category.COMPLAINT_SERVICE, message="助餐点两周没有开门了。"
    )
    for step in PATHS[status]:
        feedback = services.change_feedback_status(
            feedback=feedback, user=worker, status=step, public_reply=REPLY
        )
    return feedback


def test_the_lifecycle_is_the_models_table():
    assert FEEDBACK_LIFECYCLE.transitions is FEEDBACK_TRANSITIONS
    assert set(PATHS) == set(Status.values)


@pytest.mark.parametrize(("source", "target"), list(FEEDBACK_LIFECYCLE.moves()))
def test_each_allowed_move_happens_through_the_service(caseworker, source, target):
    feedback = feedback_in(source, caseworker)

    moved = services.change_feedback_status(
        feedback=feedback, user=caseworker, status=target, note="已联系", public_reply=REPLY
    )

    assert moved.status == target
    assert Feedback.objects.get(pk=feedback.pk).status == target
    step = moved.events.last()
    assert (step.status, step.note, step.actor) == (target, "已联系", caseworker)
    entry = AuditEvent.objects.filter(object_id=str(feedback.uuid)).latest("pk")
    assert entry.action == "feedback.status_changed"
    assert entry.details == {"from": source, "to": target, "replied": True}
    assert entry.object_label == feedback.tracking_number
    assert entry.organization_id == feedback.agency_id


@pytest.mark.parametrize(("source", "target"), list(FEEDBACK_LIFECYCLE.refusals()))
def test_every_move_the_table_does_not_allow_is_refused(caseworker, source, target):
    feedback = feedback_in(source, caseworker)
    steps = feedback.events.count()

    with pytest.raises(InvalidTransition):
        services.change_feedback_status(
            feedback=feedback, user=caseworker, status=target, public_reply=REPLY
        )
    with pytest.raises(InvalidTransition):
        move(feedback, target, lifecycle=FEEDBACK_LIFECYCLE, actor=caseworker)

    assert Feedback.objects.get(pk=feedback.pk).status == source
    assert feedback.events.count() == steps


@pytest.mark.parametrize(
    "who",
    [
        "a caseworker of another agency",
        "a provider administrator",
        "a platform administrator",
        "a superuser without a role",
        "nobody",
    ],
)
def test_only_the_agency_it_was_sent_to_moves_feedback(caseworker, who):
    outsider = {
        "a caseworker of another agency": lambda: user_with_role(Role.CASEWORKER),
        "a provider administrator": lambda: user_with_role(Role.PROVIDER_ADMIN),
        "a platform administrator": lambda: user_with_role(Role.PLATFORM_ADMIN),
        "a superuser without a role": lambda: UserFactory(is_superuser=True, is_staff=True),
        "nobody": lambda: None,
    }[who]()
    feedback = feedback_in(Status.RECEIVED, caseworker)

    with pytest.raises(PermissionDenied):
        services.change_feedback_status(feedback=feedback, user=outsider, status=Status.IN_PROGRESS)

    assert Feedback.objects.get(pk=feedback.pk).status == Status.RECEIVED
    assert FeedbackStatusChangeForm(feedback=feedback, user=outsider).fields["status"].choices == []


@pytest.mark.parametrize("status", Status.values)
def test_the_form_offers_the_moves_the_lifecycle_allows(caseworker, status):
    feedback = feedback_in(status, caseworker)

    offered = FeedbackStatusChangeForm(feedback=feedback, user=caseworker).fields["status"].choices

    assert {value for value, _label in offered} == FEEDBACK_LIFECYCLE.targets(status)
