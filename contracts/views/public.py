"""Contract pages: public (being written in this change)."""

urlpatterns: list = []
