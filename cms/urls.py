"""Public-site routes served by Django views rather than Wagtail pages: search, feeds,
feedback and the statistics download. Wagtail serves the pages themselves
(/policies/, /guides/, /news/, /stats/)."""

from django.urls import path

from cms.views import feedback, feeds, search, stats

app_name = "cms"

urlpatterns = [
    path("search/", search.search, name="search"),
    path("policies/feed/", feeds.PolicyFeed(), name="policy_feed"),
    path("news/feed/", feeds.NewsFeed(), name="news_feed"),
    path("stats/data/<slug:table>.csv", stats.table_csv, name="stats_csv"),
    path("feedback/", feedback.submit, name="feedback"),
    path("feedback/status/", feedback.status, name="feedback_status"),
    path("app/feedback/", feedback.inbox, name="feedback_inbox"),
    path("app/feedback/<uuid:uuid>/", feedback.handle, name="feedback_handle"),
]
