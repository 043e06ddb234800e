"""API of ratings (being written)."""

ROUTES: list = []
