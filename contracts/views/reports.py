"""Contract pages: reports (being written in this change)."""

urlpatterns: list = []
