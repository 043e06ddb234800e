"""Contracts API: notices (being written in this change)."""

ROUTES: list = []
