"""The public summaries of a provider's accepted assessments, for its profile page.

The provider directory does not know about evaluation (apps depend downward
only), so its profile template asks here::

    {% load assessments %}{% assessment_summaries provider %}

Each accepted assessment with its date, assessor, framework, overall score in
words, the score of each dimension, the summary and a link to the report PDF.
Four queries whatever the number of assessments.
"""

from django import template

from evaluation.selectors import assessments as selectors

register = template.Library()


@register.inclusion_tag("evaluation/assessments/_summaries.html")
def assessment_summaries(provider):
    return {"summaries": selectors.public_summaries_of(provider) if provider else []}
