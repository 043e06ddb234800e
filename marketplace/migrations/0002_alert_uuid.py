import uuid

from django.db import migrations, models


def give_each_alert_its_uuid(apps, schema_editor):
    Alert = apps.get_model("marketplace", "Alert")
    alerts = list(Alert.objects.filter(uuid=None).only("pk"))
    for alert in alerts:
        alert.uuid = uuid.uuid4()
    Alert.objects.bulk_update(alerts, ["uuid"], batch_size=1000)


class Migration(migrations.Migration):
    """Alerts are addressed by uuid on pages and in the API, like every other object."""

    dependencies = [
        ("marketplace", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_alert_its_uuid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="alert",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
