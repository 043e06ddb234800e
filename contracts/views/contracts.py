"""Contract pages: contracts (being written in this change)."""

urlpatterns: list = []
