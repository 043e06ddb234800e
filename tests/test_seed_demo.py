"""seed_demo: demo users of SPEC §6, directory and referral demo data; idempotent; refused in
production."""

import re
from collections import defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.test import override_settings
from django.utils import timezone

from accounts.models import Organization, User
from cms import statistics
from providers import selectors as provider_selectors
from providers.models import Provider, Service
from referrals import selectors as referral_selectors
from referrals import services as referral_services
from referrals.models import (
    ACTIVE_STATUSES,
    AWAITING_ANSWER,
    REFERRAL_TRANSITIONS,
    Beneficiary,
    Consent,
    NeedAssessment,
    Referral,
    ReferralEvent,
    UnmetNeed,
)
from referrals.validators import parse_id_number
from taxonomy.models import NeedCategory

pytestmark = pytest.mark.django_db

SPEC_USERS = {
    "commissioner",
    "finance",
    "caseworker",
    "caseworker2",
    "supervisor",
    "ngo_admin",
    "ngo_staff",
    "ngo2_admin",
    "assessor",
    "editor",
    "admin",
}
SECOND = timedelta(seconds=1)
XUJIAHUI = "Xujiahui Subdistrict Office, Xuhui District"
PUDONG = "Pudong New Area Civil Affairs Bureau"


def _counts() -> dict[str, int]:
    return {
        "organizations": Organization.objects.count(),
        "users": User.objects.count(),
        "services": Service.objects.count(),
        "beneficiaries": Beneficiary.objects.count(),
        "assessments": NeedAssessment.objects.count(),
        "referrals": Referral.objects.count(),
        "events": ReferralEvent.objects.count(),
        "consents": Consent.objects.count(),
        "unmet needs": UnmetNeed.objects.count(),
        "free places": Service.objects.aggregate(total=Sum("free_slots"))["total"],
        "waiting lists": Service.objects.aggregate(total=Sum("waitlist_length"))["total"],
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed twice, once for the whole module, in a transaction rolled back at its end
    (each test runs in a savepoint inside it, so what one test changes the next never sees)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_areas", stdout=StringIO())
        first = StringIO()
        call_command("seed_demo", stdout=first)
        counts = _counts()
        call_command("seed_demo", stdout=StringIO())
        yield {
            "output": first.getvalue(),
            "counts_after_first": counts,
            "counts_after_second": _counts(),
        }
        transaction.set_rollback(True)


def test_seed_demo_builds_the_demo_data_set_idempotently(seeded, client):
    # every demo user of SPEC §6 signs in with the printed password
    assert set(User.objects.values_list("username", flat=True)) >= SPEC_USERS
    for username in SPEC_USERS:
        response = client.post(
            "/accounts/login/", {"username": username, "password": "demo-pass-2026"}
        )
        assert response.status_code == 302, username
        client.logout()
    assert "caseworker2" in seeded["output"]
    assert "password: demo-pass-2026" in seeded["output"]
    # a second run creates nothing new, takes no more places and joins no waiting list
    assert seeded["counts_after_first"] == seeded["counts_after_second"]

    # directory demo data (providers issue, item 8)
    assert Provider.objects.filter(status=Provider.Status.VERIFIED).count() >= 40
    public = provider_selectors.public_services()
    assert public.count() >= 120
    groups = set(
        NeedCategory.objects.filter(services__in=public).values_list("parent__code", flat=True)
    )
    top_level = set(NeedCategory.objects.filter(parent__isnull=True).values_list("code", flat=True))
    assert top_level <= groups
    assert public.filter(free_slots=0, waitlist_length__gt=0).exists()
    assert any(service.capacity_is_stale() for service in public)
    assert Provider.objects.filter(status=Provider.Status.SUSPENDED).count() == 1
    submitted = Provider.objects.get(status=Provider.Status.SUBMITTED)
    with submitted.documents.get().file.open("rb") as certificate:
        assert certificate.read(5) == b"%PDF-"
    districts = set(
        Organization.objects.filter(provider__status="verified").values_list(
            "area__code", flat=True
        )
    )
    assert len(districts) == 16


# --- referral demo data (referrals issue, item 10) --------------------------------------


def test_at_least_300_fictional_people_in_two_agencies(seeded):
    people = list(Beneficiary.objects.select_related("agency", "area"))
    by_agency = defaultdict(list)
    for person in people:
        by_agency[person.agency.name_en].append(person)
    assert len(people) >= 300
    assert set(by_agency) == {XUJIAHUI, PUDONG}
    assert min(len(group) for group in by_agency.values()) >= 100
    for person in people:
        parsed = parse_id_number(person.id_number)  # a valid GB 11643 number
        assert person.id_number.startswith("31")  # a Shanghai area code
        assert (parsed.gender, parsed.birth_date) == (person.gender, person.birth_date)
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", person.name)
        assert person.phone == "" or re.fullmatch(r"139\d{8}", person.phone)
        # placed offline in the agency's own district
        district = "310104" if person.agency.name_en == XUJIAHUI else "310115"
        assert person.area.code.startswith(district) and person.address.startswith("上海市")
        assert person.household_size == len(person.household_members) + 1
    assert len({person.id_number for person in people}) == len(people) - 1  # one known to both


def test_one_person_is_known_to_both_agencies(seeded):
    shared = (
        Beneficiary.objects.values("id_number_index")
        .annotate(agencies=Count("agency", distinct=True))
        .filter(agencies=2)
    )
    assert shared.count() == 1
    xujiahui = Organization.objects.get(name_en=XUJIAHUI)
    elsewhere = referral_selectors.known_elsewhere(
        id_number_index=shared.get()["id_number_index"], exclude_agency=xujiahui
    )
    assert [known.agency_name for known in elsewhere] == [PUDONG]
    assert elsewhere[0].active_help == ("dibao",)
    person = Beneficiary.objects.get(
        id_number_index=shared.get()["id_number_index"], agency=xujiahui
    )
    assert person.id_number in seeded["output"]  # printed, so a demo can look her up


def test_personal_data_is_encrypted_in_the_tables_bulk_seeding_included(seeded):
    person = Beneficiary.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, id_number, phone, address FROM referrals_beneficiary WHERE id = %s",
            [person.pk],
        )
        raw = cursor.fetchone()
    for plaintext in (person.name, person.id_number, person.phone, person.address):
        assert plaintext and plaintext not in raw
    assert all(raw)  # stored, as ciphertext


