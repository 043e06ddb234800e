"""The sections of the public site, who may edit them, and how their pages are cached.

Under each home page (Chinese and English) sit the same four sections —
policies, service guides, news and statistics — each English page a translation
of the Chinese one (same ``translation_key``), with the same slug so that a page
keeps its address when the reader switches language.

Editors write and submit pages; moderators approve and publish them
(``set_up_moderation``): an editor's change never goes live unseen.

``create_sections`` and ``set_up_moderation`` only use ``apps.get_model``, so the
data migration ``cms.0004_create_sections`` calls them with the historical
models, and tests and ``seed_demo`` call them with the live app registry
(transactional tests flush the rows that data migrations made). Both are
idempotent: they add what is missing and change nothing an editor has written.
"""

import uuid

from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control

TREEBEARD_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
TREEBEARD_STEPLEN = 4

# How long a shared cache or browser may keep a public page for an anonymous visitor.
PUBLIC_PAGE_MAX_AGE = 300

# slug: (model, {language: (title, search description, introduction)})
SECTIONS = {
    "policies": (
        "policyindexpage",
        {
            "zh-hans": (
                "政策文件",
                "社会救助和社会服务的法规、规章和政策文件，附通俗解读。",
                "<p>这里收录国家和上海市关于社会救助、社会服务的法规和政策文件，"
                "每份文件都附有通俗易懂的解读。</p>",
            ),
            "en": (
                "Policies",
                "Laws, regulations and policy documents on social assistance and social "
                "services, each with a plain-language explanation.",
                "<p>National and Shanghai laws, regulations and policy documents on social "
                "assistance and social services, each with an explanation in everyday words.</p>",
            ),
        },
    ),
    "guides": (
        "serviceguideindexpage",
        {
            "zh-hans": (
                "办事指南",
                "怎样申请低保、特困供养、临时救助、医疗救助等帮助：谁可以申请、带什么材料、"
                "到哪里办。",
                "<p>每一种帮助怎样申请：谁可以申请，需要带哪些材料，办理步骤和时限，"
                "到哪里办理。</p>",
            ),
            "en": (
                "Service guides",
                "How to apply for minimum living assistance, extreme-poverty support, "
                "temporary assistance, medical assistance and other help: who can apply, what "
                "to bring and where to go.",
                "<p>How to apply for each kind of help: who can apply, what to bring, the "
                "steps and how long they take, and where to go.</p>",
            ),
        },
    ),
    "news": (
        "newsindexpage",
        {
            "zh-hans": (
                "新闻动态",
                "民政部门和本平台的新闻与通知。",
                "<p>民政部门和本平台发布的新闻与通知。</p>",
            ),
            "en": (
                "News",
                "News and announcements from the civil affairs bureaus and this platform.",
                "<p>News and announcements from the civil affairs bureaus and this platform.</p>",
            ),
        },
    ),
    "stats": (
        "statisticspage",
        {
            "zh-hans": (
                "数据统计",
                "各区、各类社会服务的供给与需求统计，匿名公开。",
                "<p>各区、各类社会服务的供给、转介和未满足需求的统计。"
                "数字都是匿名汇总，少于5的数字不予显示。</p>",
            ),
            "en": (
                "Statistics",
                "Anonymous statistics of social services, referrals and unmet needs by "
                "district and kind of help.",
                "<p>Social services, referrals and unmet needs by district and kind of help. "
                "All figures are anonymous totals; numbers under 5 are not shown.</p>",
            ),
        },
    ),
}

LANGUAGES = ("zh-hans", "en")

EDITORS = "Editors"
MODERATORS = "Moderators"
WORKFLOW_NAME = "Moderation before publishing"
TASK_NAME = "Moderator approval"

# Editors write and submit for moderation; only moderators publish.
PAGE_PERMISSIONS = {
    EDITORS: ("add_page", "change_page"),
    MODERATORS: ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"),
}
PAGE_PERMISSION_NAMES = {
    "add_page": "Can add page",
    "change_page": "Can change page",
    "publish_page": "Can publish page",
    "lock_page": "Can lock page",
    "unlock_page": "Can unlock page",
}


def _child_path(parent_path: str, number: int) -> str:
    """The materialised path of the ``number``-th child (treebeard's MP_Node encoding)."""
    digits = ""
    while number:
        number, remainder = divmod(number, len(TREEBEARD_ALPHABET))
        digits = TREEBEARD_ALPHABET[remainder] + digits
    return parent_path + digits.rjust(TREEBEARD_STEPLEN, "0")


