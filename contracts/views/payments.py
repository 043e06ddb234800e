"""Contract pages: payments (being written in this change)."""

urlpatterns: list = []
