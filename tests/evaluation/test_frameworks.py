"""The standards framework the data migration seeds, and its public page with the
crosswalk to the civil-affairs evaluation dimensions (issue #13 point 3)."""

import pytest
from django.test import Client
from django.urls import reverse

from evaluation.models import CivilAffairsDimension, StandardsFramework
from tests.factories.evaluation import StandardsFrameworkFactory

pytestmark = pytest.mark.django_db

SEEDED = "social-service-quality"


def seeded() -> StandardsFramework:
    return StandardsFramework.objects.prefetch_related("dimensions__indicators").get(code=SEEDED)


def test_the_seeded_framework_weighs_five_dimensions_to_100_each_with_a_crosswalk():
    framework = seeded()
    assert framework.name_zh == "社会服务机构服务质量评估标准"
    assert framework.name_en == "Social service provider quality standards"
    dimensions = list(framework.dimensions.all())
    assert [d.name_en for d in dimensions] == [
        "Service quality",
        "Professional staff",
        "Governance",
        "Finance and transparency",
        "Beneficiary participation",
    ]
    assert sum(d.weight for d in dimensions) == 100
    assert all(d.civil_affairs in CivilAffairsDimension.values for d in dimensions)
    # Every civil-affairs dimension is covered by at least one of ours.
    assert {d.civil_affairs for d in dimensions} == set(CivilAffairsDimension.values)


def test_every_seeded_dimension_has_three_or_four_indicators_in_both_languages_with_guidance():
    codes = []
    for dimension in seeded().dimensions.all():
        indicators = list(dimension.indicators.all())
        assert 3 <= len(indicators) <= 4, dimension.code
        for indicator in indicators:
            assert indicator.text_zh and indicator.text_en
            assert indicator.guidance_zh and indicator.guidance_en
            assert indicator.weight >= 1
            codes.append(indicator.code)
    # Scores are addressed by indicator code, so codes are unique within the framework.
    assert len(codes) == len(set(codes))


def test_the_public_framework_page_shows_the_crosswalk_in_chinese():
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = client.get(reverse("evaluation:framework", args=[SEEDED]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "社会服务机构服务质量评估标准" in text
    for civil in ("基础条件", "内部治理", "工作绩效", "社会评价"):
        assert civil in text
    assert "开展需求评估并与服务对象共同制定服务计划" in text


def test_the_public_framework_list_links_every_framework_in_use_and_hides_the_others():
    retired = StandardsFrameworkFactory(is_active=False, name_en="Retired standards")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(reverse("evaluation:frameworks"))
    assert page.status_code == 200
    assert reverse("evaluation:framework", args=[SEEDED]) in page.content.decode()
    assert "Retired standards" not in page.content.decode()
    assert client.get(reverse("evaluation:framework", args=[retired.code])).status_code == 404
    assert client.get(reverse("evaluation:framework", args=["no-such"])).status_code == 404


def test_the_framework_page_reads_in_fixed_queries():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluation.models import Dimension, Indicator

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("evaluation:framework", args=[SEEDED])
    client.get(url)  # warm up (site, locale)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    framework = seeded()
    extra = Dimension.objects.create(
        framework=framework,
        code="extra",
        name_zh="附加",
        name_en="Extra",
        weight=1,
        civil_affairs="social_evaluation",
        order=9,
    )
    for number in range(1, 7):
        Indicator.objects.create(
            dimension=extra,
            code=f"extra-{number}",
            text_zh=f"附加{number}",
            text_en=f"Extra {number}",
            order=number,
        )
    assert queries() == before
