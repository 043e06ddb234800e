from django.db import migrations, models


def codes_from_words(apps, schema_editor):
    """The words were written in the mover's language; the status says which they were."""
    Referral = apps.get_model("referrals", "Referral")
    returned = Referral.objects.exclude(returned_reason="")
    returned.filter(status="declined").update(return_code="declined")
    returned.filter(status="recalled").update(return_code="recalled")
    expired = returned.filter(status="expired")
    for words in ("waiting list", "等待", "候补"):
        expired.filter(returned_reason__icontains=words).update(return_code="waitlist_timeout")
    expired.filter(return_code="").update(return_code="no_answer")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0003_user_references_optional"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="return_code",
            field=models.CharField(
                blank=True,
                choices=[
                    ("declined", "Declined by the provider"),
                    ("recalled", "Recalled by the caseworker"),
                    ("no_answer", "The provider did not answer in time"),
                    ("waitlist_timeout", "Still on the waiting list for too long"),
                ],
                max_length=20,
                verbose_name="returned because",
            ),
        ),
        migrations.RunPython(codes_from_words, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="referral",
            name="returned_reason",
        ),
    ]
