"""Interim: being written."""

urlpatterns: list = []
