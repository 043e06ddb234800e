"""The shared template components in templates/components/: what each must show."""

import pytest
from django import forms
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from tests.cms.markup import find_all, read


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


class ReferralForm(forms.Form):
    reason = forms.CharField(label="Reason", help_text="Say what help is needed.")
    urgent = forms.BooleanField(label="Urgent", required=False)


def test_form_field_shows_label_required_help_and_error_next_to_the_field():
    form = ReferralForm(data={"reason": ""})
    form.is_valid()

    elements = read(render_to_string("components/form_field.html", {"field": form["reason"]}))

    label = find_all(elements, "label")[0]
    field = next(e for e in find_all(elements, "input") if e.attrs.get("name") == "reason")
    assert label.attrs["for"] == field.attrs["id"] == "id_reason"
    assert "(required)" in label.text
    described_by = field.attrs["aria-describedby"].split()
    ids = {e.attrs.get("id") for e in elements}
    assert set(described_by) == {"id_reason_helptext", "id_reason_error"} <= ids
    assert field.attrs.get("aria-invalid") == "true"
    errors = next(e for e in elements if e.attrs.get("id") == "id_reason_error")
    assert "Error:" in errors.text and "This field is required." in errors.text


def test_form_field_puts_a_checkbox_before_its_label():
    elements = read(
        render_to_string("components/form_field.html", {"field": ReferralForm()["urgent"]})
    )

    tags = [e.tag for e in elements if e.tag in {"input", "label"}]
    assert tags == ["input", "label"]
    assert "(required)" not in find_all(elements, "label")[0].text


def test_status_badge_shows_the_status_in_words_with_its_colour_family():
    html = render_to_string(
        "components/status_badge.html", {"status": "rejected", "label": "未通过"}
    )

    badge = find_all(read(html), "span")[0]
    assert badge.text == "未通过"
    assert "status-badge--negative" in badge.attrs["class"]


def test_status_badge_colour_can_be_chosen_and_unknown_statuses_are_neutral():
    chosen = render_to_string("components/status_badge.html", {"label": "x", "tone": "info"})
    unknown = render_to_string("components/status_badge.html", {"status": "draft"})

    assert "status-badge--info" in chosen
    assert "status-badge--neutral" in unknown and ">draft<" in unknown


def test_pagination_keeps_the_filters_and_marks_the_current_page():
    request = RequestFactory().get("/app/audit/", {"kind": "security", "page": "3"})
    page_obj = Paginator(range(100), 10).get_page(3)

    elements = read(
        render_to_string("components/pagination.html", {"page_obj": page_obj}, request=request)
    )

    links = find_all(elements, "a")
    current = [e for e in links if e.attrs.get("aria-current") == "page"]
    assert [e.text for e in current] == ["3"]
    previous = next(e for e in links if e.attrs.get("rel") == "prev")
    assert previous.attrs["href"] == "?kind=security&page=2"
    assert all("kind=security" in e.attrs["href"] for e in links)
    assert "Page 3 of 10" in " ".join(e.text for e in find_all(elements, "p"))


def test_pagination_is_left_out_for_a_single_page():
    page_obj = Paginator(range(5), 10).get_page(1)

    assert render_to_string("components/pagination.html", {"page_obj": page_obj}).strip() == ""


def test_breadcrumbs_link_every_step_but_the_current_page():
    items = [("首页", "/"), ("政策文件", "/policies/"), ("民发〔2015〕55号", "/policies/55/")]

    elements = read(render_to_string("components/breadcrumbs.html", {"items": items}))

    assert [e.attrs["href"] for e in find_all(elements, "a")] == ["/", "/policies/"]
    current = next(e for e in elements if e.attrs.get("aria-current") == "page")
    assert current.tag == "span" and current.text == "民发〔2015〕55号"


def test_messages_start_with_their_kind_in_words():
    class Message:
        level_tag = "error"

        def __str__(self):
            return "The referral could not be sent."

    html = render_to_string("components/messages.html", {"messages": [Message()]})

    elements = read(html)
    assert any(e.attrs.get("role") == "status" for e in elements)
    assert "Error:" in html and "The referral could not be sent." in html
