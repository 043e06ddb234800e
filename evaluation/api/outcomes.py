"""API of outcomes (being written)."""

ROUTES: list = []
