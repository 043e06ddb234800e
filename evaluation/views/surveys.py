"""Pages of surveys (being written)."""

urlpatterns: list = []
