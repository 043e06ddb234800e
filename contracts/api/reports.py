"""Contracts API: reports (being written in this change)."""

ROUTES: list = []
