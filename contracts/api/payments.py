"""Contracts API: payments (being written in this change)."""

ROUTES: list = []
