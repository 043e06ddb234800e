"""The referrals data migrations lose nothing: rows written before them come out whole.

- 0004 turns the stored return words (written in the mover's language) into a code;
- 0005 encrypts the consent override reasons and revocation notes held in plain text.

Rows are made at today's schema, the app is migrated back to before 0004, the
columns are set as the old code wrote them (raw SQL), and the app is migrated
forward again.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from referrals.models import Consent, Referral
from tests.factories.providers import ServiceFactory
from tests.factories.referrals import ConsentFactory, NeedFactory, ReferralFactory
from tests.factories.taxonomy import NeedCategoryFactory, ServiceTierFactory

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def rows():
    # Category and tier made here: a test with real transactions cannot count on the rows
    # data migrations loaded (an earlier one may have flushed them).
    category, tier = NeedCategoryFactory(), ServiceTierFactory()

    def referral(**kwargs):
        return ReferralFactory(
            need=NeedFactory(category=category),
            service=ServiceFactory(tier=tier, categories=[category]),
            **kwargs,
        )

    declined = referral(status=Referral.Status.DECLINED, return_code="declined")
    timed_out = referral(status=Referral.Status.EXPIRED, return_code="waitlist_timeout")
    unanswered = referral(status=Referral.Status.EXPIRED, return_code="no_answer")
    override = ConsentFactory(
        referral=referral(), method=Consent.Method.SUPERVISOR_OVERRIDE, override_reason="x"
    )
    revoked = ConsentFactory(referral=referral(), revocation_note="y")
    plain = ConsentFactory(referral=referral())
    return declined, timed_out, unanswered, override, revoked, plain


def test_return_words_become_codes_and_consent_notes_are_encrypted(rows):
    declined, timed_out, unanswered, override, revoked, plain = rows
    try:
        migrate([("referrals", "0003_user_references_optional")])
        with connection.cursor() as cursor:
            for referral, words in (
                (declined, "服务已满"),
                (timed_out, "在等待名单上超过 30 天"),
                (unanswered, "The provider did not answer in time."),
            ):
                cursor.execute(
                    "UPDATE referrals_referral SET returned_reason = %s WHERE id = %s",
                    [words, referral.pk],
                )
            cursor.execute(
                "UPDATE referrals_consent SET override_reason = %s WHERE id = %s",
                ["老人独居且失联，需立即上门。", override.pk],
            )
            cursor.execute(
                "UPDATE referrals_consent SET revocation_note = %s WHERE id = %s",
                ["本人电话撤回同意。", revoked.pk],
            )
    finally:
        migrate(latest())

    codes = dict(Referral.objects.values_list("pk", "return_code"))
    assert codes[declined.pk] == "declined"
    assert codes[timed_out.pk] == "waitlist_timeout"
    assert codes[unanswered.pk] == "no_answer"
    assert Consent.objects.get(pk=override.pk).override_reason == "老人独居且失联，需立即上门。"
    assert Consent.objects.get(pk=revoked.pk).revocation_note == "本人电话撤回同意。"
    assert Consent.objects.get(pk=plain.pk).override_reason == ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT override_reason, revocation_note FROM referrals_consent")
        stored = " ".join(value for row in cursor.fetchall() for value in row)
    assert "老人" not in stored
    assert "撤回" not in stored
