"""Models of the public site: Wagtail pages and the feedback desk.

Split by section; every model is imported here so Django and Wagtail find it.
"""

from cms.models.feedback import Feedback, FeedbackEvent
from cms.models.guides import ServiceGuideIndexPage, ServiceGuidePage
from cms.models.home import HomePage
from cms.models.news import NewsIndexPage, NewsPage
from cms.models.policies import PolicyAttachment, PolicyIndexPage, PolicyPage
from cms.models.stats import StatisticsPage

__all__ = [
    "Feedback",
    "FeedbackEvent",
    "HomePage",
    "NewsIndexPage",
    "NewsPage",
    "PolicyAttachment",
    "PolicyIndexPage",
    "PolicyPage",
    "ServiceGuideIndexPage",
    "ServiceGuidePage",
    "StatisticsPage",
]