def test_at_least_600_referrals_cover_every_status_with_a_consistent_history(seeded):
    now = timezone.now()
    referrals = list(
        Referral.objects.select_related("need__assessment").prefetch_related(
            "service__categories", "consents"
        )
    )
    events = defaultdict(list)
    for event in ReferralEvent.objects.order_by("at", "pk"):
        events[event.referral_id].append(event)

    assert len(referrals) >= 600
    assert {referral.status for referral in referrals} == set(Referral.Status.values)
    for referral in referrals:
        history = events[referral.pk]
        assert (history[0].from_status, history[0].to_status) == ("", Referral.Status.DRAFT)
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_status == before.to_status
            assert after.to_status in REFERRAL_TRANSITIONS[before.to_status], referral.pk
            assert before.at <= after.at
        assert history[-1].to_status == referral.status
        # (to the second: a service stamps the row and its event one call apart)
        assert abs(history[-1].at - referral.status_changed_at) < SECOND
        assert referral.status_changed_at <= now
        assert abs(referral.created_at - history[0].at) < SECOND
        assert referral.need.assessment.assessed_on <= timezone.localdate(referral.created_at)
        assert referral.category_id == referral.need.category_id
        assert referral.category in referral.service.categories.all()
        if referral.sent_at is not None:
            # sent only under a consent given before it, on the SLA clock of referrals.sla
            assert any(c.given_at <= referral.sent_at for c in referral.consents.all())
        if referral.status in AWAITING_ANSWER:
            assert referral.due_at is not None and referral.expires_at > now
        if referral.status == Referral.Status.COMPLETED:
            assert referral.outcome
        if referral.status == Referral.Status.FAILED:
            assert referral.failure_reason
        if referral.status == Referral.Status.DECLINED:
            assert referral.decline_reason and referral.returned_reason
    # a need has at most one open referral
    open_per_need = (
        Referral.objects.filter(status__in=ACTIVE_STATUSES)
        .values("need")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not open_per_need.exists()


def test_places_held_and_waiting_lists_are_accounted_for(seeded):
    holding = Referral.objects.filter(holds_place=True)
    assert set(holding.values_list("status", flat=True)) == {"accepted", "in_service"}
    assert not Referral.objects.filter(
        status__in=["accepted", "in_service"], holds_place=False
    ).exists()
    assert not Service.objects.filter(free_slots__lt=0).exists()
    for service in Service.objects.filter(referrals__status="waitlisted").distinct():
        positions = service.referrals.filter(status="waitlisted").values_list(
            "waitlist_position", flat=True
        )
        assert all(1 <= position <= service.waitlist_length for position in positions)
        assert len(set(positions)) == len(positions)


def test_consents_include_revoked_ones_and_one_supervisor_override(seeded):
    override = Consent.objects.get(method=Consent.Method.SUPERVISOR_OVERRIDE)
    assert override.recorded_by.username == "supervisor"
    assert len(override.override_reason) >= 10
    assert Consent.objects.filter(revoked_at__isnull=False, revoked_by__isnull=False).count() >= 3


def test_referrals_wait_for_ngo_staff_with_their_deadline_ahead(seeded):
    ngo_staff = User.objects.get(username="ngo_staff")
    now = timezone.now()
    waiting = referral_selectors.inbox_for(ngo_staff).filter(
        status__in=AWAITING_ANSWER, due_at__gt=now
    )
    assert waiting.count() >= 5
    # and they can be answered as any referral: one with room is accepted
    answerable = waiting.filter(service__free_slots__gt=0).first()
    free_before = answerable.service.free_slots
    referral_services.accept_referral(referral=answerable, user=ngo_staff)
    answerable.service.refresh_from_db()
    assert answerable.service.free_slots == free_before - 1


def test_the_supervisor_sees_overdue_referrals(seeded):
    supervisor = User.objects.get(username="supervisor")
    overdue = referral_selectors.overdue_referrals(supervisor)
    statuses = set(overdue.values_list("status", flat=True))
    assert statuses & set(AWAITING_ANSWER)  # not answered by the deadline
    assert statuses & {"completed", "failed"}  # outcome not confirmed within 5 days


def test_unmet_needs_across_districts_and_kinds_of_help_feed_the_statistics(seeded):
    unmet = UnmetNeed.objects.select_related("area", "category__parent")
    assert len({need.area.code[:6] for need in unmet if need.area}) >= 10
    assert len({need.category.parent.code for need in unmet}) == 4

    table = statistics.unmet_needs_by_district()
    assert table.total_row.cells[0].value == unmet.count()
    assert any(cell.text == "<5" for row in table.rows for cell in row.cells)
    referrals = statistics.referrals_by_category()
    assert referrals.total_row.cells[0].value == Referral.objects.exclude(sent_at=None).count()


@override_settings(ALLOW_DEMO_SEED=False)
def test_refused_under_production_settings():
    with pytest.raises(CommandError, match="refused under production settings"):
        call_command("seed_demo", stdout=StringIO())


def test_the_demo_contracts_tell_the_three_stories_of_issue_12(seeded):
    from contracts.models import (
        Claim,
        Contract,
        ContractDocument,
        Milestone,
        PerformanceNotice,
        ProgressReport,
        Signature,
    )
    from core.integrations import signing
    from marketplace.models import Commitment

    contracts = {
        c.award.tender.title_zh: c for c in Contract.objects.select_related("award__tender")
    }
    assert len(contracts) == 3
    active = contracts["徐汇区、浦东新区困难群众心理疏导服务项目"]
    waiting = contracts["长宁区高龄独居老人探访关爱服务"]
    ended = contracts["黄浦区低保家庭社会工作个案服务项目"]

    # In force, with a PDF both parties signed that pyHanko validates.
    assert active.status == Contract.Status.ACTIVE
    document = ContractDocument.objects.get(version__contract=active, version__number=1)
    with document.file.open("rb") as handle:
        pdf = handle.read()
    checks = signing.validate_pdf(pdf)
    assert len(checks) == 2 and all(check.intact and check.valid for check in checks)
    # Milestones paid and pending; the output milestone met by the demo referrals.
    statuses = dict(active.milestones.values_list("number", "status"))
    assert statuses[1] == statuses[3] == Milestone.Status.PAID
    assert statuses[2] == statuses[4] == statuses[5] == Milestone.Status.PENDING
    output = Claim.objects.get(milestone__contract=active, milestone__number=3)
    assert output.evidence["count"] >= output.evidence["target"] == 12
    assert len(output.evidence["referrals"]) == output.evidence["count"]
    assert Claim.objects.get(milestone__contract=active, milestone__number=2).status == (
        Claim.Status.CONFIRMED
    )
    spent = Commitment.objects.filter(award=active.award, kind=Commitment.Kind.SPENT)
    assert sum(row.amount for row in spent) == sum(p.amount for p in active.payments.all())
    # Reports accepted and waiting; a published performance notice.
    reports = dict(active.reports.values_list("number", "status"))
    assert reports[1] == reports[2] == ProgressReport.Status.ACCEPTED
    assert reports[3] == ProgressReport.Status.SUBMITTED
    assert active.performance_notices.get().status == PerformanceNotice.Status.PUBLISHED

    # Signed by the bureau, waiting for the provider's signature.
    assert waiting.status == Contract.Status.AWAITING_SIGNATURES
    assert list(
        Signature.objects.filter(version__contract=waiting).values_list("party", flat=True)
    ) == [Signature.Party.AGENCY]

    # Terminated, what was not paid back in the pooled budget.
    assert ended.status == Contract.Status.TERMINATED and ended.status_reason
    movements = {
        kind: sum(
            Commitment.objects.filter(award=ended.award, kind=kind).values_list("amount", flat=True)
        )
        for kind in Commitment.Kind.values
    }
    assert movements["spent"] == ended.payments.get().amount
    assert movements["committed"] == movements["spent"] + movements["released"]


# --- evaluation demo data (evaluation issue, item 9) ------------------------------------


def test_every_completed_demo_referral_has_an_outcome_measured_against_its_goals(seeded):
    from evaluation import gas
    from evaluation.models.outcomes import Goal, Outcome

    outcomes = {o.referral_id: o for o in Outcome.objects.order_by("round")}  # latest wins
    goals = defaultdict(list)
    for goal in Goal.objects.all():
        goals[goal.referral_id].append(goal)
    statuses = dict(Referral.objects.values_list("pk", "status"))
    finished = {"completed", "failed", "closed", "reopened"}
    assert {pk for pk, status in statuses.items() if status in finished} == set(outcomes)
    scores = set()
    for referral_id, outcome in outcomes.items():
        if outcome.result == Outcome.Result.FAILED:
            assert outcome.t_score is None and outcome.failure_reason
            continue
        agreed = goals[referral_id]
        assert 1 <= len(agreed) <= 3
        assert all(goal.attainment is not None and goal.description for goal in agreed)
        assert outcome.t_score == gas.t_score((g.attainment, g.weight) for g in agreed)
        scores.add(outcome.t_score)
    assert len(scores) > 5
    # the outcome in words on the referral is the one its T-score gives
    for referral in Referral.objects.filter(status="completed"):
        assert referral.outcome == gas.outcome_in_words(outcomes[referral.pk].t_score)
    # goals are agreed as soon as a referral is accepted
    for pk, status in statuses.items():
        if status in ("accepted", "in_service"):
            assert 1 <= len(goals[pk]) <= 3 and all(g.attainment is None for g in goals[pk])
    # the caseworker's word: outcomes of closed referrals count; completed ones wait
    closed = Outcome.objects.filter(referral__status="closed")
    assert set(closed.values_list("status", flat=True)) == {"confirmed", "disputed"}
    waiting = Outcome.objects.filter(referral__status__in=["completed", "failed"])
    assert set(waiting.values_list("status", flat=True)) == {"recorded"}


def test_one_disputed_outcome_waits_for_the_demo_supervisor(seeded):
    from evaluation.models.outcomes import Outcome
    from evaluation.selectors.outcomes import disputes_for

    disputed = Outcome.objects.get(status=Outcome.Status.DISPUTED)
    assert disputed.dispute_reason and disputed.disputed_by.username == "caseworker"
    assert disputed.referral.status == Referral.Status.CLOSED
    assert list(disputes_for(User.objects.get(username="supervisor"))) == [disputed]
    # and one she upheld: it counts like a confirmed one
    upheld = Outcome.objects.get(resolved_by__username="supervisor")
    assert upheld.status == Outcome.Status.CONFIRMED and upheld.confirmed_at
    assert upheld.resolution_note and upheld.dispute_reason


def test_beneficiaries_answered_surveys_and_phone_numbers_in_comments_are_masked(seeded):
    from evaluation.models.surveys import SurveyResponse

    per_provider = SurveyResponse.objects.values("provider").annotate(n=Count("pk"))
    assert max(row["n"] for row in per_provider) >= 5
    assert len(per_provider) >= 10
    for response in SurveyResponse.objects.select_related("invitation"):
        assert response.invitation.used_at == response.submitted_at
        assert response.invitation.created_at < response.submitted_at < timezone.now()
    comments = [r.comment for r in SurveyResponse.objects.all() if r.comment]
    assert len(comments) >= 2
    masked = [comment for comment in comments if "139******78" in comment]
    assert len(masked) == 1
    assert not any(re.search(r"1\d{2}[\s-]?\d{4}[\s-]?\d{4}", comment) for comment in comments)


def test_two_accepted_assessments_of_two_providers_and_one_in_progress(seeded):
    from evaluation.models.assessments import Assessment

    accepted = list(Assessment.objects.filter(status=Assessment.Status.ACCEPTED))
    assert len(accepted) == 2 and len({a.provider_id for a in accepted}) == 2
    assert all(a.overall_score and a.summary_zh for a in accepted)
    assert all(a.assessor.kind == Organization.Kind.ASSESSOR for a in accepted)
    assert {a.submitted_by.username for a in accepted} == {"assessor"}
    assert {a.accepted_by.username for a in accepted} == {"commissioner"}
    graded = [a for a in accepted if a.awarded_grade]
    assert len(graded) == 1
    assert graded[0].provider.grade == graded[0].awarded_grade
    draft = Assessment.objects.get(status=Assessment.Status.IN_PROGRESS)
    framework_size = sum(d.indicators.count() for d in draft.framework.dimensions.all())
    assert 0 < draft.scores.count() < framework_size


def test_ratings_differ_between_providers_and_a_new_provider_has_none(seeded):
    from evaluation.models.ratings import ProviderRating, RatingHistory

    overall = ProviderRating.objects.filter(category=None)
    assert overall.count() >= 20
    assert max(r.score for r in overall) - min(r.score for r in overall) >= 0.25
    assert overall.filter(survey_count__gte=5).exists()
    assert ProviderRating.objects.filter(category__isnull=False).exists()
    assert RatingHistory.objects.values("month").distinct().count() >= 6
    unrated = Provider.objects.filter(status=Provider.Status.VERIFIED).exclude(
        pk__in=ProviderRating.objects.values("provider")
    )
    newest = unrated.order_by("-organization__created_at").first()
    assert newest is not None
    assert provider_selectors.public_services().filter(provider=newest).exists()
    assert newest.organization.created_at > timezone.now() - timedelta(days=30)
    assert not Referral.objects.filter(provider=newest).exists()
