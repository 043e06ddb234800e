"""Contract pages: notices (being written in this change)."""

urlpatterns: list = []
