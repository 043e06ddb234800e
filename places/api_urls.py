"""API routes of the places app."""

urlpatterns: list = []
