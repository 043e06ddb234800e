"""Evaluation pages: the workspace under /app/evaluation/, the survey under /survey/,
public ratings and assessment summaries.

Each topic module of ``evaluation.views`` lists its own ``urlpatterns``; API routes
are in ``evaluation/api_urls.py``.
"""

from evaluation.views import assessments, outcomes, ratings, surveys

app_name = "evaluation"

urlpatterns = [
    *outcomes.urlpatterns,
    *surveys.urlpatterns,
    *assessments.urlpatterns,
    *ratings.urlpatterns,
]
