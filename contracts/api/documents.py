"""Contracts API: documents (being written in this change)."""

ROUTES: list = []
