"""Replace Wagtail's welcome page with the platform's home page, in Chinese and English.

The Chinese home page is the root of the default Site; its English translation
shares its ``translation_key`` in the ``en`` locale, so Wagtail serves it at the
same address to visitors whose language is English.

``create_home_pages`` only uses ``apps.get_model`` so that it can also be called
with the live app registry (the test suite rebuilds the tree with it after a
transactional test has flushed the database).
"""

import json
import uuid

from django.db import migrations
from django.utils import timezone

TREEBEARD_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
TREEBEARD_STEPLEN = 4

HOME_PAGES = {
    "zh-hans": {
        "slug": "home",
        "title": "社会服务联合购买与转介平台",
        "search_description": (
            "政府部门联合购买社会服务、社会组织提供服务、困难群众转介和政策公开的平台。"
        ),
        "intro": (
            "<p>政府部门在这里联合购买社会服务，社会组织在这里承接和提供服务，"
            "街道和社区的工作人员在这里为困难群众转介合适的帮助。"
            "任何人都可以在这里查阅政策、了解怎样申请帮助、查找服务机构。</p>"
        ),
        "body": [
            ("heading", "遇到困难，怎样申请帮助"),
            (
                "paragraph",
                "<p>如果您或家人生活遇到困难，可以向户籍所在地或居住地的乡镇人民政府"
                "（街道办事处）申请社会救助，也可以请社区居委会、村委会帮您提出申请。"
                "工作人员会了解您的情况，并为您联系合适的服务机构。</p>"
                "<p>您也可以拨打 12345 政务服务便民热线咨询。</p>",
            ),
            ("heading", "您的个人信息受到保护"),
            (
                "paragraph",
                "<p>受助人的姓名、身份证号码、电话和住址都加密保存。"
                "只有经您同意、并且接受了转介的服务机构，才能看到为您提供服务所需的信息；"
                "您可以随时撤回同意。公开的页面和统计数据中不会出现任何受助人的个人信息。</p>",
            ),
        ],
    },
    "en": {
        "slug": "home-en",
        "title": "Social services commissioning and referral platform",
        "search_description": (
            "Where government agencies commission social services together, social "
            "organizations deliver them, caseworkers refer people in need, and policies "
            "are published for everyone."
        ),
        "intro": (
            "<p>Government agencies commission social services together here, social "
            "organizations deliver them, and street and community caseworkers refer people "
            "in difficulty to the help they need. Anyone can read policies, find out how to "
            "apply for help and look up service providers.</p>"
        ),
        "body": [
            ("heading", "If you need help"),
            (
                "paragraph",
                "<p>If you or your family are facing hardship, you can apply for social "
                "assistance at the township government or street office where your household "
                "is registered or where you live, or ask your residents' or villagers' "
                "committee to apply for you. Staff will look at your situation and put you in "
                "touch with a suitable service.</p>"
                "<p>You can also call the 12345 government service hotline.</p>",
            ),
            ("heading", "Your personal information is protected"),
            (
                "paragraph",
                "<p>The names, ID numbers, phone numbers and addresses of the people we help "
                "are stored encrypted. Only a service provider that you have agreed to share "
                "them with, and that has accepted your referral, can see what it needs to help "
                "you; you can withdraw your agreement at any time. Public pages and statistics "
                "never show anyone's personal information.</p>",
            ),
        ],
    },
}


def _stream_json(blocks):
    return json.dumps(
        [{"type": kind, "value": value, "id": str(uuid.uuid4())} for kind, value in blocks]
    )


def _child_path(parent_path, number):
    """The materialised path of the ``number``-th child (treebeard's MP_Node encoding)."""
    digits = ""
    while number:
        number, remainder = divmod(number, len(TREEBEARD_ALPHABET))
        digits = TREEBEARD_ALPHABET[remainder] + digits
    return parent_path + digits.rjust(TREEBEARD_STEPLEN, "0")


def create_home_pages(apps, schema_editor=None):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("cms", "HomePage")

    if HomePage.objects.exists():
        return

    locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code in HOME_PAGES}
    root = Page.objects.get(depth=1)
    home_type, _ = ContentType.objects.get_or_create(app_label="cms", model="homepage")
    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")

    existing_children = list(Page.objects.filter(depth=2, path__startswith=root.path))
    # Wagtail's untouched "Welcome to your new Wagtail site!" page, replaced below.
    welcome_pages = Page.objects.filter(
        depth=2, path__startswith=root.path, content_type=page_type, slug="home", numchild=0
    )
    welcome_ids = set(welcome_pages.values_list("pk", flat=True))
    # Free its slug now; the page itself can only go once the Site points elsewhere.
    Page.objects.filter(pk__in=welcome_ids).update(slug="wagtail-welcome")
    taken_slugs = {page.slug for page in existing_children if page.pk not in welcome_ids}
    last_number = max(
        (int(page.path[-TREEBEARD_STEPLEN:], 36) for page in existing_children), default=0
    )

    now = timezone.now()
    translation_key = uuid.uuid4()
    homes = {}
    for number, (code, content) in enumerate(HOME_PAGES.items(), start=last_number + 1):
        slug = content["slug"]
        if slug in taken_slugs:
            slug = f"{slug}-{code}"
        homes[code] = HomePage.objects.create(
            content_type=home_type,
            path=_child_path(root.path, number),
            depth=2,
            numchild=0,
            url_path=f"/{slug}/",
            slug=slug,
            title=content["title"],
            draft_title=content["title"],
            search_description=content["search_description"],
            intro=content["intro"],
            body=_stream_json(content["body"]),
            locale=locales[code],
            translation_key=translation_key,
            live=True,
            has_unpublished_changes=False,
            first_published_at=now,
            last_published_at=now,
        )

    home = homes["zh-hans"]
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    else:
        site.root_page = home
        site.save(update_fields=["root_page"])

    # Only now that the Site points elsewhere: deleting a Site's root page deletes the Site.
    Page.objects.filter(pk__in=welcome_ids).delete()
    Page.objects.filter(pk=root.pk).update(
        numchild=Page.objects.filter(depth=2, path__startswith=root.path).count()
    )

    # Page URLs are computed from a cached list of site roots; drop it so the new
    # roots are seen at once (Site's own signal handlers do not run in migrations).
    from wagtail.models import Site as LiveSite

    LiveSite.clear_site_root_paths_cache()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        # Reversing keeps the pages: they are content that editors may have changed.
        migrations.RunPython(create_home_pages, migrations.RunPython.noop),
    ]
