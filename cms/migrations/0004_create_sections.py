"""Create the four sections under both home pages, and the editors' moderation workflow.

The work is done by ``cms.sections`` so that tests and ``seed_demo`` can replay it
with the live app registry after a transactional test has flushed these rows.
"""

from django.db import migrations

from cms.sections import create_sections, set_up_moderation


def create_sections_and_moderation(apps, schema_editor):
    create_sections(apps, schema_editor)
    set_up_moderation(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_newsindexpage_newspage_policyindexpage_and_more"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        # Reversing keeps the pages and groups: editors may have changed them since.
        migrations.RunPython(create_sections_and_moderation, migrations.RunPython.noop),
    ]
