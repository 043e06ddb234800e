"""Editors write and submit pages; moderators approve and publish them."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.actions.publish_revision import PublishPermissionError
from wagtail.models import GroupPagePermission

from accounts.models import Role
from cms.models import NewsPage
from cms.sections import (
    EDITORS,
    MODERATORS,
    WORKFLOW_NAME,
    create_sections,
    section_pages,
    set_up_moderation,
)
from demo.accounts import WAGTAIL_GROUPS

pytestmark = pytest.mark.django_db


@pytest.fixture
def sections(home_pages):
    create_sections(apps)
    set_up_moderation(apps)
    return section_pages()


@pytest.fixture
def editor(sections, django_user_model):
    user = django_user_model.objects.create_user("editor-1", password="x")
    user.groups.add(Group.objects.get(name=WAGTAIL_GROUPS[Role.EDITOR]))
    return user


@pytest.fixture
def moderator(sections, django_user_model):
    user = django_user_model.objects.create_user("moderator-1", password="x")
    user.groups.add(Group.objects.get(name=WAGTAIL_GROUPS[Role.MODERATOR]))
    return user


def draft_news(sections, editor):
    page = NewsPage(
        title="社区养老服务中心开放",
        slug="elderly-centre",
        date=datetime.date(2024, 5, 1),
        summary="新的社区养老服务中心开放。",
        live=False,
        owner=editor,
    )
    sections["news"]["zh-hans"].add_child(instance=page)
    page.save_revision(user=editor)
    return page


def test_demo_roles_map_to_the_wagtail_groups_set_up_here():
    assert WAGTAIL_GROUPS == {Role.EDITOR: EDITORS, Role.MODERATOR: MODERATORS}


def test_editors_and_moderators_may_use_the_cms_admin(editor, moderator):
    assert editor.has_perm("wagtailadmin.access_admin")
    assert moderator.has_perm("wagtailadmin.access_admin")


def test_editors_may_write_but_not_publish_and_moderators_may_publish(sections, editor, moderator):
    for language in ("zh-hans", "en"):
        index = sections["news"][language]
        assert index.permissions_for_user(editor).can_add_subpage()
        assert index.permissions_for_user(editor).can_edit()
        assert not index.permissions_for_user(editor).can_publish()
        assert index.permissions_for_user(moderator).can_publish()
    assert not GroupPagePermission.objects.filter(
        group__name=EDITORS, permission__codename="publish_page"
    ).exists()


def test_an_editor_cannot_publish_a_page_directly(sections, editor):
    page = draft_news(sections, editor)

    with pytest.raises(PublishPermissionError):
        PublishPageRevisionAction(page.get_latest_revision(), user=editor).execute()

    page.refresh_from_db()
    assert not page.live


def test_every_page_of_both_languages_goes_through_moderation(sections):
    for language in ("zh-hans", "en"):
        assert sections["guides"][language].get_workflow().name == WORKFLOW_NAME


def test_a_submitted_page_waits_for_a_moderator_and_goes_live_on_approval(
    sections, editor, moderator
):
    page = draft_news(sections, editor)
    workflow = page.get_workflow()

    state = workflow.start(page, editor)

    page.refresh_from_db()
    assert page.workflow_in_progress
    assert not page.live
    task_state = state.current_task_state
    task = task_state.task.specific
    assert task.get_actions(page, editor) == []
    assert "approve" in {name for name, _label, _modal in task.get_actions(page, moderator)}

    task.on_action(task_state, user=moderator, action_name="approve")

    page.refresh_from_db()
    state.refresh_from_db()
    assert page.live
    assert state.status == state.STATUS_APPROVED
