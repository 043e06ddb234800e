"""API routes of the taxonomy app."""

urlpatterns: list = []
