"""Benchmark of the contract PDF: the median time to render a 10-page contract from its
record (WeasyPrint, bilingual, CJK font embedded) and to sign it twice (pyHanko,
PAdES, two incremental signatures as the agency and the provider apply them).

Builds one contract with enough KPIs, milestones and scope to fill ten A4 pages,
inside a transaction rolled back at the end (nothing is left in the database),
then renders and signs it ``--runs`` times and prints the medians, the page count
and the file sizes.

    DJANGO_SETTINGS_MODULE=config.settings.dev .venv/bin/python bench/contract_pdf.py [--runs 5]

It is not part of the test suite (``bench/`` is outside ``tests/``); it uses the
test factories to build the record, so it needs the development dependencies.
"""

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from contracts.pdf import render_contract_pdf  # noqa: E402
from contracts.services.documents import page_count  # noqa: E402
from core.integrations import signing  # noqa: E402

TARGET_PAGES = 10


class Rollback(Exception):
    pass


def _contract(scope_paragraphs: int):
    from tests.factories.contracts import contract_from_award, standing_award

    award = standing_award(value=Decimal("2400000.00"))
    start = award.tender.contract_start
    milestones = [
        {
            "kind": "fixed",
            "title_zh": f"第{n}期服务费（按季度支付，含服务台账、满意度回访和督导记录）",
            "title_en": f"Instalment {n}: quarterly services, records, follow-up and supervision",
            "due_date": start,
            "amount": Decimal("60000.00"),
        }
        for n in range(1, 25)
    ]
    kpis = [
        {
            "name_zh": f"服务指标{n}：按月统计的服务人次及完成情况",
            "name_en": f"Indicator {n}: people served each month and services completed",
            "unit": "人次",
            "target": Decimal("100") + n,
            "measured_by": "reported",
        }
        for n in range(1, 25)
    ]
    paragraph_zh = (
        "服务机构应为辖区内低保、低收入及特困家庭提供入户评估、个案管理、心理疏导、"
        "资源链接和社区支持等服务，建立服务台账，按月报送服务进展，配合委托方开展绩效评估。"
    )
    paragraph_en = (
        "The provider assesses households on dibao, on low incomes and in extreme poverty at "
        "home, manages their cases, offers counselling, links them to resources and community "
        "support, keeps records, reports monthly and takes part in the agency's assessments."
    )
    return contract_from_award(
        award,
        scope_zh="\n".join([paragraph_zh] * scope_paragraphs),
        scope_en="\n".join([paragraph_en] * scope_paragraphs),
        kpis=kpis,
        milestones=milestones,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    render_times, sign_times = [], []
    try:
        with transaction.atomic():
            paragraphs, pages, version = 10, 0, None
            while pages < TARGET_PAGES:
                contract = _contract(paragraphs)
                version = contract.versions.get()
                pages = page_count(render_contract_pdf(version)) or 0
                paragraphs += 10
            for _run in range(args.runs):
                began = time.perf_counter()
                pdf = render_contract_pdf(version)
                render_times.append(time.perf_counter() - began)
                began = time.perf_counter()
                once = signing.sign_pdf(
                    pdf, field_name="agency_v1", signer_name="委托方", reason="签署合同"
                )
                twice = signing.sign_pdf(
                    once, field_name="provider_v1", signer_name="服务机构", reason="签署合同"
                )
                sign_times.append(time.perf_counter() - began)
            checks = signing.validate_pdf(twice)
            raise Rollback
    except Rollback:
        pass
    print(
        f"contract PDF: {pages} pages, {len(pdf) / 1024:.0f} KiB unsigned, "
        f"{len(twice) / 1024:.0f} KiB with two signatures ({len(checks)} validated: "
        f"{all(check.intact and check.valid for check in checks)})"
    )
    print(f"render (median of {args.runs}): {statistics.median(render_times) * 1000:.0f} ms")
    print(f"sign twice (median of {args.runs}): {statistics.median(sign_times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
