"""Grades typed into the profile before issue #13 become declared, not verified.

Until then a provider could type its own grade and it counted at once. Every
grade held now is kept (the number stays visible) but stands as declared:
nobody checked a certificate for it, so it counts nowhere until a platform
administrator verifies one, or an accepted assessment awards a grade. Going
back forgets the standing; the grade itself is untouched either way.
"""

from django.db import migrations


def typed_grades_are_declared(apps, schema_editor):
    Provider = apps.get_model("providers", "Provider")
    Provider.objects.filter(grade__gt=0).update(
        grade_status="declared",
        grade_source="",
        grade_reference="",
        grade_document=None,
        grade_verified_by=None,
        grade_verified_at=None,
    )


def forget_standing(apps, schema_editor):
    Provider = apps.get_model("providers", "Provider")
    Provider.objects.update(grade_status="none", grade_source="")


class Migration(migrations.Migration):
    dependencies = [("providers", "0005_grade_evidence")]

    operations = [migrations.RunPython(typed_grades_are_declared, forget_standing)]
