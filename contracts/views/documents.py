"""Contract pages: documents (being written in this change)."""

urlpatterns: list = []
