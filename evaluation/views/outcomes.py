"""Pages of outcomes (being written)."""

urlpatterns: list = []
