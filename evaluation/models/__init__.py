"""Evaluation: outcomes of referrals with their goals (``outcomes``), beneficiary
satisfaction surveys (``surveys``), third-party assessments against a standards
framework (``assessments``) and the provider ratings all of it feeds (``ratings``).

The modules declare fields, invariants and each state machine's table only;
writes go through ``evaluation.services`` and reads through
``evaluation.selectors``. Code inside the app imports the topic module; this
package re-exports every name for migrations and the Django machinery.
"""

from evaluation.models.assessments import (
    ASSESSMENT_LIFECYCLE,
    ASSESSMENT_TRANSITIONS,
    Assessment,
    AssessmentAttachment,
    CivilAffairsDimension,
    ConflictDeclaration,
    Dimension,
    Indicator,
    IndicatorScore,
    Score,
    StandardsFramework,
)
from evaluation.models.outcomes import (
    MAX_GOALS,
    MAX_WEIGHT,
    OUTCOME_LIFECYCLE,
    OUTCOME_TRANSITIONS,
    Attainment,
    Goal,
    Outcome,
)
from evaluation.models.ratings import ProviderRating, RatingHistory, RatingPrior
from evaluation.models.surveys import (
    MIN_AGGREGATE,
    QUESTIONS,
    SURVEY_VALID_FOR,
    SurveyInvitation,
    SurveyResponse,
)

__all__ = [
    "ASSESSMENT_LIFECYCLE",
    "ASSESSMENT_TRANSITIONS",
    "MAX_GOALS",
    "MAX_WEIGHT",
    "MIN_AGGREGATE",
    "OUTCOME_LIFECYCLE",
    "OUTCOME_TRANSITIONS",
    "QUESTIONS",
    "SURVEY_VALID_FOR",
    "Assessment",
    "AssessmentAttachment",
    "Attainment",
    "CivilAffairsDimension",
    "ConflictDeclaration",
    "Dimension",
    "Goal",
    "Indicator",
    "IndicatorScore",
    "Outcome",
    "ProviderRating",
    "RatingHistory",
    "RatingPrior",
    "Score",
    "StandardsFramework",
    "SurveyInvitation",
    "SurveyResponse",
]
