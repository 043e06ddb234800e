"""Pages of assessments (being written)."""

urlpatterns: list = []
