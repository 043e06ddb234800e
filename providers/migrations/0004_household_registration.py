"""Identifiers in English: a service's ``hukou`` requirement is its ``household_registration``."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("providers", "0003_service_point_nearest_index")]

    operations = [
        migrations.RenameField(
            model_name="service", old_name="hukou", new_name="household_registration"
        ),
    ]
