"""Identifiers in English: a person's ``local_hukou`` is ``local_household_registration``."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("referrals", "0005_encrypt_consent_notes")]

    operations = [
        migrations.RenameField(
            model_name="beneficiary",
            old_name="local_hukou",
            new_name="local_household_registration",
        ),
    ]