def _home_pages(apps) -> dict:
    HomePage = apps.get_model("cms", "HomePage")
    homes = {}
    for home in HomePage.objects.filter(depth=2).select_related("locale").order_by("path"):
        homes.setdefault(home.locale.language_code, home)
    return homes


def create_sections(apps, schema_editor=None) -> None:
    """Create the missing section pages under the Chinese and English home pages."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")

    homes = _home_pages(apps)
    if "zh-hans" not in homes:
        return  # no site yet: cms.0002 makes the home pages first

    now = timezone.now()
    for slug, (model_name, content) in SECTIONS.items():
        model = apps.get_model("cms", model_name)
        content_type, _ = ContentType.objects.get_or_create(app_label="cms", model=model_name)
        translation_key = None
        for language in LANGUAGES:
            home = homes.get(language)
            if home is None:
                continue
            children = Page.objects.filter(depth=home.depth + 1, path__startswith=home.path)
            existing = children.filter(slug=slug).first()
            if existing is not None:
                translation_key = translation_key or existing.translation_key
                continue
            translation_key = translation_key or uuid.uuid4()
            if Page.objects.filter(
                translation_key=translation_key, locale_id=home.locale_id
            ).exists():
                continue  # already translated elsewhere (an editor moved it)
            last_path = children.order_by("-path").values_list("path", flat=True).first()
            number = int(last_path[-TREEBEARD_STEPLEN:], 36) + 1 if last_path else 1
            title, search_description, intro = content[language]
            model.objects.create(
                content_type=content_type,
                path=_child_path(home.path, number),
                depth=home.depth + 1,
                numchild=0,
                url_path=f"{home.url_path}{slug}/",
                slug=slug,
                title=title,
                draft_title=title,
                search_description=search_description,
                intro=intro,
                locale_id=home.locale_id,
                translation_key=translation_key,
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
            )
            Page.objects.filter(pk=home.pk).update(numchild=children.count())


def set_up_moderation(apps, schema_editor=None) -> None:
    """Give Editors and Moderators their page permissions on the home pages, and put
    every page of the site under the workflow "Moderation before publishing"."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")

    homes = list(_home_pages(apps).values())
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in PAGE_PERMISSIONS}

    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    permissions = {
        codename: Permission.objects.get_or_create(
            content_type=page_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in PAGE_PERMISSION_NAMES.items()
    }
    for name, codenames in PAGE_PERMISSIONS.items():
        group = groups[name]
        group.permissions.add(access_admin)
        for home in homes:
            for codename in codenames:
                GroupPagePermission.objects.get_or_create(
                    group=group, page_id=home.pk, permission=permissions[codename]
                )
    # Whatever was granted before, an editor's change goes live only through a moderator.
    GroupPagePermission.objects.filter(
        group=groups[EDITORS], permission=permissions["publish_page"]
    ).delete()

    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME, content_type=task_type, active=True)
    task.groups.add(groups[MODERATORS])

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for home in homes:
        WorkflowPage.objects.update_or_create(page_id=home.pk, defaults={"workflow": workflow})


def section_pages() -> dict[str, dict[str, object]]:
    """The live section pages, ``{slug: {language: page}}``, for seeding and tests."""
    from wagtail.models import Page

    sections: dict[str, dict[str, object]] = {slug: {} for slug in SECTIONS}
    pages = Page.objects.filter(depth=3, slug__in=SECTIONS).select_related("locale").specific()
    for page in pages.order_by("path"):
        sections[page.slug].setdefault(page.locale.language_code, page)
    return sections


def cache_for_visitor(page, request, response):
    """Let shared caches keep a public page for anonymous visitors, and nobody else's.

    Signed-in users may see their own name, links to their workspace or a preview;
    pages behind a view restriction (password, groups) are never public either.
    Responses carry ``Vary: Cookie`` (the language switcher's CSRF cookie, the
    session) and ``Vary: Accept-Language`` (LocaleMiddleware), so a cache keeps
    one copy per language and never hands one visitor's token to another.
    """
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if signed_in or getattr(request, "is_preview", False) or page.get_view_restrictions().exists():
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_PAGE_MAX_AGE)
    return response
