"""Pages of ratings (being written)."""

urlpatterns: list = []
